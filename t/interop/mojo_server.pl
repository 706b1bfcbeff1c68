#!/usr/bin/env perl
# Mojolicious server of t/62-interop-mojo.t; the script is in t/interop/Interop.pm.
# Listens on 127.0.0.1 on a port the kernel picks and prints it first.
use strict;
use warnings;
use FindBin ();
use lib $FindBin::Bin;
use Peer qw( $MAX_SIZE digest report );
use Mojolicious::Lite;
use Mojo::IOLoop;
use Mojo::Server::Daemon;

my $serial = 0;
websocket '/' => sub
{
    my $c = shift( @_ );
    my $n = ++$serial;
    $c->inactivity_timeout( 30 );
    $c->tx->max_websocket_size( $MAX_SIZE );
    $c->on( text => sub
    {
        my( $c, $bytes ) = @_;
        report( conn => $n, event => 'message', %{ digest( binary => $bytes ) }, type => 'text' );
        return( $c->finish( 4001, 'server says bye' ) ) if( $bytes eq 'close me' );
        $c->send({ text => $bytes });
    });
    $c->on( binary => sub
    {
        my( $c, $bytes ) = @_;
        report( conn => $n, event => 'message', %{ digest( binary => $bytes ) } );
        $c->send({ binary => $bytes });
    });
    # Mojolicious passes the code and reason of the last Close frame (1006: none came).
    $c->on( finish => sub
    {
        my( $c, $code, $reason ) = @_;
        report( conn => $n, event => 'close', rcvd => ( $code == 1006 ? undef : [ $code, $reason // '' ] ),
            clean => ( $code == 1006 ? JSON::PP::false : JSON::PP::true ) );
    });
};

app->log->level( 'fatal' );
my $daemon = Mojo::Server::Daemon->new( app => app, listen => [ 'http://127.0.0.1:0' ], silent => 1 );
$daemon->start;
report( event => 'listening', port => $daemon->ports->[0] );
Mojo::IOLoop->timer( 120 => sub{ Mojo::IOLoop->stop } );
Mojo::IOLoop->start;
