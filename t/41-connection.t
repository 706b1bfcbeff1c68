use strict;
use warnings;
use lib 't/lib';
use Test::More;
use Encode ();
use JSON ();
use TestServer;
use WebSocket::Server;
use WebSocket::Connection;

# WebSocket::Connection: the server's side of one client, driven by raw clients on plain
# sockets (exact bytes on the wire) while the test turns the loop by hand.

alarm( 120 );
my @warnings;
$SIG{__WARN__} = sub { push( @warnings, $_[0] ) };

# A server whose on_connect keeps the connection and applies %conn_opts (callbacks by name).
my( @conns, %seen );
sub server_with
{
    %seen = ();
    return( collecting_server( \@conns, {}, @_ ) );
}

subtest 'constructor' => sub
{
    ok( !defined( WebSocket::Connection->new( server => bless( {}, 'WebSocket::Server' ) ) ), 'no socket' );
    is( WebSocket::Connection->error->message, 'socket parameter is required.', '... error' );
    my $sock = WebSocket::Connection::Socket->new( id => 99, ip => '127.0.0.1', port => 4242 );
    ok( !defined( WebSocket::Connection->new( socket => $sock ) ), 'no server' );
    is( WebSocket::Connection->error->message, 'server parameter is required.', '... error' );
    my $srv = WebSocket::Server->new;
    my $c = WebSocket::Connection->new( socket => $sock, server => $srv, subprotocol => 'a b', metadata => { user => 'joe' } );
    isa_ok( $c, 'WebSocket::Connection' );
    is( $c->ip, '127.0.0.1', 'ip from the socket' );
    is( $c->port, 4242, 'port from the socket' );
    is( $c->max_recv_size, 65536, 'max_recv_size default' );
    is( $c->max_send_size, 65536, 'max_send_size default' );
    ok( $c->nodelay, 'nodelay default' );
    ok( !$c->is_ready, 'not ready' );
    ok( !$c->disconnected && !$c->disconnecting, 'not disconnected' );
    ok( !$c->needs_ssl, 'needs_ssl false' );
    is( $c->subprotocol->join( ' ' )->scalar, 'a b', 'subprotocol from a string' );
    is( $c->metadata->user, 'joe', 'metadata as methods' );
    is( $c->metadata->{user}, 'joe', 'metadata as a hash' );
    isa_ok( $c->handshake, 'WebSocket::Handshake::Server' );
    is( $c->frame, undef, 'no frame before the handshake' );
    is( $c->server, $srv, 'server' );
    is( $c->socket->id, 99, 'socket id' );
    is( $c->status_message( 404 ), 'Not Found', 'status_message' );
    is( $c->recv, $c, 'recv returns the object' );
    is( ref( $c->do_pong ), 'CODE', 'do_pong default' );
    is( $c->on_utf8( sub{} ), $c, 'callback setters chain' );
    is( $c->on( utf8 => sub{}, ready => sub{}, drain => sub{} ), $c, 'on chains' );
    ok( !defined( $c->on( nope => sub{} ) ), 'on: unknown event' );
    is( $c->error->message, "Invalid event 'nope'", '... error' );
    ok( !defined( $c->on( utf8 => 'x' ) ), 'on: not code' );
    is( $c->error->message, "Expected a code reference for event 'utf8', but got 'x'.", '... error' );
    @warnings = ();
    local $srv->{_warnings} = 1;
    is( $c->send( text => 'x' ), 0, 'send before the handshake returns 0' );
    is( $warnings[0], "Tried to send data before finishing handshake\n", '... with the warning' );
};

