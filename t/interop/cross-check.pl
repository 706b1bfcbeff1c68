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

alarm( 900 );    # seventeen runs: more than the 240 seconds one test file gets
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
# The TLS and deflate runs of t/66 and t/67 between the Python and Node peers: wss:// verified
# against a test CA, permessage-deflate negotiated and compressed frames both ways.
if( eval{ require lib; lib->import( "$FindBin::Bin/../lib" ); require TestTLS; TestTLS::openssl_ok() } )
{
    my $pki = TestTLS->new;
    my @cert = ( '--cert', $pki->file( 'server-chain.pem' ), '--key', $pki->file( 'server.key' ) );
    my %c = ( 'Python websockets' => $client{'Python websockets'}, 'Node ws' => $client{'Node ws'} );
    for my $c ( sort( keys( %c ) ) )
    {
        for my $s ( 'Python websockets', 'Node ws' )
        {
            Interop::exchange( label => "$c client, $s server, wss:// and permessage-deflate",
                server_name => "$s server", server => { cmd => [ @{ $server{ $s } }, @cert, '--deflate' ] },
                client_name => "$c client", client => sub{ { cmd => [ @{ $c{ $c } }, '--ca', $pki->file( 'ca.pem' ), '--deflate', $_[0] ] } },
                url => sub{ "wss://localhost:$_[0]/" }, expect => { extensions => qr/^permessage-deflate/, compressed => 1 } );
        }
    }
}
Interop::chromium_with( 'Python websockets echo server', $server{'Python websockets'} ) if( -x ( $ENV{CHROMIUM} || '/usr/bin/chromium' ) );
done_testing;
