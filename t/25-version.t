use strict;
use warnings;
use Test::More;
use File::Basename ();
use File::Spec;
use Scalar::Util ();
use WebSocket::Version;
use WebSocket::Headers;
# The module registers its warnings category.
use warnings qw( WebSocket::Version );

# Stand-ins for WebSocket::Request, so that the rules of new_from_request are tested even
# where the real class cannot be loaded: only isa( 'WebSocket::Request' ) and headers() are
# used by new_from_request.
{
    package Local::StandInRequest;
    our @ISA = ( 'WebSocket::Request' );
    sub new { my $class = shift( @_ ); return( bless( { h => WebSocket::Headers->new( @_ ) }, $class ) ); }
    sub headers { return( $_[0]->{h} ); }

    package Local::NoHeadersRequest;
    our @ISA = ( 'WebSocket::Request' );
    sub new { return( bless( {}, shift( @_ ) ) ); }
    sub headers { return; }
}

my $TSV = File::Spec->catfile( File::Basename::dirname( __FILE__ ), 'data', 'ietf-versions.tsv' );

my @ROWS;
{
    open( my $fh, '<', $TSV ) or die( "$TSV: $!" );
    my $head = <$fh>;
    chomp( $head );
    my @cols = split( /\t/, $head );
    while( my $line = <$fh> )
    {
        chomp( $line );
        next if( !length( $line ) );
        my %row;
        @row{ @cols } = split( /\t/, $line, -1 );
        $row{version} = undef if( !length( $row{version} ) );
        push( @ROWS, \%row );
    }
    close( $fh );
}

