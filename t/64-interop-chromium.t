use strict;
use warnings;
use FindBin ();
use lib "$FindBin::Bin/interop";
use Test::More;
use Interop;

# A page in headless Chromium (Debian's chromium, driven by playwright-core) opens a connection
# to our echo server (examples/echo-server.pl), sends text with non-ASCII UTF-8, all 256 byte
# values and messages over 64 KiB, checks they come back intact, and closes cleanly
# (CloseEvent.wasClean, code 1000).

my $chromium = $ENV{CHROMIUM} || '/usr/bin/chromium';
Interop::need( "Chromium ($chromium)", -x $chromium, 'apt-get install chromium' );
Interop::need( 'Node.js (node)', Interop::which( 'node' ), 'apt-get install nodejs npm' );
Interop::need( 'playwright-core (t/interop/node_modules)', Interop::node_modules_have( 'playwright-core' ), 'npm ci in t/interop' );

Interop::announce( 'Chromium', $chromium, '--version' );
Interop::announce( 'playwright-core', 'node', '-e', "console.log(require('$Interop::DIR/node_modules/playwright-core/package.json').version)" );

my $top = "$FindBin::Bin/..";
Interop::chromium_with( 'our echo server (examples/echo-server.pl)',
    [ $^X, "-I$top/blib/lib", "-I$top/blib/arch", "$top/examples/echo-server.pl", '--host', '127.0.0.1', '--port', 0 ] );

done_testing;
