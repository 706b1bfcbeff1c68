use strict;
use warnings;
use lib 't/lib';
use Test::More;
use Time::HiRes ();
use WebSocket qw( :ws );
use WebSocket::Client;
use TestClient qw( raw_server free_port ws_frame read_frame );
use warnings qw( WebSocket::Client );

# The error paths of WebSocket::Client, with the error strings of the original where it had
# them: construction, refused connections, bad handshake answers (from a forked server that
# sends crafted bytes), timeouts, rejected handshakes, a peer vanishing mid-message, misuse.

alarm( 60 );
$SIG{ALRM} = sub { die( "timeout\n" ) };
my @kids;
END { kill( 'KILL', @kids ) if( @kids ); waitpid( $_, 0 ) for( @kids ); }

sub raw { my( $port, $pid ) = raw_server( @_ ); push( @kids, $pid ); return( $port ); }

subtest 'constructor errors' => sub
{
    is( WebSocket::Client->new, undef, 'no uri' );
    is( WebSocket::Client->error->message, 'No websocket uri was provided to connect to.', 'error message' );
    is( WebSocket::Client->new( 'ws://127.0.0.1:1/', bogus => 1 ), undef, 'unknown option' );
    is( WebSocket::Client->error->message, 'Unknown method bogus in class WebSocket::Client', 'error message' );
    is( WebSocket::Client->new( 'ws://127.0.0.1:1/', on_utf8 => 'x' ), undef, 'callback that is not code' );
    ok( !defined( WebSocket::Client->new( 'ws://127.0.0.1:1/', timeout => 'soon' ) ), 'timeout not a number' );
    ok( !defined( WebSocket::Client->new( 'ws://127.0.0.1:1/', version => 'draft-bogus-1' ) ), 'unknown version' );
};

subtest 'misuse before connect' => sub
{
    my $c = WebSocket::Client->new( 'ws://127.0.0.1:1/' ) || die;
    my @w;
    {
        local $SIG{__WARN__} = sub { push( @w, $_[0] ) };
        is( $c->send( 'hello' ), 0, 'send before the handshake returns 0' );
        is( $c->send_utf8( 'hello' ), 0, 'send_utf8 too' );
        is( $c->send_binary( 'hello' ), 0, 'send_binary too' );
        is( $c->ping, 0, 'ping too' );
    }
    is( $w[0], "Tried to send data before finishing handshake\n", 'with the warning' );
    {
        no warnings 'WebSocket::Client';
        local $SIG{__WARN__} = sub { push( @w, $_[0] ) };
        my $n = @w;
        $c->send( 'hello' );
        is( scalar( @w ), $n, 'no warning when the category is off' );
    }
    is( $c->send( foo => 'x' ), undef, 'unsupported type' );
    is( $c->error->message, 'Message of type "foo" is unsupported.', 'error message' );
    is( $c->listen( 'not code' ), undef, 'listen with a non-code condition' );
    is( $c->error->message, 'Callback provided is not an anonymous ubsroutine or a reference to a subroutine.', 'error message' );
    is( $c->listen, undef, 'listen before connect' );
    is( $c->error->message, 'The socket is gone!', 'error message' );
    is( $c->start, undef, 'start before connect' );
    is( $c->recv, undef, 'recv before connect' );
    is( $c->error->message, 'The socket is gone!', 'error message' );
};

subtest 'refused connection' => sub
{
    my $port = free_port();
    my @err;
    my $c = WebSocket::Client->new( "ws://127.0.0.1:$port/", { timeout => 5, on_error => sub { push( @err, [ @_ ] ) } } ) || die;
    my $t0 = Time::HiRes::time();
    is( $c->connect, undef, 'connect fails' );
    like( $c->error->message, qr/^Failed to connect to remote host '127\.0\.0\.1' on port '$port': \S/, 'error message: ' . $c->error->message );
    ok( Time::HiRes::time() - $t0 < 4, 'fails at once' );
    ok( !$c->connected, 'not connected' );
    local $SIG{__WARN__} = sub {};
    is( $c->send( 'x' ), 0, 'send after a failed connect: not connected' );
};

