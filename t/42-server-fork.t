use strict;
use warnings;
use lib 't/lib';
use Test::More;
use IO::Handle;
use POSIX ();
use TestServer;
use WebSocket::Loop;
use WebSocket::Server;

# A server created in a child after fork, while the parent had already used its own loop:
# each process has its own engine reactor. The parent is a raw client.

alarm( 60 );

# The parent's loop exists before the fork.
my $parent_loop = WebSocket::Loop->instance;
ok( $parent_loop->reactor, 'parent loop' );

my( $pid, $port ) = server_in_child( sub
{
    return(
        on_connect => sub
        {
            my( $srv, $conn ) = @_;
            $conn->on(
                utf8       => sub { $_[0]->send_utf8( "child $$: $_[1]" ) },
                disconnect => sub { $srv->shutdown },
            );
        },
    );
} );
ok( $port, "child listens on port $port" );

my $sock = raw_connect( $port );
syswrite( $sock, raw_request( '/' ) );
# Read with plain blocking I/O: the server runs in the other process.
my $buf = '';
while( $buf !~ /\r\n\r\n/ )
{
    sysread( $sock, $buf, 4096, length( $buf ) ) or last;
}
like( $buf, qr{^HTTP/1\.1 101 }, 'handshake with the child' );
syswrite( $sock, WebSocket::Engine::encode_frame( 1, 1, 0, 1, undef, 'hello' ) );
$buf = '';
while( length( $buf ) < 2 || length( $buf ) < 2 + ord( substr( $buf, 1, 1 ) ) )
{
    sysread( $sock, $buf, 4096, length( $buf ) ) or last;
}
like( substr( $buf, 2 ), qr/^child \d+: hello$/, 'echo from the child' );
unlike( $buf, qr/child $$:/, '... not from us' );
syswrite( $sock, WebSocket::Engine::encode_frame( 8, 1, 0, 1, undef, pack( 'n', 1000 ) ) );
waitpid( $pid, 0 );
is( $? >> 8, 0, 'child server stopped cleanly after shutdown' );
is( WebSocket::Loop->instance, $parent_loop, 'the parent keeps its loop' );

done_testing();
