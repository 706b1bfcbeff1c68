use strict;
use warnings;
use FindBin ();
use lib "$FindBin::Bin/interop";
use IO::Select;
use IO::Socket::INET;
use JSON::PP ();
use Test::More;
use Interop;

# The options and the edge cases of the browser client library examples/websocket.js, in
# headless Chromium (Debian's chromium, driven by playwright-core). t/69 covers the main
# path; this file covers, one page step each (t/interop/jsclient_options.html):
#   - connectTimeout and maxReconnectAttempts, against a "silent" TCP server that reads the
#     handshake and never answers (it reports each connection by its URL path);
#   - binaryType 'blob' and 'arraybuffer'; protocols negotiated with WebSocket::Server
#     (subprotocol => [ 'chat', 'json' ]);
#   - close() while connecting and while a reconnection is scheduled, sends after close(),
#     a token function that throws, listeners that throw, JSON parse errors, connect() twice,
#     removing listeners, close() with arguments the browser refuses;
#   - what close() sends (numeric string codes, a reason without a code, 123 bytes of UTF-8);
#   - connect() while the previous connection is closing, with our server and with the
#     "silent" server's /mute mode, which answers the handshake and not the Close frame,
#     and while the server is closing it (/linger: the server's Close, the TCP connection kept).
# Our server echoes; a JSON text { "cmd": "close", "code": N, "reason": R } makes it close
# with that code. It reports each connection's path, subprotocol, messages and close.

Interop::need_chromium();

my $top = "$FindBin::Bin/..";
my $T = JSON::PP::true();
my $F = JSON::PP::false();

