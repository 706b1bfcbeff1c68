use strict;
use warnings;
use HTTP::Request;
use HTTP::Response;
use IO::Select;
use IO::Socket::INET;
use JSON ();
use Test::More;
use Time::HiRes ();
use URI::Escape ();
use WebSocket::Client;
use WebSocket::Loop;
use lib 't/lib';
use ExampleServer;

# examples/secure-chat/server.pl as a subprocess (ports chosen by the system, CSRF tokens that
# live 3 seconds), driven as its users would: sign in over HTTP, get the cookie, fetch a CSRF
# token, open the WebSocket with both, talk; and every way in which that must fail.

BEGIN
{
    for my $m ( qw( HTTP::Daemon Cookie::Baker ) )
    {
        eval( "require $m; 1" ) || do
        {
            require Test::More;
            Test::More::plan( skip_all => "$m is not installed (Debian: see .ci/install-peers)" );
        };
    }
}

my $TTL = 3;
my $json = JSON->new->canonical;

$SIG{ALRM} = sub { stop_example(); die( "t/49-secure-chat.t timed out\n" ) };
alarm( 60 );

my( $ws_port, $http_port, $out ) = start_example( 'examples/secure-chat/server.pl', '--host', '127.0.0.1', '--port', 0, '--csrf-ttl', $TTL );
ok( $ws_port && $http_port, 'the server announces its WebSocket and HTTP ports' ) || do
{
    diag( "server said: $out" );
    done_testing;
    exit;
};

# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------
# Sends raw request text to a port; returns the HTTP::Response of the answer.
sub raw
{
    my( $port, $text ) = @_;
    my $sock = IO::Socket::INET->new( PeerAddr => '127.0.0.1', PeerPort => $port, Proto => 'tcp', Timeout => 5 )
        || die( "cannot connect to $port: $!" );
    print( $sock $text );
    my $res = '';
    my $sel = IO::Select->new( $sock );
    my $deadline = Time::HiRes::time() + 5;
    while( ( my $left = $deadline - Time::HiRes::time() ) > 0 )
    {
        last if( !$sel->can_read( $left ) );
        my $n = sysread( $sock, my $buf, 65536 );
        last if( !$n );
        $res .= $buf;
        # A 101 answer leaves the connection open: its header is all we want.
        last if( $res =~ m{\AHTTP/1\.1 101 } && $res =~ /\r\n\r\n/ );
    }
    close( $sock );
    return( HTTP::Response->parse( $res ) );
}

