use strict;
use warnings;
use Test::More;
use WebSocket::Version;
use warnings qw( WebSocket::Version );

subtest 'the table matches t/data/ietf-versions.tsv' => sub
{
    open( my $fh, '<', 't/data/ietf-versions.tsv' ) or die( "t/data/ietf-versions.tsv: $!" );
    my $head = <$fh>;
    my $n = 0;
    my $t = $WebSocket::Version::IETF_VERSIONS;
    while( my $line = <$fh> )
    {
        chomp( $line );
        my( $draft, $serial, $version, $type, $status, $issued, $expires, $offset ) = split( /\t/, $line );
        is( $t->[ $n * 2 ], $draft, "row $n name" );
        my $d = $t->[ $n * 2 + 1 ];
        is_deeply( [ @$d{qw( draft serial version type status issued expires offset )} ],
            [ $draft, $serial, ( length( $version ) ? $version : undef ), $type, $status, $issued, $expires, $offset ], "$draft data" );
        my $v = WebSocket::Version->new( $draft );
        is( $v->offset, $offset, "$draft round-trips" );
        $n++;
    }
    is( $n, 89, '89 drafts' );
};

subtest 'new' => sub
{
    my $v = WebSocket::Version->new( 13 );
    isa_ok( $v, 'WebSocket::Version' );
    is( $v->draft, 'draft-ietf-hybi-17', '13 is draft-ietf-hybi-17' );
    isa_ok( $v->draft, 'WebSocket::Generic::Scalar' );
    is( WebSocket::Version->new( 8 )->draft, 'draft-ietf-hybi-12', '8 is the newest draft with version 8' );
    is( WebSocket::Version->new( 7 )->draft, 'draft-ietf-hybi-07', 'version 7' );
    is( WebSocket::Version->new( 2 )->draft, 'draft-ietf-hybi-03', '2 is draft-ietf-hybi-03' );
    is( WebSocket::Version->new( 0 )->draft, 'draft-ietf-hybi-00', '0' );
    is( WebSocket::Version->new( 'DRAFT-HIXIE-76' )->draft, 'draft-hixie-76', 'names are case-insensitive' );
    is( WebSocket::Version->new( WebSocket::Version->new( 8 ) )->draft, 'draft-ietf-hybi-12', 'from another object' );
    ok( !defined( WebSocket::Version->new( 9 ) ), 'no draft has version 9' );
    is( WebSocket::Version->error->code, 404, '... code 404' );
    is( WebSocket::Version->error->message, 'No data found for version "9".', '... original message' );
    ok( !defined( WebSocket::Version->new( 'draft-nope-1' ) ), 'unknown draft' );
    is( WebSocket::Version->error->message, 'No data found for draft "draft-nope-1".', '... original message' );
    ok( !defined( WebSocket::Version->new( '' ) ), 'empty' );
    is( WebSocket::Version->error->message, 'No version numeric or string was provided.', '... original message' );
    ok( !defined( WebSocket::Version->new ), 'nothing' );
    ok( !defined( WebSocket::Version->new( 13, bogus => 1 ) ), 'unknown option' );
};

subtest 'accessors' => sub
{
    my $v = WebSocket::Version->new( 'draft-ietf-hybi-17' );
    is( "$v", '13', 'stringifies to the version' );
    is( $v->as_string, 13, 'as_string' );
    is( $v->serial, 17, 'serial' );
    isa_ok( $v->serial, 'WebSocket::Generic::Number' );
    is( $v->revision, 17, 'revision' );
    is( $v->version, 13, 'version' );
    is( $v->numify, 13, 'numify' );
    isa_ok( $v->numify, 'WebSocket::Generic::Number' );
    is( $v->offset, 0, 'offset' );
    is( $v->status, 'draft', 'status' );
    is( $v->type, 'hybi', 'type' );
    isa_ok( $v->expires, 'DateTime' );
    is( "" . $v->expires, '2012-04-02', 'expires stringifies as the date' );
    is( "" . $v->issued, '2011-09-30', 'issued' );
    my $h = WebSocket::Version->new( 'draft-hixie-76' );
    is( $h->as_string, undef, 'hixie: no version' );
    is( "$h", '', '... stringifies to empty' );
    is( $h->numify, undef, 'numify undef' );
    is( $h->revision, 76, 'revision 76' );
    is( $h->serial, -1, 'serial -1' );
    is( $h->status, 'obsolete', 'status obsolete' );
    is( $h->type, 'hixie', 'type hixie' );
    my $c = $v->clone;
    isa_ok( $c, 'WebSocket::Version', 'clone' );
    is( $c->draft, 'draft-ietf-hybi-17', 'clone keeps the draft' );
    is( "" . $c->expires, '2012-04-02', 'clone keeps dates' );
};

