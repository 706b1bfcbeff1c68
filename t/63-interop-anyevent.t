use strict;
use warnings;
use FindBin ();
use lib "$FindBin::Bin/interop";
use Test::More;
use Interop;

# Our server with AnyEvent::WebSocket::Client: text with non-ASCII UTF-8, all 256 byte values,
# messages over 64 KiB, and the close code and reason seen on each side (t/interop/Interop.pm
# has the script both sides follow).

Interop::need( 'AnyEvent::WebSocket::Client (0.40 or later)', Interop::runs( $^X, '-e', 'use AnyEvent::WebSocket::Client 0.40' ),
    'apt-get install libanyevent-websocket-client-perl, or cpanm AnyEvent::WebSocket::Client' );

Interop::announce( 'AnyEvent::WebSocket::Client', $^X, '-MAnyEvent::WebSocket::Client', '-e', 'print "$AnyEvent::WebSocket::Client::VERSION\\n"' );

Interop::our_server_with( 'AnyEvent::WebSocket', [ $^X, "$Interop::DIR/anyevent_client.pl" ] );

done_testing;
