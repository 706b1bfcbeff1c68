use strict;
use warnings;
use lib 't/lib';
use Test::More;
use Scalar::Util ();
use TestServer;
use WebSocket::Server;

# An open connection keeps little in Perl: its handshake objects are kept serialised until
# someone asks for them (and then come back as they were), its WebSocket::Frame is made on
# first use. What a server holds per idle client is what bench/ scenario (d) measures.

alarm( 60 );

my( @conns, @ready, %before );
sub server_with
{
    @ready = ();
    return( collecting_server( \@conns, {}, ready => sub { push( @ready, $_[0] ) }, @_ ) );
}

subtest 'the handshake objects come back identical after the connection opened' => sub
{
    my $s = server_with(
        # Strings only: a reference kept here would keep the live object (next subtest).
        handshake => sub
        {
            my $hs = $_[1];
            $hs->response->headers->header( 'X-Test' => 'yes' );
            %before = (
                request  => $hs->request->as_string,
                response => $hs->response->as_string,
                uri      => $hs->request->uri->as_string,
                agent    => scalar( $hs->request->headers->header( 'User-Agent' ) ),
            );
            return( 1 );
        },
        _setup => sub { $_[0]->max_recv_size( 4321 ) },
    );
    my( $sock, $code, $h ) = raw_handshake( $s->port, '/room/7?token=abc', 'User-Agent' => 'compact-test/1.0' );
    is( $code, 101, 'answered 101 Switching Protocols' );
    is( $h->{'x-test'}, 'yes', 'the header set in on_handshake went out' );
    ok( pump_until( sub { @ready } ), 'ready' );
    my $c = $conns[0];
    ok( !exists( $c->{handshake} ), 'the live handshake object is gone once open' );
    ok( defined( $c->{_handshake_frozen} ) && length( $c->{_handshake_frozen} ) < 4096, 'kept serialised, in less than 4 KiB' );
    ok( !defined( $c->{frame} ), 'no frame object made yet' );

    my $hs = $c->handshake;
    isa_ok( $hs, 'WebSocket::Handshake::Server' );
    is( $hs->request->as_string, $before{request}, 'the request is the same' );
    is( $hs->response->as_string, $before{response}, 'the response is the same, header added in on_handshake included' );
    is( $hs->request->uri->as_string, $before{uri}, 'request uri' );
    is( scalar( $hs->request->headers->header( 'User-Agent' ) ), 'compact-test/1.0', 'a request header' );
    is( $hs->request->subprotocol->join( ' ' )->scalar, '', 'Module::Generic-style return values still work' );
    ok( !exists( $c->{_handshake_frozen} ), 'thawed once' );
    is( Scalar::Util::refaddr( $c->handshake ), Scalar::Util::refaddr( $hs ), 'then the same object every time' );

    my $f = $c->frame;
    isa_ok( $f, 'WebSocket::Frame', 'frame, made on first use' );
    is( $f->max_payload_size, 4321, '... with max_recv_size' );
    is( Scalar::Util::refaddr( $c->frame ), Scalar::Util::refaddr( $f ), '... once' );
    ok( !defined( $c->max_recv_size( 10 ) ), 'max_recv_size cannot change once open' );
    is( $c->error->message, 'Cannot change max_recv_size; handshake is already complete', '... error' );

    # The connection still works after all this.
    send_frame( $sock, 1, 'ping me' );
    $c->on( utf8 => sub { $_[0]->send_utf8( "got $_[1]" ) } );
    my( $op, $payload ) = read_frame( $sock );
    is( $payload, 'got ping me', 'messages flow' );
    close( $sock );
    $s->shutdown;
};

subtest 'a handshake object held by user code is kept as it is' => sub
{
    my( $kept, $kept_req );
    my $s = server_with( handshake => sub { $kept = $_[1]; 1 } );
    my( $sock, $code ) = raw_handshake( $s->port, '/' );
    is( $code, 101, 'answered 101 Switching Protocols' );
    ok( pump_until( sub { @ready } ), 'ready' );
    my $c = $conns[0];
    ok( exists( $c->{handshake} ) && !exists( $c->{_handshake_frozen} ), 'not serialised' );
    is( Scalar::Util::refaddr( $c->handshake ), Scalar::Util::refaddr( $kept ), 'the same object' );
    close( $sock );

    # Holding only the request is enough too.
    $s = server_with( handshake => sub { $kept_req = $_[1]->request; 1 } );
    ( $sock, $code ) = raw_handshake( $s->port, '/' );
    ok( pump_until( sub { @ready } ), 'ready' );
    is( Scalar::Util::refaddr( $conns[0]->handshake->request ), Scalar::Util::refaddr( $kept_req ), 'a request held is the request seen' );
    close( $sock );
    $s->shutdown;
};

