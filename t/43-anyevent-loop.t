use strict;
use warnings;
use Test::More;
use IO::Handle;
use WebSocket::Client;

# examples/anyevent-echo-server.pl: the reactor driven by AnyEvent (WebSocket::Loop::AnyEvent),
# with one of AnyEvent's own timers running at the same time. The server runs in its own
# process; the client here is ours.
eval{ require AnyEvent; 1 } || plan( skip_all => 'AnyEvent is not installed' );
local $SIG{ALRM} = sub { die( "timed out\n" ) };
alarm( 60 );

my $pid = open( my $out, '-|', $^X, '-Mblib', 'examples/anyevent-echo-server.pl', '--port', 0 ) // die( "fork: $!" );
my $line = <$out>;
like( $line, qr{^listening on ws://127\.0\.0\.1:(\d+)/$}, 'the example announces its address' );
my( $port ) = $line =~ /:(\d+)\//;

my @got;
my $c = WebSocket::Client->new( "ws://127.0.0.1:$port/", { max_payload_size => 0, on_utf8 => sub { push( @got, $_[1] ) }, on_binary => sub { push( @got, $_[1] ) } } ) || die( WebSocket::Client->error );
ok( $c->connect, 'connected to the AnyEvent-driven server' ) || diag( $c->error );
ok( $c->send_utf8( "h\x{e9}llo" ), 'text sent' );
$c->listen( sub { @got < 1 } );
is( $got[0], "h\x{e9}llo", 'text echoed' );
my $bin = join( '', map{ chr( $_ ) } 0 .. 255 ) x 300;
ok( $c->send_binary( $bin ), 'binary sent' ) || diag( $c->error );
$c->listen( sub { @got < 2 } );
ok( $got[1] eq $bin, 'binary echoed (76800 bytes)' );
select( undef, undef, undef, 0.5 );
ok( $c->send_utf8( 'ticks' ), 'question sent' );
$c->listen( sub { @got < 3 } );
my( $ticks ) = ( $got[2] // '' ) =~ /^ticks (\d+)$/;
cmp_ok( $ticks // 0, '>=', 3, "AnyEvent's own timer kept firing ($got[2])" );
$c->disconnect( 1000, 'bye' );
$c->listen( sub { 0 } );

# TERM with a client connected: it gets 1001, and the example exits once it has answered.
my @closed;
my $d = WebSocket::Client->new( "ws://127.0.0.1:$port/", { on_disconnect => sub { push( @closed, $_[1] ) } } ) || die( WebSocket::Client->error );
ok( $d->connect, 'a second client connected' ) || diag( $d->error );
my $t0 = time();
kill( 'TERM', $pid );
$d->listen( sub { !@closed } );
is( $closed[0], 1001, 'TERM: the connected client is closed with 1001' );
waitpid( $pid, 0 );
is( $? >> 8, 0, 'the example exits cleanly on TERM' );
cmp_ok( time() - $t0, '<=', 3, '... once its client answered, not after its 5 s limit' );
alarm( 0 );
done_testing();