my $echo = Interop::spawn( name => 'WebSocket server', code => sub
{
    require WebSocket::Server;
    my $json = JSON::PP->new->canonical;
    my $n = 0;
    my $server = WebSocket::Server->new(
        listen      => IO::Socket::INET->new( LocalAddr => '127.0.0.1', LocalPort => 0, Listen => 16, Proto => 'tcp', ReuseAddr => 1 ) || die( "listen: $!\n" ),
        silence_max => 0,
        subprotocol => [qw( chat json )],
        on_connect  => sub
        {
            my( $server, $conn ) = @_;
            my $id = ++$n;
            my $path = '';
            $conn->on(
                ready => sub
                {
                    my $c = shift( @_ );
                    $path = $c->request_uri ? $c->request_uri->path : '';
                    Interop::report( conn => $id, path => $path, event => 'open', subprotocol => join( ',', @{ $c->subprotocol } ) );
                },
                utf8 => sub
                {
                    my( $c, $msg ) = @_;
                    my $obj = $msg =~ /^\{/ ? eval{ $json->decode( $msg ) } : undef;
                    Interop::report( conn => $id, path => $path, event => 'message', type => 'text', ( $obj ? ( json => $obj ) : ( text => $msg ) ) );
                    if( $obj && ( $obj->{cmd} // '' ) eq 'close' )
                    {
                        $c->disconnect( $obj->{code}, $obj->{reason} );
                    }
                    else
                    {
                        $c->send_utf8( $msg );
                    }
                },
                binary => sub
                {
                    my( $c, $msg ) = @_;
                    Interop::report( conn => $id, path => $path, event => 'message', type => 'binary', length => length( $msg ) );
                    $c->send_binary( $msg );
                },
                disconnect => sub
                {
                    my( $c, $code, $reason ) = @_;
                    Interop::report( conn => $id, path => $path, event => 'close', rcvd => [ 0 + ( $code // 0 ), "" . ( $reason // '' ) ] );
                },
            );
            return( 1 );
        },
    ) || die( 'WebSocket::Server->new: ' . WebSocket::Server->error . "\n" );
    Interop::report( event => 'listening', port => $server->listen->sockport );
    $server->start || die( 'start: ' . $server->error . "\n" );
});

# Accepts, reads the handshake request, reports its path, and never answers. Except for a path
# starting with /mute: it answers the handshake, and then the first such connection ignores
# everything it gets (a Close frame included: it reports 'close-frame'), while a later one
# drops the earlier ones when it gets a text frame (reports 'release') and answers a Close
# frame with Close 1000 (reports 'close-answered'). For a path starting with /linger, it
# answers the handshake, answers a text frame with Close 1001 "moving" and keeps the TCP
# connection (reports 'server-close'); a Close frame it gets before it sent its own is answered
# with Close 1000 and the connection dropped (reports 'close-answered').
my $silent = Interop::spawn( name => 'silent server', code => sub
{
    require Digest::SHA;
    my $l = IO::Socket::INET->new( LocalAddr => '127.0.0.1', LocalPort => 0, Listen => 16, ReuseAddr => 1 ) || die( "listen: $!\n" );
    Interop::report( event => 'listening', port => $l->sockport );
    my $sel = IO::Select->new( $l );
    my( %buf, %mode, @mute );
    my $drop = sub
    {
        my $fh = shift( @_ );
        $sel->remove( $fh );
        delete( $buf{ $fh } );
        delete( $mode{ $fh } );
        @mute = grep{ $_ != $fh } @mute;
        close( $fh );
    };
    while( 1 )
    {
        for my $fh ( $sel->can_read( 60 ) )
        {
            if( $fh == $l )
            {
                my $c = $l->accept || next;
                $sel->add( $c );
                $buf{ $c } = '';
                $mode{ $c } = 'handshake';
                next;
            }
            next if( !exists( $mode{ $fh } ) );   # dropped by an earlier one of this round
            my $got = sysread( $fh, $buf{ $fh }, 8192, length( $buf{ $fh } ) );
            if( !$got )
            {
                $drop->( $fh );
                next;
            }
            if( $mode{ $fh } eq 'handshake' && $buf{ $fh } =~ m{^GET\s+(\S+)\s[^\n]*\n.*\r?\n\r?\n}s )
            {
                my $path = $1;
                Interop::report( event => 'accept', path => $path );
                $mode{ $fh } = 'silent';   # reported; what follows is ignored
                my $kind = $path =~ m{^/(mute|linger)} ? $1 : '';
                if( $kind && $buf{ $fh } =~ m{^Sec-WebSocket-Key:\s*(\S+)}mi )
                {
                    my $accept = Digest::SHA::sha1_base64( $1 . '258EAFA5-E914-47DA-95CA-C5AB0DC85B11' ) . '=';
                    syswrite( $fh, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: $accept\r\n\r\n" );
                    if( $kind eq 'linger' )
                    {
                        $mode{ $fh } = 'linger';
                    }
                    else
                    {
                        $mode{ $fh } = @mute ? 'answers' : 'mute';
                        push( @mute, $fh );
                    }
                }
                $buf{ $fh } = '';
                next;
            }
            next if( $mode{ $fh } eq 'handshake' || $mode{ $fh } eq 'silent' );
            my $op = ord( $buf{ $fh } ) & 0x0f;
            $buf{ $fh } = '';
            if( $mode{ $fh } eq 'linger' || $mode{ $fh } eq 'lingering' )
            {
                if( $op == 1 && $mode{ $fh } eq 'linger' )
                {
                    Interop::report( event => 'server-close', path => '/linger' );
                    syswrite( $fh, "\x88\x08\x03\xe9moving" );
                    $mode{ $fh } = 'lingering';   # the client's answer is ignored, the TCP connection kept
                }
                elsif( $op == 8 && $mode{ $fh } eq 'linger' )
                {
                    Interop::report( event => 'close-answered', path => '/linger' );
                    syswrite( $fh, "\x88\x02\x03\xe8" );
                    $drop->( $fh );
                }
            }
            elsif( $mode{ $fh } eq 'mute' )
            {
                Interop::report( event => 'close-frame', path => '/mute' ) if( $op == 8 );
            }
            elsif( $op == 1 )
            {
                Interop::report( event => 'release', path => '/mute' );
                $drop->( $_ ) for( grep{ $_ != $fh } @mute );
            }
            elsif( $op == 8 )
            {
                Interop::report( event => 'close-answered', path => '/mute' );
                syswrite( $fh, "\x88\x02\x03\xe8" );
                $drop->( $fh );
            }
        }
    }
});

# A tiny HTTP server: GET /jsclient_options.html and /websocket.js, one request per connection.
my $http = Interop::spawn( name => 'HTTP server', code => Interop::static_http( {
    '/jsclient_options.html' => [ "$Interop::DIR/jsclient_options.html", 'text/html; charset=utf-8' ],
    '/websocket.js'          => [ "$top/examples/websocket.js", 'text/javascript; charset=utf-8' ],
} ) );

my @servers = ( $echo, $silent, $http );
if( !ok( Interop::wait_for( \@servers, sub{ !grep{ !Interop::listening_port( $_ ) } @servers }, 30 ), 'the servers listen' ) )
{
    diag( map{ Interop::transcript( $_ ) } @servers );
    done_testing;
    exit( 0 );
}
my( $echo_port, $silent_port, $http_port ) = map{ Interop::listening_port( $_ ) } @servers;
my $drv = Interop::spawn( name => 'Chromium page', cmd => [ 'node', "$Interop::DIR/jsclient_options_driver.js",
    "http://127.0.0.1:$http_port/jsclient_options.html", "ws://127.0.0.1:$echo_port", "ws://127.0.0.1:$silent_port" ] );
Interop::wait_for( [ $drv, $echo, $silent ], sub{ Interop::events( $drv, event => 'done' ) || Interop::events( $drv, event => 'error' ) || $drv->{eof} }, 200 );
# What the servers report last (the page's final close) may follow the page's last line.
Interop::wait_for( [ $echo, $silent ], sub{ 0 }, 1 );
Interop::stop( $_ ) for( $drv, @servers );

my( $done ) = Interop::events( $drv, event => 'done' );
ok( $done, 'the page ran to its end' ) || diag( Interop::transcript( $drv ) );
note( "browser: $done->{browser}" ) if( $done );
ok( !Interop::events( $drv, event => 'error' ), 'the driver reports no error' );
my %step = map{ $_->{name} => $_ } Interop::events( $drv, event => 'step' );
my $accepts = sub{ scalar( Interop::events( $silent, event => 'accept', path => $_[0] ) ) };
my $server_saw = sub{ my( $path, $ev ) = @_; [ Interop::events( $echo, path => $path, ( $ev ? ( event => $ev ) : () ) ) ] };
# [ ev, code, willReconnect, finalReason ] of the close events, or the event name for the others.
my $shape = sub{ [ map{ $_->{ev} eq 'close' ? [ 'close', $_->{code}, $_->{willReconnect}, $_->{finalReason} ] : $_->{ev} } @{ $_[0] || [] } ] };

sub step
{
    my( $name, $code ) = @_;
    subtest( $name => sub
    {
        my $s = $step{ $name };
        if( !ok( $s && $s->{result}, "the page ran the step" ) )
        {
            diag( $s ? "page: $s->{error}" : 'no report of the step' );
            diag( Interop::transcript( $drv ) );
            return;
        }
        my $r = $s->{result};
        my $failed = 0;
        $code->( $r, sub{ $_[0] || $failed++ } );
        diag( 'the page saw: ' . JSON::PP->new->canonical->encode( $r ) ) if( $failed );
    });
}

step( connectTimeout => sub
{
    my( $r, $check ) = @_;
    $check->( is( $r->{stateBefore}, 0, 'CONNECTING while the server says nothing' ) );
    $check->( is_deeply( $shape->( $r->{log} ), [ 'error', [ 'close', 1006, $F, 'no-reconnect' ] ],
        'after connectTimeout: the browser\'s error, then close 1006, final (reconnect is off)' ) );
    my( $close ) = grep{ $_->{ev} eq 'close' } @{ $r->{log} };
    $check->( ok( $close && $close->{t} >= 650 && $close->{t} < 10000, 'the attempt was abandoned after about 700 ms (' . ( $close ? $close->{t} : '?' ) . ' ms)' ) );
    $check->( ok( $close && !$close->{wasClean}, 'not clean' ) );
    $check->( is( $r->{state}, 3, 'CLOSED afterwards' ) );
    $check->( is_deeply( $r->{timers}, { reconnect => undef, connect => undef, uptime => undef }, 'no timer left' ) );
    $check->( is( $accepts->( '/timeout' ), 1, 'the server saw one connection' ) );
});

step( maxReconnectAttempts => sub
{
    my( $r, $check ) = @_;
    $check->( ok( $r->{queuedSend}, 'a send before the first attempt is queued' ) );
    $check->( is_deeply( $shape->( $r->{log} ), [
        'error', [ 'close', 1006, $T, undef ], 'reconnecting',
        'error', [ 'close', 1006, $T, undef ], 'reconnecting',
        'error', [ 'close', 1006, $F, 'max-attempts' ] ],
        'maxReconnectAttempts 2: two reconnections, then a final close with finalReason "max-attempts"' ) );
    my @rec = grep{ $_->{ev} eq 'reconnecting' } @{ $r->{log} };
    $check->( is_deeply( [ map{ [ $_->{attempt}, $_->{delay} ] } @rec ], [ [ 1, 100 ], [ 2, 200 ] ], 'attempts 1 and 2, after 100 and 200 ms' ) );
    $check->( is( $r->{state}, 3, 'CLOSED once it gave up' ) );
    $check->( is( $r->{queued}, 0, 'the queue is emptied when the client gives up' ) );
    $check->( is( $r->{attempts}, 2, 'reconnectAttempts is 2' ) );
    $check->( is_deeply( $r->{timers}, { reconnect => undef, connect => undef, uptime => undef }, 'no timer left' ) );
    $check->( is_deeply( $shape->( $r->{again} ), [ 'error', [ 'close', 1006, $T, undef ], 'reconnecting', [ 'close', 1000, $F, 'closed' ] ],
        'connect() after giving up tries again; close() from the reconnecting listener ends it at once' ) );
    my( $again ) = grep{ $_->{ev} eq 'reconnecting' } @{ $r->{again} };
    $check->( is( $again && $again->{attempt}, 1, 'connect() started the count again' ) );
    $check->( is( $r->{againState}, 3, 'CLOSED afterwards' ) );
    $check->( is_deeply( $r->{againTimers}, { reconnect => undef, connect => undef, uptime => undef }, 'no timer left' ) );
    $check->( is( $accepts->( '/max' ), 4, 'the server saw 1 + 2 connections, then 1 after connect()' ) );
});

step( binaryType => sub
{
    my( $r, $check ) = @_;
    $check->( is_deeply( $r->{blob}, { isBlob => $T, isArrayBuffer => $F, allBytes => $T, socketBinaryType => 'blob' },
        "binaryType 'blob': a Blob holding the 256 bytes" ) );
    $check->( is_deeply( $r->{arraybuffer}, { isBlob => $F, isArrayBuffer => $T, allBytes => $T, socketBinaryType => 'arraybuffer' },
        "binaryType 'arraybuffer': an ArrayBuffer holding the 256 bytes" ) );
    $check->( is_deeply( $r->{dflt}, $r->{arraybuffer}, "the default is 'arraybuffer'" ) );
    $check->( is( $r->{typo}, 'TypeError', "binaryType 'ArrayBuffer' (which the browser would ignore) throws a TypeError" ) );
    $check->( ok( !@{ $server_saw->( '/binary-typo' ) }, 'and makes no connection' ) );
    $check->( is( scalar( @{ $server_saw->( $_, 'message' ) } ), 1, "the server got the binary message on $_" ) )
        for( qw( /binary-blob /binary-arraybuffer /binary-default ) );
});

step( protocols => sub
{
    my( $r, $check ) = @_;
    my %want = ( list => 'json', string => 'chat', none => '' );
    for my $k ( sort( keys( %want ) ) )
    {
        my $p = $r->{ $k } || {};
        $check->( ok( $p->{opened}, "$k: open" ) );
        $check->( is( $p->{eventProtocol}, $want{ $k }, "$k: the open event gives protocol '$want{ $k }'" ) );
        $check->( is( $p->{protocol}, $want{ $k }, "$k: so does the protocol property" ) );
        $check->( is( $p->{protocolAfter}, '', "$k: '' once closed" ) );
        my( $open ) = @{ $server_saw->( "/proto-$k", 'open' ) };
        $check->( is( $open && $open->{subprotocol}, $want{ $k }, "$k: the server selected '$want{ $k }'" ) );
    }
    my $u = $r->{unknown} || {};
    $check->( ok( !$u->{opened}, 'a subprotocol the server does not speak: the browser refuses the answer, never open' ) );
    $check->( is_deeply( [ @{ $u->{close} || {} }{qw( code wasClean willReconnect finalReason )} ], [ 1006, $F, $F, 'no-reconnect' ],
        'close 1006 (reconnect is off)' ) );
});

step( minUptime => sub
{
    my( $r, $check ) = @_;
    $check->( is_deeply( $shape->( $r->{flapping} ), [
        ( 'open', [ 'close', 1011, $T, undef ], 'reconnecting' ) x 3, 'open', [ 'close', 1011, $F, 'max-attempts' ] ],
        'a server that closes every connection at once: the client gives up after maxReconnectAttempts' ) );
    $check->( is_deeply( [ map{ [ $_->{attempt}, $_->{delay} ] } grep{ $_->{ev} eq 'reconnecting' } @{ $r->{flapping} } ], [ [ 1, 100 ], [ 2, 200 ], [ 3, 400 ] ],
        'the delays grow, since no connection stayed open minUptime' ) );
    $check->( is_deeply( [ map{ $_->{attempts} } grep{ $_->{ev} eq 'open' } @{ $r->{flapping} } ], [ 0, 1, 2, 3 ], 'the open events count the attempts' ) );
    $check->( is_deeply( $r->{flappingTimers}, { reconnect => undef, connect => undef, uptime => undef }, 'no timer left' ) );
    $check->( is_deeply( [ map{ [ $_->{attempt}, $_->{delay} ] } grep{ $_->{ev} eq 'reconnecting' } @{ $r->{stable} } ], [ [ 1, 100 ], [ 1, 100 ], [ 1, 100 ] ],
        'connections that outlive minUptime: each loss is attempt 1 again' ) );
    $check->( is_deeply( [ map{ $_->{ev} eq 'close' ? $_->{finalReason} // 'again' : $_->{ev} } @{ $r->{stable} } ],
        [ ( 'open', 'again', 'reconnecting' ) x 3, 'open', 'closed' ], 'and the client never gives up' ) );
    $check->( is_deeply( $r->{stableTimers}, { reconnect => undef, connect => undef, uptime => undef }, 'no timer left' ) );
    $check->( is( scalar( @{ $server_saw->( '/flap', 'open' ) } ), 4, 'the server saw 4 connections of the first client' ) );
});

step( closeWhileConnecting => sub
{
    my( $r, $check ) = @_;
    $check->( is( $r->{stateBefore}, 0, 'CONNECTING when close() is called' ) );
    $check->( is_deeply( $r->{timersRightAfter}, { reconnect => undef, connect => undef, uptime => undef }, 'close() clears the connectTimeout timer at once' ) );
    $check->( is_deeply( $shape->( $r->{log} ), [ [ 'close', 1006, $F, 'closed' ] ],
        'one close event (1006: the connection was never made), finalReason "closed"; no error, no reconnection' ) );
    $check->( is( $r->{state}, 3, 'CLOSED afterwards' ) );
    $check->( is_deeply( $r->{timers}, { reconnect => undef, connect => undef, uptime => undef }, 'no timer left' ) );
    $check->( is( $accepts->( '/close-connecting' ), 1, 'the server saw one connection' ) );
});

step( closeWhileWaiting => sub
{
    my( $r, $check ) = @_;
    $check->( is( $r->{stateWaiting}, 0, 'CONNECTING while the reconnection waits' ) );
    $check->( is_deeply( $shape->( $r->{sync} ), [ [ 'close', 4000, $F, 'closed' ] ], 'close() emits its close event at once' ) );
    $check->( is_deeply( [ map{ $_->{reason} } @{ $r->{sync} } ], [ 'bye' ], 'with the reason given' ) );
    $check->( is_deeply( $r->{timers}, { reconnect => undef, connect => undef, uptime => undef }, 'the reconnection timer is cleared' ) );
    $check->( is_deeply( $r->{afterSecondClose}, [], 'a second close() emits nothing' ) );
    $check->( is_deeply( $r->{sendAfter}, [ $F, $F ], 'send() and sendJSON() after close() return false' ) );
    $check->( is_deeply( $r->{sendErrors}, [ 'closed', 'closed' ], 'each with an error event of type "closed"' ) );
    $check->( is_deeply( $shape->( $r->{log} ), [ 'open', [ 'close', 1001, $T, undef ], 'reconnecting', [ 'close', 4000, $F, 'closed' ], 'error', 'error' ],
        'and nothing else, past the time of the cancelled reconnection' ) );
    $check->( is( $r->{state}, 3, 'CLOSED' ) );
    $check->( is( scalar( @{ $server_saw->( '/close-waiting', 'open' ) } ), 1, 'the server saw one connection' ) );
});

step( tokenThrows => sub
{
    my( $r, $check ) = @_;
    $check->( is_deeply( $r->{queued}, [ $T, $T, $T, $T ], 'four messages queued before open' ) );
    $check->( is_deeply( $r->{errors}, [
        { type => 'encode', message => 'no token yet', seq => 2, data => 'object', hasError => $T },
        { type => 'encode', message => $r->{errors}[1]{message}, seq => 'circular', data => 'object', hasError => $T },
        { type => 'encode', message => $r->{errors}[2]{message}, data => 'undefined', hasError => $T },
    ], 'the message whose token function threw, a circular object and undefined are dropped with an error event "encode"' ) );
    $check->( is_deeply( $r->{whileOpen}, [ $F, $F, $T ], 'sendJSON() of what has no JSON form returns false' ) );
    $check->( is_deeply( $r->{events}, [ 'error', 'open', 'error', 'error' ], 'the open event still comes, after the queue was sent' ) );
    $check->( is_deeply( [ map{ $_->{json} // $_->{text} } @{ $server_saw->( '/token', 'message' ) } ],
        [ { seq => 1, csrf => 'T1' }, 'plain 3', { seq => 4, csrf => 'T3' }, { seq => 5, csrf => 'T5' } ],
        'the server got the other messages, in order, with their tokens' ) );
});

step( listenerThrows => sub
{
    my( $r, $check ) = @_;
    $check->( is_deeply( $r->{log}, [ [ 'open', undef, undef ], [ 'close', 1001, undef ], [ 'reconnecting', undef, undef ], [ 'open', undef, undef ], [ 'message', undef, 'after' ] ],
        'with a throwing listener on every event, the other listeners still run and the client reconnects' ) );
    $check->( is_deeply( $r->{thrown}, [ map{ "boom-$_" } qw( close message open open reconnecting ) ], 'each exception reached the page, asynchronously' ) );
    $check->( is( $r->{state}, 1, 'the client is OPEN' ) );
    $check->( ok( !Interop::events( $drv, event => 'pageerror' ), 'no other exception reached the page' ) );
});

step( jsonErrors => sub
{
    my( $r, $check ) = @_;
    $check->( is_deeply( $r->{got}, [
        { type => 'string', value => 'not json {', text => 'not json {', jsonError => 'SyntaxError' },
        { type => 'array', value => [ 1, 2 ], text => '[1,2]', jsonError => undef },
        { type => 'string', value => 'str', text => '"str"', jsonError => undef },
        { type => 'object', value => { ok => 1 }, text => '{"ok":1}', jsonError => undef },
    ], 'a text that is not JSON comes as the string with info.jsonError; the next ones are parsed' ) );
});

step( doubleOpen => sub
{
    my( $r, $check ) = @_;
    $check->( is( $r->{stateBefore}, 3, 'CLOSED before connect() with autoConnect false' ) );
    $check->( is( $r->{opens}, 1, 'connect() twice, and once more when open: one open event' ) );
    $check->( is( scalar( @{ $server_saw->( '/double', 'open' ) } ), 1, 'and one connection at the server' ) );
});

step( listenerRemoval => sub
{
    my( $r, $check ) = @_;
    $check->( is_deeply( $r->{calls}, [ 'g:one', 'h:one', 'h:two' ],
        'off(name, fn) removes every registration of fn; a listener removed during an event still runs for it, not after' ) );
    $check->( ok( $r->{offReturns}, 'off() returns the client' ) );
    $check->( ok( grep( { $_ eq 'three' } @{ $r->{arrived} } ), 'after off(name), a message arrives and no listener is called' ) );
    $check->( is( $r->{unknownEvent}, 'Error', 'on() of an unknown event throws' ) );
    $check->( is( $r->{notFunction}, 'TypeError', 'on() of something not a function throws a TypeError' ) );
});

step( closeArguments => sub
{
    my( $r, $check ) = @_;
    $check->( is( $r->{badCode}, 'RangeError', 'close(1001) throws a RangeError' ) );
    $check->( is_deeply( $r->{badCodes}, [ ( 'RangeError' ) x 15 ],
        'so do codes that are not integers, not 1000 or 3000-4999, or neither numbers nor numeric strings' ) );
    $check->( is_deeply( $r->{longReasons}, [ ( 'SyntaxError' ) x 6, 'RangeError' ],
        'a reason over 123 bytes of UTF-8 throws a SyntaxError, with or without a code; a bad code is reported first' ) );
    $check->( is( $r->{stateAfter}, 1, 'the client stays OPEN' ) );
    $check->( is( $r->{queuedAfter}, 0, 'nothing queued' ) );
    $check->( is_deeply( $r->{timersAfter}, { reconnect => undef, connect => undef, uptime => $r->{timersAfter}{uptime} }, 'no timer started' ) );
    $check->( is_deeply( [ @{ $r->{close} || {} }{qw( code willReconnect finalReason )} ], [ 4002, $F, 'closed' ], 'close("4002", "ok") ends it' ) );
    my( $sc ) = @{ $server_saw->( '/close-args', 'close' ) };
    $check->( is_deeply( $sc && $sc->{rcvd}, [ 4002, 'ok' ], 'the server got 4002 "ok"' ) );
    $check->( is( scalar( @{ $server_saw->( '/close-args', 'message' ) } ), 1, 'and the message sent after the refused calls' ) );
});

step( closeSends => sub
{
    my( $r, $check ) = @_;
    my %want = (
        '/close-reason-only' => [ reasonOnly => 1000, 'reason only', 'close(undefined, "reason only") sends 1000 with the reason' ],
        '/close-string-code' => [ stringCode => 3000, 'numeric string', 'close("3000", ...) sends 3000' ],
        '/close-utf8'        => [ utf8 => 4003, "\x{e9}" x 61 . "x", 'a reason of 123 bytes of UTF-8 goes out whole' ],
    );
    # The page's reports come as UTF-8 bytes: 123 of them for the string of 61 e-acute and an x.
    $check->( is( length( $r->{reason123} // '' ), 123, 'the reason of 123 bytes' ) );
    for my $path ( sort( keys( %want ) ) )
    {
        my( $k, $code, $reason, $what ) = @{ $want{ $path } };
        my $one = $r->{ $k } || {};
        $check->( is( $one->{threw}, undef, "$k: close() does not throw" ) );
        my( $sc ) = @{ $server_saw->( $path, 'close' ) };
        $check->( is_deeply( $sc && $sc->{rcvd}, [ $code, $reason ], $what ) );
        $check->( is_deeply( [ @{ $one->{close} || {} }{qw( code willReconnect finalReason )} ], [ $code, $F, 'closed' ], "$k: close event $code, final" ) );
    }
    $check->( is_deeply( $r->{waitingReasonOnly}, { code => 1000, codeType => 'number', reason => 'later', finalReason => 'closed', events => 1 },
        'waiting to reconnect: close(undefined, "later") reports 1000 "later"' ) );
    $check->( is_deeply( $r->{waitingString}, { code => 3001, codeType => 'number', reason => '', finalReason => 'closed', events => 1 },
        'close("3001") reports the number 3001' ) );
});

step( connectWhileClosing => sub
{
    my( $r, $check ) = @_;
    $check->( is( $r->{stateClosing}, 2, 'CLOSING right after close()' ) );
    $check->( is( $r->{stateWaiting}, 0, 'CONNECTING after connect()' ) );
    $check->( ok( $r->{queuedSend} && $r->{queued} == 1, 'a send meanwhile is queued' ) );
    $check->( is_deeply( [ map{ $_->{ev} eq 'message' ? [ 'message', $_->{text} ] : @{ $shape->( [ $_ ] ) } } @{ $r->{log} || [] } ],
        [ 'open', [ 'close', 1000, $F, 'closed' ], 'open', [ 'message', 'for the second' ], [ 'close', 1000, $F, 'closed' ] ],
        'the first connection\'s close (once, final, "closed") comes before the second\'s open; the queued message goes out on the second' ) );
    my( $first ) = grep{ $_->{ev} eq 'close' } @{ $r->{log} || [] };
    $check->( ok( $first && $first->{wasClean}, 'the first close is the browser\'s own, clean' ) );
    my @opens = grep{ $_->{ev} eq 'open' } @{ $r->{log} || [] };
    $check->( is_deeply( [ map{ [ $_->{reconnected}, $_->{attempts} ] } @opens ], [ [ $F, 0 ], [ $T, 0 ] ], 'the second open: reconnected, attempt count 0' ) );
    $check->( is( $r->{opensBefore}, 2, 'no reconnection from the first close' ) );
    $check->( is( $r->{stateOpen}, 1, 'OPEN then' ) );
    $check->( is( $r->{queuedOpen}, 0, 'the queue sent' ) );
    $check->( is( $r->{state}, 3, 'CLOSED at the end' ) );
    $check->( is_deeply( $r->{timers}, { reconnect => undef, connect => undef, uptime => undef }, 'no timer left' ) );
    my @closes = @{ $server_saw->( '/reopen', 'close' ) };
    $check->( is_deeply( [ map{ $_->{rcvd} } @closes ], [ [ 1000, 'first' ], [ 1000, '' ] ], 'the server saw two connections closed, 1000 "first" and 1000' ) );
    my( $msg ) = @{ $server_saw->( '/reopen', 'message' ) };
    $check->( ok( $msg && @closes == 2 && $msg->{conn} == $closes[1]{conn}, 'the queued message went out on the second connection' ) );
});

step( connectWhileClosingSlow => sub
{
    my( $r, $check ) = @_;
    $check->( is_deeply( $shape->( $r->{logBefore} ), [ 'open', [ 'close', 1006, $F, 'closed' ], 'open' ],
        'the first close (1006, after closeWait) comes before the second open; the browser\'s late close of the first is not passed on' ) );
    my( $first ) = grep{ $_->{ev} eq 'close' } @{ $r->{log} || [] };
    $check->( ok( $first && !$first->{wasClean}, 'not clean' ) );
    $check->( ok( $first && $first->{t} - $r->{tClose} >= 550, 'after closeWait (' . ( $first ? $first->{t} - $r->{tClose} : '?' ) . ' ms after close())' ) );
    $check->( is( $r->{stateOpen}, 1, 'OPEN' ) );
    $check->( is_deeply( $shape->( $r->{log} ), [ 'open', [ 'close', 1006, $F, 'closed' ], 'open', [ 'close', 1000, $F, 'closed' ] ], 'then one close for the second' ) );
    $check->( is( $r->{state}, 3, 'CLOSED at the end' ) );
    $check->( is_deeply( $r->{timers}, { reconnect => undef, connect => undef, uptime => undef }, 'no timer left' ) );
    $check->( is( $accepts->( '/mute' ), 2, 'the server saw two connections' ) );
    $check->( is( scalar( Interop::events( $silent, event => $_, path => "/mute" ) ), 1, "and one $_" ) ) for( qw( close-frame release close-answered ) );
});

step( connectWhileServerCloses => sub
{
    my( $r, $check ) = @_;
    $check->( is( $r->{closingState}, 2, 'CLOSING once the server sent its Close frame' ) );
    $check->( is( $r->{stateWaiting}, 0, 'CONNECTING after connect()' ) );
    $check->( is_deeply( $shape->( $r->{log} ), [ 'open', [ 'close', 1001, $F, 'connect' ], 'open', [ 'close', 1000, $F, 'closed' ] ],
        'the first close (the server\'s 1001, finalReason "connect") comes before the second open' ) );
    my( $first ) = grep{ $_->{ev} eq 'close' } @{ $r->{log} || [] };
    $check->( is( $first && $first->{reason}, 'moving', 'with the server\'s reason' ) );
    $check->( is( $r->{state}, 3, 'CLOSED at the end' ) );
    $check->( is_deeply( $r->{timers}, { reconnect => undef, connect => undef, uptime => undef }, 'no timer left' ) );
    $check->( is( $accepts->( '/linger' ), 2, 'the server saw two connections' ) );
});

is_deeply( [ sort( map{ $_->{name} } Interop::events( $drv, event => 'step' ) ) ], [ sort( keys( %step ) ) ], 'each step reported once' );

done_testing;