subtest 'without callbacks that receive it, the handshake object is made only when asked for' => sub
{
    my $s = server_with();
    $s->subprotocol( [qw( chat )] );
    my( $sock, $code, $h ) = raw_handshake( $s->port, '/lazy?x=1', 'Sec-WebSocket-Protocol' => 'other, chat', 'X-Custom' => 'yes' );
    is( $code, 101, 'answered 101 Switching Protocols' );
    is( $h->{'sec-websocket-protocol'}, 'chat', 'subprotocol negotiated from the engine\'s parse' );
    ok( pump_until( sub { @ready } ), 'ready' );
    my $c = $conns[0];
    ok( !exists( $c->{handshake} ) && !exists( $c->{_handshake_frozen} ), 'no handshake object was made' );
    ok( length( $c->{_request_raw} ) < 512, 'only the request text is kept' );
    is( $c->request_uri, 'ws://localhost:8080/lazy?x=1', 'request_uri' );
    my $hs = $c->handshake;
    isa_ok( $hs, 'WebSocket::Handshake::Server', 'made on the first call' );
    is( $hs->request->uri->as_string, '/lazy?x=1', 'its request is the client\'s' );
    is( scalar( $hs->request->headers->header( 'X-Custom' ) ), 'yes', '... with every header' );
    is( $hs->response->subprotocol->join( ',' )->scalar, 'chat', 'its response carries the negotiated subprotocol' );
    like( $hs->response->as_string, qr/^Sec-WebSocket-Accept: \Q$h->{'sec-websocket-accept'}\E\r?$/m, '... and the accept key that was sent' );
    is( Scalar::Util::refaddr( $c->handshake ), Scalar::Util::refaddr( $hs ), 'then the same object' );

    my $mine = WebSocket::Handshake::Server->new;
    $c->handshake( $mine );
    is( Scalar::Util::refaddr( $c->handshake ), Scalar::Util::refaddr( $mine ), 'a handshake set by the user is returned' );
    close( $sock );
    $s->shutdown;
};

subtest 'a connection_class that overrides on_origin and on_handshake is still asked' => sub
{
    {
        package Local::PickyConn;
        our @ISA = ( 'WebSocket::Connection' );
        sub on_origin { return( sub { defined( $_[1] ) && $_[1] eq 'http://good.example' } ) }
        sub on_handshake { return( sub { $_[1]->response->headers->header( 'X-Picky' => 'yes' ); 1 } ) }
    }
    my $s = server_with();
    $s->connection_class( 'Local::PickyConn' );
    my( $sock, $code, $h ) = raw_handshake( $s->port, '/', 'Origin' => 'http://bad.example' );
    is( $code, 403, 'the overriding on_origin refused a bad origin' );
    close( $sock );
    ( $sock, $code, $h ) = raw_handshake( $s->port, '/', 'Origin' => 'http://good.example' );
    is( $code, 101, '... and accepted a good one' );
    is( $h->{'x-picky'}, 'yes', 'the overriding on_handshake ran' );
    close( $sock );
    $s->shutdown;
};

subtest 'send takes the payload where it is, and leaves the caller\'s string alone' => sub
{
    my $s = server_with();
    my( $sock, $code ) = raw_handshake( $s->port, '/' );
    ok( pump_until( sub { @ready } ), 'ready' );
    my $c = $conns[0];
    my $big = 'x' x 60000;
    is( $c->send( binary => $big ), 60004, 'a 60000-byte message: header and payload queued' );
    my( $op, $payload ) = read_frame( $sock );
    is( $payload, $big, '... arrives whole' );
    my $flagged = "caf\x{e9}";
    utf8::upgrade( $flagged );
    is( $c->send( binary => $flagged ), 6, 'a string with the UTF-8 flag and only Latin-1 characters is sent as its bytes' );
    ( $op, $payload ) = read_frame( $sock );
    is( $payload, "caf\xe9", '... one byte each' );
    ok( utf8::is_utf8( $flagged ), "... and the caller's string keeps its flag" );
    ok( !defined( $c->send( binary => "\x{263a}" ) ), 'a wide character is refused' );
    like( $c->error->message, qr/^Error while building message: Wide character in the payload/, '... with the error' );
    {
        package Local::Stringy;
        use overload '""' => sub { 'from an object' }, fallback => 1;
    }
    is( $c->send( text => bless( {}, 'Local::Stringy' ) ), 16, 'an object is sent as its string' );
    ( $op, $payload ) = read_frame( $sock );
    is( $payload, 'from an object', '... that string' );
    is( $c->send( 'text' ), 2, 'no payload: an empty message' );
    ( $op, $payload ) = read_frame( $sock );
    is( $payload, '', '... empty' );
    close( $sock );
    $s->shutdown;
};

done_testing();
