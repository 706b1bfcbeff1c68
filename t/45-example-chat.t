use strict;
use warnings;
use utf8;
use IO::Select;
use IO::Socket::INET;
use JSON ();
use Test::More;
use Time::HiRes ();
use WebSocket::Client;
use WebSocket::Loop;
use lib 't/lib';
use ExampleServer;

# examples/chat-server.pl as a subprocess on ports chosen by the system: its page over HTTP,
# then WebSocket::Client members in this process: nicknames (validation, ?nick=, taken),
# join notices with the list of who is online, broadcast, the errors a sender gets (too long,
# empty, binary), the leave notice, and the close when the server is stopped.

binmode( Test::More->builder->$_, ':encoding(UTF-8)' ) for( qw( output failure_output todo_output ) );

my $MAX = 40;
my $json = JSON->new->canonical;

$SIG{ALRM} = sub { stop_example(); die( "t/45-example-chat.t timed out\n" ) };
alarm( 120 );

# ---------------------------------------------------------------------------
# The server
# ---------------------------------------------------------------------------
my( $ws_port, $http_port, $out ) = start_example( 'examples/chat-server.pl', '--host', '127.0.0.1', '--port', 0, '--max-length', $MAX );
ok( $ws_port, 'the server prints "listening on ws://127.0.0.1:PORT/"' ) || diag( "server said: $out" );
ok( $http_port, 'and "page at http://127.0.0.1:PORT/"' ) || diag( "server said: $out" );
if( !$ws_port || !$http_port )
{
    done_testing;
    exit;
}

