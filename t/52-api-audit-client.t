use strict;
use warnings;
use lib 't/lib';
use Test::More;
use IO::Handle;
use POSIX ();
use Time::HiRes ();
use WebSocket::Client;
use WebSocket::Server;
use WebSocket::Loop;
use TestClient qw( raw_server ws_frame read_frame );
use TestServer qw( listening_server pump_until server_in_child );
use warnings qw( WebSocket::Client );

# The acceptance audit of WebSocket::Client: against WebSocket::Server across fork (the
# server in a child, then the client in a child of a process whose loop already exists), the
# original's ping semantics, and the handshake checks the other files leave out.

alarm( 90 );
$SIG{ALRM} = sub { die( "timeout\n" ) };
my @kids;
END { local $?; kill( 'KILL', @kids ) if( @kids ); waitpid( $_, 0 ) for( @kids ); }

# A WebSocket::Server in a child process; returns its port. Text commands: "shutdown" stops
# the server (close 1001 to every client), "ping X" sends a ping, anything else is echoed
# with the pid of the server, "pongs?" answers with the pongs the server got.
sub forked_server
{
    my( $pid, $port, $rd ) = server_in_child( sub
    {
        my( $report ) = @_;
        my @pongs;
        return(
            subprotocol => 'echo',
            on_connect  => sub
            {
                my( $srv, $conn ) = @_;
                $conn->on(
                    pong       => sub { push( @pongs, $_[1] ) },
                    binary     => sub { $_[0]->send_binary( $_[1] ) },
                    disconnect => sub { my( $c, $code, $reason ) = @_; $report->( "disconnect $code " . ( $reason // "" ) ) },
                    utf8       => sub
                    {
                        my( $c, $text ) = @_;
                        if( $text eq 'shutdown' ) { $srv->shutdown; }
                        elsif( $text =~ /^ping (.*)$/ ) { $c->ping( $1 ); }
                        elsif( $text eq 'pongs?' ) { $c->send_utf8( 'pongs: ' . join( ',', @pongs ) ); }
                        else { $c->send_utf8( "$$: $text" ); }
                    },
                );
            },
        );
    } );
    push( @kids, $pid );
    return( $port, $pid, $rd );
}

subtest 'WebSocket::Client against WebSocket::Server in a child process' => sub
{
    my( $port, $pid, $rd ) = forked_server();
    ok( $port, "the child listens on $port" );
    my( @recv, @utf8, @bin, @ping, @disc, @where );
    my $c = WebSocket::Client->new( "ws://127.0.0.1:$port/", {
        subprotocol   => 'echo',
        timeout       => 5,
        on_recv       => sub { push( @recv, [ ref( $_[0] ), $_[1] ] ) },
        on_utf8       => sub { push( @utf8, $_[1] ); push( @where, $$ ) },
        on_binary     => sub { push( @bin, $_[1] ); push( @where, $$ ) },
        on_ping       => sub { push( @ping, $_[1] ); 1 },
        on_disconnect => sub { push( @disc, [ @_[1,2] ] ) },
    }) || die( WebSocket::Client->error );
    my $t0 = Time::HiRes::time();
    is( $c->connect, $c, 'connect returns after the handshake' ) || diag( $c->error );
    cmp_ok( Time::HiRes::time() - $t0, '<', 2, '... at once' );
    is( $c->ip, '127.0.0.1', 'ip of the peer' );
    is( $c->handshake->response->subprotocol->join( ',' )->scalar, 'echo', 'subprotocol' );
    ok( $c->send_utf8( "h\x{e9}" ), 'send_utf8' );
    ok( $c->send_binary( "\x00\x01" ), 'send_binary' );
    ok( $c->send( 'plain' ), 'send' );
    $c->listen( sub { @utf8 < 2 || @bin < 1 } );
    is( $utf8[0], "$pid: h\x{e9}", 'text from the child server' );
    is( $utf8[1], "$pid: plain", 'send( $text ) is text' );
    is( $bin[0], "\x00\x01", 'binary' );
    is_deeply( [ map{ $_->[0] } @recv ], [ ( 'WebSocket::Frame' ) x 3 ], 'on_recv for each message' );
    is_deeply( [ sort( map{ $_->[1] } @recv ) ], [ sort( "$pid: h\x{e9}", "\x00\x01", "$pid: plain" ) ], '... with the payloads' );
    is_deeply( [ sort{ $a <=> $b } @where ], [ ( $$ ) x 3 ], 'the callbacks run in this process: nothing forked' );

    # The server pings: on_ping, then do_pong answers
    $c->send_utf8( 'ping p1' );
    $c->listen( sub { !@ping } );
    is( $ping[0], 'p1', 'on_ping' );
    $c->send_utf8( 'pongs?' );
    $c->listen( sub { @utf8 < 3 } );
    is( $utf8[2], 'pongs: p1', 'the server got the pong' );

    $c->send_utf8( 'shutdown' );
    is( $c->start, $c, 'start returns once the server has closed' );
    is_deeply( $disc[0], [ 1001, '' ], 'on_disconnect with 1001 from the server\'s shutdown' );
    ok( $c->disconnected, 'disconnected' );
    my @lines;
    while( my $l = <$rd> ) { chomp( $l ); push( @lines, $l ); }
    is_deeply( \@lines, [ 'disconnect 1001 ', 'ok' ], 'the server closed with 1001 and start returned' );
    waitpid( $pid, 0 );
    is( $? >> 8, 0, 'the child exits cleanly' );
};

subtest 'a client in a child, after fork, of a process whose loop exists' => sub
{
    my( @conns, @got );
    my $s = listening_server( silence_max => 0, on_connect => sub
    {
        push( @conns, $_[1] );
        $_[1]->on( utf8 => sub { push( @got, $_[1] ); $_[0]->send_utf8( "back: $_[1]" ) } );
    });
    my $loop = WebSocket::Loop->instance;
    my $pid = fork();
    die( "fork: $!" ) if( !defined( $pid ) );
    if( !$pid )
    {
        alarm( 20 );
        my $ok = 0;
        my $reply;
        my $c = WebSocket::Client->new( 'ws://127.0.0.1:' . $s->port . '/', { timeout => 5, on_utf8 => sub { $reply = $_[1] } } );
        if( $c && $c->connect && WebSocket::Loop->instance != $loop )
        {
            $c->send_utf8( "child $$" );
            $c->listen( sub { !defined( $reply ) } );
            $ok = 1 if( defined( $reply ) && $reply eq "back: child $$" );
            $c->disconnect( 1000, 'bye' );
        }
        POSIX::_exit( $ok ? 0 : 1 );
    }
    push( @kids, $pid );
    my $done;
    ok( pump_until( sub { $done = waitpid( $pid, POSIX::WNOHANG() ) == $pid }, 15 ), 'the child finished' );
    is( $? >> 8, 0, 'the child connected with its own loop and got its answer' ) if( $done );
    is( $got[0], "child $pid", 'the parent server got the message' );
    @kids = grep{ $_ != $pid } @kids;
    $s->_stop_listening;
};

subtest 'on_ping: a defined false value withholds the pong; do_pong answers' => sub
{
    my( @conns, @pongs );
    my $s = listening_server( silence_max => 0, on_connect => sub
    {
        push( @conns, $_[1] );
        $_[1]->on( pong => sub { push( @pongs, $_[1] ) } );
    });
    my( @ping, @dopong );
    my $c = WebSocket::Client->new( 'ws://127.0.0.1:' . $s->port . '/', {
        timeout => 0.05,
        on_ping => sub { push( @ping, $_[1] ); return( $_[1] eq 'no' ? 0 : undef ) },
    }) || die;
    $c->connect || die( $c->error );
    ok( pump_until( sub { @conns && $conns[0]->is_ready } ), 'server side ready' );
    $conns[0]->ping( 'yes' );
    $conns[0]->ping( 'no' );
    $conns[0]->ping( 'last' );
    my $end = Time::HiRes::time() + 5;
    $c->listen( sub { @pongs < 2 && Time::HiRes::time() < $end } );
    is_deeply( \@ping, [qw( yes no last )], 'on_ping for every ping' );
    is_deeply( \@pongs, [qw( yes last )], 'no pong for the ping on_ping refused' );

    $c->do_pong( sub { push( @dopong, $_[1] ); $_[0]->pong( "custom $_[1]" ) } );
    $conns[0]->ping( 'p' );
    $c->listen( sub { @pongs < 3 && Time::HiRes::time() < $end } );
    is( $pongs[2], 'custom p', 'a do_pong of our own answers instead' );
    is_deeply( \@dopong, ['p'], '... called with the payload' );
    $c->listen( sub { Time::HiRes::time() < $end - 4.7 } );
    is( scalar( @pongs ), 3, '... and nothing else was sent' );

    # Back to the defaults: the engine answers
    $c->on_ping( sub { push( @ping, $_[1] ); 1 } );
    $c->do_pong( \&WebSocket::Client::pong );
    $conns[0]->ping( 'again' );
    $c->listen( sub { @pongs < 4 && Time::HiRes::time() < $end } );
    is( $pongs[3], 'again', 'default do_pong: pong with the payload' );
    $c->disconnect;
    $s->_stop_listening;
};

subtest 'handshake answers the client must refuse' => sub
{
    my( $port, $pid ) = raw_server( sub
    {
        my( $sock, $text, $h ) = @_;
        print $sock TestClient::handshake_ok( $h, 'Sec-WebSocket-Extensions: x-never-offered' );
        sleep( 1 );
    });
    push( @kids, $pid );
    my $c = WebSocket::Client->new( "ws://127.0.0.1:$port/", { timeout => 5 } ) || die;
    is( $c->connect, undef, 'an extension that was not offered: connect fails' );
    like( $c->error->message, qr/^Failed to connect to remote host '127\.0\.0\.1' on port '$port': .*extension/i, 'error: ' . $c->error->message );

    ( $port, $pid ) = raw_server( sub
    {
        my( $sock, $text, $h ) = @_;
        print $sock "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
        sleep( 1 );
    });
    push( @kids, $pid );
    $c = WebSocket::Client->new( "ws://127.0.0.1:$port/", { timeout => 5 } ) || die;
    is( $c->connect, undef, 'a 200 answer: connect fails' );
    like( $c->error->message, qr/^Failed to connect to remote host '127\.0\.0\.1' on port '$port': .*200/, 'error: ' . $c->error->message );

    ( $port, $pid ) = raw_server( sub { my( $sock ) = @_; close( $sock ); } );
    push( @kids, $pid );
    $c = WebSocket::Client->new( "ws://127.0.0.1:$port/", { timeout => 5 } ) || die;
    is( $c->connect, undef, 'the server hangs up during the handshake' );
    like( $c->error->message, qr/^Failed to connect to remote host '127\.0\.0\.1' on port '$port': ./, 'error: ' . $c->error->message );
};

subtest 'disconnect ends within its timeout when the server never answers the close' => sub
{
    my( $port, $pid ) = raw_server( sub
    {
        my( $sock, $text, $h ) = @_;
        print $sock TestClient::handshake_ok( $h );
        # Reads the close frame and says nothing.
        read_frame( $sock );
        sleep( 3 );
    });
    push( @kids, $pid );
    my @disc;
    my $c = WebSocket::Client->new( "ws://127.0.0.1:$port/", { timeout => 5, on_disconnect => sub { push( @disc, [ @_[1,2] ] ) } } ) || die;
    $c->connect || die( $c->error );
    local $WebSocket::Client::CLOSE_WAIT = 0.5;
    my $t0 = Time::HiRes::time();
    is( $c->disconnect( 1000, 'bye' ), $c, 'disconnect returns the client' );
    my $dt = Time::HiRes::time() - $t0;
    ok( $dt >= 0.4 && $dt < 2, "after the close wait ($dt s)" );
    ok( $c->disconnected, 'disconnected all the same' );
    is_deeply( $disc[0], [ 1000, 'bye' ], 'on_disconnect once, with our arguments' );
    is( scalar( @disc ), 1, '... once' );
};

alarm( 0 );
done_testing();
