use strict;
use warnings;
use lib 't/lib';
use Test::More;
use IO::Socket::INET;
use IO::Handle;
use Time::HiRes ();
use TestServer;
use WebSocket::Server;
use WebSocket::Connection;
use WebSocket::Version;

# WebSocket::Server: options, accessors, exact error strings, and start() serving raw
# clients on loopback in this same process.

alarm( 120 );
my @warnings;
$SIG{__WARN__} = sub { push( @warnings, $_[0] ) };

subtest 'constructor and accessors' => sub
{
    my $s = WebSocket::Server->new;
    isa_ok( $s, 'WebSocket::Server' );
    isa_ok( $s, 'WebSocket' );
    is( $s->port, 8080, 'port default' );
    is( $s->silence_max, 20, 'silence_max default' );
    is( $s->silence_checkinterval, 10, 'silence_checkinterval is half of it' );
    is( $s->tick_period, 0, 'tick_period default' );
    ok( !$s->legacy, 'legacy default' );
    ok( !$s->is_ssl, 'is_ssl false' );
    is( $s->connection_class, 'WebSocket::Connection', 'connection_class default' );
    isa_ok( $s->version, 'WebSocket::Version' );
    is( $s->version->draft, 'draft-ietf-hybi-17', 'version default' );
    is( "" . $s->version, '13', '... stringifies to 13' );
    is( $s->versions->length, 1, 'one version' );
    is( $s->subprotocol->length, 0, 'no subprotocol' );
    is( $s->extensions->length, 0, 'no extension' );
    is( $s->listen, undef, 'listen undef' );
    is( $s->compression_threshold, 10240, 'compression_threshold inherited' );
    is( ref( $s->on_connect ), 'CODE', 'on_connect default' );
    my @c = $s->connections;
    is( scalar( @c ), 0, 'connections: empty list' );
    isa_ok( scalar( $s->connections ), 'WebSocket::Generic::Array', 'connections in scalar context' );
    $s->legacy(1);
    is( scalar( $s->connections ), 0, 'legacy: a list even in scalar context' );

    my $s2 = WebSocket::Server->new( listen => 9999, version => '13, 8', subprotocol => 'chat json', silence_max => 8,
        extensions => [ 'permessage-deflate' ], tick_period => 2.5, pong_timeout => 3, max_buffered => 1000 );
    is( $s2->port, 9999, 'listen with a port number sets port' );
    is( $s2->version->version, 13, 'version: first of the list' );
    is( $s2->versions->length, 2, 'versions' );
    is( $s2->versions->[1]->version, 8, '... second is 8' );
    is( $s2->subprotocol->join( ',' )->scalar, 'chat,json', 'subprotocol from a string' );
    is( $s2->subprotocol( [qw( a b )] )->length, 2, 'subprotocol from an array' );
    is( $s2->subprotocol( 'x', 'y', 'z' )->length, 3, 'subprotocol from a list' );
    is( $s2->silence_checkinterval, 4, 'silence_checkinterval follows silence_max' );
    isa_ok( $s2->extensions->first, 'WebSocket::Extension' );
    is( $s2->extensions->first->extension, 'permessage-deflate', 'extension name' );
    is( $s2->tick_period, 2.5, 'tick_period' );
    is( $s2->pong_timeout, 3, 'pong_timeout' );
    is( $s2->max_buffered, 1000, 'max_buffered' );
    is( $s2->socket, undef, 'socket is listen' );

    ok( !defined( WebSocket::Server->new( bogus => 1 ) ), 'unknown option' );
    is( WebSocket::Server->error->message, 'Unknown method bogus in class WebSocket::Server', '... error' );
    ok( !defined( WebSocket::Server->new( version => 'nonsense-draft' ) ), 'bad version' );
};

