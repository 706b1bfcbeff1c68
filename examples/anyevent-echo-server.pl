#!/usr/bin/env perl
# An echo server driven by AnyEvent instead of WebSocket::Server->start, through the adapter
# WebSocket::Loop::AnyEvent: the engine's reactor is one more watcher in AnyEvent's loop,
# beside the program's own timers and watchers.
#
#   perl -Mblib examples/anyevent-echo-server.pl [--host 127.0.0.1] [--port 8080]
#
# It prints "listening on ws://HOST:PORT/" once ready, echoes text and binary messages, and
# answers the text message "ticks" with how many times its own AnyEvent timer (every 0.1 s) has
# fired, which shows the host loop's timers running while WebSocket traffic is served.
use strict;
use warnings;
use AnyEvent;
use Getopt::Long;
use IO::Handle;
use WebSocket::Loop::AnyEvent;
use WebSocket::Server;

my $host = '127.0.0.1';
my $port = 8080;
GetOptions( 'host=s' => \$host, 'port=i' => \$port ) || die( "usage: $0 [--host HOST] [--port PORT]\n" );

my $ticks = 0;
my $open  = 0;    # connections not yet closed
my $server = WebSocket::Server->new(
    host        => $host,
    port        => $port,
    silence_max => 0,
    on_connect  => sub
    {
        my( $server, $conn ) = @_;
        $conn->max_recv_size( 16 * 1024 * 1024 );
        $conn->max_send_size( 16 * 1024 * 1024 );
        $open++;
        $conn->on(
            utf8       => sub { my( $c, $msg ) = @_; $c->send_utf8( $msg eq 'ticks' ? "ticks $ticks" : $msg ) },
            binary     => sub { my( $c, $bytes ) = @_; $c->send_binary( $bytes ) },
            disconnect => sub { $open-- },
        );
    },
) || die( WebSocket::Server->error, "\n" );
$server->start_listening || die( $server->error, "\n" );

# AnyEvent drives the engine from here on: WebSocket::Loop::AnyEvent watches the reactor's
# descriptor and keeps one timer for its next deadline.
my $driver = WebSocket::Loop::AnyEvent->attach;

# The program's own watcher, running alongside.
my $tick = AnyEvent->timer( after => 0.1, interval => 0.1, cb => sub { $ticks++ } );

my $quit = AnyEvent->condvar;
my $int  = AnyEvent->signal( signal => 'INT', cb => sub { $quit->send } );
my $term = AnyEvent->signal( signal => 'TERM', cb => sub { $quit->send } );
printf( "listening on ws://%s:%d/\n", $host, $server->port );
STDOUT->flush;
$quit->recv;

# Close every client with 1001 and give them a moment to answer, still under AnyEvent.
$server->shutdown;
my $closed = AnyEvent->condvar;
my $give_up = AnyEvent->timer( after => 5, cb => sub { $closed->send } );
my $check = AnyEvent->timer( after => 0, interval => 0.05, cb => sub { $closed->send if( !$open ) } );
$closed->recv;