subtest 'handshake, request_uri, origin, subprotocol, messages' => sub
{
    my( $hs_obj, $origin_seen, @utf8, @bin, @ready );
    my $s = server_with(
        origin    => sub { $origin_seen = $_[1]; 1 },
        handshake => sub { $hs_obj = $_[1]; $_[1]->response->headers->header( 'X-Test' => 'yes' ); 1 },
        ready     => sub { push( @ready, $_[0] ) },
        utf8      => sub { push( @utf8, $_[1] ); $_[0]->send_utf8( $_[1] ) },
        binary    => sub { push( @bin, $_[1] ); $_[0]->send_binary( $_[1] ) },
    );
    $s->subprotocol( [qw( alpha beta )] );
    my( $sock, $code, $h ) = raw_handshake( $s->port, '/chat/room?csrf=token&x=1',
        'Origin' => 'http://example.com/page?q=1#frag',
        'Sec-WebSocket-Protocol' => 'gamma, beta, alpha' );
    is( $code, 101, '101 Switching Protocols' );
    is( $h->{'sec-websocket-accept'}, 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=', 'accept key' );
    is( $h->{'sec-websocket-protocol'}, 'beta', 'the first client protocol the server speaks, alone' );
    is( $h->{'x-test'}, 'yes', 'a header added in on_handshake goes out' );
    ok( !exists( $h->{'sec-websocket-origin'} ), 'no draft-era Sec-WebSocket-Origin in an RFC 6455 answer' );
    ok( pump_until( sub { @ready } ), 'on_ready called' );
    my $c = $conns[0];
    ok( $c->is_ready, 'is_ready' );
    is( $c->tls_info, undef, 'tls_info: undef on a plain connection' );
    is( $c->request_uri, 'ws://localhost:8080/chat/room?csrf=token&x=1', 'request_uri keeps the query' );
    is( $c->request_uri->query, 'csrf=token&x=1', '... query' );
    is( "$origin_seen", 'http://example.com/page', 'origin without query and fragment' );
    is( $c->origin, 'http://example.com/page', 'origin accessor' );
    isa_ok( $hs_obj, 'WebSocket::Handshake::Server' );
    is( $hs_obj->request->uri->path, '/chat/room', 'handshake request uri' );
    is( $c->subprotocol->join( ',' )->scalar, 'beta', 'conn subprotocol is the selected one' );
    isa_ok( $c->frame, 'WebSocket::Frame' );
    is( $c->ip, '127.0.0.1', 'ip' );
    is( $c->port, $sock->sockport, 'port is the client port' );

    send_frame( $sock, 1, Encode::encode( 'UTF-8', "caf\x{e9} \x{263a}" ) );
    my( $op, $payload ) = read_frame( $sock );
    is( $op, 1, 'text echoed' );
    is( Encode::decode( 'UTF-8', $payload ), "caf\x{e9} \x{263a}", '... intact' );
    is( $utf8[0], "caf\x{e9} \x{263a}", 'on_utf8 gets a decoded string' );
    send_frame( $sock, 2, "\x00\xff\x01" );
    ( $op, $payload ) = read_frame( $sock );
    is( $op, 2, 'binary echoed' );
    is( $payload, "\x00\xff\x01", '... intact' );
    is( $bin[0], "\x00\xff\x01", 'on_binary gets the bytes' );
    # Unmasked client frames are accepted by default
    send_frame( $sock, 1, 'plain', masked => 0 );
    ( $op, $payload ) = read_frame( $sock );
    is( $payload, 'plain', 'unmasked client frame accepted' );

    is( $c->send( text => 'hello' ), 7, 'send returns the bytes queued' );
    is( $c->send_utf8( "\x{e9}" ), 4, 'send_utf8 encodes' );
    is( $c->send_binary( 'x' x 200 ), 204, 'send_binary, 16-bit length' );
    ( $op, $payload ) = read_frame( $sock );
    is( $payload, 'hello', 'sent text' );
    ( $op, $payload ) = read_frame( $sock );
    is( $payload, "\xc3\xa9", 'sent UTF-8 bytes' );
    ( $op, $payload ) = read_frame( $sock );
    is( length( $payload ), 200, 'sent binary' );
    ok( !defined( $c->send( bogus => 'x' ) ), 'unknown type' );
    like( $c->error->message, qr/^Error while building message: /, '... error' );
    $c->max_send_size( 10 );
    ok( !defined( $c->send( text => 'x' x 11 ) ), 'over max_send_size' );
    is( $c->error->message, 'Error while building message: Payload is too big. Send shorter messages or increase max_payload_size', '... error' );
    is( $c->error->code, 1009, '... code 1009' );
    ok( !defined( $c->max_recv_size( 10 ) ), 'max_recv_size after the handshake' );
    is( $c->error->message, 'Cannot change max_recv_size; handshake is already complete', '... error' );
    ok( !defined( $c->http_error( 400 ) ), 'http_error after the handshake' );
    is( $c->error->message, 'You cannot call http_error after the handshake is completed.', '... error' );
    is( $c->buffered_amount, 0, 'buffered_amount' );
    my @list = $s->connections;
    is( scalar( @list ), 1, 'connections in list context' );
    $s->_stop_listening;
};

subtest 'ping, pong, do_pong' => sub
{
    my( @pings, @pongs, @dopong );
    my $s = server_with(
        ping => sub { push( @pings, $_[1] ); 1 },
        pong => sub { push( @pongs, $_[1] ) },
    );
    my( $sock, $code ) = raw_handshake( $s->port, '/' );
    is( $code, 101, 'connected' );
    ok( pump_until( sub { @conns && $conns[0]->is_ready } ), 'ready' );
    my $c = $conns[0];
    $c->do_pong( sub { push( @dopong, $_[1] ); $_[0]->pong( $_[1] ) } );
    send_frame( $sock, 9, 'are you there' );
    my( $op, $payload ) = read_frame( $sock );
    is( $op, 10, 'a ping is answered' );
    is( $payload, 'are you there', '... with its payload' );
    ok( pump_until( sub { @pings } ), 'on_ping called' );
    is( $pings[0], 'are you there', '... with the payload' );
    is( $dopong[0], 'are you there', 'a do_pong of our own is called to answer it' );
    send_frame( $sock, 10, 'unsolicited' );
    ok( pump_until( sub { @pongs } ), 'on_pong called' );
    is( $pongs[0], 'unsolicited', '... with the payload' );
    ok( $c->ping( 'srv' ), 'ping' );
    ( $op, $payload ) = read_frame( $sock );
    is( "$op $payload", '9 srv', 'client receives the ping' );
    ok( $c->pong( 'p' ), 'pong' );
    ( $op, $payload ) = read_frame( $sock );
    is( "$op $payload", '10 p', 'client receives the pong' );
    ok( !defined( $c->ping( 'x' x 126 ) ), 'control payload over 125 bytes' );
    $s->_stop_listening;
};

subtest 'closing' => sub
{
    my @disc;
    my $s = server_with( disconnect => sub { push( @disc, [ @_[1,2] ] ) } );
    # The client closes with a code and a reason
    my( $sock ) = raw_handshake( $s->port, '/' );
    ok( pump_until( sub { @conns && $conns[0]->is_ready } ), 'ready' );
    send_frame( $sock, 8, pack( 'n', 4242 ) . 'test server shutdown cleanly' );
    my( $op, $payload ) = read_frame( $sock );
    is( $op, 8, 'close answered' );
    is( unpack( 'n', $payload ), 4242, '... with the code' );
    ok( pump_until( sub { @disc } ), 'on_disconnect called' );
    is_deeply( $disc[0], [ 4242, 'test server shutdown cleanly' ], '... with the code and the reason' );
    ok( raw_eof( $sock ), 'server closes the socket' );
    ok( pump_until( sub { $conns[0]->disconnected } ), 'disconnected' );
    is( scalar( $s->connections->length ), 0, 'no more connections' );

    # An empty close frame gives 1000
    @disc = ();
    @conns = ();
    ( $sock ) = raw_handshake( $s->port, '/' );
    ok( pump_until( sub { @conns && $conns[0]->is_ready } ), 'ready' );
    send_frame( $sock, 8, '' );
    ok( pump_until( sub { @disc } ), 'on_disconnect for an empty close' );
    is( $disc[0]->[0], 1000, '... 1000' );

    # The server closes
    @disc = ();
    @conns = ();
    ( $sock ) = raw_handshake( $s->port, '/' );
    ok( pump_until( sub { @conns && $conns[0]->is_ready } ), 'ready' );
    my $c = $conns[0];
    is( $c->disconnect( 4000, "bye \x{e9}" ), $c, 'disconnect chains' );
    ok( $c->disconnecting, 'disconnecting' );
    is_deeply( $disc[0], [ 4000, "bye \x{e9}" ], 'on_disconnect called with our code and reason' );
    ( $op, $payload ) = read_frame( $sock );
    is( $op, 8, 'close frame sent' );
    is( $payload, pack( 'n', 4000 ) . "bye \xc3\xa9", '... with code and reason' );
    is( $c->disconnect( 1000 ), $c, 'a second disconnect does nothing' );
    is( scalar( @disc ), 1, '... on_disconnect once' );
    send_frame( $sock, 8, $payload );
    ok( raw_eof( $sock ), 'socket closed after the reply' );
    ok( pump_until( sub { $c->disconnected } ), 'disconnected' );
    ok( !defined( $c->send( text => 'x' ) ), 'send after close fails' );
    is( $c->error->message, 'The socket filehandle is gone!', '... error' );

    # The client vanishes in the middle of a message
    @disc = ();
    @conns = ();
    ( $sock ) = raw_handshake( $s->port, '/' );
    ok( pump_until( sub { @conns && $conns[0]->is_ready } ), 'ready' );
    syswrite( $sock, substr( WebSocket::Engine::encode_frame( 2, 1, 0, 1, undef, 'x' x 1000 ), 0, 300 ) );
    pump( 0.1 );
    close( $sock );
    ok( pump_until( sub { @disc } ), 'on_disconnect for a lost client' );
    is( $disc[0]->[0], 1006, '... 1006' );

    # shutdown drops at once
    @disc = ();
    @conns = ();
    ( $sock ) = raw_handshake( $s->port, '/' );
    ok( pump_until( sub { @conns && $conns[0]->is_ready } ), 'ready' );
    is( $conns[0]->shutdown, $conns[0], 'shutdown chains' );
    ok( raw_eof( $sock ), 'socket closed' );
    ok( $conns[0]->disconnected, 'disconnected' );
    $s->_stop_listening;
};

subtest 'RFC 6455 5.1: unmasked client frames, lenient by default, strict on request' => sub
{
    for my $strict ( 0, 1 )
    {
        my @got;
        my @c;
        my $s = listening_server(
            silence_max => 0,
            ( $strict ? ( accept_unmasked_frames => 0 ) : () ),
            on_connect => sub { my( $srv, $c ) = @_; push( @c, $c ); $c->on( utf8 => sub { push( @got, $_[1] ) } ); return( 1 ) },
        );
        is( $s->accept_unmasked_frames ? 1 : 0, $strict ? 0 : 1, 'accept_unmasked_frames ' . ( $strict ? 'off' : 'on (default)' ) );
        my( $sock ) = raw_handshake( $s->port, '/' );
        ok( pump_until( sub { @c && $c[0]->is_ready } ), 'ready' );
        send_frame( $sock, 1, 'plain', masked => 0 );
        if( $strict )
        {
            my( $op, $payload ) = read_frame( $sock );
            is( $op, 8, 'strict: the server closes' );
            is( unpack( 'n', $payload ), 1002, '... with 1002' );
            is( scalar( @got ), 0, '... and the message is not delivered' );
        }
        else
        {
            ok( pump_until( sub { @got } ), 'lenient: the message is delivered' );
            is( $got[0], 'plain', '... intact' );
        }
        $s->_stop_listening;
    }
};

subtest 'limits' => sub
{
    my @disc;
    my $s = server_with( disconnect => sub { push( @disc, [ @_[1,2] ] ) }, _setup => sub { $_[0]->max_recv_size( 100 ) } );
    my( $sock ) = raw_handshake( $s->port, '/' );
    ok( pump_until( sub { @conns && $conns[0]->is_ready } ), 'ready' );
    is( $conns[0]->max_recv_size, 100, 'max_recv_size set in on_connect' );
    send_frame( $sock, 2, 'x' x 101 );
    my( $op, $payload ) = read_frame( $sock );
    is( $op, 8, 'oversized message: close' );
    is( unpack( 'n', $payload ), 1009, '... 1009' );
    ok( pump_until( sub { @disc } ), 'on_disconnect' );
    is( $disc[0]->[0], 1009, '... with 1009' );
    $s->_stop_listening;
};

subtest 'slow reader: buffered_amount, on_drain, max_buffered' => sub
{
    my $drained = 0;
    my $s = server_with( drain => sub { $drained++ } );
    my( $sock ) = raw_handshake( $s->port, '/' );
    ok( pump_until( sub { @conns && $conns[0]->is_ready } ), 'ready' );
    my $c = $conns[0];
    $c->max_send_size( 0 );
    my $chunk = 'x' x 65536;
    my $sent = 0;
    for( 1 .. 200 )
    {
        $c->send_binary( $chunk );
        $sent += 65536;
        last if( $c->buffered_amount > 0 );
    }
    cmp_ok( $c->buffered_amount, '>', 0, 'bytes wait when the client does not read' );
    is( $drained, 0, 'no drain yet' );
    my $got = 0;
    while( $got < $sent )
    {
        my( $op, $payload ) = read_frame( $sock ) or last;
        $got += length( $payload );
    }
    is( $got, $sent, 'everything arrives once the client reads' );
    ok( pump_until( sub { $drained } ), 'on_drain called' );
    is( $c->buffered_amount, 0, 'nothing buffered' );

    # A cap on what may wait
    $c->max_buffered( 100_000 );
    is( $c->max_buffered, 100_000, 'max_buffered' );
    for( 1 .. 100 )
    {
        last if( !$c->send_binary( $chunk ) );
        pump( 0.01 );
        last if( $c->disconnected || $c->disconnecting );
    }
    ok( pump_until( sub { $c->disconnected } ), 'a stalled reader over max_buffered is closed' );
    $s->_stop_listening;
};

# One handshake refused in on_handshake (or earlier) and what the raw client gets.
sub refused
{
    my( $setup, %h ) = @_;
    my $s = server_with( _setup => $setup );
    my( $sock, $code, $headers, $body ) = raw_handshake( $s->port, '/', %h );
    pump_until( sub { @conns && ( $conns[0]->disconnected || $conns[0]->error || $conns[0]->{_rejected} ) }, 2 );
    my $conn = $conns[0];
    $s->_stop_listening;
    my $json = eval{ JSON::decode_json( $body ) } || {};
    return( $code, $headers, $json, $conn, $body );
}

subtest 'origin, handshake and version refusals' => sub
{
    my( $code, $h, $json, $c ) = refused( sub { $_[0]->on_origin( sub { 0 } ) }, Origin => 'http://evil.example' );
    is( $code, 403, 'origin refused: 403' );
    is( $json->{message}, 'Unacceptable origin "http://evil.example"', '... message' );
    is( $c->error->code, 403, '... error code' );
    is( $c->error->message, 'origin callback did not return a true value.', '... error' );

    ( $code, $h, $json, $c ) = refused( sub { $_[0]->on_origin( sub { die( "boom\n" ) } ) }, Origin => 'http://x' );
    is( $code, 500, 'origin callback dies: 500' );
    is( $json->{message}, 'Unexpected server error occurred', '... message' );
    like( $c->error->message, qr/^Unexpected error while calling origin callback: boom/, '... error' );

    ( $code, $h, $json, $c ) = refused( sub { $_[0]->on_handshake( sub { 0 } ) } );
    is( $code, 403, 'handshake refused: 403' );
    is( $json->{message}, 'You are forbidden from accessing this websocket.', '... message' );
    is( $c->error->code, 403, '... error code' );

    ( $code, $h, $json, $c ) = refused( sub { $_[0]->on_handshake( sub { die( "oops\n" ) } ) } );
    is( $code, 500, 'handshake callback dies: 500' );
    is( $json->{message}, 'Internal error', '... message' );
    like( $c->error->message, qr/^Error calling the handshake callback: oops/, '... error' );

    ( $code, $h, $json, $c ) = refused( undef, 'Sec-WebSocket-Version' => 8 );
    ok( $code == 400 || $code == 426, "unsupported version refused ($code)" );
    is( $json->{message}, 'Protocol version 8 unsupported', '... message' ) if( $code == 400 && %$json );

    my $s = server_with();
    $s->version( '13, 7' );
    my( $sock, $c2, $hd, $body ) = raw_handshake( $s->port, '/', 'Sec-WebSocket-Version' => 8 );
    ok( $c2 == 426 || $c2 == 400, "one of several versions: refused ($c2)" );
    like( $hd->{'sec-websocket-version'} // '', qr/13/, '... Sec-WebSocket-Version lists ours' );
    $s->_stop_listening;
};

subtest 'http_error call forms' => sub
{
    my @cases = (
        [ sub { $_[0]->http_error( 426 ) }, 426, 'Upgrade Required', 'Upgrade Required' ],
        [ sub { $_[0]->http_error( 426, 'Please upgrade' ) }, 426, 'Upgrade Required', 'Please upgrade' ],
        [ sub { $_[0]->http_error( 400, status => 'Bad Request', message => 'No token' ) }, 400, 'Bad Request', 'No token' ],
        [ sub { $_[0]->http_error( 400, { status => 'Bad Request', message => 'No token' } ) }, 400, 'Bad Request', 'No token' ],
        [ sub { $_[0]->http_error( code => 401, message => 'Who?' ) }, 401, 'Unauthorized', 'Who?' ],
        [ sub { $_[0]->http_error({ code => 404, message => 'Nothing here', headers => [ 'X-Why' => 'because' ] }) }, 404, 'Not Found', 'Nothing here' ],
    );
    my $i = 0;
    for my $case ( @cases )
    {
        $i++;
        my $n;
        my( $code, $h, $json, $c, $body ) = refused( sub { $_[0]->on_handshake( sub { $n = $case->[0]->( $_[0] ); 1 } ) } );
        is( $code, $case->[1], "form $i: status $case->[1]" );
        is( $json->{code}, $case->[1], "form $i: JSON code" );
        is( $json->{status}, $case->[2], "form $i: JSON status" );
        is( $json->{message}, $case->[3], "form $i: JSON message" );
        cmp_ok( $n, '>', length( $body ), "form $i: returns the bytes written" );
        is( $h->{'x-why'}, 'because', 'headers option' ) if( $i == 6 );
    }
    my( $code, $h, $json, $c, $body ) = refused( sub { $_[0]->on_handshake( sub { $_[0]->http_error( 400 ) } ) } );
    is( $code, 400, 'the real reason phrase is used' );
    my $sock = WebSocket::Connection::Socket->new( id => 12345 );
    my $conn = WebSocket::Connection->new( socket => $sock, server => WebSocket::Server->new );
    ok( !defined( $conn->http_error( status => 'x' ) ), 'no code' );
    is( $conn->error->message, 'No http code provided.', '... error' );
};

subtest 'extensions are matched by name' => sub
{
    my $s = server_with();
    $s->extensions( ['x-unknown-ext'] );
    my( $sock, $code, $h ) = raw_handshake( $s->port, '/', 'Sec-WebSocket-Extensions' => 'x-other, foo; bar=1' );
    is( $code, 101, 'handshake' );
    ok( !exists( $h->{'sec-websocket-extensions'} ), 'no extension in common, none answered' );
    $s->_stop_listening;
};

done_testing();
