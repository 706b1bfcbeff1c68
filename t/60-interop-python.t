use strict;
use warnings;
use FindBin ();
use lib "$FindBin::Bin/interop";
use Test::More;
use Interop;

# Our server with the Python websockets client, and our client with the Python websockets
# server: text with non-ASCII UTF-8, all 256 byte values, messages over 64 KiB, and the close
# code and reason seen on each side (t/interop/Interop.pm has the script both sides follow).

my @py = ( 'python3', '-B' );
Interop::need( 'Python websockets (13 or later)',
    Interop::which( 'python3' ) && Interop::runs( @py, '-c', 'import sys, websockets.asyncio.client; sys.exit(int(websockets.__version__.split(".")[0]) < 13)' ),
    'pip install websockets' );

Interop::announce( 'Python websockets', @py, '-c', 'import sys, websockets; print(websockets.__version__, "on Python", sys.version.split()[0])' );

Interop::our_server_with( 'Python websockets', [ @py, "$Interop::DIR/python_client.py" ] );
Interop::our_client_with( 'Python websockets', [ @py, "$Interop::DIR/python_server.py" ] );

done_testing;
