use strict;
use warnings;
use lib 't/lib';
use Test::More;
use IO::Handle;
use IO::Socket::INET;
use POSIX ();
use Time::HiRes ();
use TestServer;
use WebSocket::Server;

# workers => N: the server forks N worker processes that listen on one port (SO_REUSEPORT),
# the parent supervises them. The servers run in a forked child of the test, which stays a
# raw client.

plan( skip_all => 'SO_REUSEPORT is Linux-tested only' ) if( $^O ne 'linux' );

alarm( 60 );

my @kill;    # every process we may leave behind
END
{
    my $rc = $?;
    for my $pid ( @kill )
    {
        next if( !$pid || !kill( 0, $pid ) );
        kill( 'KILL', $pid );
        waitpid( $pid, POSIX::WNOHANG() );
    }
    $? = $rc;
}

my $close_timeout = 2;

# A server with %opt in a forked child (see TestServer::server_in_child): ( $pid, $port, $reader ).
# Its clients get their message back prefixed with the pid of the process that served them.
sub server_child
{
    my %opt = @_;
    my( $pid, $port, $rd ) = server_in_child( sub
    {
        return(
            close_timeout => $close_timeout,
            on_connect    => sub
            {
                my( $srv, $conn ) = @_;
                $conn->on( utf8 => sub { $_[0]->send_utf8( "$$: $_[1]" ) } );
            },
            %opt,
        );
    }, 40 );
    push( @kill, $pid );
    return( $pid, $port, $rd );
}

