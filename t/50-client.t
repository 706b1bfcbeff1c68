use strict;
use warnings;
use lib 't/lib';
use Test::More;
use Encode ();
use WebSocket qw( :ws );
use WebSocket::Client;
use WebSocket::Loop;
use TestClient;
use warnings qw( WebSocket::Client );

# WebSocket::Client against a server built directly on the engine reactor, in the same
# process: construction and options, connect and the handshake request, messages in both
# directions with every callback, ping/pong, both ways of closing, start/listen, limits.

alarm( 60 );
$SIG{ALRM} = sub { die( "timeout\n" ) };

my $srv = TestClient::Server->new( protocols => [qw( chat )] );
my $port = $srv->port;

subtest 'constructor forms and defaults' => sub
{
    my $c = WebSocket::Client->new( "ws://127.0.0.1:$port/x" );
    isa_ok( $c, 'WebSocket::Client' );
    isa_ok( $c, 'WebSocket' );
    isa_ok( $c->uri, 'URI::ws' );
    is( $c->uri->path, '/x', 'positional uri' );
    $c = WebSocket::Client->new( "ws://127.0.0.1:$port/y", { timeout => 2 } );
    is( $c->uri->path, '/y', 'uri + hash ref' );
    is( $c->timeout, 2, 'timeout' );
    $c = WebSocket::Client->new( "ws://127.0.0.1:$port/z", timeout => 3 );
    is( $c->uri->path, '/z', 'uri + list' );
    $c = WebSocket::Client->new( uri => "ws://127.0.0.1:$port/a", timeout => 4 );
    is( $c->uri->path, '/a', 'uri option' );
    $c = WebSocket::Client->new({ uri => "ws://127.0.0.1:$port/b" });
    is( $c->uri->path, '/b', 'hash ref with uri' );
    ok( !$c->connected, 'not connected' );
    ok( !$c->disconnected, 'not disconnected' );
    ok( !$c->disconnecting, 'not disconnecting' );
    is( $c->socket, undef, 'no Perl socket' );
    is( $c->ip->scalar, undef, 'no ip before connect' );
    is( $c->version, undef, 'version unset' );
    is( $c->timeout, undef, 'timeout unset' );
    is( $c->cookie->scalar, undef, 'cookie unset' );
    is( $c->origin->scalar, undef, 'origin unset' );
    is( $c->subprotocol->length, 0, 'no subprotocol' );
    is( $c->max_payload_size, undef, 'max_payload_size unset' );
    is( $c->max_fragments_amount, undef, 'max_fragments_amount unset' );
    isa_ok( $c->frame_buffer, 'WebSocket::Frame' );
    is( $c->frame_buffer->max_payload_size, 65536, 'frame buffer default limit' );
    isa_ok( $c->handshake, 'WebSocket::Handshake::Client' );
    is( $c->buffered_amount, 0, 'buffered_amount before connect' );
    is( ref( $c->do_pong ), 'CODE', 'do_pong default' );
    is( $c->on_handshake->(), 1, 'on_handshake default returns true' );
    for my $cb ( qw( on_binary on_connect on_disconnect on_drain on_error on_ping on_pong on_recv on_send on_utf8 ) )
    {
        is( ref( $c->$cb ), 'CODE', "$cb default" );
    }
    is( $c->compression_threshold, 10240, 'compression_threshold inherited' );
};

