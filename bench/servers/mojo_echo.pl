#!/usr/bin/perl
# Echo server for bench/: Mojolicious::Lite, one process (the built-in daemon).
# Echoes text and binary messages unchanged (as bytes, no decode/encode).
#
#   perl mojo_echo.pl [--host 127.0.0.1] [--port 9004] [--cert FILE --key FILE] [--deflate]
#
# --cert/--key (PEM): serve wss:// (Mojo's https listener, IO::Socket::SSL/OpenSSL, default
# options). --deflate: accept permessage-deflate ($tx->with_compression: Mojo's defaults,
# every message compressed, no size threshold).
#
# Prints "listening on ws://HOST:PORT/" (wss:// with --cert) once it accepts connections.
use Mojolicious::Lite -signatures;
use Getopt::Long qw(GetOptionsFromArray);

my ($host, $port) = ('127.0.0.1', 9004);
my ($cert, $key, $deflate);
GetOptionsFromArray(\@ARGV, 'host=s' => \$host, 'port=i' => \$port, 'cert=s' => \$cert, 'key=s' => \$key,
    'deflate' => \$deflate)
    or die "usage: $0 [--host IP] [--port PORT] [--cert FILE --key FILE] [--deflate]\n";
die "--cert and --key go together\n" if defined($cert) != defined($key);

# Room for the 64 KiB messages (default limit 256 KiB; be explicit).
$ENV{MOJO_MAX_WEBSOCKET_SIZE} = 16 * 1024 * 1024;

websocket '/' => sub ($c) {
    $c->inactivity_timeout(3600);    # idle connections stay open (scenario d)
    $c->tx->with_compression if $deflate;
    $c->on(text   => sub ($c, $bytes) { $c->send({text   => $bytes}) });
    $c->on(binary => sub ($c, $bytes) { $c->send({binary => $bytes}) });
};

app->mode('production');
app->log->level('fatal');
# Scenario d holds 10,000 connections; the daemon refuses more than 1000 by default.
my $listen = defined $cert ? "https://$host:$port?cert=$cert&key=$key" : "http://$host:$port";
my $daemon = Mojo::Server::Daemon->new(app => app, listen => [$listen], silent => 1, max_clients => 20000);
$daemon->start;
my ($bound) = @{ $daemon->ports };
$| = 1;
print "listening on ", (defined $cert ? 'wss' : 'ws'), "://$host:$bound/\n";
Mojo::IOLoop->start;
