#!/usr/bin/env perl
# Mojolicious user agent of t/62-interop-mojo.t; the script is in t/interop/Interop.pm.
# Usage: perl mojo_client.pl ws://127.0.0.1:PORT/
use strict;
use warnings;
use FindBin ();
use lib $FindBin::Bin;
use Encode ();
use Peer qw( @MESSAGES $MAX_SIZE digest report );
use Mojo::IOLoop;
use Mojo::UserAgent;

my $url = shift( @ARGV );
my $ua = Mojo::UserAgent->new( connect_timeout => 10, inactivity_timeout => 30 );

# Mojolicious passes the code and reason of the last Close frame (1006: none came).
sub close_report
{
    my( $code, $reason ) = @_;
    return( rcvd => ( $code == 1006 ? undef : [ $code, $reason // '' ] ), clean => ( $code == 1006 ? JSON::PP::false : JSON::PP::true ) );
}

sub open_ws
{
    my( $conn, $on_open, $on_finish ) = @_;
    $ua->websocket( $url => sub
    {
        my( $ua, $tx ) = @_;
        if( !$tx->is_websocket )
        {
            report( conn => $conn, event => 'error', message => 'handshake failed: ' . ( $tx->error->{message} // '?' ) );
            return( Mojo::IOLoop->stop );
        }
        $tx->max_websocket_size( $MAX_SIZE );
        $tx->on( finish => sub{ my( $tx, $code, $reason ) = @_; report( conn => $conn, event => 'close', close_report( $code, $reason ) ); $on_finish->() } );
        $on_open->( $tx );
    });
}

# Connection 1: four messages echoed back, then our close 1000 'bye'.
open_ws( 1, sub
{
    my $tx = shift( @_ );
    my $got = 0;
    my $seen = sub
    {
        my( $type, $tx, $bytes ) = @_;
        report( conn => 1, event => 'message', %{ digest( binary => $bytes ) }, type => $type );
        $tx->finish( 1000, 'bye' ) if( ++$got == @MESSAGES );
    };
    $tx->on( text => sub{ $seen->( text => @_ ) } );
    $tx->on( binary => sub{ $seen->( binary => @_ ) } );
    $tx->send({ $_->[0] => $_->[0] eq 'text' ? Encode::encode( 'UTF-8', $_->[1] ) : $_->[1] }) for( @MESSAGES );
},
# Connection 2: the server closes.
sub
{
    open_ws( 2, sub
    {
        my $tx = shift( @_ );
        $tx->on( message => sub{ report( conn => 2, event => 'error', message => 'unexpected message' ) } );
        $tx->send( 'close me' );
    },
    sub
    {
        report( event => "done" );
        Mojo::IOLoop->timer( 1 => sub{ Mojo::IOLoop->stop } );
    });
});
Mojo::IOLoop->timer( 60 => sub{ report( event => 'error', message => 'timed out' ); Mojo::IOLoop->stop } );
Mojo::IOLoop->start;