sub http
{
    my( $method, $path, %opt ) = @_;
    my $req = HTTP::Request->new( $method => $path, [ Host => "127.0.0.1:$http_port", Connection => 'close' ] );
    $req->header( Cookie => $opt{cookie} ) if( defined( $opt{cookie} ) );
    if( defined( $opt{form} ) )
    {
        $req->content_type( 'application/x-www-form-urlencoded' );
        $req->content( $opt{form} );
    }
    $req->header( 'Content-Length' => length( $req->content // '' ) );
    $req->protocol( 'HTTP/1.1' );
    return( raw( $http_port, $req->as_string( "\r\n" ) ) );
}

# Signs in; returns the cookie to send back ("chat_auth=...") and the Set-Cookie header.
sub login
{
    my( $user ) = @_;
    my $res = http( POST => '/login', form => "user=$user" );
    die( "login $user: " . $res->status_line ) if( $res->code != 200 );
    my $set = $res->header( 'Set-Cookie' );
    my( $pair ) = split( /;/, $set, 2 );
    return( $pair, $set );
}

sub csrf
{
    my( $cookie ) = @_;
    my $res = http( GET => '/csrf', cookie => $cookie );
    my $token = $res->code == 200 ? $json->decode( $res->content )->{token} : undef;
    return( wantarray ? ( $token, $res ) : $token );
}

# A raw WebSocket handshake: the HTTP::Response of the server.
sub handshake
{
    my( $cookie, $token ) = @_;
    my $q = defined( $token ) ? '?csrf=' . URI::Escape::uri_escape( $token ) : '';
    return( raw( $ws_port, join( "\r\n",
        "GET /$q HTTP/1.1", "Host: 127.0.0.1:$ws_port", 'Upgrade: websocket', 'Connection: Upgrade',
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version: 13',
        "Origin: http://127.0.0.1:$http_port",
        ( defined( $cookie ) ? ( "Cookie: $cookie" ) : () ), '', '' ) ) );
}

# A connected WebSocket::Client and the list of what it receives (JSON messages, then
# { type => '_closed', code => ... }).
sub member
{
    my( $cookie, $token ) = @_;
    my $got = [];
    my $c = WebSocket::Client->new( "ws://127.0.0.1:$ws_port/?csrf=" . URI::Escape::uri_escape( $token ), {
        timeout       => 5,
        cookie        => $cookie,
        origin        => "http://127.0.0.1:$http_port",
        on_utf8       => sub { push( @$got, eval{ $json->decode( $_[1] ) } // { type => '_not_json', text => $_[1] } ) },
        on_disconnect => sub { my( $c, $code, $reason ) = @_; push( @$got, { type => '_closed', code => $code, reason => $reason } ) },
    }) || die( WebSocket::Client->error );
    $c->connect || return( undef, $got, $c->error );
    return( $c, $got );
}

sub wait_until
{
    my( $cond, $timeout ) = @_;
    my $deadline = Time::HiRes::time() + ( $timeout // 5 );
    until( $cond->() )
    {
        return( 0 ) if( Time::HiRes::time() > $deadline );
        WebSocket::Loop->instance->run_once( 0.05 );
    }
    return( 1 );
}

sub first_of
{
    my( $got, $type ) = @_;
    my( $m ) = grep{ ( $_->{type} // '' ) eq $type } @$got;
    return( $m );
}

sub expect
{
    my( $got, $type, $what ) = @_;
    wait_until( sub { first_of( $got, $type ) } );
    my $m = first_of( $got, $type );
    ok( $m, $what ) || diag( 'got: ' . $json->encode( $got ) );
    return( $m // {} );
}

sub say_msg { my( $c, %m ) = @_; $c->send_utf8( $json->encode( \%m ) ); }

# Lets the loop run a little, for messages that must NOT arrive.
sub settle { wait_until( sub { 0 }, shift // 0.5 ); }

# ---------------------------------------------------------------------------
subtest 'HTTP: the page, signing in, the CSRF endpoint' => sub
{
    my $res = http( GET => '/' );
    is( $res->code, 200, 'GET / is the page' );
    like( $res->content, qr{<meta name="chat-websocket-port" content="$ws_port">}, 'which knows the WebSocket port' );
    is( http( POST => '/login', form => 'user=mallory' )->code, 403, 'an unknown user cannot sign in' );
    is( http( GET => '/login' )->code, 405, 'GET /login is 405' );

    my( $cookie, $set ) = login( 'alice' );
    like( $set, qr{^chat_auth=alice\.\d+\.[0-9a-f]{64};}, 'the auth cookie: user, expiry, HMAC' );
    like( $set, qr{;\s*HttpOnly\b}i, 'HttpOnly' );
    like( $set, qr{;\s*SameSite=Strict\b}i, 'SameSite=Strict' );
    unlike( $set, qr{;\s*secure\b}i, 'not Secure over plain HTTP (without --secure)' );

    my( $token, $r ) = csrf( $cookie );
    like( $token, qr{\A[0-9a-f]{64}\.\d+\z}, 'GET /csrf with the cookie: a token HMAC.EXPIRY' );
    my $j = $json->decode( $r->content );
    is( $j->{user}, 'alice', 'for the signed-in user' );
    ok( $j->{expires} >= time() && $j->{expires} <= time() + $TTL, "expiring within --csrf-ttl ($TTL s)" );
    is( $r->header( 'X-CSRF-Token' ), $token, 'also in X-CSRF-Token' );
    like( $r->header( 'Cache-Control' ), qr{no-store}, 'not cached' );

    is( ( csrf( undef ) )[1]->code, 403, 'GET /csrf without cookie: 403' );
    ( my $forged = $cookie ) =~ s/chat_auth=alice\./chat_auth=bob./;
    is( ( csrf( $forged ) )[1]->code, 403, 'with the cookie edited to another user: 403' );
    ( $forged = $cookie ) =~ s/([0-9a-f])\z/$1 eq '0' ? '1' : '0'/e;
    is( ( csrf( $forged ) )[1]->code, 403, 'with a cookie whose HMAC is altered: 403' );
};

my %cookie = map{ $_ => ( login( $_ ) )[0] } qw( alice bob carol );

# ---------------------------------------------------------------------------
subtest 'the handshake: refused with 403 unless cookie and token are right' => sub
{
    my $ok = handshake( $cookie{alice}, scalar( csrf( $cookie{alice} ) ) );
    is( $ok->code, 101, 'alice with her cookie and her token: 101' );

    my $res = handshake( undef, scalar( csrf( $cookie{alice} ) ) );
    is( $res->code, 403, 'no cookie: 403' );
    like( $res->content, qr{not signed in}, 'the body says why' );
    is( handshake( $cookie{alice}, undef )->code, 403, 'no token: 403' );
    is( handshake( $cookie{alice}, ( 'ab' x 32 ) . '.' . ( time() + 60 ) )->code, 403, 'a forged token: 403' );
    my $t = csrf( $cookie{alice} );
    ( my $later = $t ) =~ s/\.(\d+)\z/'.' . ( $1 + 600 )/e;
    is( handshake( $cookie{alice}, $later )->code, 403, 'her token with its expiry pushed back: 403' );
    $res = handshake( $cookie{alice}, scalar( csrf( $cookie{bob} ) ) );
    is( $res->code, 403, "alice's cookie with bob's token: 403" );
    like( $res->content, qr{invalid CSRF token}, 'an invalid token' );
    ( my $forged = $cookie{alice} ) =~ s/chat_auth=alice\./chat_auth=bob./;
    is( handshake( $forged, scalar( csrf( $cookie{bob} ) ) )->code, 403, "alice's cookie edited to bob, with bob's token: 403" );

    my( $c, $got, $err ) = member( undef, scalar( csrf( $cookie{alice} ) ) );
    ok( !$c, 'WebSocket::Client without cookie cannot connect' );
    like( $err // '', qr{403}, 'its error names the 403' );
};

# ---------------------------------------------------------------------------
my( $alice, $a_got ) = member( $cookie{alice}, scalar( csrf( $cookie{alice} ) ) );
my( $bob,   $b_got ) = member( $cookie{bob},   scalar( csrf( $cookie{bob} ) ) );
my( $carol, $c_got ) = member( $cookie{carol}, scalar( csrf( $cookie{carol} ) ) );

subtest 'the chat: messages carry the sender of the connection' => sub
{
    ok( $alice && $bob && $carol, 'alice, bob and carol are connected' ) || return;
    is( expect( $a_got, 'welcome', 'alice is welcomed' )->{user}, 'alice', 'as alice' );
    is( expect( $b_got, 'welcome', 'bob is welcomed' )->{user}, 'bob', 'as bob' );
    is( expect( $c_got, 'welcome', 'carol is welcomed' )->{user}, 'carol', 'as carol' );

    say_msg( $alice, type => 'say', text => 'hello all', csrf => scalar( csrf( $cookie{alice} ) ) );
    my $m = expect( $b_got, 'say', "bob gets alice's message" );
    is( $m->{from}, 'alice', 'from alice' );
    is( $m->{text}, 'hello all', 'with its text' );
    is( expect( $c_got, 'say', 'so does carol' )->{from}, 'alice', 'from alice' );
    expect( $a_got, 'sent', 'alice gets an acknowledgement' );
    ok( !first_of( $a_got, 'say' ), 'not her own message back' );

    @$b_got = @$c_got = ();
    say_msg( $alice, type => 'say', text => 'I am bob', from => 'bob', user => 'bob', csrf => scalar( csrf( $cookie{alice} ) ) );
    is( expect( $c_got, 'say', 'a message claiming to come from bob' )->{from}, 'alice', 'is delivered as from alice' );
    is( expect( $b_got, 'say', 'to bob too' )->{from}, 'alice', 'as from alice' );

    @$a_got = @$b_got = @$c_got = ();
    say_msg( $alice, type => 'whisper', to => 'bob', text => 'for bob only', csrf => scalar( csrf( $cookie{alice} ) ) );
    $m = expect( $b_got, 'whisper', 'bob gets the whisper' );
    is_deeply( [ @$m{qw( from to text )} ], [ 'alice', 'bob', 'for bob only' ], 'from alice, to bob' );
    expect( $a_got, 'sent', 'alice gets an acknowledgement' );
    settle();
    ok( !grep( { ( $_->{text} // '' ) eq 'for bob only' } @$c_got ), 'carol never sees it' );

    say_msg( $_->[0], type => 'whoami', csrf => scalar( csrf( $cookie{ $_->[1] } ) ) ) for( [ $alice, 'alice' ], [ $bob, 'bob' ], [ $carol, 'carol' ] );
    is( expect( $a_got, 'you', 'whoami' )->{user}, 'alice', "alice's connection is alice's" );
    is( expect( $b_got, 'you', 'whoami' )->{user}, 'bob', "bob's is bob's" );
    is( expect( $c_got, 'you', 'whoami' )->{user}, 'carol', "carol's is carol's" );
};

# ---------------------------------------------------------------------------
subtest 'messages: a bad token gets an error and a close with 1008' => sub
{
    my @cases = (
        [ 'without token', sub { ( type => 'say', text => 'x' ) }, qr{missing CSRF token} ],
        [ "with bob's token", sub { ( type => 'say', text => 'x', csrf => scalar( csrf( $cookie{bob} ) ) ) }, qr{invalid CSRF token} ],
        [ 'with a forged token', sub { ( type => 'say', text => 'x', csrf => ( 'cd' x 32 ) . '.' . ( time() + 60 ) ) }, qr{invalid CSRF token} ],
    );
    for my $case ( @cases )
    {
        my( $name, $msg, $why ) = @$case;
        my( $c, $got ) = member( $cookie{alice}, scalar( csrf( $cookie{alice} ) ) );
        ok( $c, "alice connects again ($name)" ) || next;
        @$b_got = ();
        say_msg( $c, $msg->() );
        my $e = expect( $got, 'error', "a message $name: an error" );
        is( $e->{code}, 403, 'code 403' );
        like( $e->{message}, $why, 'saying why' );
        is( expect( $got, '_closed', 'then the connection is closed' )->{code}, 1008, 'with 1008' );
        settle( 0.2 );
        ok( !first_of( $b_got, 'say' ), 'and the message went nowhere' );
    }
    my( $c, $got ) = member( $cookie{alice}, scalar( csrf( $cookie{alice} ) ) );
    $c->send_utf8( 'not json' );
    is( expect( $got, 'error', 'a message that is not JSON: an error' )->{code}, 400, 'code 400' );
    is( expect( $got, '_closed', 'and a close' )->{code}, 1008, 'with 1008' );

    @$b_got = ();
    say_msg( $carol, type => 'say', text => 'still here', csrf => scalar( csrf( $cookie{carol} ) ) );
    is( expect( $b_got, 'say', 'the others go on' )->{from}, 'carol', 'carol to bob' );
};

# ---------------------------------------------------------------------------
subtest 'expiry: an expired token is refused at the handshake and in a message' => sub
{
    my( $token, $r ) = csrf( $cookie{alice} );
    my $exp = $json->decode( $r->content )->{expires};
    my( $c, $got ) = member( $cookie{alice}, $token );
    ok( $c, 'alice connects with a fresh token' ) || return;
    expect( $got, 'welcome', 'welcomed' );
    # Wait for the token to expire (at most --csrf-ttl seconds).
    wait_until( sub { time() > $exp }, $TTL + 2 );
    ok( time() > $exp, 'the token has expired' );

    my $res = handshake( $cookie{alice}, $token );
    is( $res->code, 403, 'a handshake with it: 403' );
    like( $res->content, qr{expired CSRF token}, 'because it expired' );

    @$b_got = ();
    say_msg( $alice, type => 'say', text => 'fresh', csrf => scalar( csrf( $cookie{alice} ) ) );
    is( expect( $b_got, 'say', 'a connection made with an older token still works with a fresh one' )->{text}, 'fresh', 'the page refreshes its token' );

    say_msg( $c, type => 'say', text => 'stale', csrf => $token );
    my $e = expect( $got, 'error', 'a message with the expired token: an error' );
    is( $e->{code}, 403, 'code 403' );
    like( $e->{message}, qr{expired CSRF token}, 'because it expired' );
    is( expect( $got, '_closed', 'then the connection is closed' )->{code}, 1008, 'with 1008' );
    settle( 0.2 );
    ok( !grep( { ( $_->{text} // '' ) eq 'stale' } @$b_got ), 'the stale message went nowhere' );
};

$_->disconnect for( grep{ $_ } $alice, $bob, $carol );
my $rc = stop_example();
is( $rc, 0, 'the server ends cleanly on SIGTERM' );
alarm( 0 );
done_testing;