subtest 'on() and callbacks' => sub
{
    my $s = WebSocket::Server->new;
    my $cb = sub { 42 };
    is( $s->on_tick( $cb ), $s, 'callback setters chain' );
    is( $s->on_tick, $cb, '... getter' );
    is( $s->on( connect => $cb, shutdown => $cb, accept => $cb, tick => $cb ), $s, 'on chains' );
    is( $s->on_connect, $cb, 'on sets on_connect (not connect)' );
    is( $s->on_shutdown, $cb, 'on sets on_shutdown' );
    is( $s->on_accept, $cb, 'on sets on_accept' );
    ok( !defined( $s->on( bogus => $cb ) ), 'unknown event' );
    is( $s->error->message, "Invalid event 'bogus'", '... error' );
    ok( !defined( $s->on( tick => 'nope' ) ), 'not a code' );
    is( $s->error->message, "Expected a code reference for event 'tick', but got 'nope'.", '... error' );
    is( $s->on({ tick => $cb }), $s, 'on with a hash reference' );
};

subtest 'watch_* errors and bookkeeping' => sub
{
    my $s = WebSocket::Server->new;
    pipe( my $r, my $w ) or die( $! );
    my $cb = sub {};
    ok( !defined( $s->watch_readable( $r ) ), 'odd number' );
    is( $s->error->message, 'watch_readable expects an even number of arguments', '... error' );
    ok( !defined( $s->watch_writable( $w, 'x' ) ), 'not a code' );
    is( $s->error->message, 'watch_writable expects the second value of each pair to be a code reference, but element 1 was not', '... error' );
    is( $s->watch_readable( $r => $cb ), $s, 'watch_readable chains' );
    is( $s->watch_writable( [ $w => $cb ] ), $s, 'watch_writable with an array ref' );
    is( $s->watched_readable( $r ), $cb, 'watched_readable( $fh )' );
    is( $s->watched_readable( $w ), undef, '... not watched' );
    my @all = $s->watched_writable;
    is( scalar( @all ), 2, 'watched_writable: flat list' );
    is( $all[0], $w, '... fh' );
    @warnings = ();
    $s->{_warnings} = 1;
    is( $s->watch_readable( $r => $cb ), $s, 'a second watch of the same fh' );
    like( $warnings[0], qr/already being watched; ignoring!/, '... warns' );
    is( $s->unwatch_readable( $r ), $s, 'unwatch_readable chains' );
    is( $s->watched_readable( $r ), undef, '... gone' );
    is( $s->unwatch_writable( $w ), $s, 'unwatch_writable' );
    is( scalar( my @none = $s->watched_writable ), 0, '... gone' );
};

subtest 'start errors' => sub
{
    my $busy = IO::Socket::INET->new( LocalAddr => '127.0.0.1', LocalPort => 0, Listen => 5, ReuseAddr => 0 ) or die( $! );
    my $port = $busy->sockport;
    my $s = WebSocket::Server->new( host => '127.0.0.1', port => $port );
    ok( !defined( $s->start ), 'port in use' );
    like( $s->error->message, qr/^Failed to listen on port $port: ./, '... error' );

    my $closed = IO::Socket::INET->new( LocalAddr => '127.0.0.1', LocalPort => 0, Listen => 5 ) or die( $! );
    $closed->close;
    $s = WebSocket::Server->new( listen => $closed );
    ok( !defined( $s->start ), 'closed listen socket' );
    is( $s->error->message, "Failed to start websocket server; the TCP server provided via 'listen' is invalid. (is the listening socket is closed? are you trying to reuse a server that has already shut down?)", '... error' );

    $s = WebSocket::Server->new;
    ok( !defined( $s->shutdown ), 'shutdown before start' );
    is( $s->error->message, 'Cannot find the socket object!', '... error' );
};