subtest 'next and prev (BUG fixed: offset -1 / +1)' => sub
{
    my $v = WebSocket::Version->new( 'draft-ietf-hybi-10' );
    is( $v->next->draft, 'draft-ietf-hybi-11', 'next is one newer' );
    is( $v->prev->draft, 'draft-ietf-hybi-09', 'prev is one older' );
    is( $v->previous->draft, 'draft-ietf-hybi-09', 'previous' );
    is( WebSocket::Version->new( 'draft-ietf-hybi-00' )->prev->draft, 'draft-hixie-76', 'hybi-00 follows hixie-76' );
    is( WebSocket::Version->new( 'draft-hixie-13' )->prev->draft, 'draft-hixie-12', 'middle of the hixie drafts' );
    is( WebSocket::Version->new( 13 )->next, undef, 'nothing newer than hybi-17' );
    is( WebSocket::Version->new( 'draft-hixie-00' )->prev, undef, 'nothing older than hixie-00' );
    is( WebSocket::Version->new( 'draft-hixie-00' )->next->draft, 'draft-hixie-01', 'next of the oldest' );
};

subtest 'operators' => sub
{
    my $v = WebSocket::Version->new( 13 );
    my $v16 = $v - 1;
    isa_ok( $v16, 'WebSocket::Version', 'subtraction' );
    is( $v16->draft, 'draft-ietf-hybi-16', '13 - 1 is draft-16' );
    is( ( $v16 + 1 )->draft, 'draft-ietf-hybi-17', 'addition' );
    is( ( 20 - $v )->draft, 'draft-ietf-hybi-03', 'swapped operands' );
    {
        my @w;
        local $SIG{__WARN__} = sub { push( @w, @_ ) };
        is( $v16 * 2, undef, 'v16 * 2 is past the newest draft: undef' );
        is( $v / 2, undef, 'v / 2 is 8.5: undef' );
        is( scalar( @w ), 2, 'each with a warning (category enabled)' );
        no warnings 'WebSocket::Version';
        @w = ();
        my $x = $v * 10;
        is( scalar( @w ), 0, 'no warning when the category is off' );
    }
    is( ( $v % 9 )->draft, 'draft-ietf-hybi-08', 'modulo' );
    ok( $v > $v16, '>' );
    ok( $v16 < $v, '<' );
    ok( $v >= $v && $v <= $v, '>= <=' );
    ok( $v == WebSocket::Version->new( 'draft-ietf-hybi-17' ), '== between objects' );
    ok( $v != $v16, '!=' );
    ok( $v == 17, '== a number compares the serial' );
    ok( $v > 16, '> a number' );
    is( $v <=> $v16, 1, '<=>' );
    my @sorted = sort{ $a <=> $b } ( $v, WebSocket::Version->new( 'draft-hixie-76' ), $v16 );
    is_deeply( [ map{ $_->draft . '' } @sorted ], [ 'draft-hixie-76', 'draft-ietf-hybi-16', 'draft-ietf-hybi-17' ], 'sort by <=>' );
    ok( $v eq 'draft-ietf-hybi-17', 'eq a draft name' );
    ok( $v ne 'draft-ietf-hybi-16', 'ne a draft name' );
    ok( $v eq WebSocket::Version->new( 13 ), 'eq between objects' );
    is( $v cmp $v16, 1, 'cmp between objects' );
    ok( $v, 'a hybi version is true' );
    ok( !WebSocket::Version->new( 'draft-hixie-76' ), 'a hixie version is false' );
    is( sprintf( '%d', $v ), 13, 'numifies to the version (0+)' );
};

