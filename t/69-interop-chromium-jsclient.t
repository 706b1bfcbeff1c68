use strict;
use warnings;
use FindBin ();
use lib "$FindBin::Bin/interop";
use Encode ();
use IO::Socket::INET;
use Test::More;
use Time::HiRes ();
use Interop;

# The browser client library examples/websocket.js in headless Chromium (Debian's chromium,
# driven by playwright-core), against WebSocket::Server. A small HTTP server of ours serves
# t/interop/jsclient.html and examples/websocket.js; the page (jsclient_driver.js runs its
# steps) uses WebSocketClient against our server, which echoes every message and answers a
# JSON one with { echo => the message, token => its "csrf" field }:
#   - JSON, text and binary round trips; the token hook adds the current token to each JSON
#     message; sends made before the connection opens are queued and arrive in order;
#     the queue limit refuses what goes beyond it;
#   - the test kills the server: the page sees close then reconnecting; a message sent while
#     disconnected is queued; the test starts the server again on the same port: the page
#     reconnects after backoff and the message arrives;
#   - an explicit close() does not reconnect, nor does a close with 4001 from the server.

Interop::need_chromium();

my $top = "$FindBin::Bin/..";

# The port of the WebSocket server, the same for both of its runs.
my $probe = IO::Socket::INET->new( LocalAddr => '127.0.0.1', LocalPort => 0, Listen => 1, ReuseAddr => 1 ) || die( "listen: $!" );
my $WS_PORT = $probe->sockport;
close( $probe );

