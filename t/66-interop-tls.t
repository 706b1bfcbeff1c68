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
# peer's byte counts above TLS show the messages whole; no extension is negotiated.

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

done_testing;
