use strict;
use warnings;
use lib 't/lib';
use Test::More;
use Encode ();
use IO::Socket::INET;
use Socket ();
use Time::HiRes ();
use JSON ();
use TestServer;
use WebSocket::Server;
use WebSocket::Client;
use WebSocket::Loop;

# The acceptance audit of WebSocket::Server and WebSocket::Connection: what the other files
# leave out. WebSocket::Client talking to WebSocket::Server in this one process (one loop for
# both), the protections a server has by default, the exact codes a connection ends with, the
# options given to the constructor, and the original's ping semantics.

alarm( 120 );
$SIG{ALRM} = sub { die( "timeout\n" ) };
my @warnings;
$SIG{__WARN__} = sub { push( @warnings, $_[0] ) };

# A server whose on_connect keeps each connection and applies %conn (callbacks by name).
my @conns;
sub server_with
{
    my $sopts = shift( @_ );
    return( collecting_server( \@conns, $sopts, @_ ) );
}

subtest 'WebSocket::Client and WebSocket::Server in one process' => sub
{
    my( %srv, @s_utf8, @s_bin, @s_disc, @c_utf8, @c_bin, @c_disc, @c_pong );
    my $s = server_with( { subprotocol => [qw( json chat )], extensions => 'permessage-deflate, x-app-feature' },
        handshake  => sub { my( $c, $hs ) = @_; $srv{cookie} = $hs->request->headers->header( 'Cookie' ); 1 },
        origin     => sub { $srv{origin} = "$_[1]"; 1 },
        ready      => sub { $_[0]->send_utf8( "welcome \x{263a}" ) },
        utf8       => sub { push( @s_utf8, $_[1] ); $_[0]->send_utf8( "echo: $_[1]" ) },
        binary     => sub { push( @s_bin, $_[1] ); $_[0]->send_binary( scalar( reverse( $_[1] ) ) ) },
        disconnect => sub { push( @s_disc, [ @_[1,2] ] ) },
    );
    my $c = WebSocket::Client->new( 'ws://127.0.0.1:' . $s->port . '/room/1?token=abc', {
        subprotocol   => [qw( chat json )],
        extensions    => 'permessage-deflate; client_max_window_bits, x-app-feature; level=2',
        cookie        => 'sid=42',
        origin        => 'http://app.example/page',
        timeout       => 5,
        on_utf8       => sub { push( @c_utf8, $_[1] ) },
        on_binary     => sub { push( @c_bin, $_[1] ) },
        on_pong       => sub { push( @c_pong, $_[1] ) },
        on_disconnect => sub { push( @c_disc, [ @_[1,2] ] ) },
    }) || die( WebSocket::Client->error );
    is( $c->connect, $c, 'connect returns once the handshake is done' ) || diag( $c->error );
    ok( $c->connected, 'client connected' );
    is( $c->ip, '127.0.0.1', 'client ip: the server address' );
    is( $c->handshake->response->subprotocol->join( ',' )->scalar, 'chat', 'the client\'s first choice the server speaks' );
    # permessage-deflate is offered and answered by the engine (which compresses); an extension
    # that leaves the frames alone is negotiated by name, as the original did.
    like( $c->handshake->request->as_string, qr/^Sec-WebSocket-Extensions: x-app-feature; level=2, permessage-deflate; client_max_window_bits\r?$/m, 'the client offers the other extension and the engine\'s permessage-deflate' );
    is( $s->extensions->length, 2, 'the server\'s extensions given as one header value: two objects' );
    ok( !( grep{ /not implemented/ } @warnings ), '... and no warning about them' );
    is( $c->handshake->response->headers->header( 'Sec-WebSocket-Extensions' ), 'permessage-deflate, x-app-feature', 'the server accepts permessage-deflate (first) and the other extension by name' );
    ok( pump_until( sub { @conns && $conns[0]->is_ready } ), 'the server side is ready' );
    my $conn = $conns[0];
    is( $conn->extensions->map( sub{ $_->extension } )->join( ',' )->scalar, 'permessage-deflate,x-app-feature', 'the connection\'s extensions' );
    is( $conn->subprotocol->join( ',' )->scalar, 'chat', 'server connection: selected subprotocol' );
    is( $conn->request_uri, 'ws://127.0.0.1:' . $s->port . '/room/1?token=abc', 'request_uri with the query' );
    is( $conn->origin, 'http://app.example/page', 'origin' );
    is( $srv{origin}, 'http://app.example/page', 'on_origin got it' );
    is( $srv{cookie}, 'sid=42', 'the cookie reached on_handshake' );
    is( $conn->ip, '127.0.0.1', 'connection ip' );
    cmp_ok( $conn->port, '>', 0, 'connection port' );
    is( scalar( $s->connections->length ), 1, 'one connection' );

    $c->listen( sub { !@c_utf8 } );
    is( $c_utf8[0], "welcome \x{263a}", 'on_ready sent, on_utf8 decoded' );
    ok( $c->send_utf8( "caf\x{e9}" ), 'client send_utf8' );
    ok( $c->send_binary( "\x00\x01\x02" ), 'client send_binary' );
    my $big = join( '', map{ chr( $_ % 251 ) } 1 .. 50_000 );
    ok( $c->send( binary => $big ), 'a compressible 50 kB message' );
    $c->listen( sub { @c_utf8 < 2 || @c_bin < 2 } );
    is( $s_utf8[0], "caf\x{e9}", 'server on_utf8 decoded' );
    is( $c_utf8[1], "echo: caf\x{e9}", 'echo back' );
    is( $s_bin[0], "\x00\x01\x02", 'server on_binary' );
    is( $c_bin[0], "\x02\x01\x00", 'binary back' );
    ok( $c_bin[1] eq reverse( $big ), '50 kB back intact' );
    ok( $c->ping( 'hey' ), 'client ping' );
    $c->listen( sub { !@c_pong } );
    is( $c_pong[0], 'hey', 'the server answered the ping' );

    $conn->disconnect( 4100, "done \x{e9}" );
    $c->start;
    ok( $c->disconnected, 'client disconnected' );
    is_deeply( $c_disc[0], [ 4100, "done \x{e9}" ], 'client on_disconnect: the server\'s code and reason' );
    is_deeply( $s_disc[0], [ 4100, "done \x{e9}" ], 'server on_disconnect once, with its own arguments' );
    ok( pump_until( sub { $conn->disconnected } ), 'server connection closed' );
    is( scalar( @s_disc ), 1, 'server on_disconnect once' );
    $s->_stop_listening;
};

