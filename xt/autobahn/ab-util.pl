#!/usr/bin/env perl
# Small helpers for run.sh (core Perl only).
#   ab-util.pl free-port                       print a free TCP port on 127.0.0.1
#   ab-util.pl wait-port HOST PORT SECS [PID]  wait until HOST:PORT accepts TCP;
#                                              exit 1 on timeout, 3 if PID died first
#   ab-util.pl wscall HOST PORT PATH [SECS]    open ws://HOST:PORT/PATH, print every
#                                              text message (one a line), answer the close
use strict;
use warnings;
use IO::Socket::INET;
use Time::HiRes qw(sleep time);

my $cmd = shift // '';
if ($cmd eq 'free-port') {
    my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0, Listen => 1, ReuseAddr => 1)
        or die "free-port: $!\n";
    print $s->sockport, "\n";
    exit 0;
}
if ($cmd eq 'wait-port') {
    my ($host, $port, $secs, $pid) = @ARGV;
    my $end = time + $secs;
    while (1) {
        my $s = IO::Socket::INET->new(PeerAddr => $host, PeerPort => $port, Proto => 'tcp', Timeout => 2);
        if ($s) { close $s; exit 0 }
        exit 3 if $pid && !kill(0, $pid);
        exit 1 if time > $end;
        sleep 0.1;
    }
}
if ($cmd eq 'wscall') {
    my ($host, $port, $path, $secs) = @ARGV;
    $secs ||= 300;
    local $SIG{ALRM} = sub { die "wscall: timeout after ${secs}s\n" };
    alarm $secs;
    my $s = IO::Socket::INET->new(PeerAddr => $host, PeerPort => $port, Proto => 'tcp')
        or die "wscall: connect $host:$port: $!\n";
    binmode $s;
    my $key = join '', map { chr int rand 256 } 1 .. 16;
    require MIME::Base64;
    $key = MIME::Base64::encode_base64($key, '');
    print $s "GET $path HTTP/1.1\r\nHost: $host:$port\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           . "Sec-WebSocket-Key: $key\r\nSec-WebSocket-Version: 13\r\n\r\n";
    my $buf = '';
    while (index($buf, "\r\n\r\n") < 0) {
        sysread($s, $buf, 4096, length $buf) or die "wscall: closed during handshake\n";
    }
    my ($head, $rest) = split /\r\n\r\n/, $buf, 2;
    $buf = $rest;
    die "wscall: handshake refused: $head\n" unless $head =~ m{^HTTP/1\.1 101 };
    my $need = sub {
        my $n = shift;
        while (length $buf < $n) { sysread($s, $buf, 65536, length $buf) or return }
        return substr($buf, 0, $n, '');
    };
    while (defined(my $h = $need->(2))) {
        my ($b0, $b1) = unpack 'CC', $h;
        my $n = $b1 & 0x7f;
        $n = unpack 'n', ($need->(2) // last) if $n == 126;
        $n = unpack 'Q>', ($need->(8) // last) if $n == 127;
        my $payload = $need->($n) // last;
        my $op = $b0 & 0x0f;
        if ($op == 1) { print "$payload\n" }
        elsif ($op == 8) { syswrite $s, "\x88\x80" . pack('N', int rand 2**32); last }
    }
    close $s;
    exit 0;
}
die "usage: ab-util.pl free-port | wait-port HOST PORT SECS [PID] | wscall HOST PORT PATH [SECS]\n";
