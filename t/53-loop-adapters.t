use strict;
use warnings;
use Test::More;
use IO::Handle;
use Time::HiRes ();
use WebSocket::Client;
use WebSocket::Loop;
use WebSocket::Server;
use lib 't/lib';
use HostLoops;

# WebSocket::Loop::AnyEvent, ::IOAsync and ::Mojo: a server and a client of this process driven
# only by the host loop (the test calls neither run_once nor start/listen; connect runs the
# reactor until its handshake is done, as documented), beside the host loop's own timer and
# pipe watcher. Each host loop is used through the same four operations (below); an adapter
# whose loop is not installed is skipped, or fails when WEBSOCKET_INTEROP_REQUIRED is set.
local $SIG{ALRM} = sub { die( "timed out\n" ) };
alarm( 60 );

# Counts the reactor's turns, to show that an idle process does not spin.
my $turns = 0;
{
    no warnings 'redefine';
    my $orig = \&WebSocket::Loop::run_once;
    *WebSocket::Loop::run_once = sub { $turns++; goto( &$orig ) };
}

sub cpu { my @t = times(); return( $t[0] + $t[1] ); }

each_host_loop( sub
{
    my( $host, $h, $name ) = @_;
    my $driver = $host->{attach}->( $h );
    ok( $driver->is_attached, 'attached' );

    my( $ticks, @server_closed, $shutdown_called ) = ( 0 );
    my $server = WebSocket::Server->new(
        host        => '127.0.0.1',
        port        => 0,
        silence_max => 0,
        tick_period => 0.1,
        on_tick     => sub { $ticks++ },
        on_shutdown => sub { $shutdown_called++ },
        on_connect  => sub
        {
            my( $s, $conn ) = @_;
            $conn->max_recv_size( 1024 * 1024 );
            $conn->max_send_size( 1024 * 1024 );
            $conn->on(
                utf8 => sub
                {
                    my( $c, $msg ) = @_;
                    return( $c->disconnect( 4001, 'server says bye' ) ) if( $msg eq 'close me' );
                    $c->send_utf8( $msg );
                },
                binary     => sub { $_[0]->send_binary( $_[1] ) },
                disconnect => sub { push( @server_closed, $_[1] ) },
            );
        },
    ) || die( WebSocket::Server->error );
    ok( $server->start_listening, 'server listening' ) || diag( $server->error );
    my $port = $server->port;

    my( @got, @pongs, @closed );
    my %cb = (
        on_utf8       => sub { push( @got, $_[1] ) },
        on_binary     => sub { push( @got, $_[1] ) },
        on_pong       => sub { push( @pongs, $_[1] ) },
        on_disconnect => sub { push( @closed, $_[1] ) },
    );
    my $c = WebSocket::Client->new( "ws://127.0.0.1:$port/", { %cb, max_payload_size => 0 } ) || die( WebSocket::Client->error );
    ok( $c->connect, 'client connected' ) || diag( $c->error );

    # The host loop's own timer and pipe watcher, working beside the adapter: the timer
    # writes to the pipe, and what the watcher reads goes out through the client.
    pipe( my $r, my $w ) || die( "pipe: $!" );
    $w->autoflush( 1 );
    my( $host_ticks, @piped ) = ( 0 );
    my $pipe_watch = $host->{io}->( $h, $r, sub
    {
        sysread( $r, my $buf, 100 ) || return;
        push( @piped, $buf );
        $c->send_utf8( "piped $buf" );
    } );
    my $host_timer = $host->{timer}->( $h, 0.05, 0.05, sub { $host_ticks++ } );
    my $writer = $host->{timer}->( $h, 0.02, 0, sub { syswrite( $w, "h\x{e9}llo" =~ s/\x{e9}/e/r ) } );

    my $bin = join( '', map{ chr( $_ ) } 0 .. 255 ) x 300;
    my $sender = $host->{timer}->( $h, 0.01, 0, sub
    {
        $c->send_utf8( "h\x{e9}llo" );
        $c->send_binary( $bin );
        $c->ping( 'are you there' );
    } );
    ok( run_until( $host, $h, 5, sub { @got >= 3 && @pongs && $ticks >= 3 && $host_ticks >= 3 } ), 'echoes, pong and ticks arrived through the host loop' )
        || diag( "got " . scalar( @got ) . ", pongs " . scalar( @pongs ) . ", ticks $ticks, host ticks $host_ticks" );
    my %got = map{ $_ => 1 } @got;
    ok( $got{ "h\x{e9}llo" }, 'text echoed' );
    ok( $got{ $bin }, 'binary echoed (76800 bytes)' );
    ok( $got{ 'piped hello' }, 'what the pipe watcher read was echoed' );
    is_deeply( \@pongs, [ 'are you there' ], 'ping answered with its payload' );
    cmp_ok( $ticks, '>=', 3, "the server's tick (an engine timer) fired through the adapter ($ticks)" );
    cmp_ok( $host_ticks, '>=', 3, "the host loop's own timer fired ($host_ticks)" );
    is_deeply( \@piped, [ 'hello' ], "the host loop's pipe watcher read the pipe" );

    # Idle: nothing to do but the server's tick every 0.1 s.
    undef( $host_timer );
    my( $cpu0, $turns0 ) = ( cpu(), $turns );
    run_for( $host, $h, 1 );
    my( $cpu, $n ) = ( cpu() - $cpu0, $turns - $turns0 );
    cmp_ok( $n, '<=', 40, "an idle second takes few reactor turns ($n)" );
    cmp_ok( $cpu, '<', 0.3, sprintf( 'an idle second costs little CPU (%.3f s)', $cpu ) );

    # Closing handshake started by the server, seen by the client.
    my $closer = $host->{timer}->( $h, 0.01, 0, sub { $c->send_utf8( 'close me' ) } );
    ok( run_until( $host, $h, 5, sub { @closed && @server_closed } ), 'the connection closed' );
    is( $closed[0], 4001, "the client heard the server's close code" );

    # Detached, nothing is delivered; attached again, it is.
    my $c2 = WebSocket::Client->new( "ws://127.0.0.1:$port/", { %cb } ) || die( WebSocket::Client->error );
    ok( $c2->connect, 'second client connected' ) || diag( $c2->error );
    @got = ();
    $driver->detach;
    ok( !$driver->is_attached, 'detached' );
    my $t0 = $ticks;
    my $s2 = $host->{timer}->( $h, 0.01, 0, sub { $c2->send_utf8( 'while detached' ) } );
    run_for( $host, $h, 0.4 );
    is( scalar( @got ), 0, 'no message delivered while detached' );
    is( $ticks, $t0, 'no tick while detached' );
    $driver->attach;
    ok( run_until( $host, $h, 5, sub { @got } ), 'attached again: the message comes through' );
    is( $got[0], 'while detached', 'and it is the echo' );

    # Shutdown of a server driven from outside: every connection is closed with 1001,
    # and connections() empties.
    @closed = ();
    my $stopper = $host->{timer}->( $h, 0.01, 0, sub { $server->shutdown } );
    ok( run_until( $host, $h, 5, sub { @closed && !$server->connections->length } ), 'shutdown finished through the host loop' );
    is( $shutdown_called, 1, 'on_shutdown was called' );
    is( $closed[0], 1001, 'the client was closed with 1001' );

    $driver->detach;
    undef( $pipe_watch );
} );

alarm( 0 );
done_testing();
