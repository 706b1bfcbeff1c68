use strict;
use warnings;
use Test::More;
use WebSocket::Headers;

my $h = WebSocket::Headers->new(
    Upgrade                 => 'websocket',
    Connection              => 'keep-alive, Upgrade',
    'Sec-WebSocket-Key'     => 'dGhlIHNhbXBsZSBub25jZQ==',
    'Sec-WebSocket-Version' => 13,
);

subtest 'an HTTP::Headers' => sub
{
    isa_ok( $h, 'WebSocket::Headers' );
    isa_ok( $h, 'HTTP::Headers' );
    isa_ok( $h, 'WebSocket::Generic' );
    is_deeply( [ sort( $h->header_field_names ) ], [ sort( qw( Upgrade Connection Sec-WebSocket-Key Sec-WebSocket-Version ) ) ], 'header_field_names' );
};

subtest 'header( $field ) returns objects' => sub
{
    my $v = $h->header( 'upgrade' );
    isa_ok( $v, 'WebSocket::Generic::Scalar' );
    is( "$v", 'websocket', 'value' );
    is( $h->header( 'Upgrade' )->lc, 'websocket', '->lc chains' );
    is_deeply( [ @{ $h->header( 'connection' )->split( qr/\s*,\s*/ ) } ], [ 'keep-alive', 'Upgrade' ], '->split chains' );
    my $none = $h->header( 'X-Missing' );
    isa_ok( $none, 'WebSocket::Generic::Scalar', 'a missing field' );
    ok( !$none->defined, '... holds undef' );
    is( $none->length, 0, '... has length 0' );
    ok( !$none->match( qr/x/ ), '... matches nothing' );
    my @none = $h->header( 'X-Missing' );
    is( scalar( @none ), 0, 'missing field in list context: empty list' );
};

subtest 'several values' => sub
{
    my $m = WebSocket::Headers->new;
    $m->push_header( 'X-Dup' => 'a' );
    $m->push_header( 'X-Dup' => 'b' );
    my @l = $m->header( 'X-Dup' );
    is( scalar( @l ), 2, 'list context: each value' );
    isa_ok( $l[0], 'WebSocket::Generic::Scalar' );
    is( "$l[1]", 'b', 'second value' );
    my $s = $m->header( 'X-Dup' );
    ok( !ref( $s ), 'scalar context: a plain string' );
    is( $s, 'a, b', '... of the values joined' );
};

subtest 'header( $field => $value ) sets' => sub
{
    my $m = WebSocket::Headers->new( Host => 'old.example.com' );
    my $prev = $m->header( Host => 'new.example.com' );
    is( "$prev", 'old.example.com', 'returns the previous value' );
    isa_ok( $prev, 'WebSocket::Generic::Scalar', '... as an object' );
    $m->header( 'X-A' => 1, 'X-B' => 2 );
    is( $m->header( 'X-B' ), 2, 'several pairs at once' );
    is( $m->header( 'host' ), 'new.example.com', 'set' );
    $m->header( 'X-List' => WebSocket::Generic::Array->new( [ qw( p q ) ] ) );
    is_deeply( [ map{ "$_" } $m->header( 'X-List' ) ], [ qw( p q ) ], 'an array object becomes several values' );
    $m->header( 'X-Obj' => WebSocket::Generic::Scalar->new( 'str' ) );
    is( ref( $m->{'x-obj'} ), '', 'an object that stringifies is stored as a string' );
    is( $m->header( 'X-Obj' ), 'str', '... with its value' );
    is( $m->as_string( "\r\n" ) =~ tr/\r//, 6, 'as_string with an EOL' );
};

subtest 'exists (case-insensitive, _ for -): the POD, not the raw key lookup' => sub
{
    ok( $h->exists( 'Sec-WebSocket-Key' ), 'exact name' );
    ok( $h->exists( 'sec-websocket-key' ), 'lower case' );
    ok( $h->exists( 'SEC_WEBSOCKET_KEY' ), 'upper case with underscores' );
    ok( !$h->exists( 'Sec-WebSocket-Protocol' ), 'absent field' );
    ok( !$h->exists( '' ), 'empty name' );
};

subtest 'inherited methods documented by the original' => sub
{
    my $m = WebSocket::Headers->new( 'Content-Length' => 10, 'Content-Type' => 'text/plain', Server => 'x', 'User-Agent' => 'ua' );
    is( $m->content_length, 10, 'content_length' );
    is( $m->server, 'x', 'server' );
    is( $m->user_agent, 'ua', 'user_agent' );
    $m->authorization_basic( 'user', 'pw' );
    is_deeply( [ $m->authorization_basic ], [ 'user', 'pw' ], 'authorization_basic' );
    like( $m->authorization, qr/^Basic /, 'authorization' );
    $m->proxy_authorization_basic( 'p', 'q' );
    like( $m->proxy_authorization, qr/^Basic /, 'proxy_authorization' );
    $m->proxy_authenticate( 'Basic realm="x"' );
    is( $m->proxy_authenticate, 'Basic realm="x"', 'proxy_authenticate' );
    my %seen;
    $m->scan( sub { $seen{ $_[0] }++ } );
    ok( $seen{'Content-Type'}, 'scan' );
    my @flat = $m->flatten;
    ok( scalar( @flat ) >= 12, 'flatten' );
    $m->remove_content_headers;
    ok( !$m->exists( 'Content-Type' ), 'remove_content_headers' );
    $m->remove_header( 'Server' );
    ok( !$m->exists( 'Server' ), 'remove_header' );
    $m->clear;
    is( scalar( $m->header_field_names ), 0, 'clear' );
    my $c = $h->clone;
    isa_ok( $c, 'WebSocket::Headers', 'clone keeps the class' );
    is( $c->header( 'Upgrade' ), 'websocket', 'clone copies' );
};

subtest 'errors are kept out of the fields' => sub
{
    my $m = WebSocket::Headers->new( A => 1 );
    ok( !defined( $m->error( 'boom' ) ), 'error returns undef' );
    is( $m->error->message, 'boom', 'error recorded' );
    is_deeply( [ $m->header_field_names ], [ 'A' ], 'no pseudo field appears' );
    unlike( $m->as_string, qr/error/i, 'nor in as_string' );
    $m->fatal( 1 );
    ok( !eval{ $m->error( 'dies' ); 1 }, 'fatal' );
    is( $m->debug( 2 ), 2, 'debug' );
};

done_testing();
