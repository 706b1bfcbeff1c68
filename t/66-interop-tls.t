use strict;
use warnings;
use FindBin ();
use lib "$FindBin::Bin/interop", "$FindBin::Bin/lib";
use Test::More;
use Interop;
use TestTLS;

# wss:// with implementations nobody here wrote: our server (TLS in the engine, rustls) with the
# Python websockets client and the Node ws client, and our client with the Python websockets
# server and the Node ws server (Python's ssl module and Node's tls, both OpenSSL). Every client
# verifies the server's certificate (for localhost) against a throwaway test CA made with the
# openssl command (t/lib/TestTLS.pm); nothing switches verification off. The script of
# t/interop/Interop.pm runs over TLS, with permessage-deflate declined on every side, so the
# peer's byte counts above TLS show the messages whole; no extension is negotiated. Then each
# client meets a certificate from a CA it does not trust, and refuses it.

TestTLS::need_openssl();
my @py = ( 'python3', '-B' );
my $have_py = Interop::which( 'python3' ) && Interop::runs( @py, '-c', 'import sys, ssl, websockets.asyncio.client; sys.exit(int(websockets.__version__.split(".")[0]) < 13)' );
my $have_node = Interop::which( 'node' ) && Interop::node_modules_have( 'ws' );
Interop::need( 'Python websockets (13 or later)', $have_py, 'pip install websockets' );
Interop::need( 'Node.js with ws (t/interop/node_modules)', $have_node, 'apt-get install nodejs npm; npm ci in t/interop' );

Interop::announce( 'Python websockets', @py, '-c', 'import sys, ssl, websockets; print(websockets.__version__, "on Python", sys.version.split()[0], "with", ssl.OPENSSL_VERSION)' );
Interop::announce( 'Node ws', 'node', '-e', "console.log(require('$Interop::DIR/node_modules/ws/package.json').version, 'on Node', process.version, 'with OpenSSL', process.versions.openssl)" );
Interop::announce( 'openssl (the test PKI)', 'openssl', 'version' );

my $pki = TestTLS->new;
my $ca = $pki->file( 'ca.pem' );
my %tls_server = ( SSL_cert_file => $pki->file( 'server-chain.pem' ), SSL_key_file => $pki->file( 'server.key' ) );
my @peer_server_tls = ( '--cert', $pki->file( 'server-chain.pem' ), '--key', $pki->file( 'server.key' ), '--no-deflate' );
my %run = (
    label  => 'wss://, certificate verified against the test CA',
    url    => sub{ "wss://localhost:$_[0]/" },
    expect => { extensions => '', compressed => 0 },
);

Interop::our_server_with( 'Python websockets', [ @py, "$Interop::DIR/python_client.py", '--ca', $ca, '--no-deflate' ], %run, ours => { %tls_server } );
Interop::our_server_with( 'Node ws', [ 'node', "$Interop::DIR/node_client.js", '--ca', $ca, '--no-deflate' ], %run, ours => { %tls_server } );
Interop::our_client_with( 'Python websockets', [ @py, "$Interop::DIR/python_server.py", @peer_server_tls ], %run, ours => { SSL_ca_file => $ca } );
Interop::our_client_with( 'Node ws', [ 'node', "$Interop::DIR/node_server.js", @peer_server_tls ], %run, ours => { SSL_ca_file => $ca } );

# The same with our server given an IO::Socket::SSL listener (made with the certificate and key)
# instead of SSL_cert_file and SSL_key_file.
SKIP:
{
    if( !eval{ require IO::Socket::SSL; 1 } )
    {
        fail( 'IO::Socket::SSL is missing; WEBSOCKET_INTEROP_REQUIRED is set' ) if( Interop::required() );
        skip( 'IO::Socket::SSL is not installed (apt-get install libio-socket-ssl-perl): no run with a TLS listener', 1 );
    }
    Interop::our_server_with( 'Python websockets', [ @py, "$Interop::DIR/python_client.py", '--ca', $ca, '--no-deflate' ], %run,
        label => 'wss:// on an IO::Socket::SSL listener, certificate verified against the test CA',
        ours => { listen_ssl => { SSL_cert_file => $pki->file( 'server-chain.pem' ), SSL_key_file => $pki->file( 'server.key' ) } } );
}

# Verification is on: with a certificate for localhost signed by a CA the client was not given
# (rogue.pem), each client stops before its first message.
my $bad_cert = qr/CERTIFICATE_VERIFY_FAILED|unable to verify|self[- ]signed|unknown ?issuer|certificate/i;
my %rogue_server = ( SSL_cert_file => $pki->file( 'rogue.pem' ), SSL_key_file => $pki->file( 'rogue.key' ) );
my @peer_rogue = ( '--cert', $pki->file( 'rogue.pem' ), '--key', $pki->file( 'rogue.key' ), '--no-deflate' );
for my $peer ( [ 'Python websockets', [ @py, "$Interop::DIR/python_client.py", '--ca', $ca, '--no-deflate' ] ], [ 'Node ws', [ 'node', "$Interop::DIR/node_client.js", '--ca', $ca, '--no-deflate' ] ] )
{
    Interop::refused( label => "the $peer->[0] client refuses our server's certificate from an unknown CA",
        server_name => 'our server', server => { code => Interop::our_server( %rogue_server ) },
        client_name => "$peer->[0] client", client => sub{ { cmd => [ @{ $peer->[1] }, $_[0] ] } },
        url => $run{url}, why => $bad_cert );
}
for my $peer ( [ 'Python websockets', [ @py, "$Interop::DIR/python_server.py", @peer_rogue ] ], [ 'Node ws', [ 'node', "$Interop::DIR/node_server.js", @peer_rogue ] ] )
{
    Interop::refused( label => "our client refuses the $peer->[0] server's certificate from an unknown CA",
        server_name => "$peer->[0] server", server => { cmd => $peer->[1] },
        client_name => 'our client', client => sub{ { code => Interop::our_client( $_[0], SSL_ca_file => $ca ) } },
        url => $run{url}, why => $bad_cert );
}

done_testing;
