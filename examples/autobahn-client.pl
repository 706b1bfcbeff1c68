#!/usr/bin/env perl
# The Autobahn|Testsuite client driver built on WebSocket::Client: run the fuzzingserver
# (wstest -m fuzzingserver), then
#
#   perl -Mblib examples/autobahn-client.pl --url ws://127.0.0.1:9001 [--agent NAME]
#
# It asks the server how many cases there are (/getCaseCount), runs each case
# (/runCase?case=N&agent=NAME) by echoing every text and binary message back unchanged until
# the server closes, and finally asks for the reports (/updateReports?agent=NAME).
use strict;
use warnings;
use Getopt::Long ();
use URI::Escape ();
use WebSocket::Client;

my $url        = 'ws://127.0.0.1:9001';
my $agent      = 'WebSocket-Perl';
my $extensions = '';
my $cases      = '';
my $quiet      = 0;
Getopt::Long::GetOptions(
    'url=s'        => \$url,
    'agent=s'      => \$agent,
    'extensions=s' => \$extensions,    # e.g. "permessage-deflate; client_max_window_bits"
    'cases=s'      => \$cases,         # e.g. "1-10,42": only these case numbers
    'quiet'        => \$quiet,
    'help'         => sub { print_usage(); exit(0) },
) || do { print_usage(); exit(2) };
$url =~ s{/+\z}{};
$| = 1;

# The largest Autobahn messages are 16 MiB; 9.* also sends them in thousands of fragments.
my $MAX_SIZE = 64 * 1024 * 1024;
my $agent_q  = URI::Escape::uri_escape( $agent );

# 1. How many cases
my $count;
{
    my $c = WebSocket::Client->new( "$url/getCaseCount", {
        timeout => 30,
        on_utf8 => sub { $count = $_[1] },
    }) || die( "getCaseCount: ", WebSocket::Client->error, "\n" );
    $c->connect || die( "getCaseCount: ", $c->error, "\n" );
    $c->start;
    die( "getCaseCount: the server sent no case count\n" ) if( !defined( $count ) || $count !~ /^\s*(\d+)\s*$/ );
    $count = $1;
}
print( "$count cases on $url (agent $agent)\n" );

my %only = map{ $_ => 1 } expand_cases( $cases );
my( $ran, $failed ) = ( 0, 0 );
# 2. Each case: echo until the server closes
for my $n ( 1 .. $count )
{
    next if( %only && !$only{ $n } );
    my $c;
    $c = WebSocket::Client->new( "$url/runCase?case=${n}&agent=${agent_q}", {
        max_payload_size     => $MAX_SIZE,
        max_fragments_amount => 0,
        timeout              => 60,
        ( length( $extensions ) ? ( extensions => $extensions ) : () ),
        on_utf8              => sub { $c->send_utf8( $_[1] ) },
        on_binary            => sub { $c->send_binary( $_[1] ) },
    }) || die( "case $n: ", WebSocket::Client->error, "\n" );
    my $t0 = time();
    if( !$c->connect )
    {
        # The report records what happened; go on with the next case.
        print( "case $n/$count: connect failed: ", $c->error->message, "\n" );
        $failed++;
        next;
    }
    $c->start;
    $ran++;
    print( "case $n/$count done", ( time() - $t0 > 1 ? sprintf( ' (%ds)', time() - $t0 ) : '' ), "\n" ) if( !$quiet );
}

# 3. Reports
{
    my $c = WebSocket::Client->new( "$url/updateReports?agent=${agent_q}", { timeout => 120 } ) ||
        die( "updateReports: ", WebSocket::Client->error, "\n" );
    $c->connect || die( "updateReports: ", $c->error, "\n" );
    $c->start;
}
print( "ran $ran cases", ( $failed ? ", $failed could not connect" : '' ), "; reports updated for agent $agent\n" );
exit(0);

sub expand_cases
{
    my $spec = shift( @_ );
    my @n;
    for my $part ( grep{ length } split( /\s*,\s*/, $spec ) )
    {
        if( $part =~ /^(\d+)-(\d+)$/ ) { push( @n, $1 .. $2 ); }
        elsif( $part =~ /^\d+$/ ) { push( @n, $part ); }
        else { die( "--cases: bad item \"$part\"\n" ); }
    }
    return( @n );
}

sub print_usage
{
    print <<"EOT";
Usage: $0 --url ws://127.0.0.1:9001 [--agent NAME] [--extensions STRING] [--cases 1-10,42] [--quiet]

Runs the Autobahn|Testsuite fuzzingserver cases against WebSocket::Client, echoing every
message back, then asks the server to write its reports for the agent.
EOT
}
