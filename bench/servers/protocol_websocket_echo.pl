#!/usr/bin/perl
# Echo server for bench/: Protocol::WebSocket (the CPAN parser/builder) driven by
# a plain IO::Select loop over blocking sockets, written the way its SYNOPSIS
# suggests. Echoes text and binary messages unchanged, answers pings and closes.
#
#   perl protocol_websocket_echo.pl [--host 127.0.0.1] [--port 9003]
#
# Prints "listening on ws://HOST:PORT/" once it accepts connections.
use strict;
use warnings;
use Getopt::Long;
use IO::Select;
use IO::Socket::INET;
use Protocol::WebSocket::Handshake::Server;

my ($host, $port) = ('127.0.0.1', 9003);
GetOptions('host=s' => \$host, 'port=i' => \$port)
    or die "usage: $0 [--host IP] [--port PORT]\n";

# The module's default limit is 64 KiB per frame; allow larger messages.
my $MAX = 16 * 1024 * 1024;

my $listen = IO::Socket::INET->new(
    LocalAddr => $host, LocalPort => $port, Listen => 1024, ReuseAddr => 1,
) or die "listen on $host:$port: $@\n";
$| = 1;
print "listening on ws://$host:", $listen->sockport, "/\n";
$SIG{PIPE} = 'IGNORE';

my $sel = IO::Select->new($listen);
my %conn;    # fileno => { sock, hs, frame }

sub write_all {
    my ($fh, $data) = @_;
    while (length $data) {
        my $n = syswrite($fh, $data);
        return 0 unless $n;
        substr($data, 0, $n, '');
    }
    return 1;
}

sub drop {
    my ($fh) = @_;
    delete $conn{ fileno $fh };
    $sel->remove($fh);
    close $fh;
}

while (1) {
    for my $fh ($sel->can_read) {
        if ($fh == $listen) {
            my $sock = $listen->accept or next;
            $sel->add($sock);
            $conn{ fileno $sock } = { sock => $sock, hs => Protocol::WebSocket::Handshake::Server->new };
            next;
        }
        my $c = $conn{ fileno $fh };
        my $n = sysread($fh, my $buf, 65536);
        unless ($n) { drop($fh); next }

        my $hs = $c->{hs};
        unless ($c->{frame}) {
            unless ($hs->parse($buf)) { drop($fh); next }
            next unless $hs->is_done;
            write_all($fh, $hs->to_string) or do { drop($fh); next };
            $c->{frame} = $hs->build_frame(max_payload_size => $MAX);
            next unless length $buf;    # what followed the request, if anything
        }

        my $frame = $c->{frame};
        $frame->append($buf);
        my $ok = eval {
            while (defined(my $msg = $frame->next_bytes)) {
                if ($frame->is_close) {
                    write_all($fh, $hs->build_frame(type => 'close')->to_bytes);
                    return 0;
                }
                my $reply =
                    $frame->is_text   ? $hs->build_frame(type => 'text',   buffer => $msg, max_payload_size => $MAX)
                  : $frame->is_binary ? $hs->build_frame(type => 'binary', buffer => $msg, max_payload_size => $MAX)
                  : $frame->is_ping   ? $hs->build_frame(type => 'pong',   buffer => $msg)
                  :                     next;
                write_all($fh, $reply->to_bytes) or return 0;
            }
            1;
        };
        drop($fh) unless $ok;
    }
}
