use strict;
use warnings;
use FindBin ();
use lib "$FindBin::Bin/interop";
use Test::More;
use Interop;

# Our server with Mojolicious' user agent, and our client with a Mojolicious server: text with
# non-ASCII UTF-8, all 256 byte values, messages over 64 KiB, and the close code and reason
# seen on each side (t/interop/Interop.pm has the script both sides follow).

Interop::need( 'Mojolicious (8.0 or later)', Interop::runs( $^X, '-e', 'use Mojolicious 8.0; use Mojo::UserAgent' ),
    'apt-get install libmojolicious-perl, or cpanm Mojolicious' );

Interop::announce( 'Mojolicious', $^X, '-MMojolicious', '-e', 'print "$Mojolicious::VERSION\\n"' );

Interop::our_server_with( 'Mojolicious', [ $^X, "$Interop::DIR/mojo_client.pl" ] );
Interop::our_client_with( 'Mojolicious', [ $^X, "$Interop::DIR/mojo_server.pl" ] );

done_testing;