# ---------------------------------------------------------------------------
# The page, with a plain HTTP request
# ---------------------------------------------------------------------------
# Returns ( status, headers, body ) of the answer to a one-line request.
sub http
{
    my( $method, $path ) = @_;
    my $sock = IO::Socket::INET->new( PeerAddr => '127.0.0.1', PeerPort => $http_port, Proto => 'tcp', Timeout => 5 )
        || return( 0, '', "cannot connect: $!" );
    print( $sock "$method $path HTTP/1.1\r\nHost: 127.0.0.1:$http_port\r\nConnection: close\r\n\r\n" );
    my $res = '';
    my $sel = IO::Select->new( $sock );
    my $deadline = Time::HiRes::time() + 10;
    while( ( my $left = $deadline - Time::HiRes::time() ) > 0 )
    {
        last if( !$sel->can_read( $left ) );
        my $n = sysread( $sock, my $buf, 65536 );
        last if( !$n );
        $res .= $buf;
    }
    close( $sock );
    my( $head, $body ) = split( /\r\n\r\n/, $res, 2 );
    my( $status ) = ( $head // '' ) =~ m{\AHTTP/1\.[01] (\d{3}) };
    return( $status // 0, $head // '', $body // '' );
}

subtest 'the page over HTTP' => sub
{
    my( $status, $head, $body ) = http( GET => '/' );
    is( $status, 200, 'GET / is 200' );
    like( $head, qr{^Content-Type: text/html; charset=utf-8\r?$}mi, 'as HTML' );
    my( $len ) = $head =~ /^Content-Length: (\d+)/mi;
    is( $len, length( $body ), 'Content-Length is the length of the body' );
    like( $body, qr{\A<!DOCTYPE html>}i, 'an HTML document' );
    like( $body, qr{<title>WebSocket chat</title>}, 'the chat page' );
    like( $body, qr{<meta name="chat-websocket-port" content="$ws_port">}, 'telling the page the WebSocket port' );
    like( $body, qr{textContent}, 'the page writes text with textContent' );
    unlike( $body, qr{innerHTML|outerHTML|insertAdjacentHTML|document\.write}, 'and never as HTML' );
    unlike( $body, qr{<(?:script|link|img)\b[^>]*\b(?:src|href)=}i, 'no external resource' );

    ( $status, $head, $body ) = http( HEAD => '/' );
    is( $status, 200, 'HEAD / is 200' );
    is( $body, '', 'without a body' );
    ( $status ) = http( GET => '/chat.html?x=1' );
    is( $status, 200, 'GET /chat.html?x=1 is 200' );
    ( $status ) = http( GET => '/secret' );
    is( $status, 404, 'GET /secret is 404' );
    ( $status, $head ) = http( POST => '/' );
    is( $status, 405, 'POST / is 405' );
    like( $head, qr{^Allow: GET, HEAD\r?$}m, 'with Allow' );
};

# ---------------------------------------------------------------------------
# Members
# ---------------------------------------------------------------------------
# A connected client and the list where everything it receives goes: the JSON messages, and
# { type => '_closed', code => ... } when its connection ends.
sub member
{
    my( $query ) = @_;
    my $got = [];
    my $c = WebSocket::Client->new( "ws://127.0.0.1:$ws_port/" . ( $query // '' ), {
        timeout       => 5,
        on_utf8       => sub
        {
            my( $c, $text ) = @_;
            my $m = eval{ $json->decode( $text ) } // { type => '_not_json', text => $text };
            push( @$got, $m );
        },
        on_disconnect => sub { my( $c, $code, $reason ) = @_; push( @$got, { type => '_closed', code => $code } ) },
    }) || die( WebSocket::Client->error );
    $c->connect || die( 'connect: ' . $c->error );
    return( $c, $got );
}

# The messages in the list that have these values.
sub find
{
    my( $got, %want ) = @_;
    return( grep
    {
        my $m = $_;
        !grep{ !defined( $m->{ $_ } ) || ( ref( $want{ $_ } ) eq 'Regexp' ? $m->{ $_ } !~ $want{ $_ } : $m->{ $_ } ne $want{ $_ } ) } keys( %want )
    } @$got );
}

# Runs the loop until the condition holds or the time is up; true when it holds.
sub wait_until
{
    my( $cond, $timeout ) = @_;
    my $deadline = Time::HiRes::time() + ( $timeout // 10 );
    until( $cond->() )
    {
        return( 0 ) if( Time::HiRes::time() > $deadline );
        WebSocket::Loop->instance->run_once( 0.1 );
    }
    return( 1 );
}

# Waits for a message with these values; returns it (and passes) or fails.
sub expect
{
    my( $got, $what, %want ) = @_;
    my $ok = wait_until( sub{ scalar( find( $got, %want ) ) } );
    ok( $ok, $what ) || diag( "received:\n", map{ '  ' . $json->encode( $_ ) . "\n" } @$got );
    return( ( find( $got, %want ) )[-1] );
}

my( $alice, $a_got ) = member();
my( $zoe, $z_got );

subtest 'choosing a nickname' => sub
{
    my $hello = expect( $a_got, 'a new client is greeted with the limits', type => 'hello' );
    is( $hello->{max_length}, $MAX, 'max_length is --max-length' );
    is( $hello->{max_nick_length}, 24, 'max_nick_length' );
    is_deeply( $hello->{users}, [], 'and who is online: nobody' );

    $alice->send_utf8( 'alice smith' );
    expect( $a_got, 'a nickname with a space is refused', type => 'error', code => 'bad_nick', text => qr/letters, digits/ );
    $alice->send_utf8( 'a' x 25 );
    expect( $a_got, 'a nickname of 25 characters is refused', type => 'error', code => 'bad_nick', text => qr/at most 24 characters/ );
    $alice->send_utf8( '<img src=x>' );
    ok( wait_until( sub{ find( $a_got, type => 'error', code => 'bad_nick' ) == 3 } ), 'markup in a nickname is refused' );
    ok( !find( $a_got, type => 'welcome' ), 'not in the room yet' );

    $alice->send_utf8( '  alice ' );
    my $w = expect( $a_got, 'the first acceptable nickname is taken, trimmed', type => 'welcome', nick => 'alice' );
    is_deeply( $w->{users}, [ 'alice' ], 'the welcome lists who is online' );
    my $j = expect( $a_got, 'the newcomer sees their own join notice', type => 'join', nick => 'alice' );
    is_deeply( $j->{users}, [ 'alice' ], 'with the list of who is online' );
    like( $j->{ts}, qr/^\d{13}$/, 'ts is in milliseconds' );

    # A nickname in the URL; percent-encoded UTF-8.
    ( $zoe, $z_got ) = member( '?nick=Zo%C3%AB' );
    $w = expect( $z_got, '?nick= joins at once', type => 'welcome', nick => 'Zoë' );
    is_deeply( $w->{users}, [ 'alice', 'Zoë' ], 'the welcome lists both members' );
    $j = expect( $a_got, 'the first member is told of the second', type => 'join', nick => 'Zoë' );
    is_deeply( $j->{users}, [ 'alice', 'Zoë' ], 'with the list of who is online' );

    my( $third, $t_got ) = member( '?nick=ALICE' );
    my $h = expect( $t_got, 'a newcomer is told who is online before joining', type => 'hello' );
    is_deeply( $h->{users}, [ 'alice', 'Zoë' ], 'both members' );
    expect( $t_got, 'a nickname in use (ignoring case) is refused', type => 'error', code => 'nick_taken', text => qr/"ALICE" is taken/ );
    ok( !find( $t_got, type => 'welcome' ), 'and that client is not in the room' );
    $third->disconnect( 1000, 'never mind' );
    wait_until( sub{ $third->disconnected }, 5 );
    # Something that must arrive after a leave notice would have.
    $alice->send_utf8( 'sync 1' );
    expect( $a_got, 'the room goes on', type => 'message', text => 'sync 1' );
    ok( !find( $a_got, type => 'leave' ), 'a client that never joined leaves no notice' );
};

subtest 'broadcast' => sub
{
    my $text = "hello <b>everyone</b> & \x{2603}\n2nd line";
    $alice->send_utf8( $text );
    for( [ 'alice', $a_got ], [ 'Zoë', $z_got ] )
    {
        my( $who, $got ) = @$_;
        my $m = expect( $got, "$who receives the message", type => 'message', nick => 'alice', text => $text );
        like( $m->{ts} // '', qr/^\d{13}$/, "$who: with a time stamp" );
    }
    $zoe->send_utf8( "r\x{e9}ponse" );
    expect( $a_got, 'and the other way round', type => 'message', nick => 'Zoë', text => "r\x{e9}ponse" );
    $zoe->send_utf8( "tab\there\x07\x1b[31m" );
    expect( $a_got, 'control characters other than tab and newline are removed', type => 'message', nick => 'Zoë', text => "tab\there[31m" );
};

subtest 'what a sender is told' => sub
{
    my $long = 'x' x ( $MAX + 1 );
    $alice->send_utf8( $long );
    my $e = expect( $a_got, 'a message over --max-length is refused', type => 'error', code => 'too_long' );
    like( $e->{text} // '', qr/\b41 characters\b.*\blimit is 40\b/, 'saying so in words: ' . ( $e->{text} // '' ) );
    my $just = "\x{e9}" x $MAX;
    $alice->send_utf8( $just );
    expect( $z_got, 'the limit counts characters, not bytes', type => 'message', nick => 'alice', text => $just );
    ok( !find( $z_got, type => 'message', text => $long ), 'the message over the limit reached nobody' );
    ok( !find( $z_got, type => 'error' ), 'and the other member heard of no error' );

    $zoe->send_utf8( " \n " );
    expect( $z_got, 'an empty line is refused', type => 'error', code => 'empty' );
    $zoe->send_binary( "\x00\x01" );
    expect( $z_got, 'a binary message is refused', type => 'error', code => 'binary', text => qr/text messages only/ );
    ok( !find( $a_got, type => 'error', code => 'empty' ), 'errors go to their sender only' );
};

subtest 'leaving' => sub
{
    $zoe->disconnect( 1000, 'bye' );
    my $l = expect( $a_got, 'the remaining member sees the leave notice', type => 'leave', nick => 'Zoë' );
    is_deeply( $l->{users}, [ 'alice' ], 'with who is still online' );
    ok( wait_until( sub{ $zoe->disconnected }, 5 ), 'the leaving client is disconnected' );

    # Her nickname is free again.
    my( $again, $g_got ) = member( '?nick=zo%C3%AB' );
    expect( $g_got, 'a nickname is free once its member has left', type => 'welcome', nick => "zo\x{eb}" );
    $again->shutdown;
    expect( $a_got, 'a connection dropped without a close frame is a leave too', type => 'leave', nick => "zo\x{eb}" );
};

subtest 'stopping the server' => sub
{
    kill( 'TERM', example_pid() );
    my $c = expect( $a_got, 'SIGTERM closes the connections', type => '_closed' );
    is( $c->{code}, 1001, 'with 1001 (going away)' );
    my $rc = stop_example( 'TERM sent' );
    is( $rc, 0, 'and the server exits with status 0' );
};

done_testing;