subtest 'port 0, ip, connections, on_connect refusal, disconnect' => sub
{
    my( @accepted, $refuse );
    my $s = listening_server(
        silence_max => 0,
        on_accept   => sub { push( @accepted, $_[0] ); return },
        on_connect  => sub { return( $refuse ? 0 : 1 ) },
    );
    cmp_ok( $s->port, '>', 0, 'port 0 gives the bound port' );
    is( $s->ip, '127.0.0.1', 'ip' );
    my( $a1, $code ) = raw_handshake( $s->port, '/' );
    is( $code, 101, 'first client' );
    my( $a2 ) = raw_handshake( $s->port, '/' );
    ok( pump_until( sub { $s->connections->length == 2 } ), 'two connections' );
    is( ref( $accepted[0] ), 'HASH', 'on_accept gets a hash' );
    is( $accepted[0]->{server}, $s, '... with server' );
    ok( $accepted[0]->{socket}->can( 'peerhost' ), '... and socket' );
    isa_ok( $accepted[0]->{subprotocol}, 'WebSocket::Generic::Array' );
    my @list = $s->connections;
    isa_ok( $list[0], 'WebSocket::Connection' );

    $refuse = 1;
    my $r = raw_connect( $s->port );
    ok( raw_eof( $r ), 'on_connect false drops that client' );
    $refuse = 0;
    my( $a3, $code3 ) = raw_handshake( $s->port, '/' );
    is( $code3, 101, '... and the server still accepts others (BUG fixed)' );
    ok( pump_until( sub { $s->connections->length == 3 } ), 'three connections' );

    my $victim = ( $s->connections )[0];
    my $removed = $s->disconnect( $victim );
    is( $removed, $victim, 'disconnect returns the removed connection' );
    ok( pump_until( sub { $s->connections->length == 2 } ), '... gone from connections' );
    ok( raw_eof( $a1 ), '... its socket is closed' );
    $s->_stop_listening;
};

subtest 'on_accept returning a connection object' => sub
{
    {
        package My::Conn;
        our @ISA = ( 'WebSocket::Connection' );
    }
    my $s = listening_server( silence_max => 0, on_accept => sub { My::Conn->new( %{ $_[0] } ) } );
    my( $sock, $code ) = raw_handshake( $s->port, '/' );
    is( $code, 101, 'handshake' );
    ok( pump_until( sub { $s->connections->length == 1 } ), 'connected' );
    isa_ok( ( $s->connections )[0], 'My::Conn' );
    $s->_stop_listening;

    my $s2 = listening_server( silence_max => 0, connection_class => 'My::Conn' );
    ( $sock, $code ) = raw_handshake( $s2->port, '/' );
    ok( pump_until( sub { $s2->connections->length == 1 } ), 'connected' );
    isa_ok( ( $s2->connections )[0], 'My::Conn', 'connection_class' );
    $s2->_stop_listening;
};

# start() with everything inside: the raw client is read through watch_readable.
subtest 'start, tick, watch_readable, shutdown from a callback' => sub
{
    my( %got, @disc, $shutdown_called, $client, $ticks );
    my $s = WebSocket::Server->new(
        host        => '127.0.0.1',
        port        => 0,
        silence_max => 0,
        tick_period => 0.1,
        on_tick     => sub { $ticks++; $_[0]->shutdown if( $got{utf8} && !$got{shut}++ ) },
        on_shutdown => sub { $shutdown_called++ },
        on_connect  => sub
        {
            my( $srv, $conn ) = @_;
            $conn->on(
                ready      => sub { $_[0]->send_utf8( 'welcome' ) },
                utf8       => sub { $got{utf8} = $_[1]; $srv->shutdown if( $ticks && !$got{shut}++ ) },
                disconnect => sub { push( @disc, [ @_[1,2] ] ) },
            );
        },
    );
    # The client connects as soon as the server listens: a timer of the loop does it.
    my $loop = WebSocket::Loop->instance;
    my $buf = '';
    $loop->add_timer( 0.05, undef, sub
    {
        $client = raw_connect( $s->port );
        syswrite( $client, raw_request( '/' ) );
        $s->watch_readable( $client => sub
        {
            my( $srv, $fh ) = @_;
            $got{watch_args} //= [ $srv, $fh ];
            my $n = sysread( $fh, my $chunk, 65536 );
            if( !$n )
            {
                $got{eof} = 1;
                $srv->unwatch_readable( $fh );
                return;
            }
            $buf .= $chunk;
            if( !$got{welcome} && $buf =~ /\r\n\r\n\x81\x07welcome/ )
            {
                $got{welcome} = 1;
                syswrite( $fh, WebSocket::Engine::encode_frame( 1, 1, 0, 1, undef, 'stop please' ) );
            }
            if( $buf =~ /\x88\x02\x03\xe9/ && !$got{close} )
            {
                $got{close} = 1;
                syswrite( $fh, WebSocket::Engine::encode_frame( 8, 1, 0, 1, undef, pack( 'n', 1001 ) ) );
            }
        });
    });
    my $t0 = Time::HiRes::time();
    is( $s->start, $s, 'start returns the server after shutdown' );
    cmp_ok( Time::HiRes::time() - $t0, '<', 5, '... promptly' );
    ok( $got{welcome}, 'on_ready could send' );
    is( $got{utf8}, 'stop please', 'on_utf8' );
    is( $got{watch_args}->[0], $s, 'watch callback gets the server' );
    is( $got{watch_args}->[1], $client, '... and the filehandle' );
    ok( $got{close}, 'the client received close 1001' );
    ok( $shutdown_called, 'on_shutdown called' );
    cmp_ok( $ticks, '>=', 1, 'on_tick called' );
    is( $disc[0]->[0], 1001, 'on_disconnect with 1001' );
    ok( !defined( $s->shutdown ), 'shutdown again: not listening' );
};

