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

Interop::need_chromium();

my $top = "$FindBin::Bin/..";
Interop::chromium_with( 'our echo server (examples/echo-server.pl)',
    [ $^X, "-I$top/blib/lib", "-I$top/blib/arch", "$top/examples/echo-server.pl", '--host', '127.0.0.1', '--port', 0 ] );

done_testing;