subtest 'shutdown from a callback: close 1001 to every client, start returns' => sub
{
    my( @disc, $c1, $c2 );
    my $ready = 0;
    my $s = WebSocket::Server->new( host => '127.0.0.1', port => 0, silence_max => 0,
        on_connect => sub
        {
            my( $srv, $conn ) = @_;
            $conn->on(
                ready => sub { $ready++ },
                utf8  => sub { $srv->stop if( $_[1] eq 'stop' ) },
            );
        } ) || die;
    my $loop = WebSocket::Loop->instance;
    my %got;
    # The clients are driven from a timer of the same loop start() runs.
    $loop->add_timer( 0.01, undef, sub
    {
        for my $i ( 1, 2 )
        {
            my $c = WebSocket::Client->new( 'ws://127.0.0.1:' . $s->port . '/', {
                timeout => 5,
                on_disconnect => sub { push( @disc, [ $i, @_[1,2] ] ) },
            }) || die;
            # connect() turns the same loop: the server accepts meanwhile.
            $c->connect || die( $c->error );
            $got{"c$i"} = $c;
        }
        $got{c2}->send_utf8( 'stop' );
    });
    my $t0 = Time::HiRes::time();
    is( $s->start, $s, 'start returns the server' );
    cmp_ok( Time::HiRes::time() - $t0, '<', 3, '... promptly: both clients answered the close' );
    is( $ready, 2, 'two clients were served' );
    is( scalar( @disc ), 2, 'both clients heard of the end' );
    is_deeply( [ sort( map{ $_->[1] } @disc ) ], [ 1001, 1001 ], '... with 1001' );
    ok( pump_until( sub { $got{c1}->disconnected && $got{c2}->disconnected } ), 'both disconnected' );
};