# An opened WebSocket connection that has sent "hi" and got the answer: ( $sock, $pid ).
sub echo_client
{
    my $port = shift( @_ );
    my( $sock, $code ) = raw_handshake( $port, '/' );
    return if( ( $code // 0 ) != 101 );
    send_frame( $sock, 1, 'hi' );
    my( $op, $payload ) = read_frame( $sock, 5 );
    return if( !defined( $op ) || $op != 1 || $payload !~ /^(\d+): hi$/ );
    return( $sock, $1 );
}

# Waits for $pid to exit, at most $secs; returns its status, or undef.
sub wait_exit
{
    my( $pid, $secs ) = @_;
    my $end = Time::HiRes::time() + $secs;
    while( Time::HiRes::time() < $end )
    {
        return( $? ) if( waitpid( $pid, POSIX::WNOHANG() ) == $pid );
        Time::HiRes::sleep( 0.05 );
    }
    return;
}

sub gone { return( !grep{ kill( 0, $_ ) } @_ ); }

sub wait_gone
{
    my( $secs, @pids ) = @_;
    my $end = Time::HiRes::time() + $secs;
    Time::HiRes::sleep( 0.05 ) while( !gone( @pids ) && Time::HiRes::time() < $end );
    return( gone( @pids ) );
}

# The worker pids are children of the server child; ours to kill in END as well.
sub children_of
{
    my $ppid = shift( @_ );
    my @kids;
    for my $stat ( glob( '/proc/[0-9]*/stat' ) )
    {
        open( my $fh, '<', $stat ) or next;
        my $line = <$fh> // next;
        push( @kids, $1 ) if( $line =~ /^(\d+) \(.*\) \S+ (\d+) / && $2 == $ppid );
    }
    return( @kids );
}

subtest 'option' => sub
{
    my $s = WebSocket::Server->new( workers => 3 );
    is( $s->workers, 3, 'workers' );
    is( WebSocket::Server->new->workers, 1, 'one by default' );
    ok( !defined( WebSocket::Server->new( workers => 0 ) ), 'workers => 0 is refused' );
    like( WebSocket::Server->error, qr/Invalid value for workers/, '... with an error' );
    ok( !defined( $s->start_listening ), 'start_listening refuses workers > 1' );
    like( $s->error, qr/start_listening serves in this process only/, '... with an error' );
};

subtest 'two workers on one port, SIGTERM' => sub
{
    my( $spid, $port, $rd ) = server_child( workers => 2 );
    ok( $port, "the parent reports the port ($port) from on_listening" );
    my @workers = children_of( $spid );
    push( @kill, @workers );
    is( scalar( @workers ), 2, 'two worker processes' );
    my( @socks, %by );
    for my $round ( 1..5 )
    {
        for( 1..40 )
        {
            my( $sock, $pid ) = echo_client( $port );
            next if( !$sock );
            push( @socks, $sock );
            $by{ $pid }++;
        }
        last if( keys( %by ) >= 2 );
    }
    ok( @socks >= 40, scalar( @socks ) . ' connections served' );
    is( scalar( keys( %by ) ), 2, 'by two distinct processes (' . join( ', ', map{ "$_: $by{$_}" } sort( keys( %by ) ) ) . ')' );
    is_deeply( [ sort{ $a <=> $b } keys( %by ) ], [ sort{ $a <=> $b } @workers ], '... the workers' );
    my $t0 = Time::HiRes::time();
    kill( 'TERM', $spid );
    my $closed = 0;
    for my $sock ( @socks )
    {
        my( $op, $payload ) = read_frame( $sock, $close_timeout + 3 );
        $closed++ if( defined( $op ) && $op == 8 && length( $payload ) >= 2 && unpack( 'n', $payload ) == 1001 );
    }
    is( $closed, scalar( @socks ), 'every client got a close 1001' );
    send_frame( $_, 8, pack( 'n', 1001 ) ) for( @socks );
    my $st = wait_exit( $spid, $close_timeout + 4 );
    ok( defined( $st ), 'the parent exited after SIGTERM' );
    is( $st, 0, '... with status 0' );
    my $took = Time::HiRes::time() - $t0;
    ok( $took < $close_timeout + 3, sprintf( '... promptly (%.1f s)', $took ) );
    is( scalar( <$rd> ), "ok\n", 'start returned the server' );
    ok( wait_gone( 2, @workers ), 'the workers are gone' );
};

subtest 'a worker killed with SIGKILL stops them all' => sub
{
    my( $spid, $port, $rd ) = server_child( workers => 2 );
    ok( $port, 'listening' );
    my @workers = children_of( $spid );
    push( @kill, @workers );
    is( scalar( @workers ), 2, 'two worker processes' );
    my( $sock, $pid ) = echo_client( $port );
    ok( $sock, "a client served by $pid" );
    my( $other ) = grep{ $_ != $pid } @workers;
    kill( 'KILL', $other );
    my( $op, $payload ) = read_frame( $sock, $close_timeout + 3 );
    is( $op, 8, 'the surviving worker closes its client' );
    is( unpack( 'n', $payload // "\0\0" ), 1001, '... with 1001' );
    send_frame( $sock, 8, pack( 'n', 1001 ) );
    my $st = wait_exit( $spid, $close_timeout + 4 );
    ok( defined( $st ), 'the parent exited' );
    is( $st >> 8, 1, '... start failed' );
    like( scalar( <$rd> ), qr/^error Worker failure: worker $other was killed by signal 9\b/, '... naming the killed worker' );
    ok( wait_gone( 2, @workers ), 'no worker left' );
};

subtest 'workers sharing a listening socket' => sub
{
    my $l = IO::Socket::INET->new( LocalAddr => '127.0.0.1', LocalPort => 0, Listen => 16, ReuseAddr => 1 ) or die( $! );
    my( $spid, $port, $rd ) = server_child( workers => 2, listen => $l );
    is( $port, $l->sockport, 'the port of the given socket' );
    my @workers = children_of( $spid );
    push( @kill, @workers );
    my %by;
    for( 1..10 )
    {
        my( $sock, $pid ) = echo_client( $port );
        $by{ $pid }++ if( $sock );
    }
    is( eval{ my $n = 0; $n += $_ for( values( %by ) ); $n }, 10, 'all served' );
    ok( !grep( !exists( { map{ $_ => 1 } @workers }->{ $_ } ), keys( %by ) ), '... by the workers' );
    kill( 'INT', $spid );
    my $st = wait_exit( $spid, $close_timeout + 4 );
    is( $st, 0, 'SIGINT: the parent exited with status 0' );
    ok( wait_gone( 2, @workers ), 'the workers are gone' );
};

subtest 'stopped at once: workers told to stop before they serve' => sub
{
    # shutdown in on_listening: the parent sends SIGTERM right after the forks, before the
    # workers have their own handlers or listen. They must still stop cleanly and at once
    # (they used to ignore it and be killed after close_timeout + 5 s).
    my $t0 = Time::HiRes::time();
    my( $spid, $port, $rd ) = server_child( workers => 2, on_listening => sub { $_[0]->shutdown } );
    ok( $port, 'listening' );
    my $st = wait_exit( $spid, $close_timeout + 8 );
    is( $st, 0, 'the parent exited with status 0' );
    is( scalar( <$rd> ), "ok\n", '... start returned the server, no worker failure' );
    cmp_ok( Time::HiRes::time() - $t0, '<', $close_timeout, '... well before close_timeout' );
};

done_testing();