subtest 'callbacks that die make start return an error' => sub
{
    for my $case ( [ on_tick => 'tick' ], [ on_connect => 'connect' ], [ on_accept => 'accept' ] )
    {
        my( $opt, $name ) = @$case;
        my $s = WebSocket::Server->new( host => '127.0.0.1', port => 0, silence_max => 0, tick_period => 0.05,
            ( $opt eq 'on_tick' ? () : ( on_tick => sub { $_[0]->{_t}++ > 100 && $_[0]->shutdown } ) ),
            $opt => sub { die( "bad $name\n" ) } );
        my $c;
        WebSocket::Loop->instance->add_timer( 0.05, undef, sub { $c = raw_connect( $s->port ) } );
        ok( !defined( $s->start ), "$opt dies: start returns undef" );
        like( $s->error->message, qr/^Error calling the $name callback: bad $name/, '... error' );
    }
    my $s = WebSocket::Server->new( host => '127.0.0.1', port => 0, on_shutdown => sub { die( "nope\n" ) } );
    $s->_listen;
    ok( !defined( $s->shutdown ), 'on_shutdown dies' );
    is( $s->error->code, 1011, '... code 1011' );
    is( $s->error->message, 'Internal error', '... message' );
    $s->_stop_listening;
};

subtest 'listen on a socket of our own' => sub
{
    my $sock = IO::Socket::INET->new( LocalAddr => '127.0.0.1', LocalPort => 0, Listen => 5, ReuseAddr => 1 ) or die( $! );
    my $s = WebSocket::Server->new( listen => $sock, silence_max => 0 );
    ok( $s->_listen, 'listening' );
    is( $s->port, $sock->sockport, 'port of the socket' );
    is( $s->listen, $sock, 'listen returns the socket' );
    my( $c, $code ) = raw_handshake( $s->port, '/' );
    is( $code, 101, 'handshake on the adopted socket' );
    $s->_stop_listening;
};

subtest 'watch_writable and level-triggered reads' => sub
{
    pipe( my $r, my $w ) or die( $! );
    $w->autoflush(1);
    my( $wcount, $rcount ) = ( 0, 0 );
    my $s = WebSocket::Server->new( host => '127.0.0.1', port => 0, tick_period => 0.3, on_tick => sub { $_[0]->shutdown } );
    $s->watch_writable( $w => sub { $wcount++; $_[0]->unwatch_writable( $_[1] ); syswrite( $_[1], 'z' ) } );
    # Never read: the callback keeps being called while data waits.
    $s->watch_readable( $r => sub { $rcount++ } );
    $s->start;
    is( $wcount, 1, 'writable callback' );
    cmp_ok( $rcount, '>', 2, 'readable again and again while unread' );
};

subtest 'keep-alive: silence_max pings, pong_timeout' => sub
{
    my @disc;
    my $s = listening_server( silence_max => 1, pong_timeout => 1,
        on_connect => sub { $_[1]->on_disconnect( sub { push( @disc, $_[1] ) } ) } );
    my( $sock, $code ) = raw_handshake( $s->port, '/' );
    is( $code, 101, 'connected' );
    my( $op ) = read_frame( $sock, 4 );
    is( $op, 9, 'a silent client gets a ping' );
    ok( pump_until( sub { @disc }, 6 ), 'no pong: the connection is closed' );
    $s->_stop_listening;
};

done_testing();