subtest 'close_timeout: shutdown ends even when a client never answers' => sub
{
    my $s = WebSocket::Server->new( host => '127.0.0.1', port => 0, silence_max => 0, close_timeout => 0.5 ) || die;
    my( $sock, $eof );
    my $loop = WebSocket::Loop->instance;
    $loop->add_timer( 0.01, undef, sub
    {
        $sock = raw_connect( $s->port );
        syswrite( $sock, raw_request( '/' ) );
    });
    # Shut down once the client is connected; it never reads nor answers.
    $s->on_tick( sub { $_[0]->shutdown if( $_[0]->connections->length && !$_[0]->{_stopping} ) } );
    $s->tick_period( 0.05 );
    my $t0 = Time::HiRes::time();
    is( $s->start, $s, 'start returns' );
    my $dt = Time::HiRes::time() - $t0;
    cmp_ok( $dt, '>=', 0.4, "after waiting for the answer ($dt s)" );
    cmp_ok( $dt, '<', 3, '... but not longer than the close timeout allows' );
    ok( raw_eof( $sock, 2 ), 'the silent client was dropped' );
};

subtest 'protection by default: handshake timeout, head limits, slow clients' => sub
{
    my @ready;
    my $s = server_with( { handshake_timeout => 0.3 }, ready => sub { push( @ready, $_[0] ) } );
    is( $s->handshake_timeout, 0.3, 'handshake_timeout option' );
    is( WebSocket::Server->new->handshake_timeout, 10, 'handshake_timeout default' );

    # A client that connects and says nothing, and one that sends half a request
    my $silent = raw_connect( $s->port );
    my $slow = raw_connect( $s->port );
    syswrite( $slow, substr( raw_request( '/' ), 0, 20 ) );
    # Meanwhile another client is served at once
    my $t0 = Time::HiRes::time();
    my( $ok, $code ) = raw_handshake( $s->port, '/' );
    is( $code, 101, 'another client is served while two stall' );
    cmp_ok( Time::HiRes::time() - $t0, '<', 0.3, '... without waiting for them' );
    send_frame( $ok, 1, 'x' );
    ok( raw_eof( $silent, 3 ), 'the silent client is dropped after the handshake timeout' );
    ok( raw_eof( $slow, 3 ), 'the slow client too' );

    # A client that stops in the middle of a frame does not hold the others back either
    my( $half ) = raw_handshake( $s->port, '/' );
    syswrite( $half, substr( WebSocket::Engine::encode_frame( 1, 1, 0, 1, undef, 'y' x 500 ), 0, 100 ) );
    my( $other ) = raw_handshake( $s->port, '/' );
    my @got;
    $_->on_utf8( sub { push( @got, $_[1] ) } ) for( @conns );
    send_frame( $other, 1, 'still here' );
    ok( pump_until( sub { grep{ $_ eq 'still here' } @got }, 3 ), 'a message from another client is delivered meanwhile' );

    # Too many header fields: 431
    my %h = map{ ( "X-H$_" => 'v' ) } 1 .. 101;
    my( $many, $c2, undef, $body ) = raw_handshake( $s->port, '/', %h );
    is( $c2, 431, 'more than 100 header fields: 431' );
    # A header line too long: refused too
    my( $long, $c3 ) = raw_handshake( $s->port, '/', 'X-Long' => 'z' x 9000 );
    ok( defined( $c3 ) && $c3 >= 400 && $c3 < 500, "an 9000-byte header line is refused ($c3)" );
    # A head over 16 KiB in total
    my %big = map{ ( "X-B$_" => 'w' x 1000 ) } 1 .. 20;
    my( $huge, $c4 ) = raw_handshake( $s->port, '/', %big );
    ok( defined( $c4 ) && $c4 >= 400 && $c4 < 500, "a 20 kB request head is refused ($c4)" );
    $s->_stop_listening;
};