subtest 'options' => sub
{
    my $c = WebSocket::Client->new( "ws://127.0.0.1:$port/", {
        max_payload_size     => 0,
        max_fragments_amount => 7,
        subprotocol          => 'chat superchat',
        extensions           => 'permessage-foo',
        cookie               => 'sid=42',
        origin               => 'http://example.org',
        version              => 13,
    }) || die( WebSocket::Client->error );
    is( $c->max_payload_size, 0, 'max_payload_size 0' );
    is( $c->frame_buffer->max_payload_size, 0, 'frame buffer: no limit (t/008)' );
    is( $c->max_fragments_amount, 7, 'max_fragments_amount' );
    is( $c->frame_buffer->max_fragments_amount, 7, 'max_fragments_amount reaches the frame buffer' );
    is( $c->subprotocol->join( ' ' )->scalar, 'chat superchat', 'subprotocol split on spaces' );
    is( $c->handshake->request->subprotocol->join( ',' )->scalar, 'chat,superchat', 'subprotocol in the handshake request' );
    is( $c->extensions, 'permessage-foo', 'extensions stored' );
    is( $c->handshake->request->extensions->length, 1, 'extensions in the handshake request' );
    is( $c->cookie, 'sid=42', 'cookie' );
    is( $c->origin, 'http://example.org', 'origin' );
    isa_ok( $c->version, 'WebSocket::Version' );
    is( $c->version->numify, 13, 'version 13' );
    my $hs = $c->handshake->as_string;
    like( $hs, qr/^Cookie: sid=42\r$/m, 'request has the cookie' );
    like( $hs, qr/^Origin: http:\/\/example.org\r$/m, 'request has the origin' );
    $c->subprotocol( [qw( a b )] );
    is( $c->subprotocol->join( ',' )->scalar, 'a,b', 'subprotocol from an array' );
    $c->max_payload_size( 1000 );
    is( $c->frame_buffer->max_payload_size, 1000, 'max_payload_size setter reaches the frame buffer' );
    my $d = WebSocket::Client->new( "ws://127.0.0.1:$port/", version => 'draft-ietf-hybi-17' );
    is( $d->version->numify, 13, 'version by draft name' );
};

subtest 'callback setters chain and on()' => sub
{
    my $c = WebSocket::Client->new( "ws://127.0.0.1:$port/" );
    my $s = sub{};
    is( $c->on_utf8( $s ), $c, 'on_utf8 setter chains' );
    is( $c->on_utf8, $s, 'on_utf8 getter' );
    for my $cb ( qw( on_binary on_connect on_disconnect on_drain on_error on_handshake on_ping on_pong on_recv on_send do_pong ) )
    {
        is( $c->$cb( $s ), $c, "$cb setter chains" );
    }
    is( $c->on( utf8 => $s, binary => $s, drain => $s ), $c, 'on() chains' );
    ok( !defined( $c->on( bogus => $s ) ), 'on( bogus )' );
    is( $c->error->message, "Invalid event 'bogus'", 'error for an unknown event' );
    ok( !defined( $c->on( utf8 => 'x' ) ), 'on( utf8 => string )' );
    is( $c->error->message, "Expected a code reference for event 'utf8', but got 'x'.", 'error for a non-code value' );
};