subtest 'the table matches t/data/ietf-versions.tsv' => sub
{
    my $t = $WebSocket::Version::IETF_VERSIONS;
    is( ref( $t ), 'ARRAY', '$IETF_VERSIONS is an array reference' );
    is( scalar( @ROWS ), 89, '89 drafts in the data file' );
    is( scalar( @$t ), 2 * scalar( @ROWS ), 'one name/data pair per draft' );
    for my $n ( 0 .. $#ROWS )
    {
        my $r = $ROWS[$n];
        is( $t->[ $n * 2 ], $r->{draft}, "row $n is $r->{draft}" );
        is_deeply( $t->[ $n * 2 + 1 ], { map{ ( $_ => $r->{ $_ } ) } qw( draft serial version type status issued expires offset ) }, "$r->{draft}: data" );
    }
    is( $t->[1]->{draft}, 'draft-ietf-hybi-17', 'newest first' );
    is( $t->[-1]->{draft}, 'draft-hixie-00', 'oldest last' );
};

subtest 'every row round-trips through new, get_dictionary and the accessors' => sub
{
    my %newest_for;
    for my $r ( @ROWS )
    {
        $newest_for{ $r->{version} } //= $r->{draft} if( defined( $r->{version} ) );
        my $v = WebSocket::Version->new( $r->{draft} );
        ok( defined( $v ), "new( '$r->{draft}' )" ) || next;
        is_deeply(
            [ map{ defined( $_ ) ? "$_" : undef } $v->draft, $v->serial, $v->version, $v->type, $v->status, $v->issued, $v->expires, $v->offset ],
            [ @$r{qw( draft serial version type status issued expires offset )} ],
            "$r->{draft}: accessors"
        );
        my( $rev ) = $r->{draft} =~ /-(\d+)$/;
        is( $v->revision, $rev + 0, "$r->{draft}: revision" );
        is( WebSocket::Version->new( uc( $r->{draft} ) )->offset, $r->{offset}, "$r->{draft}: the name in upper case" );
        is( $v->get_dictionary( serial => $r->{serial} )->{draft}, $r->{draft}, "$r->{draft}: get_dictionary( serial => $r->{serial} )" );
        is( $v->get_dictionary( type => $r->{type}, revision => $rev )->{draft}, $r->{draft}, "$r->{draft}: get_dictionary( type, revision )" );
        is( $v->as_string, $r->{version}, "$r->{draft}: as_string" );
    }
    for my $ver ( sort{ $a <=> $b } keys( %newest_for ) )
    {
        is( WebSocket::Version->new( $ver )->draft, $newest_for{ $ver }, "new( $ver ) is the newest draft with version $ver: $newest_for{ $ver }" );
    }
};

subtest 'new' => sub
{
    my $v = WebSocket::Version->new( 13 );
    isa_ok( $v, 'WebSocket::Version' );
    isa_ok( $v, 'WebSocket::Generic' );
    is( $v->draft, 'draft-ietf-hybi-17', '13 is draft-ietf-hybi-17' );
    is( WebSocket::Version->new( 8 )->draft, 'draft-ietf-hybi-12', '8 is draft-ietf-hybi-12, the newest draft with version 8' );
    is( WebSocket::Version->new( 7 )->draft, 'draft-ietf-hybi-07', '7 is draft-ietf-hybi-07' );
    is( WebSocket::Version->new( 2 )->draft, 'draft-ietf-hybi-03', '2 is draft-ietf-hybi-03' );
    is( WebSocket::Version->new( 0 )->draft, 'draft-ietf-hybi-00', '0 is draft-ietf-hybi-00' );
    is( WebSocket::Version->new( '13' )->draft, 'draft-ietf-hybi-17', 'a number as a string' );
    is( WebSocket::Version->new( 'DRAFT-HIXIE-76' )->draft, 'draft-hixie-76', 'draft names are case-insensitive' );
    is( WebSocket::Version->new( WebSocket::Version->new( 'draft-ietf-hybi-10' ) )->draft, 'draft-ietf-hybi-10', 'from another object: the same draft' );
    my $hixie = WebSocket::Version->new( WebSocket::Version->new( 'draft-hixie-75' ) );
    ok( defined( $hixie ), 'from a hixie object, which is false' );
    is( $hixie->draft, 'draft-hixie-75', '... the same draft' );
    my $dict = WebSocket::Version->new( { %{ $WebSocket::Version::IETF_VERSIONS->[11] } } );
    is( $dict->draft, 'draft-ietf-hybi-12', 'from a dictionary of the table' );
    is( WebSocket::Version->new( { serial => 3 } )->draft, 'draft-ietf-hybi-03', 'from a dictionary with only a serial' );
    my $dbg = WebSocket::Version->new( 13, debug => 0 );
    is( $dbg->debug, 0, 'debug option' );
    my $h = WebSocket::Version->new( 13, { debug => 1 } );
    is( $h->debug, 1, 'options as a hash reference' );
    is( WebSocket::Version->new( 13, status => 'obsolete' )->status, 'obsolete', 'other options call their method' );
};

subtest 'new errors' => sub
{
    ok( !defined( WebSocket::Version->new( 9 ) ), 'no draft has version 9' );
    isa_ok( WebSocket::Version->error, 'WebSocket::Exception' );
    is( WebSocket::Version->error->code, 404, '... code 404' );
    is( WebSocket::Version->error->message, 'No data found for version "9".', '... error message' );
    ok( !defined( WebSocket::Version->new( 'draft-nope-1' ) ), 'unknown draft' );
    is( WebSocket::Version->error->code, 404, '... code 404' );
    is( WebSocket::Version->error->message, 'No data found for draft "draft-nope-1".', '... error message' );
    ok( !defined( WebSocket::Version->new( '' ) ), 'empty string' );
    is( WebSocket::Version->error->message, 'No version numeric or string was provided.', '... error message' );
    ok( !defined( WebSocket::Version->new ), 'no argument' );
    is( WebSocket::Version->error->message, 'No version numeric or string was provided.', '... error message' );
    ok( !defined( WebSocket::Version->new( 'draft hixie 76' ) ), 'characters no draft name has' );
    is( WebSocket::Version->error->message, 'draft option value contains illegal characters.', '... error message' );
    ok( !defined( WebSocket::Version->new( 13, bogus => 1 ) ), 'unknown option' );
    is( WebSocket::Version->error->message, 'Unknown method bogus in class WebSocket::Version', '... error message' );
    my @l = WebSocket::Version->new( 9 );
    is( scalar( @l ), 0, 'an empty list in list context' );
    ok( !eval{ WebSocket::Version->new( 9, fatal => 1 ); 1 }, 'fatal => 1: dies' );
    isa_ok( $@, 'WebSocket::Exception', '... with the exception' );
};

subtest 'accessors' => sub
{
    my $v = WebSocket::Version->new( 'draft-ietf-hybi-17' );
    is( "$v", '13', 'stringifies to the protocol version' );
    is( $v->as_string, 13, 'as_string' );
    isa_ok( $v->draft, 'WebSocket::Generic::Scalar', 'draft' );
    is( $v->draft, 'draft-ietf-hybi-17', '... value' );
    isa_ok( $v->serial, 'WebSocket::Generic::Number', 'serial' );
    is( $v->serial, 17, '... value' );
    isa_ok( $v->revision, 'WebSocket::Generic::Number', 'revision' );
    is( $v->revision, 17, '... value' );
    isa_ok( $v->version, 'WebSocket::Generic::Number', 'version' );
    is( $v->version, 13, '... value' );
    isa_ok( $v->numify, 'WebSocket::Generic::Number', 'numify' );
    is( $v->numify, 13, '... value' );
    is( $v->offset, 0, 'offset' );
    isa_ok( $v->status, 'WebSocket::Generic::Scalar', 'status' );
    is( $v->status, 'draft', '... value' );
    isa_ok( $v->type, 'WebSocket::Generic::Scalar', 'type' );
    is( $v->type, 'hybi', '... value' );
    isa_ok( $v->expires, 'DateTime', 'expires' );
    is( "" . $v->expires, '2012-04-02', '... stringifies as YYYY-MM-DD' );
    is( $v->expires->year, 2012, '... a real DateTime' );
    isa_ok( $v->issued, 'DateTime', 'issued' );
    is( "" . $v->issued, '2011-09-30', '... stringifies as YYYY-MM-DD' );
    my $h = WebSocket::Version->new( 'draft-hixie-76' );
    is( $h->as_string, undef, 'hixie: as_string is undef' );
    is( "$h", '', '... stringifies to the empty string' );
    is( $h->version, undef, '... version undef' );
    is( $h->numify, undef, '... numify undef' );
    is( $h->revision, 76, '... revision 76' );
    is( $h->serial, -1, '... serial -1' );
    is( $h->status, 'obsolete', '... status obsolete' );
    is( $h->type, 'hixie', '... type hixie' );
    is( WebSocket::Version->new( 'draft-hixie-07' )->revision, 7, 'revision of draft-hixie-07 is 7' );
    my $s = WebSocket::Version->new( 13 );
    is( $s->status( 'obsolete' ), 'obsolete', 'status( $v ) sets' );
    is( $s->type( 'other' ), 'other', 'type( $v ) sets' );
    is( $s->draft( 'x' ), 'x', 'draft( $v ) sets' );
    is( $s->serial( 5 ), 5, 'serial( $n ) sets' );
    is( $s->revision( 5 ), 5, 'revision( $n ) sets' );
    is( $s->version( 7 ), 7, 'version( $n ) sets' );
    is( "$s", '7', '... which is what it stringifies to' );
    is( "" . $s->issued( '2020-01-02' ), '2020-01-02', 'issued( $date ) sets' );
    is( "" . $s->expires( '2021-03-04' ), '2021-03-04', 'expires( $date ) sets' );
};

subtest 'clone' => sub
{
    my $v = WebSocket::Version->new( 'draft-ietf-hybi-17' );
    $v->expires;
    my $c = $v->clone;
    isa_ok( $c, 'WebSocket::Version', 'clone' );
    isnt( Scalar::Util::refaddr( $c ), Scalar::Util::refaddr( $v ), '... a new object' );
    is( $c->draft, 'draft-ietf-hybi-17', '... same draft' );
    is( "" . $c->expires, '2012-04-02', '... same dates' );
    ok( $c == $v, '... equal' );
    my $hc = WebSocket::Version->new( 'draft-hixie-00' )->clone;
    ok( defined( $hc ), 'a hixie version clones too' );
    is( $hc->draft, 'draft-hixie-00', '... same draft' );
};

subtest 'BUG: next is the entry at offset - 1 (the original read offset - 3)' => sub
{
    for my $r ( @ROWS[ 1 .. $#ROWS ] )
    {
        my $n = WebSocket::Version->new( $r->{draft} )->next;
        is( defined( $n ) ? $n->draft . '' : undef, $ROWS[ $r->{offset} - 1 ]->{draft}, "next of $r->{draft}" );
    }
    is( WebSocket::Version->new( 'draft-ietf-hybi-10' )->next->draft, 'draft-ietf-hybi-11', 'middle: hybi-10 -> hybi-11' );
    is( WebSocket::Version->new( 'draft-hixie-76' )->next->draft, 'draft-ietf-hybi-00', 'hixie-76 -> hybi-00' );
    is( WebSocket::Version->new( 'draft-hixie-00' )->next->draft, 'draft-hixie-01', 'the oldest -> hixie-01' );
    is( WebSocket::Version->new( 13 )->next, undef, 'the newest: undef' );
    my @l = WebSocket::Version->new( 13 )->next;
    is( scalar( @l ), 0, '... an empty list in list context' );
};

subtest 'BUG: prev and previous are the entry at offset + 1 (the original read offset + 3)' => sub
{
    for my $r ( @ROWS[ 0 .. $#ROWS - 1 ] )
    {
        my $p = WebSocket::Version->new( $r->{draft} )->prev;
        is( defined( $p ) ? $p->draft . '' : undef, $ROWS[ $r->{offset} + 1 ]->{draft}, "prev of $r->{draft}" );
    }
    is( WebSocket::Version->new( 'draft-ietf-hybi-10' )->prev->draft, 'draft-ietf-hybi-09', 'middle: hybi-10 -> hybi-09' );
    is( WebSocket::Version->new( 'draft-ietf-hybi-10' )->previous->draft, 'draft-ietf-hybi-09', 'previous is prev' );
    is( WebSocket::Version->new( 'draft-ietf-hybi-00' )->prev->draft, 'draft-hixie-76', 'hybi-00 -> hixie-76' );
    is( WebSocket::Version->new( 'draft-hixie-13' )->prev->draft, 'draft-hixie-12', 'hixie-13 -> hixie-12' );
    my $v = WebSocket::Version->new( 13 );
    is( $v->prev->draft, 'draft-ietf-hybi-16', 'the newest -> hybi-16' );
    is( "" . $v->prev, '13', '... which is still version 13' );
    is( WebSocket::Version->new( 'draft-hixie-00' )->prev, undef, 'the oldest: undef' );
    is( WebSocket::Version->new( 'draft-hixie-00' )->previous, undef, '... previous too' );
};

subtest 'arithmetic' => sub
{
    my $v = WebSocket::Version->new( 13 );
    my $v16 = $v - 1;
    isa_ok( $v16, 'WebSocket::Version', 'WebSocket::Version->new(13) - 1' );
    is( $v16->draft, 'draft-ietf-hybi-16', '... is draft-ietf-hybi-16' );
    ok( $v16 == $v->prev, '... the same as prev' );
    my $v12 = WebSocket::Version->new( 8 );
    is( ( $v12 + 1 )->version, 13, 'draft-12 + 1 has version 13' );
    is( ( WebSocket::Version->new( 5 ) * 3 )->draft, 'draft-ietf-hybi-15', 'draft-05 * 3 is draft-15' );
    is( ( $v->prev / 2 )->version, 8, 'draft-16 / 2 is draft-08, version 8' );
    is( "" . ( $v % 2 ), '1', 'draft-17 % 2 is draft-01, version 1' );
    is( ( 20 - $v )->draft, 'draft-ietf-hybi-03', 'swapped operands: 20 - draft-17 is draft-03' );
    is( ( $v - $v16 )->draft, 'draft-ietf-hybi-01', 'two objects: 17 - 16 is draft-01' );
    is( ( $v - 18 )->draft, 'draft-hixie-76', 'down to the hixie drafts: 17 - 18 is serial -1' );
    is( ( $v - 88 )->draft, 'draft-hixie-00', '17 - 88 is the oldest draft' );
    is( ( $v + -1 )->draft, 'draft-ietf-hybi-16', 'a negative operand' );
    my @w;
    {
        local $SIG{__WARN__} = sub{ push( @w, join( '', @_ ) ) };
        is( $v16 * 2, undef, '$v16 * 2 is past the newest draft: undef' );
        is( $v / 2, undef, '$v / 2 is 8.5: undef' );
        is( $v + 1, undef, 'nothing newer than draft-17' );
        is( $v - 89, undef, 'nothing older than draft-hixie-00' );
        is( $v - 'abc', undef, 'an operand that is not a number' );
        is( $v / 0, undef, 'division by zero' );
        is( $v % 0, undef, 'modulo zero' );
    }
    is( scalar( @w ), 7, 'each one warns when the WebSocket::Version category is enabled' );
    like( $w[0], qr/out of bounds/, '... out of bounds' );
    like( $w[1], qr/not an integer/, '... not an integer' );
    {
        no warnings 'WebSocket::Version';
        @w = ();
        local $SIG{__WARN__} = sub{ push( @w, @_ ) };
        my $x = $v * 10;
        my $y = $v / 2;
        is( scalar( @w ), 0, 'no warning when the category is off' );
    }
};

subtest 'comparisons' => sub
{
    my $v = WebSocket::Version->new( 13 );
    my $v16 = WebSocket::Version->new( 'draft-ietf-hybi-16' );
    my $v12 = WebSocket::Version->new( 8 );
    my $v15 = WebSocket::Version->new( 'draft-ietf-hybi-15' );
    ok( $v12 < $v, '<' );
    ok( !( $v < $v12 ), '... not the other way' );
    ok( $v15 <= $v, '<=' );
    ok( $v <= $v->clone, '<= when equal' );
    ok( $v > $v15, '>' );
    ok( $v >= $v16, '>=' );
    ok( $v == $v->clone, '== between objects' );
    ok( $v != $v15, '!=' );
    is( $v15 <=> $v, -1, '<=> -1' );
    is( $v <=> $v->clone, 0, '<=> 0' );
    is( $v <=> $v15, 1, '<=> 1' );
    ok( $v == 17, '== a number compares the serial (17), not the version (13)' );
    ok( !( $v == 13 ), '... so draft-17 == 13 is false' );
    ok( $v > 16, '> a number' );
    ok( 16 < $v, 'swapped: 16 < draft-17' );
    ok( 18 > $v, 'swapped: 18 > draft-17' );
    ok( WebSocket::Version->new( 'draft-hixie-76' ) < 0, 'hixie serials are negative' );
    my @sorted = sort{ $a <=> $b } ( $v, WebSocket::Version->new( 'draft-hixie-76' ), $v16, $v12 );
    is_deeply( [ map{ $_->draft . '' } @sorted ], [ qw( draft-hixie-76 draft-ietf-hybi-12 draft-ietf-hybi-16 draft-ietf-hybi-17 ) ], 'sort with <=>' );
    ok( $v eq $v->clone, 'eq between objects' );
    ok( $v ne $v15, 'ne between objects' );
    ok( $v eq '17', 'eq a string compares the serial' );
    ok( $v ne 'draft-ietf-hybi-17', '... so a draft name is not eq' );
    ok( '17' eq $v, 'swapped eq' );
    is( $v cmp $v16, 1, 'cmp between objects: by serial' );
    is( WebSocket::Version->new( 'draft-ietf-hybi-09' ) cmp WebSocket::Version->new( 'draft-ietf-hybi-10' ), -1, '... numerically (9 before 10)' );
    my @csorted = sort{ $a cmp $b } ( $v, WebSocket::Version->new( 'draft-hixie-10' ), WebSocket::Version->new( 'draft-ietf-hybi-09' ), WebSocket::Version->new( 'draft-hixie-76' ) );
    is_deeply( [ map{ $_->draft . '' } @csorted ], [ qw( draft-hixie-10 draft-hixie-76 draft-ietf-hybi-09 draft-ietf-hybi-17 ) ], 'sort with cmp: oldest first' );
    is( $v cmp 'draft-ietf-hybi-17', 0, 'cmp a string compares the draft name' );
    is( $v cmp 'draft-ietf-hybi-18', -1, '... -1' );
    is( 'draft-ietf-hybi-18' cmp $v, 1, '... swapped' );
};

subtest 'boolean and numeric context' => sub
{
    ok( WebSocket::Version->new( 13 ), 'a version with a protocol version is true' );
    ok( WebSocket::Version->new( 'draft-ietf-hybi-01' ), 'draft-ietf-hybi-01 (version 1) is true' );
    ok( !WebSocket::Version->new( 'draft-ietf-hybi-00' ), 'draft-ietf-hybi-00 (version 0) is false' );
    ok( !WebSocket::Version->new( 'draft-hixie-76' ), 'hixie versions are false' );
    ok( !WebSocket::Version->new( 'draft-hixie-00' ), '... all of them' );
    ok( defined( WebSocket::Version->new( 'draft-hixie-76' ) ), '... but defined' );
    is( sprintf( '%d', WebSocket::Version->new( 13 ) ), 13, 'numifies to the protocol version' );
    is( sprintf( '%d', WebSocket::Version->new( 8 ) ), 8, '... 8' );
    is( 'v' . WebSocket::Version->new( 8 ), 'v8', 'concatenation' );
};

subtest 'get_dictionary' => sub
{
    my $v = WebSocket::Version->new( 13 );
    is( ref( $v->get_dictionary( version => 13 ) ), 'HASH', 'a hash reference' );
    is( $v->get_dictionary( version => 8 )->{draft}, 'draft-ietf-hybi-12', 'by version: the newest' );
    is( $v->get_dictionary( draft => 'draft-ietf-hybi-05' )->{serial}, 5, 'by draft' );
    is( $v->get_dictionary( draft => 'Draft-Hixie-75' )->{serial}, -2, '... case-insensitive' );
    is( $v->get_dictionary( serial => 3 )->{draft}, 'draft-ietf-hybi-03', 'by serial' );
    is( $v->get_dictionary( serial => 0 )->{draft}, 'draft-ietf-hybi-00', 'serial 0' );
    is( $v->get_dictionary( serial => -71 )->{draft}, 'draft-hixie-00', 'negative serials' );
    is( $v->get_dictionary( type => 'hixie', revision => 75 )->{draft}, 'draft-hixie-75', 'by type and revision' );
    is( $v->get_dictionary( type => 'hybi', revision => 7 )->{draft}, 'draft-ietf-hybi-07', '... hybi, revision padded' );
    is( $v->get_dictionary( type => 'HYBI', revision => 0 )->{draft}, 'draft-ietf-hybi-00', '... type in any case, revision 0' );
    is( $v->get_dictionary({ version => 7 })->{draft}, 'draft-ietf-hybi-07', 'a hash reference of options' );
    is( WebSocket::Version->get_dictionary( version => 13 )->{draft}, 'draft-ietf-hybi-17', 'as a class method' );
    is( $v->get_dictionary( version => 8, draft => 'draft-hixie-76' )->{draft}, 'draft-ietf-hybi-12', 'version comes before draft' );
    is( $v->get_dictionary( serial => 1, type => 'hixie', revision => 76 )->{draft}, 'draft-hixie-76', 'type and revision come before serial' );
    is( $v->get_dictionary( version => 13, colour => 'red' )->{draft}, 'draft-ietf-hybi-17', 'other keys are ignored' );
    is_deeply( $v->get_dictionary( version => 99 ), {}, 'no match: an empty hash reference' );
    is_deeply( $v->get_dictionary( draft => 'draft-x' ), {}, '... for a draft' );
    is_deeply( $v->get_dictionary( serial => 18 ), {}, '... for a serial' );
    is_deeply( $v->get_dictionary( type => 'hixie', revision => 38 ), {}, '... for a type and revision' );
    my $copy = $v->get_dictionary( version => 13 );
    $copy->{draft} = 'changed';
    is( $v->get_dictionary( version => 13 )->{draft}, 'draft-ietf-hybi-17', 'a copy is returned' );
};

subtest 'get_dictionary errors' => sub
{
    my $v = WebSocket::Version->new( 13 );
    my @cases = (
        [ [], "No argument provided. Use either 'version' or 'draft'" ],
        [ [ colour => 'red' ], "No argument provided. Use either 'version' or 'draft'" ],
        [ [ version => '' ], "No argument provided. Use either 'version' or 'draft'" ],
        [ [ version => 'x' ], 'version option value provided is not an integer.' ],
        [ [ version => -1 ], 'version option value provided is not an integer.' ],
        [ [ draft => 'a b' ], 'draft option value contains illegal characters.' ],
        [ [ type => 'other', revision => 1 ], 'Unknow draft type "other".' ],
        [ [ serial => '1.5' ], 'Serial option provided is not an integer.' ],
        [ [ type => 'hixie' ], "Unknown arguments: 'type', 'hixie'" ],
        [ [ type => 'hixie', revision => 'x' ], "Unknown arguments: 'type', 'hixie', 'revision', 'x'" ],
    );
    for my $c ( @cases )
    {
        ok( !defined( $v->get_dictionary( @{ $c->[0] } ) ), "get_dictionary( @{ $c->[0] } ) fails" );
        is( $v->error->message, $c->[1], "... $c->[1]" );
    }
};

subtest 'new_from_request: the rules, with a stand-in request' => sub
{
    my @cases = (
        [ [ 'Sec-WebSocket-Version' => 13, 'Sec-WebSocket-Key' => 'dGhlIHNhbXBsZSBub25jZQ==' ], 'draft-ietf-hybi-17' ],
        [ [ 'Sec-WebSocket-Version' => 8 ], 'draft-ietf-hybi-12' ],
        [ [ 'Sec-WebSocket-Version' => 4, 'Sec-WebSocket-Origin' => 'https://example.com' ], 'draft-ietf-hybi-04' ],
        [ [ 'Sec-WebSocket-Version' => 'abc', 'Sec-WebSocket-Key' => 'x' ], 'draft-ietf-hybi-17' ],
        [ [ 'Sec-WebSocket-Version' => 'abc', 'Sec-WebSocket-Origin' => 'http://a' ], 'draft-ietf-hybi-10' ],
        [ [ 'Sec-WebSocket-Key' => 'x', 'Sec-WebSocket-Origin' => 'http://a' ], 'draft-ietf-hybi-10' ],
        [ [ 'Sec-WebSocket-Key' => 'x' ], 'draft-ietf-hybi-17' ],
        [ [ 'Sec-WebSocket-Draft' => 2, 'Sec-WebSocket-Key1' => '1 2', 'Sec-WebSocket-Key2' => '3 4' ], 'draft-ietf-hybi-03' ],
        [ [ 'Sec-WebSocket-Draft' => 3 ], 'draft-ietf-hybi-03' ],
        [ [ 'Sec-WebSocket-Draft' => 'draft-ietf-hybi-02' ], 'draft-ietf-hybi-02' ],
        [ [ 'Sec-WebSocket-Key1' => '1 2', 'Sec-WebSocket-Key2' => '3 4', 'Sec-WebSocket-Protocol' => 'chat' ], 'draft-ietf-hybi-03' ],
        [ [ 'Sec-WebSocket-Key1' => '1 2', 'Sec-WebSocket-Protocol' => 'chat' ], 'draft-hixie-76' ],
        [ [ 'Sec-WebSocket-Protocol' => 'chat' ], 'draft-hixie-76' ],
        [ [ 'WebSocket-Protocol' => 'chat' ], 'draft-hixie-75' ],
        [ [ Origin => 'http://example.com' ], 'draft-hixie-07' ],
        [ [], 'draft-hixie-07' ],
    );
    for my $c ( @cases )
    {
        my $req = Local::StandInRequest->new( @{ $c->[0] } );
        my $v = WebSocket::Version->new_from_request( $req );
        is( defined( $v ) ? $v->draft . '' : 'undef: ' . WebSocket::Version->error, $c->[1], "headers ( @{ $c->[0] } ) give $c->[1]" );
    }
    my $obj = WebSocket::Version->new( 13 );
    my $from_obj = $obj->new_from_request( Local::StandInRequest->new( 'Sec-WebSocket-Version' => 7 ) );
    isa_ok( $from_obj, 'WebSocket::Version', 'as an object method' );
    is( $from_obj->draft, 'draft-ietf-hybi-07', '... the draft' );
    my $dbg = WebSocket::Version->new_from_request( Local::StandInRequest->new( 'Sec-WebSocket-Version' => 13 ), debug => 0 );
    is( $dbg->debug, 0, 'options are passed to new' );
    my $plain = Local::StandInRequest->new( 'Sec-WebSocket-Version' => 13 );
    bless( $plain->{h}, 'HTTP::Headers' );
    is( WebSocket::Version->new_from_request( $plain )->draft, 'draft-ietf-hybi-17', 'a plain HTTP::Headers is fine too' );
};

subtest 'new_from_request errors' => sub
{
    ok( !defined( WebSocket::Version->new_from_request ), 'no request' );
    is( WebSocket::Version->error->message, 'No WebSocket::Request object was provided.', '... error message' );
    my $other = bless( {}, 'Other' );
    ok( !defined( WebSocket::Version->new_from_request( $other ) ), 'an object of another class' );
    is( WebSocket::Version->error->message, 'Object provided (' . overload::StrVal( $other ) . ') is not a WebSocket::Request object.', '... error message' );
    ok( !defined( WebSocket::Version->new_from_request( 'string' ) ), 'a string' );
    is( WebSocket::Version->error->message, 'Object provided (string) is not a WebSocket::Request object.', '... error message' );
    ok( !defined( WebSocket::Version->new_from_request( Local::NoHeadersRequest->new ) ), 'a request without headers' );
    is( WebSocket::Version->error->message, 'Unable to find the WebSocket::Headers object.', '... error message' );
    ok( !defined( WebSocket::Version->new_from_request( Local::StandInRequest->new( 'Sec-WebSocket-Version' => 9 ) ) ), 'a version no draft has' );
    is( WebSocket::Version->error->message, 'No data found for version "9".', '... the error of new' );
    my $v = WebSocket::Version->new( 13 );
    ok( !defined( $v->new_from_request ), 'on an object' );
    is( $v->error->message, 'No WebSocket::Request object was provided.', '... the error is on the object' );
};

SKIP:
{
    my $loaded = eval{ require WebSocket::Request; 1 };
    skip( 'WebSocket::Request cannot be loaded without the compiled part of the distribution (build it, then run prove -b)', 1 ) if( !$loaded );
    subtest 'new_from_request with real WebSocket::Request objects' => sub
    {
        my $mk = sub
        {
            my $req = WebSocket::Request->new( [ Upgrade => 'websocket', Connection => 'Upgrade', @_ ],
                host => 'example.com',
                uri  => 'ws://example.com/chat?token=abc',
            );
            die( 'WebSocket::Request->new failed: ' . WebSocket::Request->error ) if( !$req );
            return( $req );
        };
        my @cases = (
            [ [ 'Sec-WebSocket-Key' => 'dGhlIHNhbXBsZSBub25jZQ', 'Sec-WebSocket-Origin' => 'https://example.com', 'Sec-WebSocket-Protocol' => 'chat, superchat', 'Sec-WebSocket-Version' => 4 ], 4, 4 ],
            [ [ 'Sec-WebSocket-Key' => 'dGhlIHNhbXBsZSBub25jZQ', 'Sec-WebSocket-Origin' => 'https://example.com', 'Sec-WebSocket-Protocol' => 'chat, superchat' ], 8, 10 ],
            [ [ 'Sec-WebSocket-Key' => 'dGhlIHNhbXBsZSBub25jZQ', 'Sec-WebSocket-Protocol' => 'chat, superchat' ], 13, 17 ],
            [ [ 'Sec-WebSocket-Key1' => '4 @1  46546xW%0l 1 5', 'Sec-WebSocket-Key2' => '12998 5 Y3 1  .P00', 'Sec-WebSocket-Protocol' => 'chat, superchat', Origin => 'https://example.com', 'Sec-WebSocket-Draft' => 2 ], 2, 3 ],
            [ [ 'Sec-WebSocket-Key1' => '4 @1  46546xW%0l 1 5', 'Sec-WebSocket-Key2' => '12998 5 Y3 1  .P00', 'Sec-WebSocket-Protocol' => 'chat, superchat', Origin => 'https://example.com' ], 2, 3 ],
            [ [ 'Sec-WebSocket-Protocol' => 'chat, superchat', 'Sec-WebSocket-Origin' => 'https://example.com' ], undef, 76 ],
            [ [ 'WebSocket-Protocol' => 'chat, superchat', Origin => 'https://example.com' ], undef, 75 ],
            [ [ Origin => 'https://example.com' ], undef, 7 ],
        );
        for my $c ( @cases )
        {
            my $req = $mk->( @{ $c->[0] } );
            my $v = WebSocket::Version->new_from_request( $req, debug => 0 );
            isa_ok( $v, 'WebSocket::Version', 'new_from_request' ) || next;
            is( $v->version, $c->[1], '... version ' . ( $c->[1] // 'undef' ) );
            is( $v->revision, $c->[2], "... revision $c->[2]" );
        }
        is( WebSocket::Version->new_from_request( $mk->( 'Sec-WebSocket-Protocol' => 'chat' ) )->status, 'obsolete', 'draft-hixie-76 is obsolete' );
    };
}

done_testing();
