#!/usr/bin/perl
# A WebSocket echo server: every text and binary message comes back unchanged.
#
#   perl -Mblib examples/echo-server.pl [--host 127.0.0.1] [--port 8080] [--max-size BYTES]
#       [--cert FILE --key FILE] [--deflate] [--workers N]
#
# It prints one line, "listening on ws://HOST:PORT/" (wss:// with --cert and --key), once it
# accepts connections, and runs until killed. Any WebSocket client can use it, browsers
# included:
#   new WebSocket( "ws://127.0.0.1:8080/" )
# --cert and --key (PEM files: the certificate chain and its private key) serve wss:// through
# the engine's TLS; --deflate accepts permessage-deflate (RFC 7692): messages of 10240 bytes
# or more are then sent compressed. --workers N serves the port from N processes (see
# WebSocket::Server/workers); SIGTERM or SIGINT stops them all.
# The default message limit is 64 MiB, so the Autobahn|Testsuite cases with 16 MiB
# messages pass against it.
use strict;
use warnings;
use Getopt::Long ();
use IO::Socket::IP;
use WebSocket::Server;

my $host = '127.0.0.1';
my $port = 8080;
my $max  = 64 * 1024 * 1024;
my( $cert, $key, $deflate );
my $workers = 1;
Getopt::Long::GetOptions(
    'host=s'     => \$host,
    'port=i'     => \$port,
    'max-size=i' => \$max,
    'cert=s'     => \$cert,
    'key=s'      => \$key,
    'deflate'    => \$deflate,
    'workers=i'  => \$workers,
) || die( "Usage: $0 [--host 127.0.0.1] [--port 8080] [--max-size BYTES] [--cert FILE --key FILE] [--deflate] [--workers N]\n" );
die( "--cert and --key go together\n" ) if( defined( $cert ) != defined( $key ) );

# One process: listening before the server starts lets us announce the address (and the port
# chosen by the system with --port 0) once connections are accepted; they wait in the backlog
# meanwhile. Several: the server opens one SO_REUSEPORT socket per worker, so that the kernel
# spreads the connections over them (workers accepting on one shared socket would not share
# the load: whichever wakes first takes every waiting connection), and on_listening announces.
my $sock;
if( $workers <= 1 )
{
    $sock = IO::Socket::IP->new(
        LocalHost => $host,
        LocalPort => $port,
        Listen    => 1024,
        ReuseAddr => 1,
    ) || die( "Cannot listen on ${host}:${port}: $@\n" );
}
my $shown = $host =~ /:/ ? "[$host]" : $host;
my $announce = sub
{
    $| = 1;
    print( "listening on ", ( defined( $cert ) ? 'wss' : 'ws' ), "://${shown}:", $_[0], "/\n" );
};

my $server = WebSocket::Server->new(
    ( $sock ? ( listen => $sock ) : ( host => $host, port => $port, on_listening => sub { $announce->( $_[0]->port ) } ) ),
    ( defined( $cert ) ? ( SSL_cert_file => $cert, SSL_key_file => $key ) : () ),
    ( $deflate ? ( extensions => 'permessage-deflate' ) : () ),
    workers     => $workers,
    # No keep-alive pings: an echo server speaks only when spoken to.
    silence_max => 0,
    on_connect  => sub
    {
        my( $server, $conn ) = @_;
        $conn->max_recv_size( $max );
        $conn->max_send_size( $max );
        # Autobahn sends messages in up to 65536 fragments.
        $conn->max_fragments_amount( 0 );
        $conn->on(
            utf8   => sub { $_[0]->send_utf8( $_[1] ) },
            binary => sub { $_[0]->send_binary( $_[1] ) },
        );
        return( 1 );
    },
) || die( WebSocket::Server->error, "\n" );

$announce->( $sock->sockport ) if( $sock );

$SIG{TERM} = $SIG{INT} = sub { $server->shutdown };
$server->start || die( $server->error, "\n" );