subtest 'connect, handshake request, callbacks order' => sub
{
    my @order;
    my( $hs_args );
    my $c = WebSocket::Client->new( "ws://127.0.0.1:$port/chat?room=1&x=y", {
        subprotocol  => [qw( chat other )],
        cookie       => 'sid=42; lang=en',
        extensions   => 'x-test-ext',
        on_connect   => sub { push( @order, 'connect' ); is( $_[0]->connected, 0, 'not yet connected in on_connect' ) },
        on_handshake => sub { push( @order, 'handshake' ); $hs_args = [ @_ ]; 1 },
    }) || die( WebSocket::Client->error );
    is( $c->connect, $c, 'connect returns the object' ) || diag( $c->error );
    is_deeply( \@order, [qw( connect handshake )], 'on_connect, then on_handshake' );
    is( $hs_args->[0], $c, 'on_handshake gets the client' );
    isa_ok( $hs_args->[1], 'WebSocket::Handshake::Client' );
    ok( $c->connected, 'connected' );
    ok( !$c->disconnected, 'not disconnected' );
    is( $c->ip, '127.0.0.1', 'ip is the peer address' );
    is( $c->tls_info, undef, 'tls_info: undef on ws://' );
    ok( $c->handshake->is_done, 'handshake done' );
    is( $c->handshake->response->code, 101, 'response 101' );
    is( $c->handshake->response->subprotocol->join( ',' )->scalar, 'chat', 'negotiated subprotocol in the response' );
    my $req = $srv->last_request;
    is( $req->{uri}, '/chat?room=1&x=y', 'path and query' );
    my %h = @{ $req->{headers} };
    my %lh = map{ lc( $_ ) => $h{ $_ } } keys( %h );
    is( $lh{host}, "127.0.0.1:$port", 'Host header with the port' );
    is( $req->{origin} // $lh{origin}, "http://127.0.0.1:$port", 'default origin' );
    is( $lh{cookie}, 'sid=42; lang=en', 'Cookie header' );
    is_deeply( $req->{protocols}, [qw( chat other )], 'subprotocols offered' );
    like( $req->{extensions} // $lh{'sec-websocket-extensions'}, qr/x-test-ext/, 'extensions offered' );
    is( $c->connect, $c, 'connect again while connected: no-op' );
    $c->disconnect;
    ok( $c->disconnected, 'disconnected after disconnect' );
};

subtest 'messages both ways' => sub
{
    my( @recv, @utf8, @bin, @sent );
    my $c = WebSocket::Client->new( $srv->url( '/echo' ), {
        on_recv   => sub { push( @recv, [ @_ ] ) },
        on_utf8   => sub { push( @utf8, [ @_ ] ) },
        on_binary => sub { push( @bin, [ @_ ] ) },
        on_send   => sub { push( @sent, [ @_ ] ) },
    }) || die( WebSocket::Client->error );
    $c->connect || die( $c->error );
    is( $c->send( 'hello' ), 2 + 4 + 5, 'send( $text ): bytes on the wire' );
    is( $c->send( text => '' ), 6, 'empty text' );
    is( $c->send( text => '0' ), 7, 'text "0"' );
    my $caf = "caf\x{e9} \x{263a}";
    ok( $c->send_utf8( $caf ), 'send_utf8' );
    is( $c->send_binary( "\x00\xff\x80" ), 9, 'send_binary' );
    ok( $c->send( binary => 'b' x 200 ), 'binary with a 16-bit length' );
    is( $c->send( binary => 'b' x 200 ), 2 + 2 + 4 + 200, '... counted' );
    my $f = WebSocket::Frame->new( buffer => 'framed', type => 'text' );
    is( $c->send( text => $f ), 12, 'send a WebSocket::Frame' );
    # API.md 7.3: on_send first hears the handshake request, then every payload.
    my $hs_sent = shift( @sent );
    is( $hs_sent->[0], $c, 'on_send gets the client' );
    like( $hs_sent->[1], qr{\AGET /echo HTTP/1\.1\r\n}, '... first with the handshake request the engine wrote' );
    like( $hs_sent->[1], qr{^Sec-WebSocket-Key: [A-Za-z0-9+/]{22}==\r$}m, '... its key included' );
    like( $hs_sent->[1], qr/\r\n\r\n\z/, '... whole' );
    is( $sent[0]->[0], $c, 'then for each send' );
    is( $sent[0]->[1], 'hello', '... with the payload' );
    $c->listen( sub { @utf8 + @bin < 8 } );
    is( scalar( @utf8 ), 5, 'five text messages' );
    is( scalar( @bin ), 3, 'three binary messages' );
    is( $utf8[0]->[0], $c, 'on_utf8 gets the client' );
    is( $utf8[0]->[1], 'hello', 'text echoed' );
    is( $utf8[1]->[1], '', 'empty text delivered' );
    is( $utf8[2]->[1], '0', 'text "0" delivered' );
    is( $utf8[3]->[1], $caf, 'decoded once into characters' );
    ok( Encode::is_utf8( $utf8[3]->[1] ), '... a character string' );
    is( $utf8[4]->[1], 'framed', 'frame object echoed' );
    is( $bin[0]->[1], "\x00\xff\x80", 'binary bytes' );
    is( length( $bin[1]->[1] ), 200, 'binary 200' );
    is( scalar( @recv ), 8, 'on_recv for each text and binary message' );
    isa_ok( $recv[0]->[0], 'WebSocket::Frame' );
    ok( $recv[0]->[0]->is_text, 'frame is_text' );
    is( $recv[0]->[0]->opcode, 1, 'opcode 1' );
    is( $recv[0]->[1], 'hello', 'on_recv payload' );
    ok( $recv[4]->[0]->is_binary, "binary frame is_binary" );
    is( $recv[4]->[1], "\x00\xff\x80", 'binary payload' );
    $c->disconnect;
};

subtest 'ping and pong' => sub
{
    my( @ping, @pong, @dopong );
    my $c = WebSocket::Client->new( $srv->url, {
        on_ping => sub { push( @ping, [ @_ ] ); 1 },
        on_pong => sub { push( @pong, [ @_ ] ) },
    }) || die( WebSocket::Client->error );
    $c->connect || die( $c->error );
    my $n = scalar( $srv->events( 'pong' ) );
    ok( $c->ping( 'abc' ), 'ping' );
    ok( $c->ping, 'ping without payload' );
    $c->listen( sub { @pong < 2 } );
    is( $pong[0]->[0], $c, 'on_pong gets the client' );
    is( $pong[0]->[1], 'abc', 'on_pong payload' );
    is( $pong[1]->[1], '', 'empty pong' );
    ok( $c->pong( 'unsolicited' ), 'pong' );
    ok( $c->send( 'hi' ), 'server got the pong' );
    $c->listen( sub { !grep{ $_->[2] eq 'unsolicited' } $srv->events( 'pong' ) } );
    ok( scalar( grep{ $_->[2] eq 'unsolicited' } $srv->events( 'pong' ) ), 'server received the pong' );
    $n = scalar( $srv->events( 'pong' ) );
    $c->send( 'ping from-server' );
    $c->listen( sub { !@ping } );
    is( $ping[0]->[0], $c, 'on_ping gets the client' );
    is( $ping[0]->[1], 'from-server', 'on_ping payload' );
    $srv->wait_for( sub { grep{ $_->[2] eq 'from-server' } $srv->events( 'pong' ) } );
    ok( scalar( grep{ $_->[2] eq 'from-server' } $srv->events( 'pong' ) ), 'automatic pong reached the server' );
    # A custom do_pong is called too; on_ping returning a defined false value skips it.
    $c->do_pong( sub { push( @dopong, [ @_ ] ) } );
    $c->send( 'ping p2' );
    $c->listen( sub { @ping < 2 } );
    is( scalar( @dopong ), 1, 'custom do_pong called' );
    is( $dopong[0]->[1], 'p2', '... with the payload' );
    $c->on_ping( sub { push( @ping, [ @_ ] ); 0 } );
    $c->send( 'ping p3' );
    $c->listen( sub { @ping < 3 } );
    $c->send( 'sync' );
    $c->listen( sub { !grep{ $_->[0] eq 'text' && $_->[2] eq 'sync' } $srv->log } );
    is( scalar( @dopong ), 1, 'do_pong not called when on_ping returns false' );
    $c->disconnect;
};

subtest 'server closes: on_disconnect with code and reason' => sub
{
    my @disc;
    my $c = WebSocket::Client->new( $srv->url, { on_disconnect => sub { push( @disc, [ @_ ] ) } } ) || die;
    $c->connect || die( $c->error );
    $c->send( 'close 4000 bye now' );
    is( $c->start, $c, 'start returns the object once the connection is closed' );
    is( scalar( @disc ), 1, 'on_disconnect once' );
    is( $disc[0]->[0], $c, 'on_disconnect gets the client' );
    is( $disc[0]->[1], 4000, 'code' );
    is( $disc[0]->[2], 'bye now', 'reason' );
    ok( $c->disconnected, 'disconnected' );
    ok( !$c->connected, 'not connected' );
    is( $c->listen, $c, 'listen on a closed connection returns at once' );
    is( $c->send( 'x' ), undef, 'send after close fails' );
    is( $c->error->message, 'No socket found to send data to!', '... with the error' );
};

subtest 'client disconnects with a code and a reason' => sub
{
    my @disc;
    my $c = WebSocket::Client->new( $srv->url, { on_disconnect => sub { push( @disc, [ @_ ] ) } } ) || die;
    $c->connect || die( $c->error );
    my $cid = $srv->{cids}->[-1];
    is( $c->disconnect( 4001, 'later' ), $c, 'disconnect returns the object' );
    ok( $c->disconnecting, 'disconnecting' );
    ok( $c->disconnected, 'close handshake finished' );
    is_deeply( [ @{ $disc[0] }[1,2] ], [ 4001, 'later' ], 'on_disconnect with the arguments' );
    my( $close ) = grep{ $_->[1] == $cid } $srv->events( 'close' );
    is_deeply( [ @$close[2,3] ], [ 4001, 'later' ], 'the server got the close frame' );
    is( $c->disconnect( 1000 ), $c, 'second disconnect is a no-op' );
    is( scalar( @disc ), 1, 'on_disconnect once' );
    is( $c->shutdown, $c, 'shutdown chains' );
};

subtest 'disconnect and shutdown on a client never connected' => sub
{
    my @disc;
    my $c = WebSocket::Client->new( $srv->url, { on_disconnect => sub { push( @disc, [ @_ ] ) } } ) || die;
    is( $c->disconnect, $c, 'disconnect' );
    is( scalar( @disc ), 1, 'on_disconnect still called (t/008)' );
    ok( $c->disconnecting, 'disconnecting' );
    is( $c->shutdown, $c, 'shutdown' );
    ok( $c->disconnected, 'disconnected' );
};

subtest 'disconnect from inside a callback' => sub
{
    my @disc;
    my $c;
    $c = WebSocket::Client->new( $srv->url, {
        on_utf8       => sub { $c->disconnect( 1000, 'done' ) },
        on_disconnect => sub { push( @disc, [ @_ ] ) },
    }) || die;
    $c->connect || die( $c->error );
    $c->send( 'bye' );
    $c->start;
    ok( $c->disconnected, 'closed' );
    is_deeply( [ @{ $disc[0] }[1,2] ], [ 1000, 'done' ], 'on_disconnect' );
};

subtest 'listen with a condition, timeout' => sub
{
    my $c = WebSocket::Client->new( $srv->url, { timeout => 0.1 } ) || die;
    $c->connect || die( $c->error );
    my $n = 0;
    is( $c->listen( sub { ++$n < 5 } ), $c, 'listen returns the object when the condition is false' );
    is( $n, 5, 'condition checked on each turn (the timeout wakes the loop)' );
    ok( $c->connected, 'still connected' );
    $c->disconnect;
};

subtest 'a dying callback closes with 1011' => sub
{
    my( @disc, @warn );
    local $SIG{__WARN__} = sub { push( @warn, $_[0] ) };
    my $c = WebSocket::Client->new( $srv->url, {
        on_utf8       => sub { die( "oops\n" ) },
        on_disconnect => sub { push( @disc, [ @_ ] ) },
    }) || die;
    $c->connect || die( $c->error );
    my $cid = $srv->{cids}->[-1];
    $c->send( 'x' );
    $c->start;
    is( $c->error->code, 1011, 'error code 1011' );
    is( $c->error->message, 'Internal error', 'error message' );
    is_deeply( [ @{ $disc[0] }[1,2] ], [ 1011, 'Internal error' ], 'disconnect with 1011' );
    ok( scalar( grep{ /oops/ } @warn ), 'the exception is warned' );
    my( $close ) = grep{ $_->[1] == $cid } $srv->events( 'close' );
    is( $close->[2], 1011, 'server got 1011' );
};

subtest 'max_payload_size: message too big closes with 1009' => sub
{
    my( @disc, @big );
    my $c = WebSocket::Client->new( $srv->url, {
        max_payload_size => 1000,
        on_binary        => sub { push( @big, $_[1] ) },
        on_disconnect    => sub { push( @disc, [ @_ ] ) },
    }) || die;
    $c->connect || die( $c->error );
    $c->send( 'big 999' );
    $c->listen( sub { !@big } );
    is( length( $big[0] ), 999, 'under the limit: delivered' );
    is( $c->send( binary => 'y' x 1001 ), undef, 'sending over the limit fails' );
    is( $c->error->code, 1009, 'error code 1009' );
    is( $c->error->message, 'Payload is too big. Send shorter messages or increase max_payload_size', 'error message' );
    $c->send( 'big 1001' );
    $c->start;
    is( scalar( @big ), 1, 'over the limit: not delivered' );
    is( $disc[0]->[1], 1009, 'closed with 1009' );
};

subtest 'max_payload_size 0: no limit' => sub
{
    my @big;
    my $c = WebSocket::Client->new( $srv->url, { max_payload_size => 0, on_binary => sub { push( @big, $_[1] ) } } ) || die;
    $c->connect || die( $c->error );
    ok( $c->send( binary => 'z' x 200_000 ), 'send 200 kB' );
    $c->send( 'big 300000' );
    $c->listen( sub { @big < 2 } );
    is( length( $big[0] ), 200_000, 'echo of 200 kB' );
    is( length( $big[1] ), 300_000, '300 kB received' );
    $c->disconnect;
};

subtest 'max_fragments_amount is passed on' => sub
{
    my( @utf8, @disc );
    my $c = WebSocket::Client->new( $srv->url, {
        max_fragments_amount => 4,
        on_utf8              => sub { push( @utf8, $_[1] ) },
        on_disconnect        => sub { push( @disc, [ @_ ] ) },
    }) || die;
    $c->connect || die( $c->error );
    $c->send( 'frag 3' );
    $c->listen( sub { !@utf8 } );
    is( $utf8[0], 'f1;f2;f3;', 'fragmented message under the limit' );
    $c->send( 'frag 10' );
    $c->start;
    is( scalar( @utf8 ), 1, 'too many fragments: not delivered' );
    is( $disc[0]->[1], 1009, 'connection closed with 1009' );
};

subtest 'buffered_amount and on_drain' => sub
{
    my $drained = 0;
    my $c = WebSocket::Client->new( $srv->url, { max_payload_size => 0, timeout => 0.2, on_drain => sub { $drained++ } } ) || die;
    $c->connect || die( $c->error );
    $srv->{on_message} = sub { };    # swallow
    # 12 MiB: more than the loopback socket buffers hold, less than the 16 MiB cap on unsent
    # bytes (max_buffered) over which the reactor drops a connection.
    $c->send( binary => 'q' x ( 12 * 1024 * 1024 ) );
    my $pending = $c->buffered_amount;
    ok( $pending > 0, "bytes wait to be sent ($pending)" );
    my $end = time() + 20;
    $c->listen( sub { time() < $end && ( $c->buffered_amount > 0 || !$drained ) } );
    is( $c->buffered_amount, 0, 'all sent' );
    ok( $drained, 'on_drain called' );
    delete( $srv->{on_message} );
    $c->disconnect;
};

subtest 'server sends right after the handshake' => sub
{
    my @utf8;
    local $srv->{on_request} = sub
    {
        my( $s, $cid, $req ) = @_;
        $s->{r}->accept( $cid, {} );
        $s->{r}->send( $cid, 1, 1, 'welcome' );
    };
    my $c = WebSocket::Client->new( $srv->url, { on_utf8 => sub { push( @utf8, $_[1] ) } } ) || die;
    $c->connect || die( $c->error );
    $c->listen( sub { !@utf8 } );
    is( $utf8[0], 'welcome', 'message sent with the handshake answer is delivered' );
    $c->disconnect;
};

subtest 'recv: one turn of the loop' => sub
{
    my @utf8;
    my $c = WebSocket::Client->new( $srv->url, { on_utf8 => sub { push( @utf8, $_[1] ) } } ) || die;
    $c->connect || die( $c->error );
    $c->send( 'polled' );
    my $end = time() + 10;
    while( !@utf8 && time() < $end )
    {
        $c->recv;
        select( undef, undef, undef, 0.01 );
    }
    is( $utf8[0], 'polled', 'message delivered by recv' );
    is( $c->recv, $c, 'recv returns the object' );
    $c->disconnect;
};

subtest 'peer vanishes' => sub
{
    my @disc;
    my $c = WebSocket::Client->new( $srv->url, { on_disconnect => sub { push( @disc, [ @_ ] ) } } ) || die;
    $c->connect || die( $c->error );
    $c->send( 'drop' );
    $c->start;
    ok( $c->disconnected, 'disconnected' );
    is( $disc[0]->[1], 1006, 'on_disconnect with 1006' );
};

alarm( 0 );
done_testing();
