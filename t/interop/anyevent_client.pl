#!/usr/bin/env perl
# AnyEvent::WebSocket::Client of t/63-interop-anyevent.t; the script is in t/interop/Interop.pm.
# Usage: perl anyevent_client.pl ws://127.0.0.1:PORT/
use strict;
use warnings;
use FindBin ();
use lib $FindBin::Bin;
use Encode ();
use Peer qw( @MESSAGES $MAX_SIZE digest report );
use AnyEvent;
use AnyEvent::WebSocket::Client;
use AnyEvent::WebSocket::Message;

my $url = shift( @ARGV );
my $timer = AnyEvent->timer( after => 60, cb => sub{ report( event => 'error', message => 'timed out' ); exit( 1 ) } );
my $client = AnyEvent::WebSocket::Client->new( timeout => 10, max_payload_size => $MAX_SIZE );

# close_code and close_reason are those of the Close frame received, undef when none came.
sub close_report
{
    my $conn = shift( @_ );
    my $code = $conn->close_code;
    return( rcvd => ( defined( $code ) ? [ 0 + $code, $conn->close_reason // '' ] : undef ),
        clean => ( defined( $code ) ? JSON::PP::true : JSON::PP::false ) );
}

# Connection 1: four messages echoed back, then our close 1000 'bye'.
my $conn = $client->connect( $url )->recv;
my $echoed = AnyEvent->condvar;
my $got = 0;
$conn->on( each_message => sub
{
    my( $conn, $msg ) = @_;
    report( conn => 1, event => 'message', %{ digest( binary => $msg->body ) }, type => $msg->is_text ? 'text' : 'binary' );
    $echoed->send if( ++$got == @MESSAGES );
});
for my $m ( @MESSAGES )
{
    my $text = $m->[0] eq 'text';
    $conn->send( AnyEvent::WebSocket::Message->new( opcode => $text ? 1 : 2, body => $text ? Encode::encode( 'UTF-8', $m->[1] ) : $m->[1] ) );
}
$echoed->recv;
my $finished = AnyEvent->condvar;
$conn->on( finish => sub{ $finished->send } );
$conn->close( 1000, 'bye' );
$finished->recv;
report( conn => 1, event => 'close', close_report( $conn ) );

# Connection 2: the server closes.
$conn = $client->connect( $url )->recv;
$finished = AnyEvent->condvar;
$conn->on( each_message => sub{ report( conn => 2, event => 'error', message => 'unexpected message' ) } );
$conn->on( finish => sub{ $finished->send } );
$conn->send( 'close me' );
$finished->recv;
report( conn => 2, event => 'close', close_report( $conn ) );
report( event => 'done' );
