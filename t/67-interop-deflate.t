use strict;
use warnings;
use FindBin ();
use lib "$FindBin::Bin/interop", "$FindBin::Bin/lib";
use Test::More;
use Interop;

# permessage-deflate (RFC 7692) with implementations nobody here wrote: our server with the
# Python websockets client and the Node ws client, our client with the Python websockets server
# and the Node ws server, and the script of t/interop/Interop.pm. Every peer is told to
# compress (Python websockets compresses every message; Node ws is given the threshold 0), and
# our side is given extensions => 'permessage-deflate' (compression_threshold 64 against
# Python: the three larger messages go compressed and the short text does not; the default,
# 10240, against Node). Each run checks that both sides report the same negotiated
# Sec-WebSocket-Extensions for both connections, that every message arrived intact, and that
# the peer's connection read and wrote far fewer bytes than the messages hold: compressed
# frames flowed both ways. Last, one run with both TLS (wss://, verified against a test CA) and
# deflate: our server with the Python websockets client, and our client with the Node ws server.

my @py = ( 'python3', '-B' );
my $have_py = Interop::which( 'python3' ) && Interop::runs( @py, '-c', 'import sys, websockets.asyncio.client; sys.exit(int(websockets.__version__.split(".")[0]) < 13)' );
my $have_node = Interop::which( 'node' ) && Interop::node_modules_have( 'ws' );
Interop::need( 'Python websockets (13 or later)', $have_py, 'pip install websockets' );
Interop::need( 'Node.js with ws (t/interop/node_modules)', $have_node, 'apt-get install nodejs npm; npm ci in t/interop' );
Interop::announce( 'Python websockets', @py, '-c', 'import sys, zlib, websockets; print(websockets.__version__, "on Python", sys.version.split()[0], "with zlib", zlib.ZLIB_RUNTIME_VERSION)' );
Interop::announce( 'Node ws', 'node', '-e', "console.log(require('$Interop::DIR/node_modules/ws/package.json').version, 'on Node', process.version, 'with zlib', process.versions.zlib)" );

my %deflate = ( expect => { extensions => qr/^permessage-deflate(?:\s*;|\s*$)/, compressed => 1 }, label => 'permessage-deflate' );
my %py_ours   = ( extensions => 'permessage-deflate', compression_threshold => 64 );
my %node_ours = ( extensions => 'permessage-deflate' );
my $pyc = [ @py, "$Interop::DIR/python_client.py", '--deflate' ];
my $pys = [ @py, "$Interop::DIR/python_server.py", '--deflate' ];
my $nodec = [ 'node', "$Interop::DIR/node_client.js", '--deflate' ];
my $nodes = [ 'node', "$Interop::DIR/node_server.js", '--deflate' ];

Interop::our_server_with( 'Python websockets', $pyc, %deflate, ours => { %py_ours } );
Interop::our_server_with( 'Node ws', $nodec, %deflate, ours => { %node_ours } );
Interop::our_client_with( 'Python websockets', $pys, %deflate, ours => { %py_ours } );
Interop::our_client_with( 'Node ws', $nodes, %deflate, ours => { %node_ours } );

SKIP:
{
    require TestTLS;
    if( !TestTLS::openssl_ok() )
    {
        fail( 'the openssl command is missing for the wss:// runs; WEBSOCKET_INTEROP_REQUIRED is set' ) if( Interop::required() );
        skip( 'the openssl command is not installed (apt-get install openssl): no wss:// run', 2 );
    }
    my $pki = TestTLS->new;
    my $ca = $pki->file( 'ca.pem' );
    my @cert = ( '--cert', $pki->file( 'server-chain.pem' ), '--key', $pki->file( 'server.key' ) );
    my %tls = ( %deflate, label => 'wss:// and permessage-deflate', url => sub{ "wss://localhost:$_[0]/" } );
    Interop::our_server_with( 'Python websockets', [ @$pyc, '--ca', $ca ], %tls,
        ours => { %py_ours, SSL_cert_file => $pki->file( 'server-chain.pem' ), SSL_key_file => $pki->file( 'server.key' ) } );
    Interop::our_client_with( 'Node ws', [ @$nodes, @cert ], %tls, ours => { %node_ours, SSL_ca_file => $ca } );
}

done_testing;