subtest 'wss:// to a closed port, other schemes, other versions' => sub
{
    my $c = WebSocket::Client->new( 'wss://127.0.0.1:1/' ) || die;
    is( $c->connect, undef, 'connect fails' );
    like( $c->error->message, qr/^Failed to connect using ssl to remote host '127\.0\.0\.1' on port '1': \S/, 'clear error: ' . $c->error->message );
    $c = WebSocket::Client->new( 'http://127.0.0.1:1/' ) || die;
    is( $c->connect, undef, 'http:// refused' );
    like( $c->error->message, qr/scheme/, 'error message' );
    $c = WebSocket::Client->new( 'ws://127.0.0.1:1/', version => 8 ) || die;
    is( $c->connect, undef, 'version 8 refused' );
    like( $c->error->message, qr/^Version draft-ietf-hybi-\d+ is not supported by this client/, 'error message' );
};

subtest '403 answer' => sub
{
    my $port = raw( sub { my( $s ) = @_; print $s "HTTP/1.1 403 Forbidden\r\nContent-Length: 6\r\nConnection: close\r\n\r\nNo way"; } );
    my @err;
    my $c = WebSocket::Client->new( "ws://127.0.0.1:$port/", { timeout => 5, on_error => sub { push( @err, [ @_ ] ) } } ) || die;
    is( $c->connect, undef, 'connect fails' );
    like( $c->error->message, qr/^Failed to connect to remote host '127\.0\.0\.1' on port '$port': .*403/, 'error message: ' . $c->error->message );
    is( scalar( @err ), 1, 'on_error called' );
    is( $err[0]->[0], $c, '... with the client' );
    isa_ok( $err[0]->[1], 'WebSocket::Exception' );
    ok( !$c->connected, 'not connected' );
};

subtest 'wrong Sec-WebSocket-Accept' => sub
{
    my $port = raw( sub
    {
        my( $s ) = @_;
        print $s "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n\r\n";
        sleep( 1 );
    });
    my $c = WebSocket::Client->new( "ws://127.0.0.1:$port/", { timeout => 5 } ) || die;
    is( $c->connect, undef, 'connect fails' );
    like( $c->error->message, qr/^Failed to connect to remote host '127\.0\.0\.1' on port '$port': .*accept/i, 'error message: ' . $c->error->message );
};

subtest 'subprotocol the client did not offer' => sub
{
    my $port = raw( sub
    {
        my( $s, $text, $h ) = @_;
        print $s TestClient::handshake_ok( $h, 'Sec-WebSocket-Protocol: evil' );
        sleep( 1 );
    });
    my $c = WebSocket::Client->new( "ws://127.0.0.1:$port/", { timeout => 5, subprotocol => [qw( chat json )] } ) || die;
    is( $c->connect, undef, 'connect fails' );
    my $e = $c->error;
    ok( $e->message eq "Protocol mismatch. Supported client protocols are: 'chat', 'json', but got 'evil'." ||
        $e->message =~ /^Failed to connect to remote host '127\.0\.0\.1' on port '$port': .*protocol/i, 'error message: ' . $e->message );
};

