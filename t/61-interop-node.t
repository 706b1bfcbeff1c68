use strict;
use warnings;
use FindBin ();
use lib "$FindBin::Bin/interop";
use Test::More;
use Interop;

# Our server with the Node ws client, and our client with the Node ws server: text with
# non-ASCII UTF-8, all 256 byte values, messages over 64 KiB, and the close code and reason
# seen on each side (t/interop/Interop.pm has the script both sides follow).

Interop::need( 'Node.js (node)', Interop::which( 'node' ), 'apt-get install nodejs npm' );
Interop::need( 'Node ws (t/interop/node_modules)', Interop::node_modules_have( 'ws' ), 'npm ci in t/interop' );

Interop::announce( 'Node ws', 'node', '-e', "console.log(require('$Interop::DIR/node_modules/ws/package.json').version, 'on Node', process.version)" );

Interop::our_server_with( 'Node ws', [ 'node', "$Interop::DIR/node_client.js" ] );
Interop::our_client_with( 'Node ws', [ 'node', "$Interop::DIR/node_server.js" ] );

done_testing;