sub ws_server
{
    my $run = shift( @_ );
    return( Interop::spawn( name => "WebSocket server (run $run)", code => sub
    {
        require WebSocket::Server;
        require JSON::PP;
        binmode( STDOUT, ":encoding(UTF-8)" );
        my $json = JSON::PP->new->canonical;
        my $sock;
        for( 1 .. 50 )
        {
            last if( $sock = IO::Socket::INET->new( LocalAddr => '127.0.0.1', LocalPort => $WS_PORT, Listen => 16, Proto => 'tcp', ReuseAddr => 1 ) );
            Time::HiRes::sleep( 0.1 );
        }
        $sock || die( "Cannot listen on 127.0.0.1:$WS_PORT: $!\n" );
        my $n = 0;
        my $server = WebSocket::Server->new(
            listen      => $sock,
            silence_max => 0,
            on_connect  => sub
            {
                my( $server, $conn ) = @_;
                my $id = ++$n;
                $conn->on(
                    ready => sub{ Interop::report( run => $run, conn => $id, event => 'open' ) },
                    utf8  => sub
                    {
                        my( $c, $msg ) = @_;
                        my $obj = $msg =~ /^\{/ ? eval{ $json->decode( $msg ) } : undef;
                        Interop::report( run => $run, conn => $id, event => 'message', type => 'text', ( $obj ? ( json => $obj ) : ( text => $msg ) ) );
                        if( $obj && ( $obj->{cmd} // '' ) eq 'close4001' )
                        {
                            $c->disconnect( 4001, 'policy: go away' );
                        }
                        elsif( $obj )
                        {
                            $c->send_utf8( $json->encode( { echo => $obj, token => $obj->{csrf} } ) );
                        }
                        else
                        {
                            $c->send_utf8( $msg );
                        }
                    },
                    binary => sub
                    {
                        my( $c, $msg ) = @_;
                        Interop::report( run => $run, conn => $id, event => 'message', type => 'binary', length => length( $msg ) );
                        $c->send_binary( $msg );
                    },
                    disconnect => sub
                    {
                        my( $c, $code, $reason ) = @_;
                        Interop::report( run => $run, conn => $id, event => 'close', rcvd => [ 0 + ( $code // 0 ), "" . ( $reason // '' ) ] );
                    },
                );
                return( 1 );
            },
        ) || die( 'WebSocket::Server->new: ' . WebSocket::Server->error . "\n" );
        Interop::report( event => 'listening', port => $sock->sockport );
        $server->start || die( 'start: ' . $server->error . "\n" );
    }));
}

# A tiny HTTP server: GET /jsclient.html and /websocket.js, one request per connection.
my $http = Interop::spawn( name => 'HTTP server', code => Interop::static_http( {
    '/jsclient.html' => [ "$Interop::DIR/jsclient.html", 'text/html; charset=utf-8' ],
    '/websocket.js'  => [ "$top/examples/websocket.js", 'text/javascript; charset=utf-8' ],
} ) );

subtest 'examples/websocket.js in headless Chromium against WebSocket::Server' => sub
{
    my $srv1 = ws_server( 1 );
    my $ok = Interop::wait_for( [ $srv1, $http ], sub{ Interop::listening_port( $srv1 ) && Interop::listening_port( $http ) }, 20 );
    if( !ok( $ok, 'the WebSocket and HTTP servers listen' ) )
    {
        diag( Interop::transcript( $srv1 ), Interop::transcript( $http ) );
        return;
    }
    my $page = 'http://127.0.0.1:' . Interop::listening_port( $http ) . '/jsclient.html';
    my $drv = Interop::spawn( name => 'Chromium page', cmd => [ 'node', "$Interop::DIR/jsclient_driver.js", $page, "ws://127.0.0.1:$WS_PORT/" ] );
    my $fatal = sub{ Interop::events( $drv, event => 'error' ) || $drv->{eof} };

    Interop::wait_for( [ $drv, $srv1 ], sub{ Interop::events( $drv, event => 'phase1' ) || $fatal->() }, 40 );
    Interop::stop( $srv1 );   # killed: no closing handshake
    Interop::wait_for( [ $drv ], sub{ Interop::events( $drv, event => 'down' ) || $fatal->() }, 15 );
    Time::HiRes::sleep( 1 );  # a few reconnection attempts fail meanwhile
    my $srv2 = ws_server( 2 );
    Interop::wait_for( [ $drv, $srv2 ], sub{ Interop::events( $drv, event => 'done' ) || $fatal->() }, 30 );
    Interop::stop( $_ ) for( $drv, $srv2, $http );

    my $failed = 0;
    my $check = sub{ $_[0] || $failed++ };
    my( $done ) = Interop::events( $drv, event => 'done' );
    $check->( ok( $done, 'the page ran to the end' ) );
    note( "browser: $done->{browser}" ) if( $done );
    $check->( ok( !Interop::events( $drv, event => 'error' ), 'no error' ) );
    my( $p1 ) = Interop::events( $drv, event => 'phase1' );
    my( $down ) = Interop::events( $drv, event => 'down' );
    my( $back ) = Interop::events( $drv, event => 'back' );
    my( $final ) = Interop::events( $drv, event => 'final' );
    $_ ||= {} for( $p1, $down, $back, $final );

    # Phase 1 (Interop.pm decodes the report lines as bytes: text comes back as UTF-8 bytes)
    $check->( is_deeply( $p1->{queueLimit}, { sends => [ JSON::PP::true(), JSON::PP::true(), JSON::PP::false() ], queued => 2, errors => [ 'queue-full' ] },
        'beyond queueLimit, send returns false and emits error "queue-full"' ) );
    $check->( is( $p1->{stateBeforeOpen}, 0, 'the client is CONNECTING right after construction' ) );
    $check->( is( $p1->{queuedBeforeOpen}, 4, 'the four sends before open are queued' ) );
    $check->( is_deeply( $p1->{received}, [
        { kind => 'json', value => { echo => { seq => 1, text => Encode::encode( "UTF-8", "h\x{e9}llo \x{2603}" ), csrf => 'T-1' }, token => 'T-1' } },
        { kind => 'text', text => 'plain text 2' },
        { kind => 'json', value => { echo => { seq => 3, csrf => 'T-1' }, token => 'T-1' } },
        { kind => 'binary', length => 256, allBytesInOrder => JSON::PP::true(), isArrayBuffer => JSON::PP::true() },
        { kind => 'json', value => { echo => { seq => 5, csrf => 'T-2' }, token => 'T-2' } },
    ], 'queued sends arrive in order; JSON parsed, non-JSON text raw, binary as an ArrayBuffer; the token hook adds the current token' ) );
    my @s1 = map{ $_->{type} eq 'binary' ? 'binary' : ( $_->{json} ? "json:" . ( $_->{json}->{seq} // '' ) . ":" . ( $_->{json}->{csrf} // '' ) : "text:$_->{text}" ) }
        Interop::events( $srv1, event => 'message' );
    $check->( is_deeply( \@s1, [ 'json:1:T-1', 'text:plain text 2', 'json:3:T-1', 'binary', 'json:5:T-2' ], 'the server received them in order, with the token field' ) );

    # Server killed
    my @d = grep{ $_ ne 'error' } map{ $_->{ev} } @{ $down->{log} || [] };
    $check->( is_deeply( [ @d[0, 1] ], [ 'close', 'reconnecting' ], 'once the server is killed, the page sees close then reconnecting' ) );
    my( $c1 ) = grep{ $_->{ev} eq 'close' } @{ $down->{log} || [] };
    $check->( ok( $c1 && $c1->{code} == 1006 && !$c1->{wasClean} && $c1->{willReconnect}, 'the close event gives 1006, not clean, and willReconnect' ) ) || diag( explain( $c1 ) );
    $check->( ok( $down->{sent} && $down->{queued} == 1, 'a message sent while disconnected is queued' ) );

    # Reconnected
    my @b = @{ $back->{log} || [] };
    my @rec = grep{ $_->{ev} eq 'reconnecting' } @{ $down->{log} || [] }, @b;
    my @opens = grep{ $_->{ev} eq 'open' } @b;
    $check->( is( scalar( @opens ), 1, 'the page reconnects once the server is back' ) );
    $check->( ok( $opens[0] && $opens[0]->{reconnected}, 'the open event says reconnected' ) );
    $check->( is( ( grep{ $_->{ev} ne 'message' && $_->{ev} ne 'error' } @b )[-1]->{ev}, 'open', 'after close/reconnecting events, open comes last' ) ) if( @b );
    $check->( ok( @rec >= 2, 'more than one attempt while the server was down (' . scalar( @rec ) . ')' ) );
    my @delays = map{ $_->{delay} } @rec;
    my @want = map{ my $d = 200 * 2 ** ( $_ - 1 ); $d > 1000 ? 1000 : $d } 1 .. scalar( @rec );
    $check->( is_deeply( \@delays, \@want, "the delays grow exponentially up to the maximum (@delays)" ) );
    $check->( is_deeply( [ map{ $_->{attempt} } @rec ], [ 1 .. scalar( @rec ) ], 'the attempts are numbered' ) );
    $check->( is_deeply( $back->{received}, [ { kind => 'json', value => { echo => { seq => 'while-down', csrf => 'T-3' }, token => 'T-3' } } ],
        'the message sent while disconnected arrives after the reconnection' ) );
    $check->( is_deeply( [ map{ $_->{json} } Interop::events( $srv2, event => 'message', conn => 1 ) ], [ { seq => 'while-down', csrf => 'T-3' } ],
        'and the restarted server received it' ) );

    # close() and 4001
    my @ac = @{ $final->{afterClose} || [] };
    $check->( is_deeply( [ map{ [ $_->{ev}, $_->{code}, $_->{willReconnect}, $_->{finalReason} ] } @ac ], [ [ 'close', 1000, JSON::PP::false(), 'closed' ] ],
        'after close(): one close event (1000), no reconnection' ) );
    $check->( ok( !$final->{sendAfterClose}, 'send after close() returns false' ) );
    $check->( is( $final->{stateAfterClose}, 3, 'and the client stays CLOSED' ) );
    my @fc = grep{ $_->{ev} ne 'error' } @{ $final->{finalCode} || [] };
    $check->( is_deeply( [ map{ [ $_->{ev}, $_->{code}, $_->{reason}, $_->{willReconnect}, $_->{finalReason} ] } @fc ],
        [ [ 'open', undef, undef, undef, undef ], [ 'close', 4001, 'policy: go away', JSON::PP::false(), 'final-code' ] ],
        'a 4001 close from the server is final: code and reason given, no reconnection' ) );
    $check->( is( $final->{stateAfterFinal}, 3, 'and that client stays CLOSED' ) );
    my( $sc ) = Interop::events( $srv2, event => 'close', conn => 1 );
    $check->( is_deeply( $sc && $sc->{rcvd}, [ 1000, 'done' ], 'the server got the close() of the page with its code and reason' ) );
    diag( Interop::transcript( $srv1 ), Interop::transcript( $srv2 ), Interop::transcript( $drv ) ) if( $failed );
};

done_testing;