subtest 'no subprotocol in the answer' => sub
{
    my $port = raw( sub
    {
        my( $s, $text, $h ) = @_;
        print $s TestClient::handshake_ok( $h );
        my( $op, $payload ) = read_frame( $s );
        # Answer the close frame.
        print $s ws_frame( 8, $payload // '' ) if( defined( $op ) && $op == 8 );
        sleep( 1 );
    });
    my @disc;
    my $c = WebSocket::Client->new( "ws://127.0.0.1:$port/", { timeout => 5, subprotocol => 'chat', on_disconnect => sub { push( @disc, [ @_ ] ) } } ) || die;
    is( $c->connect, undef, 'connect fails' );
    is( $c->error->code, 1003, 'error code 1003' );
    is( $c->error->message, 'Handshake did not return any protocol', 'error message' );
    is( $disc[0]->[1], 1003, 'disconnected with 1003' );
};

subtest 'handshake timeout' => sub
{
    my $port = raw( sub { sleep( 4 ) } );
    my $c = WebSocket::Client->new( "ws://127.0.0.1:$port/", { timeout => 1 } ) || die;
    my $t0 = Time::HiRes::time();
    is( $c->connect, undef, 'connect fails' );
    my $dt = Time::HiRes::time() - $t0;
    ok( $dt >= 0.9 && $dt < 3, "after the timeout ($dt s)" );
    is( $c->error->message, "Failed to connect to remote host '127.0.0.1' on port '$port': no answer to the WebSocket handshake within 1 seconds", 'error message' );
};

subtest 'server vanishes mid-message' => sub
{
    my $port = raw( sub
    {
        my( $s, $text, $h ) = @_;
        print $s TestClient::handshake_ok( $h );
        my $frame = ws_frame( 1, 'a message that will never end' );
        syswrite( $s, substr( $frame, 0, 10 ) );
        select( undef, undef, undef, 0.3 );
    });
    my( @disc, @utf8 );
    my $c = WebSocket::Client->new( "ws://127.0.0.1:$port/", {
        timeout       => 5,
        on_utf8       => sub { push( @utf8, $_[1] ) },
        on_disconnect => sub { push( @disc, [ @_ ] ) },
    }) || die;
    is( $c->connect, $c, 'connect' ) || diag( $c->error );
    is( $c->start, $c, 'start returns when the server is gone' );
    ok( $c->disconnected, 'disconnected' );
    is( scalar( @utf8 ), 0, 'no partial message delivered' );
    is( $disc[0]->[1], 1006, 'on_disconnect with 1006' );
    is( $c->error->code, 500, 'error code 500' );
    is( $c->error->message, 'Reading from socket returned zero byte', 'error message' );
};

subtest 'on_connect dies' => sub
{
    my $srv = TestClient::Server->new;
    my $c = WebSocket::Client->new( $srv->url, { on_connect => sub { die( "boom\n" ) } } ) || die;
    is( $c->connect, undef, 'connect fails' );
    is( $c->error->message, "Connect callback triggered an error: boom\n", 'error message' );
    ok( !$c->connected, 'not connected' );
    $srv->close_listener;
};

subtest 'on_handshake rejects or dies' => sub
{
    my $srv = TestClient::Server->new;
    my @disc;
    my $c = WebSocket::Client->new( $srv->url, { on_handshake => sub { 0 }, on_disconnect => sub { push( @disc, [ @_ ] ) } } ) || die;
    is( $c->connect, undef, 'handshake rejected: connect fails' );
    is( $c->error->code, 1003, 'error code 1003' );
    is( $c->error->message, 'Handshake rejected', 'error message' );
    is_deeply( [ @{ $disc[0] }[1,2] ], [ 1003, 'Handshake rejected' ], 'on_disconnect' );
    $srv->wait_for( sub { scalar( $srv->events( 'close' ) ) }, 3 );
    my( $close ) = $srv->events( 'close' );
    is( $close->[2], 1003, 'server got the close frame 1003' );
    ok( $c->disconnected, 'disconnected' );

    my @w;
    local $SIG{__WARN__} = sub { push( @w, $_[0] ) };
    $c = WebSocket::Client->new( $srv->url, { on_handshake => sub { die( "bad\n" ) } } ) || die;
    is( $c->connect, undef, 'handshake callback dies: connect fails' );
    is( $c->error->code, 1011, 'error code 1011' );
    is( $c->error->message, 'Internal error', 'error message' );
    ok( scalar( grep{ /bad/ } @w ), 'the exception is warned' );
    $srv->close_listener;
};

subtest 'fatal' => sub
{
    my $port = free_port();
    my $c = WebSocket::Client->new( "ws://127.0.0.1:$port/", { fatal => 1, timeout => 5 } ) || die;
    ok( !eval{ $c->connect; 1 }, 'connect dies with fatal' );
    isa_ok( $@, 'WebSocket::Exception' );
    like( "$@", qr/^Failed to connect to remote host/, 'the exception' );
};

alarm( 0 );
done_testing();
