use strict;
use warnings;
use Test::More;
use IO::Handle;
use IO::Socket::INET;
use MIME::Base64 ();
use POSIX ();
use Scalar::Util ();
use Time::HiRes ();
use WebSocket::Client;
use WebSocket::Loop;
use WebSocket::Server;
use lib 't/lib';
use HostLoops;

# The edges of WebSocket::Loop::AnyEvent, ::IOAsync and ::Mojo (t/53 is the ordinary use):
# - what a callback of the host loop asks of the reactor (a send, a close, a drop, a timer, a
#   client's connect) takes effect without waiting for some other wake-up of the adapter;
# - an exception in a callback run by the adapter reaches the host loop the way the host loop
#   treats its own callbacks' exceptions, and the rest of the batch is still delivered;
# - attaching twice, a second adapter, detach and re-attach inside a callback, what is left
#   in the host loop after detach, the adapter's lifetime;
# - fork: the child attaches again, to its own reactor, and the parent goes on.
# An adapter whose loop is not installed is skipped, or fails when WEBSOCKET_INTEROP_REQUIRED
# is set.
local $SIG{ALRM} = sub { die( "timed out\n" ) };
alarm( 150 );

# A WebSocket client of our server in a child process, written here with a plain socket so
# that nothing of it is in the reactor: it says nothing after its handshake, never answers a
# Close, and reports what it reads through a pipe ("text PAYLOAD", "close CODE", "eof").
sub raw_peer
{
    my( $port ) = @_;
    pipe( my $r, my $w ) || die( "pipe: $!" );
    my $pid = fork() // die( "fork: $!" );
    if( !$pid )
    {
        close( $r );
        $w->autoflush( 1 );
        local $SIG{ALRM} = sub { POSIX::_exit( 3 ) };
        alarm( 30 );
        my $s = IO::Socket::INET->new( PeerAddr => '127.0.0.1', PeerPort => $port ) || POSIX::_exit( 2 );
        my $key = MIME::Base64::encode_base64( join( '', map{ chr( int( rand( 256 ) ) ) } 1 .. 16 ), '' );
        print( $s "GET / HTTP/1.1\r\nHost: 127.0.0.1:$port\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            . "Sec-WebSocket-Key: $key\r\nSec-WebSocket-Version: 13\r\n\r\n" );
        my $buf = '';
        while( index( $buf, "\r\n\r\n" ) < 0 )
        {
            sysread( $s, $buf, 4096, length( $buf ) ) || POSIX::_exit( 4 );
        }
        $buf =~ s/\A.*?\r\n\r\n//s;
        print( $w "open\n" );
        for( ;; )
        {
            if( length( $buf ) >= 2 )
            {
                my( $b0, $b1 ) = unpack( 'CC', $buf );
                my $len = $b1 & 0x7f;
                my $hl = 2;
                ( $len, $hl ) = ( unpack( 'n', substr( $buf, 2, 2 ) ), 4 ) if( $len == 126 && length( $buf ) >= 4 );
                if( $len < 126 && length( $buf ) >= $hl + $len )
                {
                    my $payload = substr( $buf, $hl, $len );
                    substr( $buf, 0, $hl + $len, '' );
                    my $op = $b0 & 0x0f;
                    print( $w "text $payload\n" ) if( $op == 1 );
                    print( $w "close " . ( length( $payload ) >= 2 ? unpack( 'n', $payload ) : '' ) . "\n" ) if( $op == 8 );
                    next;
                }
            }
            my $n = sysread( $s, $buf, 4096, length( $buf ) );
            if( !$n )
            {
                print( $w "eof\n" );
                last;
            }
        }
        POSIX::_exit( 0 );
    }
    close( $w );
    return( $pid, $r );
}

each_host_loop( sub
{
    my( $host, $h, $name ) = @_;
    my $ws = WebSocket::Loop->instance;
    is( ref( $ws->reactor ), 'WebSocket::Engine::Reactor', 'no adapter: the reactor keeps its own class (nothing added to the message path)' );
    my $driver = $host->{attach}->( $h );
    ok( $driver->is_attached, 'attached' );
    my @warned;
    local $SIG{__WARN__} = sub { push( @warned, $_[0] ) };

    # ---- What a host-loop callback asks of the reactor takes effect promptly.
    my( @server_conns, @server_closed );
    my $server = WebSocket::Server->new(
        host          => '127.0.0.1',
        port          => 0,
        silence_max   => 0,
        close_timeout => 0.3,
        on_connect    => sub
        {
            my( $s, $conn ) = @_;
            push( @server_conns, $conn );
            $conn->on(
                utf8       => sub { $_[0]->send_utf8( "echo $_[1]" ) },
                disconnect => sub { push( @server_closed, $_[1] // 'undef' ) },
            );
        },
    ) || die( WebSocket::Server->error );
    ok( $server->start_listening, 'server listening' ) || diag( $server->error );
    my $port = $server->port;

    my( $pid, $from_peer ) = raw_peer( $port );
    my @seen;
    my $peer_watch = $host->{io}->( $h, $from_peer, sub
    {
        my $line = <$from_peer>;
        push( @seen, defined( $line ) ? do{ chomp( $line ); [ $line, Time::HiRes::time() ] } : [ 'pipe closed', Time::HiRes::time() ] );
    } );
    ok( run_until( $host, $h, 10, sub { @server_conns && grep{ $_->[0] eq 'open' } @seen } ), 'the raw peer is connected' );
    my $conn = $server_conns[0];
    my %at;
    my $t1 = $host->{timer}->( $h, 0.05, 0, sub { $at{send} = Time::HiRes::time(); $conn->send_utf8( 'from a host timer' ) } );
    ok( run_until( $host, $h, 5, sub { grep{ $_->[0] eq 'text from a host timer' } @seen } ), 'a send from a host timer reached the peer' );
    # The peer never answers the Close: only the close_timeout (0.5 s) of the engine ends
    # the connection, a deadline set by a call made outside the reactor's turn.
    my $t2 = $host->{timer}->( $h, 0.05, 0, sub { $at{close} = Time::HiRes::time(); $conn->disconnect( 4000, 'bye' ) } );
    ok( run_until( $host, $h, 5, sub { grep{ $_->[0] eq 'close 4000' } @seen } ), 'a close from a host timer reached the peer' );
    ok( run_until( $host, $h, 5, sub { grep{ $_->[0] eq 'eof' } @seen } ), 'the close timeout set from a host timer ended the connection' );
    my( $eof ) = grep{ $_->[0] eq 'eof' } @seen;
    if( $eof && $at{close} )
    {
        my $took = $eof->[1] - $at{close};
        # Not driven at once, the engine only got to it at its next deadline of its own
        # (the idle buffer shrink, 2 s after the last activity).
        cmp_ok( $took, '<', 1.3, sprintf( 'within close_timeout and a margin (%.2f s)', $took ) );
        cmp_ok( $took, '>=', 0.25, 'and not before the close timeout' );
    }
    ok( scalar( grep{ /close timeout: the peer did not close the connection/ } @warned ), 'the server warned of the close timeout' );
    @warned = ();
    waitpid( $pid, 0 );
    undef( $peer_watch );

    # A drop from a host timer: the engine queues the connection's end; it is delivered
    # at once (the second raw peer sees its EOF, and the loop forgets the connection).
    @server_conns = ();
    ( $pid, $from_peer ) = raw_peer( $port );
    @seen = ();
    $peer_watch = $host->{io}->( $h, $from_peer, sub
    {
        my $line = <$from_peer>;
        push( @seen, defined( $line ) ? do{ chomp( $line ); [ $line ] } : [ 'pipe closed' ] );
    } );
    ok( run_until( $host, $h, 10, sub { @server_conns && grep{ $_->[0] eq 'open' } @seen } ), 'a second raw peer is connected' );
    my $cid = $server_conns[0]->socket->id;
    ok( $ws->conn( $cid ), 'the loop knows its connection' );
    my $dropped_at;
    my $t3 = $host->{timer}->( $h, 0.05, 0, sub { $dropped_at = Time::HiRes::time(); $server_conns[0]->shutdown } );
    ok( run_until( $host, $h, 3, sub { $dropped_at && !$ws->conn( $cid ) } ), "a drop from a host timer: the engine's end of the connection was delivered" );
    my $took = $dropped_at ? Time::HiRes::time() - $dropped_at : 99;
    cmp_ok( $took, '<', 1, sprintf( 'promptly (%.2f s)', $took ) );
    ok( run_until( $host, $h, 3, sub { grep{ $_->[0] eq 'eof' } @seen } ), 'the peer saw EOF' );
    waitpid( $pid, 0 );
    undef( $peer_watch );

    # An engine timer added from a host timer fires on time.
    my $fired;
    my $t4 = $host->{timer}->( $h, 0.05, 0, sub { $ws->add_timer( 0.1, undef, sub { $fired = 1 } ) } );
    ok( run_until( $host, $h, 3, sub { $fired } ), 'an engine timer added from a host timer fired' );

    # A client's connect from a host timer (it runs the reactor until the handshake is
    # done), then a send from another host timer: the echo comes back through the adapter.
    my( $client, @got );
    my $t5 = $host->{timer}->( $h, 0.05, 0, sub
    {
        $client = WebSocket::Client->new( "ws://127.0.0.1:$port/", { on_utf8 => sub { push( @got, $_[1] ) } } ) || die( WebSocket::Client->error );
        $client->connect || die( $client->error );
    } );
    ok( run_until( $host, $h, 5, sub { $client && $client->{_state} && @server_conns >= 2 } ), 'a client connected from a host timer' );
    my $t6 = $host->{timer}->( $h, 0.05, 0, sub { $client->send_utf8( 'hi' ) } );
    ok( run_until( $host, $h, 5, sub { @got } ), 'its message, sent from a host timer, was echoed' );
    is( $got[0], 'echo hi', 'the echo' );

    # ---- Exceptions. A callback that the connection wraps (on_utf8) warns and the rest
    # of the batch is delivered; one that is not wrapped (an engine timer) leaves the
    # reactor's turn, reaches the host loop, and the events after it come at the next turn.
    my @heard;
    $server_conns[-1]->on( utf8 => sub
    {
        push( @heard, $_[1] );
        die( "utf8 callback died\n" ) if( $_[1] eq 'one' );
        $_[0]->send_utf8( "echo $_[1]" );
    } );
    my $t7 = $host->{timer}->( $h, 0.05, 0, sub { $client->send_utf8( $_ ) for( qw( one two three ) ) } );
    ok( run_until( $host, $h, 5, sub { @heard >= 3 } ), 'on_utf8 died on the first message; the next two were delivered' );
    is_deeply( \@heard, [ qw( one two three ) ], 'in order' );
    ok( scalar( grep{ /utf8 callback died/ } @warned ), 'and the exception was reported as a warning' );

    my @order;
    my @boom = map
    {
        my $i = $_;
        $ws->add_timer( 0.05, undef, sub { push( @order, [ $i, Time::HiRes::time() ] ); die( "engine timer died\n" ) if( @order == 1 ) } );
    } 1 .. 3;
    @warned = ();
    my $ok = eval{ run_until( $host, $h, 5, sub { @order >= 3 } ); 1 };
    my $err = $@;
    if( $host->{dies_out} )
    {
        ok( !$ok, "the exception left $host->{module}'s loop, as one of its own callbacks' would" );
        like( $err, qr/engine timer died/, 'with its message' );
        ok( run_until( $host, $h, 5, sub { @order >= 3 } ), 'running the loop again delivers the rest of the batch' );
    }
    else
    {
        ok( $ok, "$host->{module}'s loop caught the exception, as it does its own callbacks'" );
        ok( scalar( grep{ /engine timer died/ } @warned ), 'and reported it' ) || diag( "warnings: @warned" );
    }
    is( scalar( @order ), 3, 'every timer of the batch fired' );
    my $late = @order == 3 ? $order[2]->[1] - $order[0]->[1] : 99;
    cmp_ok( $late, '<', 1, sprintf( 'the rest of the batch came at once (%.2f s)', $late ) );
    ok( $driver->is_attached, 'the adapter is still attached' );
    @got = ();
    my $t8 = $host->{timer}->( $h, 0.05, 0, sub { $client->send_utf8( 'after' ) } );
    ok( run_until( $host, $h, 5, sub { @got } ), 'and messages still flow' );

    # ---- Attaching twice, a second adapter.
    is( $driver->attach, $driver, 'attaching the attached adapter again returns it' );
    my $other = eval{ $host->{attach}->( $h ) };
    ok( !$other, 'a second adapter is refused while one drives the reactor' );
    like( $@, qr/already driven by WebSocket::Loop::$name; detach that one first/, 'with a clear error' );
    for my $o ( grep{ $_ ne $name && eval( "require $HostLoops::HOST{ $_ }->{module}; 1" ) } sort( keys( %HostLoops::HOST ) ) )
    {
        my $oh = $HostLoops::HOST{ $o }->{setup}->();
        ok( !eval{ $HostLoops::HOST{ $o }->{attach}->( $oh ); 1 }, "so is a WebSocket::Loop::$o" );
    }

    # ---- Detach and attach again inside a WebSocket callback; messages still flow.
    @got = ();
    $server_conns[-1]->on( utf8 => sub
    {
        $driver->detach;
        $driver->attach;
        $_[0]->send_utf8( "re-attached $_[1]" );
    } );
    my $t9 = $host->{timer}->( $h, 0.05, 0, sub { $client->send_utf8( 'a' ) } );
    ok( run_until( $host, $h, 5, sub { @got } ), 'detached and attached again inside on_utf8: the reply came' );
    is( $got[0], 're-attached a', 'the reply' );
    ok( $driver->is_attached, 'attached' );
    @got = ();
    my $t10 = $host->{timer}->( $h, 0.05, 0, sub { $client->send_utf8( 'b' ) } );
    ok( run_until( $host, $h, 5, sub { @got } ), 'and the next message too' );

    # ---- Detach leaves nothing in the host loop; the duplicate descriptor is closed.
    $client->shutdown;
    $server->shutdown;
    ok( run_until( $host, $h, 5, sub { !$server->connections->length } ), 'server shut down' );
    undef( $_ ) for( $t1, $t2, $t3, $t4, $t5, $t6, $t7, $t8, $t9, $t10 );
    my $fh = $driver->{fh};
    my %seen = ( fd => fileno( $fh ), io => $driver->{_io}, timer => $driver->{_timer} );
    Scalar::Util::weaken( $seen{ $_ } ) for( grep{ ref( $seen{ $_ } ) } qw( io timer ) );
    $driver->detach;
    is( fileno( $fh ), undef, 'detach closed the duplicate of the descriptor' );
    is_deeply( [ $host->{leftovers}->( $h, $driver, \%seen ) ], [], 'no watcher or timer of the adapter is left in the host loop' );
    is( ref( $ws->reactor ), 'WebSocket::Engine::Reactor', 'the reactor has its own class again' );
    is( $ws->host, undef, 'and no host' );
    my $next = $host->{attach}->( $h );
    ok( $next->is_attached, 'another adapter can attach after detach' );
    my $weak = $next;
    Scalar::Util::weaken( $weak );
    undef( $next );
    ok( !$weak, 'nothing else holds an adapter (no cycle)' );
    is( $ws->host, undef, 'dropping it detached it' );

    # ---- fork: the child attaches again (its own reactor); the parent goes on.
    $driver->attach;
    my $parent_ws = $ws;
    my $kid = fork() // die( "fork: $!" );
    if( !$kid )
    {
        my $code = eval
        {
            local $SIG{ALRM} = sub { POSIX::_exit( 7 ) };
            alarm( 20 );
            $h->{loop}->reset if( $name eq 'Mojo' );
            $driver->attach;
            my $child_ws = WebSocket::Loop->instance;
            die( "child loop is the parent's\n" ) if( $child_ws == $parent_ws );
            die( "not attached to the child's reactor\n" ) if( !$driver->is_attached || $child_ws->host != $driver );
            my @echo;
            my $s = WebSocket::Server->new( host => '127.0.0.1', port => 0, silence_max => 0,
                on_connect => sub { $_[1]->on( utf8 => sub { $_[0]->send_utf8( "child $_[1]" ) } ) } ) || die( WebSocket::Server->error );
            $s->start_listening || die( $s->error );
            my $c = WebSocket::Client->new( 'ws://127.0.0.1:' . $s->port . '/', { on_utf8 => sub { push( @echo, $_[1] ) } } ) || die( WebSocket::Client->error );
            $c->connect || die( $c->error );
            my $t = $host->{timer}->( $h, 0.02, 0, sub { $c->send_utf8( 'x' ) } );
            run_until( $host, $h, 10, sub { @echo } ) || die( "no echo in the child\n" );
            $echo[0] eq 'child x' || die( "wrong echo in the child: $echo[0]\n" );
            0;
        } // do{ print( STDERR "# child: $@" ); 1 };
        POSIX::_exit( $code );
    }
    waitpid( $kid, 0 );
    is( $? >> 8, 0, 'the child attached again and served a client through its host loop' );
    ok( $driver->is_attached && $ws->host == $driver, 'the parent is still attached' );
    my( @pecho, @pconn );
    my $ps = WebSocket::Server->new( host => '127.0.0.1', port => 0, silence_max => 0,
        on_connect => sub { $_[1]->on( utf8 => sub { $_[0]->send_utf8( "parent $_[1]" ) } ) } ) || die( WebSocket::Server->error );
    ok( $ps->start_listening, 'parent server' );
    my $pc = WebSocket::Client->new( 'ws://127.0.0.1:' . $ps->port . '/', { on_utf8 => sub { push( @pecho, $_[1] ) } } ) || die( WebSocket::Client->error );
    ok( $pc->connect, 'parent client' );
    my $t11 = $host->{timer}->( $h, 0.02, 0, sub { $pc->send_utf8( 'y' ) } );
    ok( run_until( $host, $h, 5, sub { @pecho } ), 'the parent still works after the fork' );
    is( $pecho[0], 'parent y', 'its echo' );

    # A child that does not attach: its copy of the adapter wakes up when the parent's
    # reactor has work (here a connection to the parent's listener, made by the child),
    # and must then let go, without driving the parent's reactor, dying or spinning.
    my $kid2 = fork() // die( "fork: $!" );
    if( !$kid2 )
    {
        my $code = eval
        {
            local $SIG{ALRM} = sub { POSIX::_exit( 7 ) };
            alarm( 20 );
            my $tcp = IO::Socket::INET->new( PeerAddr => '127.0.0.1', PeerPort => $ps->port ) || die( "connect: $!\n" );
            my $cpu0 = ( times() )[0] + ( times() )[1];
            my $t = $host->{timer}->( $h, 0.5, 0, sub { $host->{stop}->( $h ) } );
            $host->{run}->( $h );
            my $cpu = ( times() )[0] + ( times() )[1] - $cpu0;
            die( "the inherited adapter is still attached in the child\n" ) if( $driver->is_attached );
            die( sprintf( "the child spun (%.2f s of CPU in 0.5 s)\n", $cpu ) ) if( $cpu > 0.3 );
            close( $tcp );
            0;
        } // do{ print( STDERR "# child: $@" ); 1 };
        POSIX::_exit( $code );
    }
    waitpid( $kid2, 0 );
    is( $? >> 8, 0, 'a child that did not attach let go of the inherited adapter, without spinning' );
    @pecho = ();
    my $t12 = $host->{timer}->( $h, 0.02, 0, sub { $pc->send_utf8( 'z' ) } );
    ok( run_until( $host, $h, 5, sub { @pecho } ), 'and the parent still works' );
    $pc->shutdown;
    $ps->shutdown;
    run_until( $host, $h, 5, sub { !$ps->connections->length } );
    $driver->detach;
} );

alarm( 0 );
done_testing();
