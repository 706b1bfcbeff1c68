#!/usr/bin/env perl
# Checks the peer scripts themselves, with nothing of ours in the loop: every peer client
# against every peer server, with the checks of t/6*-interop-*.t. When an interop test fails,
# this tells whether the peer side is sound. Run from the distribution's top directory:
#   perl t/interop/cross-check.pl
use strict;
use warnings;
use FindBin ();
use lib $FindBin::Bin;
use Test::More;
use Interop;

alarm( 900 );    # thirteen runs: more than the 240 seconds one test file gets
my $d = $Interop::DIR;
my %client = (
    'Python websockets'   => [ 'python3', '-B', "$d/python_client.py" ],
    'Node ws'             => [ 'node', "$d/node_client.js" ],
    'Mojolicious'         => [ $^X, "$d/mojo_client.pl" ],
    'AnyEvent::WebSocket' => [ $^X, "$d/anyevent_client.pl" ],
);
my %server = (
    'Python websockets' => [ 'python3', '-B', "$d/python_server.py" ],
    'Node ws'           => [ 'node', "$d/node_server.js" ],
    'Mojolicious'       => [ $^X, "$d/mojo_server.pl" ],
);
# Defects of the peers themselves, seen here (they are TODO checks, not failures). Neither
# touches a run with our server: the first needs a server that closes on EOF, and the second
# is checked on a peer server only.
my $ae = 'AnyEvent::WebSocket';
my %known = (
    "$ae client, Mojolicious server" => { client_close => 'AnyEvent::WebSocket::Client shuts down its write side after sending Close, and Mojolicious drops the connection at that EOF before its Close reply leaves' },
    map{ ( "$ae client, $_ server" => { server_close => 'AnyEvent::WebSocket::Client 0.54 answers a Close frame with the code 1005, which RFC 6455 7.4.1 forbids on the wire' } ) } 'Python websockets', 'Node ws',
);
for my $c ( sort( keys( %client ) ) )
{
    for my $s ( sort( keys( %server ) ) )
    {
        Interop::peers( $c, $client{ $c }, $s, $server{ $s }, %{ $known{ "$c client, $s server" } || {} } );
    }
}
Interop::chromium_with( 'Python websockets echo server', $server{'Python websockets'} ) if( -x ( $ENV{CHROMIUM} || '/usr/bin/chromium' ) );
done_testing;