subtest 'get_dictionary' => sub
{
    my $v = WebSocket::Version->new( 13 );
    is( $v->get_dictionary( version => 8 )->{draft}, 'draft-ietf-hybi-12', 'by version: the newest' );
    is( $v->get_dictionary( draft => 'draft-ietf-hybi-05' )->{serial}, 5, 'by draft' );
    is( $v->get_dictionary( serial => 3 )->{draft}, 'draft-ietf-hybi-03', 'by serial' );
    is( $v->get_dictionary( serial => -1 )->{draft}, 'draft-hixie-76', 'negative serials too' );
    is( $v->get_dictionary( type => 'hixie', revision => 75 )->{draft}, 'draft-hixie-75', 'by type and revision' );
    is( $v->get_dictionary( type => 'hybi', revision => 7 )->{draft}, 'draft-ietf-hybi-07', 'hybi revision' );
    is_deeply( $v->get_dictionary( version => 99 ), {}, 'no match: empty hash' );
    my $copy = $v->get_dictionary( version => 13 );
    $copy->{draft} = 'changed';
    is( $v->get_dictionary( version => 13 )->{draft}, 'draft-ietf-hybi-17', 'a copy is returned' );
    my @cases = (
        [ [], "No argument provided. Use either 'version' or 'draft'" ],
        [ [ version => 'x' ], 'version option value provided is not an integer.' ],
        [ [ draft => 'a b' ], 'draft option value contains illegal characters.' ],
        [ [ type => 'other', revision => 1 ], 'Unknow draft type "other".' ],
        [ [ serial => '1.5' ], 'Serial option provided is not an integer.' ],
        [ [ version => 13, colour => 'red' ], "Unknown arguments: 'colour'" ],
    );
    for my $c ( @cases )
    {
        ok( !defined( $v->get_dictionary( @{ $c->[0] } ) ), "error: $c->[1]" );
        is( $v->error->message, $c->[1], '... exact message' );
    }
};

SKIP:
{
    skip( 'WebSocket::Request is needed for new_from_request', 1 ) unless( eval{ require WebSocket::Request; 1 } );
    subtest 'new_from_request' => sub
    {
        my $mk = sub { WebSocket::Request->new( [ @_ ], host => 'example.com', uri => '/' ) };
        my @cases = (
            [ [ 'Sec-WebSocket-Version' => 13, 'Sec-WebSocket-Key' => 'dGhlIHNhbXBsZSBub25jZQ==' ], 'draft-ietf-hybi-17' ],
            [ [ 'Sec-WebSocket-Version' => 8 ], 'draft-ietf-hybi-12' ],
            [ [ 'Sec-WebSocket-Key' => 'x', 'Sec-WebSocket-Origin' => 'http://a' ], 'draft-ietf-hybi-10' ],
            [ [ 'Sec-WebSocket-Key' => 'x' ], 'draft-ietf-hybi-17' ],
            [ [ 'Sec-WebSocket-Draft' => 2 ], 'draft-ietf-hybi-02' ],
            [ [ 'Sec-WebSocket-Key1' => '1 2', 'Sec-WebSocket-Key2' => '3 4' ], 'draft-ietf-hybi-03' ],
            [ [ 'Sec-WebSocket-Protocol' => 'chat' ], 'draft-hixie-76' ],
            [ [ 'WebSocket-Protocol' => 'chat' ], 'draft-hixie-75' ],
            [ [], 'draft-hixie-07' ],
        );
        for my $c ( @cases )
        {
            my $req = $mk->( @{ $c->[0] } );
            my $v = WebSocket::Version->new_from_request( $req );
            is( defined( $v ) ? $v->draft . "" : undef, $c->[1], "headers (@{ $c->[0] }) give $c->[1]" );
        }
        my $obj = WebSocket::Version->new( 13 );
        is( $obj->new_from_request( $mk->( 'Sec-WebSocket-Version' => 7 ) )->draft, 'draft-ietf-hybi-07', 'as an object method' );
        ok( !defined( WebSocket::Version->new_from_request ), 'no request' );
        is( WebSocket::Version->error->message, 'No WebSocket::Request object was provided.', '... message' );
        ok( !defined( WebSocket::Version->new_from_request( bless( {}, 'Other' ) ) ), 'wrong object' );
        is( WebSocket::Version->error->message, 'Object provided (Other) is not a WebSocket::Request object.', '... message' );
    };
}

done_testing();
