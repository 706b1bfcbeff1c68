use strict;
use warnings;
use Test::More;
use Config;
use POSIX ();
use Time::HiRes ();
use WebSocket;

# WebSocket::Engine::Reactor: the event loop of the engine, driven by poll() from Perl.
# A server reactor and a client reactor live in this one process and talk over loopback.

alarm( 30 );
$SIG{ALRM} = sub{ die( "t/06-reactor.t took more than 30 seconds\n" ) };

my %R;
my %Q;

# Poll every reactor once, queueing what they return.
sub pump
{
    my $t = shift( @_ ) // 0.005;
    foreach my $name ( sort( keys( %R ) ) )
    {
        push( @{$Q{ $name }}, $R{ $name }->poll( $t ) );
    }
}

# Poll until reactor $name reports an event of $type (for connection $id if given); the
# event is removed from the queue and returned.
sub expect_event
{
    my( $name, $type, $id ) = @_;
    my $end = Time::HiRes::time() + 10;
    while( Time::HiRes::time() < $end )
    {
        my $q = $Q{ $name } //= [];
        for my $i ( 0 .. $#$q )
        {
            my $e = $q->[$i];
            next unless( $e->[0] eq $type && ( !defined( $id ) || $e->[1] == $id ) );
            splice( @$q, $i, 1 );
            return( $e );
        }
        pump();
    }
    diag( "timed out waiting for '$type' on $name; queued: " . join( ' ', map{ $_->[0] } @{$Q{ $name }} ) );
    return;
}

subtest 'construction' => sub
{
    my $r = WebSocket::Engine::Reactor->new( max_message_size => 1 << 20, handshake_timeout => 2.5, close_timeout => 1, nodelay => 1,
        max_buffered => 1 << 20, ping_interval => 0, pong_timeout => 0, auto_pong => 1, accept_unmasked_frames => 1,
        max_fragments => 10, max_send_size => 0, max_line_length => 4096, max_headers => 50, max_head_size => 8192 );
    isa_ok( $r, 'WebSocket::Engine::Reactor' );
    cmp_ok( $r->fileno, '>', 2, 'fileno is the epoll descriptor' );
    is( $r->pid, $$, 'pid of the creator' );
    is( $r->connections, 0, 'no connections' );
    is( $r->next_deadline, undef, 'nothing scheduled' );
    is( $r->error, undef, 'no error' );
    ok( !eval{ WebSocket::Engine::Reactor->new( bogus => 1 ); 1 }, 'an unknown option croaks' );
    like( $@, qr/unknown option 'bogus'/, '... naming it' );
    ok( !eval{ WebSocket::Engine::Reactor->new( 'max_buffered' ); 1 }, 'options come in pairs' );
    ok( !eval{ WebSocket::Engine::Reactor::poll( bless( {}, 'Other' ) ); 1 }, 'a wrong object croaks' );
    like( $@, qr/is not a WebSocket::Engine::Reactor/, '... naming the class' );
    my( $lid, $port ) = $r->listen( '127.0.0.1', 0, 16 );
    ok( $lid, 'listen' );
    cmp_ok( $port, '>', 0, 'on a free port' );
    my @fail = $r->listen( '127.0.0.1', $port );
    ok( !defined( $fail[0] ), 'listening twice on a port fails' );
    is( $r->error->[0], 401, '... with the I/O error code' );
    like( $r->error->[2], qr/^listen on 127\.0\.0\.1:$port: Address already in use/, '... and the OS error text' );
    ok( $r->unlisten( $lid ), 'unlisten' );
    ok( !$r->unlisten( $lid ), 'unlisten twice fails' );
    is( $r->error->[0], 302, '... InvalidArgument' );
};

subtest 'server and client reactors over loopback' => sub
{
    %R = ( server => WebSocket::Engine::Reactor->new( max_message_size => 2 << 20 ), client => WebSocket::Engine::Reactor->new( max_message_size => 2 << 20 ) );
    %Q = ();
    my( $lid, $port ) = $R{server}->listen( '127.0.0.1', 0 );
    my $cid = $R{client}->connect( '127.0.0.1', $port, {
        path => '/chat?x=1', origin => 'http://example.com', protocols => [ 'chat', 'superchat' ],
        headers => [ Cookie => 'a=b' ],
    } );
    ok( $cid, 'connect returns an id' );
    my $acc = expect_event( 'server', 'accept' );
    ok( $acc, 'accept event' );
    my $sid = $acc->[1];
    is( $acc->[2], $lid, '... from our listener' );
    is( $acc->[3], '127.0.0.1', '... peer ip' );
    cmp_ok( $acc->[4], '>', 0, '... peer port' );
    my $req = expect_event( 'server', 'request', $sid );
    ok( $req, 'request event' );
    my $h = $req->[2];
    is( $h->{method}, 'GET', 'method' );
    is( $h->{uri}, '/chat?x=1', 'uri' );
    is( $h->{protocol}, 'HTTP/1.1', 'protocol (the HTTP version)' );
    is( $h->{version}, '13', 'version' );
    is( $h->{origin}, 'http://example.com', 'origin' );
    is( length( $h->{key} ), 24, 'key' );
    is_deeply( $h->{protocols}, [ 'chat', 'superchat' ], 'protocols offered' );
    is( $h->{extensions}, undef, 'no extensions' );
    my %hdr = @{$h->{headers}};
    is( $hdr{Cookie}, 'a=b', 'extra header' );
    is( $hdr{Host}, "127.0.0.1:$port", 'Host header' );
    ok( !defined( $R{server}->send( $sid, 1, 1, 'too early' ) ), 'no sending before the handshake' );
    is( $R{server}->error->[0], 301, '... InvalidState' );
    ok( $R{server}->accept( $sid, { protocol => 'chat', headers => [ 'X-Foo' => 'bar' ] } ), 'accept' );
    my $open = expect_event( 'client', 'open', $cid );
    ok( $open, 'client open' );
    is( $open->[2], 'chat', '... selected subprotocol' );
    is( $open->[3], undef, '... no extensions' );
    my %rh = @{$open->[4]};
    is( $rh{'X-Foo'}, 'bar', '... response headers' );
    my $sopen = expect_event( 'server', 'open', $sid );
    is( $sopen->[2], 'chat', 'server open' );
    is_deeply( $sopen->[4], [], '... no response headers server side' );
    my( $ip, $p ) = $R{server}->peer( $sid );
    is_deeply( [ $R{client}->local( $cid ) ], [ $ip, $p ], 'peer and local agree' );
    is( ( $R{client}->peer( $cid ) )[1], $port, 'client peer port' );

    ok( $R{client}->send( $cid, 1, 1, "caf\xc3\xa9" ), 'send text' );
    my $t = expect_event( 'server', 'text', $sid );
    is( $t->[2], "caf\xc3\xa9", 'server gets the bytes' );
    ok( !utf8::is_utf8( $t->[2] ), '... as a byte string' );
    $R{server}->send( $sid, 1, 1, $t->[2] );
    is( expect_event( 'client', 'text', $cid )->[2], "caf\xc3\xa9", 'echoed back' );
    my $bin = join( '', map{ chr( $_ % 256 ) } 0 .. 1000 );
    $R{client}->send( $cid, 2, 1, $bin );
    is( expect_event( 'server', 'binary', $sid )->[2], $bin, 'binary' );
    my $big = 'x' x ( 1 << 20 );
    $R{server}->send( $sid, 2, 1, $big );
    my $got = expect_event( 'client', 'binary', $cid );
    is( length( $got->[2] ), 1 << 20, 'a 1 MiB message' );
    $R{client}->send( $cid, 9, 1, 'ping?' );
    is( expect_event( 'server', 'ping', $sid )->[2], 'ping?', 'ping' );
    is( expect_event( 'client', 'pong', $cid )->[2], 'ping?', 'automatic pong' );
    ok( !defined( $R{client}->send( $cid, 9, 1, 'x' x 126 ) ), 'a long ping is refused' );
    is( $R{client}->error->[0], 108, '... ControlFrameTooLong' );
    ok( $R{client}->set( $cid, max_send_size => 3, nodelay => 0, ping_interval => 0 ), 'set' );
    ok( !defined( $R{client}->send( $cid, 2, 1, 'abcd' ) ), 'max_send_size applies' );
    is( $R{client}->error->[0], 102, '... SendPayloadTooBig' );
    ok( !eval{ $R{client}->set( $cid, nonsense => 1 ); 1 }, 'set with an unknown key croaks' );
    ok( !defined( $R{client}->set( 999999, max_buffered => 1 ) ), 'set on an unknown connection fails' );
    is( $R{client}->buffered_amount( $cid ), 0, 'nothing buffered' );

    ok( $R{server}->close( $sid, 4242, 'bye' ), 'server closes with 4242 bye' );
    is_deeply( [ @{ expect_event( 'client', 'close', $cid ) }[2, 3] ], [ 4242, 'bye' ], 'client gets code and reason' );
    is( expect_event( 'server', 'close', $sid )->[2], 4242, 'server gets the echoed code' );
    is_deeply( [ @{ expect_event( 'server', 'closed', $sid ) }[2, 3] ], [ 4242, '' ], 'server closed' );
    is_deeply( [ @{ expect_event( 'client', 'closed', $cid ) }[2, 3] ], [ 4242, 'bye' ], 'client closed' );
    is( $R{server}->connections, 0, 'server has no connections left' );
    is( $R{client}->connections, 0, 'client has no connections left' );
    ok( !defined( $R{server}->send( $sid, 1, 1, 'late' ) ), 'sending after closed fails' );
    my $err = $R{server}->error;
    is( $err->[0], 301, '... InvalidState' );
    is( $err->[1], 1011, '... close code 1011' );
    like( $err->[2], qr/^Invalid state: /, '... message' );

    # the client closes: code without reason, and a Close without status
    my $c2 = $R{client}->connect( '127.0.0.1', $port );
    my $s2 = expect_event( 'server', 'request' )->[1];
    $R{server}->accept( $s2 );
    expect_event( 'client', 'open', $c2 );
    ok( $R{client}->close( $c2 ), 'close without a status' );
    is( expect_event( 'server', 'close', $s2 )->[2], 1005, 'server sees 1005' );
    is( expect_event( 'client', 'closed', $c2 )->[2], 1005, 'client closed with 1005' );
    expect_event( 'server', 'closed', $s2 );
    ok( !eval{ $R{client}->close( 1, 70000 ); 1 }, 'a code above 65535 croaks' );
};

{
    package My::Stock;
    sub _engine_event { die( "the stock method itself is never called by dispatch\n" ) }
    package My::Own;
    our @ISA = ( 'My::Stock' );
    sub _engine_event { }
    package My::Router;
    sub _route_event { push( @{$_[0]->{log}}, "route:$_[1]->[0]" ); push( @{$_[0]->{events}}, $_[1] ); die( $_[0]->{die} ) if( $_[0]->{die} && $_[1]->[0] eq $_[0]->{die_on} ) }
}

subtest 'dispatch: messages to the callbacks, everything else to the router, in order; send_text' => sub
{
    my $srv = WebSocket::Engine::Reactor->new;
    my $cli = WebSocket::Engine::Reactor->new;
    my( $lid, $port ) = $srv->listen( '127.0.0.1', 0 );
    my $cid = $cli->connect( '127.0.0.1', $port );
    my @log;
    my $router = bless( { log => \@log }, 'My::Router' );
    my $obj = bless( {
        on_utf8   => sub { push( @log, 'utf8:' . $_[1] . ( utf8::is_utf8( $_[1] ) ? ':chars' : '' ) ) },
        on_binary => sub { push( @log, "binary:$_[1]" ) },
    }, 'My::Stock' );
    my %conns;
    my $turn = sub
    {
        my( $until ) = @_;
        my $end = Time::HiRes::time() + 10;
        while( Time::HiRes::time() < $end && !$until->() )
        {
            $cli->poll( 0.002 );
            $srv->dispatch( 0.002, \%conns, \&My::Stock::_engine_event, $router );
        }
        return( $until->() );
    };
    # The server's first events (accept, request) go to the router: nothing is in %conns yet.
    ok( $turn->( sub { grep{ $_ eq 'route:request' } @log } ), 'accept and request routed' );
    is_deeply( [ @log[0, 1] ], [ 'route:accept', 'route:request' ], '... in order' );
    my( $req ) = grep{ $_->[0] eq 'request' } @{$router->{events}};
    my $sid = $req->[1];
    ok( $srv->accept( $sid ), 'accepted' );
    $conns{ $sid } = $obj;
    my $opened;
    my $end = Time::HiRes::time() + 10;
    while( !$opened && Time::HiRes::time() < $end )
    {
        $opened = grep{ $_->[0] eq 'open' && $_->[1] == $cid } $cli->poll( 0.002 );
        $srv->dispatch( 0.002, \%conns, \&My::Stock::_engine_event, $router );
    }
    ok( $opened, 'client open' );
    @log = ();
    $cli->send( $cid, 1, 1, 'one' );
    $cli->send( $cid, 9, 1, 'ping' );
    $cli->send( $cid, 1, 1, "caf\xc3\xa9" );
    $cli->send( $cid, 2, 1, "\xc3\xa9" );
    $cli->send( $cid, 1, 1, '' );
    $cli->poll( 0 );
    ok( $turn->( sub { @log >= 5 } ), 'five events' );
    is_deeply( \@log, [ 'utf8:one', 'route:ping', "utf8:caf\x{e9}:chars", "binary:\xc3\xa9", 'utf8:' ],
        'text and binary to the callbacks, decoded as utf8::decode would; the ping routed; in order' );

    # A class with its own _engine_event, and a connection without callbacks.
    @log = ();
    bless( $obj, 'My::Own' );
    $cli->send( $cid, 1, 1, 'own' );
    $cli->poll( 0 );
    ok( $turn->( sub { @log } ), 'routed' );
    is_deeply( \@log, [ 'route:text' ], 'a class that overrides _engine_event: routed' );
    @log = ();
    bless( $obj, 'My::Stock' );
    delete( @$obj{qw( on_utf8 on_binary )} );
    $cli->send( $cid, 1, 1, 'nobody' );
    $cli->send( $cid, 9, 1, 'after' );
    $cli->poll( 0 );
    ok( $turn->( sub { @log } ), 'the ping after it arrives' );
    is_deeply( \@log, [ 'route:ping' ], 'a message without a callback is dropped, as _engine_event does' );

    # The router dies: dispatch dies with it; the rest of the batch comes with the next call.
    @log = ();
    $obj->{on_utf8} = sub { push( @log, "utf8:$_[1]" ) };
    $router->{die} = "router died\n";
    $router->{die_on} = 'ping';
    $cli->send( $cid, 9, 1, 'p' );
    $cli->send( $cid, 1, 1, 'kept' );
    $cli->poll( 0 );
    my $err;
    $end = Time::HiRes::time() + 10;
    until( $err || Time::HiRes::time() > $end )
    {
        eval{ $srv->dispatch( 0.01, \%conns, \&My::Stock::_engine_event, $router ); 1 } || ( $err = $@ );
    }
    is( $err, "router died\n", 'dispatch dies with the router\'s exception' );
    delete( $router->{die} );
    is( $srv->dispatch( 0.01, \%conns, \&My::Stock::_engine_event, $router ), 1, 'the next dispatch returns the one event left' );
    is_deeply( \@log, [ 'route:ping', 'utf8:kept' ], '... the message kept from the batch' );

    # send_text: characters to UTF-8, whatever the flag; the bytes queued are returned.
    my @texts = ( [ "\x{263a}", "\xe2\x98\xba" ], [ "caf\xe9", "caf\xc3\xa9" ], [ 'abc', 'abc' ], [ undef, '' ] );
    for my $t ( @texts )
    {
        is( $srv->send_text( $sid, $t->[0] ), length( $t->[1] ), 'send_text returns the bytes of ' . ( defined( $t->[0] ) ? join( ' ', map{ sprintf( 'U+%04X', ord ) } split( //, $t->[0] ) ) : 'undef' ) );
    }
    my @got;
    $end = Time::HiRes::time() + 10;
    while( @got < @texts && Time::HiRes::time() < $end )
    {
        push( @got, map{ $_->[2] } grep{ $_->[0] eq 'text' } $cli->poll( 0.002 ) );
        $srv->dispatch( 0.002, \%conns, \&My::Stock::_engine_event, $router );
    }
    is_deeply( \@got, [ map{ $_->[1] } @texts ], '... and the client reads them as UTF-8' );
    ok( !eval{ $srv->dispatch( 0, [], undef, $router ); 1 }, 'dispatch without a hash of connections croaks' );
    like( $@, qr/conns must be a hash reference/, '... saying so' );
    is( $srv->dispatch( 0, \%conns, undef, $router ), 0, 'without a stock method: nothing to do, 0 events' );
};

subtest 'reject and refused connections' => sub
{
    %Q = ();
    my( $lid, $port ) = $R{server}->listen( '127.0.0.1', 0 );
    my $cid = $R{client}->connect( '127.0.0.1', $port, { path => '/' } );
    my $sid = expect_event( 'server', 'request' )->[1];
    ok( $R{server}->reject( $sid, 403, [ 'X-Why' => 'no' ], 'go away' ), 'reject 403' );
    ok( !defined( $R{server}->accept( $sid ) ), 'no accept after reject' );
    my $e = expect_event( 'client', 'error', $cid );
    is( $e->[2], 403, 'the client sees status 403' );
    like( $e->[3], qr/403/, '... in the message' );
    is( expect_event( 'client', 'closed', $cid )->[2], 1006, 'then closed, 1006' );
    expect_event( 'server', 'closed', $sid );
    $R{server}->unlisten( $lid );
    my $c2 = $R{client}->connect( '127.0.0.1', $port );
    my $e2 = expect_event( 'client', 'error', $c2 );
    is( $e2->[2], 1006, 'connection refused: 1006' );
    like( $e2->[3], qr/^Connection refused/, '... with the OS message' );
    expect_event( 'client', 'closed', $c2 );
    ok( !defined( $R{client}->connect( 'no-such-host.invalid', 80 ) ), 'an unresolvable host fails at once' );
    is( $R{client}->error->[0], 401, '... I/O error' );
};

subtest 'listen_fd' => sub
{
    %Q = ();
    require IO::Socket::INET;
    my $sock = IO::Socket::INET->new( Listen => 5, LocalAddr => '127.0.0.1', LocalPort => 0, Proto => 'tcp', ReuseAddr => 1 ) or die( "listen: $!" );
    my $lid = $R{server}->listen_fd( fileno( $sock ) );
    ok( $lid, 'adopted a listening socket' );
    my $cid = $R{client}->connect( '127.0.0.1', $sock->sockport );
    my $acc = expect_event( 'server', 'accept' );
    $acc = expect_event( 'server', 'accept' ) while( $acc && $acc->[2] != $lid );
    is( $acc->[2], $lid, 'accepted on it' );
    $R{server}->drop( $acc->[1] );
    expect_event( 'server', 'closed', $acc->[1] );
    expect_event( 'client', 'closed', $cid );
    ok( $R{server}->unlisten( $lid ), 'unlisten' );
    ok( defined( fileno( $sock ) ), 'the Perl handle is still open' );
    ok( !defined( $R{server}->listen_fd( fileno( STDIN ) ) ), 'not a listening socket' );
    ok( $R{server}->error, '... error set' );
};

subtest 'watch a pipe: level-triggered' => sub
{
    my $r = WebSocket::Engine::Reactor->new;
    pipe( my $rd, my $wr ) or die( "pipe: $!" );
    ok( $r->watch( fileno( $rd ), 1, 0 ), 'watch the read end' );
    my $t0 = Time::HiRes::time();
    is_deeply( [ $r->poll( 0.05 ) ], [], 'nothing to read yet' );
    cmp_ok( Time::HiRes::time() - $t0, '>=', 0.04, '... and the poll waited' );
    syswrite( $wr, 'ab' );
    for my $round ( 1 .. 3 )
    {
        is_deeply( [ $r->poll( 5 ) ], [ [ 'readable', fileno( $rd ) ] ], "round $round: readable, again" );
    }
    sysread( $rd, my $buf, 2 );
    is_deeply( [ $r->poll( 0.02 ) ], [], 'read: no longer reported' );
    ok( $r->watch( $wr, 0, 1 ), 'watch a filehandle for writing' );
    is_deeply( [ $r->poll( 1 ) ], [ [ 'writable', fileno( $wr ) ] ], 'writable' );
    ok( $r->unwatch( $wr ), 'unwatch' );
    ok( $r->unwatch( fileno( $rd ) ), 'unwatch the read end' );
    is_deeply( [ $r->poll( 0 ) ], [], 'nothing watched' );
};

subtest 'timers' => sub
{
    my $r = WebSocket::Engine::Reactor->new;
    my $once = $r->add_timer( 0.05 );
    my $rep = $r->add_timer( 0.02, 0.03 );
    my $gone = $r->add_timer( 0.01 );
    ok( $once && $rep && $gone, 'timer ids' );
    cmp_ok( $r->next_deadline, '<=', 0.02, 'next_deadline' );
    ok( $r->cancel_timer( $gone ), 'cancel' );
    ok( !$r->cancel_timer( $gone ), 'cancel twice: false' );
    my( $n_once, $n_rep ) = ( 0, 0 );
    my $end = Time::HiRes::time() + 0.2;
    while( ( my $left = $end - Time::HiRes::time() ) > 0 )
    {
        for my $e ( $r->poll( $left ) )
        {
            is( $e->[0], 'timer', 'only timer events' ) unless( $e->[0] eq 'timer' );
            $n_once++ if( $e->[1] == $once );
            $n_rep++ if( $e->[1] == $rep );
            fail( 'a cancelled timer fired' ) if( $e->[1] == $gone );
        }
    }
    is( $n_once, 1, 'one-shot fired once' );
    cmp_ok( $n_rep, '>=', 4, "repeating timer fired $n_rep times" );
    ok( $r->cancel_timer( $rep ), 'cancel the repeating timer' );
    is( $r->next_deadline, undef, 'nothing scheduled any more' );
};

subtest 'signals interrupt a blocking poll' => sub
{
    my $r = WebSocket::Engine::Reactor->new;
    my $got = 0;
    local $SIG{USR1} = sub{ $got++ };
    my $pid = fork();
    die( "fork: $!" ) unless( defined( $pid ) );
    if( !$pid )
    {
        Time::HiRes::sleep( 0.2 );
        kill( 'USR1', getppid() );
        POSIX::_exit( 0 );
    }
    my $t0 = Time::HiRes::time();
    my @e = $r->poll( 10 );
    my $took = Time::HiRes::time() - $t0;
    waitpid( $pid, 0 );
    is_deeply( \@e, [], 'no events' );
    cmp_ok( $took, '<', 5, 'poll returned early' );
    is( $got, 1, 'the Perl signal handler ran' );
};

subtest 'fork' => sub
{
    my $r = WebSocket::Engine::Reactor->new;
    my( $lid ) = $r->listen( '127.0.0.1', 0 );
    pipe( my $rd, my $wr ) or die( "pipe: $!" );
    my $pid = fork();
    die( "fork: $!" ) unless( defined( $pid ) );
    if( !$pid )
    {
        close( $rd );
        my @out;
        my $mine = WebSocket::Engine::Reactor->new;
        my( $l2, $p2 ) = $mine->listen( '127.0.0.1', 0 );
        push( @out, "own:" . ( $l2 && $p2 ? 'ok' : 'fail' ) );
        push( @out, "pid:" . ( $r->pid != $$ ? 'ok' : 'fail' ) );
        my $res = $r->unlisten( $lid );
        push( @out, "unlisten:" . ( defined( $res ) ? 'succeeded' : $r->error->[2] ) );
        eval{ $r->poll( 0 ) };
        push( @out, "poll:$@" );
        syswrite( $wr, join( "\n", @out ) . "\n" );
        close( $wr );
        POSIX::_exit( 0 );
    }
    close( $wr );
    my @lines = map{ chomp; $_ } <$rd>;
    waitpid( $pid, 0 );
    is( $?, 0, 'child exited cleanly' );
    is( $lines[0], 'own:ok', 'a reactor created in the child works' );
    is( $lines[1], 'pid:ok', 'pid is the creator\'s' );
    is( $lines[2], 'unlisten:Invalid state: the reactor was created in another process (fork); create a new one in the child', 'the parent\'s reactor refuses in the child' );
    like( $lines[3], qr/^poll:WebSocket::Engine::Reactor::poll: Invalid state: the reactor was created in another process/, 'poll croaks in the child' );
    is( $r->listeners, 1, 'the parent keeps its listener' );
    is_deeply( [ $r->poll( 0 ) ], [], 'and its reactor still works' );
};

SKIP:
{
    skip( 'perl without ithreads', 1 ) unless( $Config{useithreads} );
    my $out = `$^X -Mblib -e 'use threads; use WebSocket; my \$r = WebSocket::Engine::Reactor->new; my (\$l) = \$r->listen("127.0.0.1", 0); threads->create(sub { 1 })->join for 1 .. 3; print "ok:", \$r->listeners' 2>&1`;
    is( $out, 'ok:1', 'reactors survive thread creation (CLONE_SKIP)' );
}

%R = ();
done_testing();
