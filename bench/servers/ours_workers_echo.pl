#!/usr/bin/perl
# Our server for the workers scenarios of bench/ (b_2cores, b_app): the echo of
# examples/echo-server.pl, served by 1 or N worker processes, with an optional Perl
# application workload per message.
#
#   perl -Mblib bench/servers/ours_workers_echo.pl [--host 127.0.0.1] [--port 9005]
#       [--workers N] [--shared-socket] [--app json]
#
# --workers N      WebSocket::Server's workers option. By default the server is given host and
#                  port, so it opens one SO_REUSEPORT socket per worker and the kernel hashes
#                  each new connection to one of them.
# --shared-socket  Listen first and give the server that one socket (`listen => $sock`), as
#                  examples/echo-server.pl does: all workers then accept on the same socket.
# --app json       Every text message is a JSON document: decode it with JSON::PP (pure Perl,
#                  a core module), check that "type" is "order" and "items" a non-empty array of
#                  objects with a numeric "qty", then echo the original text unchanged. A
#                  document that fails the check gets {"error":...} back instead, so the load
#                  generator, which compares every echo byte for byte, reports it.
#
# Prints "listening on ws://HOST:PORT/" once connections are accepted (in the parent when
# there are workers). At shutdown each serving process writes one line to stderr:
# "worker PID: C connections, M messages" (the harness counts the split itself from /proc).
use strict;
use warnings;
use Getopt::Long ();
use IO::Socket::IP;
use JSON::PP ();
use WebSocket::Server;

my ($host, $port, $workers, $shared, $app) = ('127.0.0.1', 9005, 1, 0, '');
Getopt::Long::GetOptions(
    'host=s'        => \$host,
    'port=i'        => \$port,
    'workers=i'     => \$workers,
    'shared-socket' => \$shared,
    'app=s'         => \$app,
) or die "usage: $0 [--host IP] [--port PORT] [--workers N] [--shared-socket] [--app json]\n";
die "--app: only 'json' is known\n" if length $app && $app ne 'json';

my $json = JSON::PP->new;
my ($n_conns, $n_msgs) = (0, 0);

# The application work: a whole JSON::PP decode and a check of the result.
sub order_error {
    my ($text) = @_;
    my $doc = eval { $json->decode($text) };
    return "not JSON: " . ($@ =~ s/ at \S+ line \d+.*//sr) unless $doc;
    return 'not an object' unless ref $doc eq 'HASH';
    return '"type" is not "order"' unless ($doc->{type} // '') eq 'order';
    my $items = $doc->{items};
    return '"items" is not a non-empty array' unless ref $items eq 'ARRAY' && @$items;
    for my $i (@$items) {
        return 'an item without a numeric "qty"'
            unless ref $i eq 'HASH' && defined $i->{qty} && $i->{qty} =~ /^\d+$/;
    }
    return;
}

my $on_text = $app eq 'json'
    ? sub {
        my ($conn, $text) = @_;
        $n_msgs++;
        my $err = order_error($text);
        $conn->send_utf8(defined $err ? $json->encode({ error => $err }) : $text);
    }
    : sub { $n_msgs++; $_[0]->send_utf8($_[1]) };

my $sock;
if ($shared) {
    $sock = IO::Socket::IP->new(LocalHost => $host, LocalPort => $port, Listen => 1024, ReuseAddr => 1)
        or die "Cannot listen on ${host}:${port}: $@\n";
}

$| = 1;
my $server = WebSocket::Server->new(
    ($sock ? (listen => $sock) : (host => $host, port => $port)),
    workers     => $workers,
    silence_max => 0,    # an echo server speaks only when spoken to
    on_listening => sub {
        my ($s) = @_;
        print "listening on ws://$host:", $s->port, "/\n";
    },
    on_connect  => sub {
        my ($server, $conn) = @_;
        $n_conns++;
        $conn->max_recv_size(64 * 1024 * 1024);
        $conn->max_send_size(64 * 1024 * 1024);
        $conn->on(
            utf8   => $on_text,
            binary => sub { $n_msgs++; $_[0]->send_binary($_[1]) },
        );
        return 1;
    },
    on_shutdown => sub { print STDERR "worker $$: $n_conns connections, $n_msgs messages\n" },
) || die(WebSocket::Server->error, "\n");

$SIG{TERM} = $SIG{INT} = sub { $server->shutdown };
$server->start || die($server->error, "\n");