subtest 'limits end a connection with 1009' => sub
{
    my @disc;
    my $s = server_with( {}, disconnect => sub { push( @disc, [ @_[1,2] ] ) }, _setup => sub { $_[0]->max_fragments_amount( 3 ) } );
    my( $sock ) = raw_handshake( $s->port, '/' );
    ok( pump_until( sub { @conns && $conns[0]->is_ready } ), 'ready' );
    is( $conns[0]->max_fragments_amount, 3, 'max_fragments_amount' );
    send_frame( $sock, 1, 'a', fin => 0 );
    send_frame( $sock, 0, 'b', fin => 0 );
    send_frame( $sock, 0, 'c', fin => 0 );
    send_frame( $sock, 0, 'd', fin => 1 );
    my( $op, $payload ) = read_frame( $sock );
    is( $op, 8, 'too many fragments: close' );
    is( unpack( 'n', $payload // '' ), 1009, '... with 1009' );
    ok( pump_until( sub { @disc } ), 'on_disconnect' );
    is( $disc[0]->[0], 1009, '... with 1009' );
    $s->_stop_listening;

    # The default message limit, 64 KiB
    @disc = ();
    $s = server_with( {}, disconnect => sub { push( @disc, [ @_[1,2] ] ) } );
    ( $sock ) = raw_handshake( $s->port, '/' );
    ok( pump_until( sub { @conns && $conns[0]->is_ready } ), 'ready' );
    send_frame( $sock, 2, 'x' x 65537 );
    ( $op, $payload ) = read_frame( $sock );
    is( $op, 8, 'a message over 64 KiB by default: close' );
    is( unpack( 'n', $payload // '' ), 1009, '... with 1009' );
    $s->_stop_listening;
};

subtest 'the codes a connection ends with: stalled reader, pong timeout' => sub
{
    my @disc;
    my $s = server_with( { max_buffered => 200_000 }, disconnect => sub { push( @disc, [ @_[1,2] ] ) } );
    my( $sock ) = raw_handshake( $s->port, '/' );
    ok( pump_until( sub { @conns && $conns[0]->is_ready } ), 'ready' );
    my $c = $conns[0];
    is( $c->max_buffered, 200_000, 'max_buffered from the server' );
    $c->max_send_size( 0 );
    for( 1 .. 200 )
    {
        last if( !$c->send_binary( 'x' x 65536 ) );
        pump( 0.005 );
        last if( @disc );
    }
    ok( pump_until( sub { @disc } ), 'a client that does not read is closed' );
    is_deeply( $disc[0], [ 1006, 'send buffer limit exceeded' ], '... with 1006 and a clear reason' );
    is( $c->error->message, 'send buffer limit exceeded', '... recorded as the error' );
    ok( pump_until( sub { $c->disconnected } ), 'disconnected' );
    $s->_stop_listening;

    @disc = ();
    $s = server_with( { silence_max => 0.3, pong_timeout => 0.3 }, disconnect => sub { push( @disc, [ @_[1,2] ] ) } );
    ( $sock ) = raw_handshake( $s->port, '/' );
    my( $op ) = read_frame( $sock, 3 );
    is( $op, 9, 'a silent client gets a keep-alive ping' );
    ok( pump_until( sub { @disc }, 3 ), 'no pong: dropped' );
    is_deeply( $disc[0], [ 1001, 'pong timeout' ], '... with 1001 "pong timeout"' );
    $s->_stop_listening;

    # A client that answers stays
    @disc = ();
    $s = server_with( { silence_max => 0.2, pong_timeout => 0.3 }, disconnect => sub { push( @disc, [ @_[1,2] ] ) } );
    ( $sock ) = raw_handshake( $s->port, '/' );
    my $pings = 0;
    my $end = Time::HiRes::time() + 1.2;
    while( Time::HiRes::time() < $end )
    {
        my( $o, $p ) = read_frame( $sock, 0.1 );
        next if( !defined( $o ) );
        if( $o == 9 ) { $pings++; send_frame( $sock, 10, $p ); }
    }
    cmp_ok( $pings, '>=', 2, "pings keep coming ($pings)" );
    is( scalar( @disc ), 0, 'a client that answers is kept' );
    $s->_stop_listening;
};

subtest 'constructor options watch_readable and watch_writable' => sub
{
    pipe( my $r, my $w ) or die( $! );
    syswrite( $w, 'x' );
    my( $rc, $wc ) = ( 0, 0 );
    my $s = WebSocket::Server->new( host => '127.0.0.1', port => 0, silence_max => 0,
        watch_readable => [ $r => sub { $rc++ } ],
        watch_writable => [ $w => sub { $wc++; $_[0]->unwatch_writable( $_[1] ) } ],
        tick_period => 0.2, on_tick => sub { $_[0]->stop } ) || die( WebSocket::Server->error );
    is( $s->watched_readable( $r ), ( $s->watched_readable )[1], 'watched from the constructor' );
    is( $s->start, $s, 'stop ends start' );
    cmp_ok( $rc, '>', 1, 'readable callback, level-triggered' );
    is( $wc, 1, 'writable callback' );
    ok( !defined( WebSocket::Server->new( watch_readable => [ $r ] ) ), 'odd list in the constructor' );
    is( WebSocket::Server->error->message, 'watch_readable expects an even number of arguments', '... error' );
};

subtest 'permessage-deflate: negotiated by the engine when the server lists it, declined otherwise' => sub
{
    for my $listed ( 1, 0 )
    {
        @warnings = ();
        @conns = ();
        my $s = WebSocket::Server->new(
            host        => '127.0.0.1',
            port        => 0,
            silence_max => 0,
            extensions  => ( $listed ? 'permessage-deflate, x-app-feature' : 'x-app-feature' ),
            on_connect  => sub { push( @conns, $_[1] ); $_[1]->on( utf8 => sub { $_[0]->send_utf8( $_[1] ) } ); 1 },
        ) || die( WebSocket::Server->error );
        $s->start_listening || die( $s->error );
        ok( !( grep{ /not implemented/ } @warnings ), 'no warning at start' );
        # What Chromium and Firefox send.
        my( $sock, $code, $h ) = raw_handshake( $s->port, '/', 'Sec-WebSocket-Extensions' => 'permessage-deflate; client_max_window_bits, x-app-feature' );
        is( $code, 101, '101 Switching Protocols' );
        ok( pump_until( sub { @conns && $conns[0]->is_ready } ), 'ready' );
        if( $listed )
        {
            is( $h->{'sec-websocket-extensions'}, 'permessage-deflate, x-app-feature', 'permessage-deflate accepted, first, with the other extension' );
            # RFC 7692 section 7.2.3.1: "Hello" compressed, RSV1 set.
            send_frame( $sock, 1, "\xf2\x48\xcd\xc9\xc9\x07\x00", rsv => 4 );
            my( $op, $payload ) = read_frame( $sock );
            is( $payload, 'Hello', 'a compressed message is inflated (and its short echo goes out uncompressed)' );
            send_frame( $sock, 1, 'not deflate data', rsv => 4 );
            ( $op, $payload ) = read_frame( $sock );
            is( $op, 8, 'RSV1 on data that does not inflate: close' );
            is( unpack( 'n', $payload ), 1007, '... 1007' );
        }
        else
        {
            is( $h->{'sec-websocket-extensions'}, 'x-app-feature', 'permessage-deflate declined, the other extension accepted' );
            send_frame( $sock, 1, 'plain frames, as the client now sends' );
            my( $op, $payload ) = read_frame( $sock );
            is( $payload, 'plain frames, as the client now sends', 'messages flow' );
            # A frame with RSV1 set is a protocol error: nothing was negotiated that allows it.
            send_frame( $sock, 1, 'compressed?', rsv => 4 );    # RSV1
            ( $op, $payload ) = read_frame( $sock );
            is( $op, 8, 'RSV1 without an extension: close' );
            is( unpack( 'n', $payload ), 1002, '... 1002' );
        }
        $s->_stop_listening;
    }
};

subtest 'an IO::Socket::SSL listener without a certificate file is refused rather than served in clear' => sub
{
    # A plain listener of a subclass stands in for one made without SSL_cert_file (IO::Socket::SSL
    # itself need not be installed); t/70-tls.t serves a real one.
    {
        no strict 'refs';
        @{'Local::TLSListener::ISA'} = ( 'IO::Socket::SSL', 'IO::Socket::INET' );
    }
    my $l = IO::Socket::INET->new( LocalAddr => '127.0.0.1', LocalPort => 0, Listen => 5, ReuseAddr => 1 ) || die( "listen: $!" );
    bless( $l, 'Local::TLSListener' );
    my $s = WebSocket::Server->new( listen => $l, on_connect => sub { 1 } ) || die( WebSocket::Server->error );
    ok( !defined( $s->start_listening ), 'start_listening fails' );
    like( $s->error->message, qr/^Failed to start websocket server; the IO::Socket::SSL listener has no SSL_cert_file the engine can read/, '... saying why' );
    close( $l );
};

subtest 'Server::disconnect with the socket' => sub
{
    my $s = server_with( {} );
    my( $sock ) = raw_handshake( $s->port, '/' );
    ok( pump_until( sub { @conns && $conns[0]->is_ready } ), 'ready' );
    is( $s->disconnect( $conns[0]->socket ), $conns[0], 'disconnect( $socket ) returns the connection' );
    ok( raw_eof( $sock ), 'the client is gone' );
    ok( !defined( $s->disconnect( $conns[0]->socket ) ), 'a second time: nothing' );
    ok( !defined( $s->disconnect ), 'no argument' );
    is( $s->error->message, 'No client connection was provided to disconnect.', '... error' );
    $s->_stop_listening;
};

subtest 'on_ping: a defined false value withholds the pong; do_pong answers' => sub
{
    my( @pings, @dopong );
    my $s = server_with( {}, ping => sub { push( @pings, $_[1] ); return( $_[1] eq 'no' ? 0 : 1 ) } );
    my( $sock ) = raw_handshake( $s->port, '/' );
    ok( pump_until( sub { @conns && $conns[0]->is_ready } ), 'ready' );
    send_frame( $sock, 9, 'yes' );
    my( $op, $payload ) = read_frame( $sock );
    is( "$op $payload", '10 yes', 'on_ping true: pong with the payload' );
    send_frame( $sock, 9, 'no' );
    send_frame( $sock, 9, 'after' );
    ( $op, $payload ) = read_frame( $sock );
    is( "$op $payload", '10 after', 'on_ping false: no pong for that ping' );
    is_deeply( \@pings, [qw( yes no after )], 'on_ping for each' );
    # do_pong replaces the answer
    $conns[0]->do_pong( sub { push( @dopong, $_[1] ); $_[0]->pong( "custom $_[1]" ) } );
    send_frame( $sock, 9, 'p' );
    ( $op, $payload ) = read_frame( $sock );
    is( "$op $payload", '10 custom p', 'a do_pong of our own answers instead' );
    is_deeply( \@dopong, ['p'], '... called once with the payload' );
    ( $op ) = read_frame( $sock, 0.3 );
    ok( !defined( $op ), '... and nothing else was sent' );
    $s->_stop_listening;

    # Without on_ping nor do_pong, the engine answers (nothing to call in Perl)
    $s = server_with( {} );
    ( $sock ) = raw_handshake( $s->port, '/' );
    ok( pump_until( sub { @conns && $conns[0]->is_ready } ), 'ready' );
    send_frame( $sock, 9, 'auto' );
    ( $op, $payload ) = read_frame( $sock );
    is( "$op $payload", '10 auto', 'automatic pong' );
    $s->_stop_listening;
};

subtest 'http_error: ( $code, $status, $message, \@headers )' => sub
{
    my( $n, $conn );
    my $s = server_with( {}, handshake => sub { $conn = $_[0]; $n = $_[0]->http_error( 401, 'Unauthorized', 'Log in first', [ 'WWW-Authenticate' => 'Bearer' ] ); 1 } );
    my( $sock, $code, $h, $body ) = raw_handshake( $s->port, '/' );
    is( $code, 401, 'status' );
    is( $h->{'www-authenticate'}, 'Bearer', 'headers' );
    my $json = eval{ JSON::decode_json( $body ) } || {};
    is( $json->{message}, 'Log in first', 'message' );
    is( $json->{status}, 'Unauthorized', 'status text' );
    ok( raw_eof( $sock ), 'connection closed' );
    ok( !defined( $conn->http_error( 400 ) ), 'a second http_error' );
    is( $conn->error->message, 'No socket found to print the http error to', '... error' );
    $s->_stop_listening;
};

subtest 'nodelay reaches the socket' => sub
{
    plan( skip_all => 'needs /proc/self/fd' ) if( !-d '/proc/self/fd' );
    my $s = server_with( {}, _setup => sub { $_[0]->nodelay( 0 ) } );
    my( $sock ) = raw_handshake( $s->port, '/' );
    ok( pump_until( sub { @conns && $conns[0]->is_ready } ), 'ready' );
    my $mine = $sock->sockport;
    # The engine's descriptor for this client: the socket whose peer is our port.
    my $find = sub
    {
        opendir( my $d, '/proc/self/fd' ) || return;
        for my $fd ( grep{ /^\d+$/ } readdir( $d ) )
        {
            next if( $fd == fileno( $sock ) );
            # A duplicate: closing it leaves the engine's descriptor alone.
            open( my $fh, '+<&', $fd ) || next;
            my $peer = getpeername( $fh ) || next;
            my( $port ) = eval{ Socket::unpack_sockaddr_in( $peer ) };
            next if( !defined( $port ) || $port != $mine );
            return( unpack( 'i', getsockopt( $fh, Socket::IPPROTO_TCP(), Socket::TCP_NODELAY() ) ) );
        }
        return;
    };
    is( $find->(), 0, 'nodelay(0) in on_connect: TCP_NODELAY off' );
    $conns[0]->nodelay( 1 );
    ok( $conns[0]->nodelay, 'nodelay(1)' );
    pump( 0.05 );
    ok( $find->(), '... TCP_NODELAY on' );
    $s->_stop_listening;
};

subtest 'the loop for another event loop: fileno and next_deadline' => sub
{
    my $loop = WebSocket::Loop->instance;
    cmp_ok( $loop->fileno, '>', 2, 'fileno: a descriptor' );
    my $s = listening_server( tick_period => 1.5 );
    # Right after a change the reactor may ask to be polled at once (0); after a turn, the
    # next deadline is the tick.
    my $d = $loop->next_deadline;
    ok( defined( $d ) && $d <= 1.5, "next_deadline after listening ($d)" );
    $loop->run_once( 0 );
    $d = $loop->next_deadline;
    ok( defined( $d ) && $d > 1 && $d <= 1.5, 'next_deadline: the tick timer (' . ( $d // 'undef' ) . ')' );
    # The descriptor becomes readable when a client connects.
    my $sock = raw_connect( $s->port );
    vec( my $rin = '', $loop->fileno, 1 ) = 1;
    ok( select( my $rout = $rin, undef, undef, 2 ) > 0, 'fileno readable once there is work' );
    ok( $loop->run_once( 0 ) > 0, 'run_once( 0 ) processes it' );
    $s->_stop_listening;
};

alarm( 0 );
done_testing();
