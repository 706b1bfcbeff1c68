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
alarm( 150 );

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
# Over TLS when $tls_ca is set (the server's certificate checked against that CA, for localhost).
my $scheme = 'http';
my $tls_ca;
sub raw
{
    my( $port, $text ) = @_;
    my $sock = IO::Socket::INET->new( PeerAddr => '127.0.0.1', PeerPort => $port, Proto => 'tcp', Timeout => 5 )
        || die( "cannot connect to $port: $!" );
    if( $tls_ca )
    {
        IO::Socket::SSL->start_SSL( $sock, SSL_ca_file => $tls_ca, SSL_hostname => 'localhost', SSL_verifycn_name => 'localhost',
            SSL_verifycn_scheme => 'http', Timeout => 5 ) || die( "TLS to $port: " . IO::Socket::SSL::errstr() );
    }
    print( $sock $text );
    my $res = '';
    my $sel = IO::Select->new( $sock );
    my $deadline = Time::HiRes::time() + 5;
    while( ( my $left = $deadline - Time::HiRes::time() ) > 0 )
    {
        last if( !( $tls_ca && $sock->pending ) && !$sel->can_read( $left ) );
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
    # A browser's POST carries the page's origin; other origins, or none, on request.
    my $origin = exists( $opt{origin} ) ? $opt{origin} : ( $method eq 'POST' ? "$scheme://127.0.0.1:$http_port" : undef );
    $req->header( Origin => $origin ) if( defined( $origin ) );
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

# A raw WebSocket handshake: the HTTP::Response of the server. %opt: origin => the Origin
# header (default: the page's; undef: none; an array reference: several), query => the whole
# query string instead of ?csrf=TOKEN, port => another server's.
sub handshake
{
    my( $cookie, $token, %opt ) = @_;
    my $q = $opt{query} // ( defined( $token ) ? '?csrf=' . URI::Escape::uri_escape( $token ) : '' );
    my $origin = exists( $opt{origin} ) ? $opt{origin} : "$scheme://127.0.0.1:$http_port";
    my $port = $opt{port} // $ws_port;
    return( raw( $port, join( "\r\n",
        "GET /$q HTTP/1.1", "Host: 127.0.0.1:$port", 'Upgrade: websocket', 'Connection: Upgrade',
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version: 13',
        ( map{ "Origin: $_" } grep{ defined } ref( $origin ) ? @$origin : ( $origin ) ),
        ( map{ "Cookie: $_" } grep{ defined } ref( $cookie ) ? @$cookie : ( $cookie ) ), '', '' ) ) );
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
    like( $set, qr{^chat_auth=alice\.\d+\.\d+\.[0-9a-f]{64};}, 'the auth cookie: user, issue time, expiry, HMAC' );
    like( $set, qr{;\s*HttpOnly\b}i, 'HttpOnly' );
    like( $set, qr{;\s*SameSite=Strict\b}i, 'SameSite=Strict' );
    unlike( $set, qr{;\s*secure\b}i, 'not Secure over plain HTTP (without --secure)' );

    my( $token, $r ) = csrf( $cookie );
    like( $token, qr{\A[0-9a-f]{64}\.\d+\.[0-9a-f]{24}\z}, 'GET /csrf with the cookie: a token HMAC.EXPIRY.NONCE' );
    isnt( scalar( csrf( $cookie ) ), $token, 'each request gets a token of its own' );
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
    is( handshake( $cookie{alice}, ( 'ab' x 32 ) . '.' . ( time() + 60 ) . '.' . ( '0' x 24 ) )->code, 403, 'a forged token: 403' );
    my $t = csrf( $cookie{alice} );
    ( my $later = $t ) =~ s/\.(\d+)\./'.' . ( $1 + 600 ) . '.'/e;
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
        [ 'with a forged token', sub { ( type => 'say', text => 'x', csrf => ( 'cd' x 32 ) . '.' . ( time() + 60 ) . '.' . ( '0' x 24 ) ) }, qr{invalid CSRF token} ],
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

# ---------------------------------------------------------------------------
subtest 'the Origin: cross-site WebSocket hijacking is refused with 403' => sub
{
    my $token = csrf( $cookie{alice} );
    my $res = handshake( $cookie{alice}, $token, origin => 'http://evil.example' );
    is( $res->code, 403, "alice's cookie and a valid token, from another site: 403" );
    like( $res->content, qr{origin not allowed}, 'because of the origin' );
    $res = handshake( $cookie{alice}, $token, origin => "http://127.0.0.1:$ws_port" );
    is( $res->code, 403, 'from another port of the same host (same site, another origin): 403' );
    is( handshake( $cookie{alice}, $token, origin => "http://127.0.0.1:$http_port.evil.example" )->code, 403, 'from a host that only starts like the page: 403' );
    is( handshake( $cookie{alice}, $token, origin => "https://127.0.0.1:$http_port" )->code, 403, 'from https:// when the page is http://: 403' );
    is( handshake( $cookie{alice}, $token, origin => 'null' )->code, 403, 'from origin "null" (a sandboxed frame, a file: page): 403' );
    $res = handshake( $cookie{alice}, $token, origin => undef );
    is( $res->code, 403, 'without Origin (not a browser; allowed only with --allow-no-origin): 403' );
    like( $res->content, qr{no Origin header}, 'saying so' );
    $res = handshake( $cookie{alice}, $token, origin => [ "http://127.0.0.1:$http_port", 'http://evil.example' ] );
    is( $res->code, 403, 'with two Origin headers: 403' );
    is( handshake( $cookie{alice}, $token, origin => "HTTP://LOCALHOST:$http_port" )->code, 101,
        'the same token from the page (as http://localhost, in capitals): 101, the refusals had not used it' );
    is( handshake( $cookie{alice}, scalar( csrf( $cookie{alice} ) ), origin => "http://[::1]:$http_port" )->code, 101, 'the page as http://[::1]: 101' );

    is( http( POST => '/login', form => 'user=alice', origin => 'http://evil.example' )->code, 403, 'POST /login from another site (login CSRF): 403' );
    is( http( POST => '/login', form => 'user=alice', origin => undef )->code, 403, 'POST /login without Origin: 403' );
    is( ( csrf( $cookie{alice} ) )[1]->code, 200, 'GET /csrf without Origin (a same-origin fetch): 200' );
    my $r = http( GET => '/csrf', cookie => $cookie{alice}, origin => 'http://evil.example' );
    is( $r->code, 403, 'GET /csrf with the Origin of another site: 403' );
    unlike( $r->content, qr{token}, 'and no token in it' );
};

# ---------------------------------------------------------------------------
subtest 'tokens, cookies and messages: what else is refused' => sub
{
    my $token = csrf( $cookie{alice} );
    is( handshake( $cookie{alice}, $token )->code, 101, 'a token opens a connection' );
    my $res = handshake( $cookie{alice}, $token );
    is( $res->code, 403, 'but only one' );
    like( $res->content, qr{already used}, 'it has been used' );
    is( handshake( $cookie{alice}, undef, query => '?csrf=' . csrf( $cookie{alice} ) . '&csrf=' . csrf( $cookie{alice} ) )->code, 403, 'two tokens in the query: 403' );
    is( handshake( [ $cookie{alice}, $cookie{bob} ], scalar( csrf( $cookie{bob} ) ) )->code, 403, 'two session cookies (one may be planted): 403' );
    is( handshake( "$cookie{alice}; $cookie{bob}", scalar( csrf( $cookie{bob} ) ) )->code, 403, 'the same in one Cookie header: 403' );
    ( my $old_format = $cookie{alice} ) =~ s/\A(chat_auth=alice)\.\d+\./$1./;
    is( handshake( $old_format, scalar( csrf( $cookie{alice} ) ) )->code, 403, 'a cookie with its issue time removed: 403' );

    my $page = http( GET => '/' );
    my $csp = $page->header( 'Content-Security-Policy' ) // '';
    like( $csp, qr{script-src 'sha256-[A-Za-z0-9+/]+=*'(?:;|\z)}, "the page's own script runs by its hash, no 'unsafe-inline' script" );
    like( $csp, qr{frame-ancestors 'none'}, 'the page cannot be framed' );
    like( $csp, qr{connect-src 'self' ws://\*:$ws_port(?:;|\z)}, 'and connects only to itself and the chat port' );
    require Digest::SHA;
    my( $script ) = $page->content =~ m{<script>(.*?)</script>}s;
    my $hash = Digest::SHA::sha256_base64( $script // '' ) . '=';
    like( $csp, qr{'sha256-\Q$hash\E'}, 'the hash is the one of the inline script' );
    unlike( $page->content, qr{innerHTML|outerHTML|insertAdjacentHTML|document\.write}, 'the page never inserts HTML' );
    like( $page->content, qr{textContent}, 'it inserts text' );

    my $big = http( POST => '/login', form => 'user=alice&pad=' . ( 'x' x 5000 ) );
    is( $big->code, 413, 'a request body over 4 KiB: 413' );

    my( $c, $got ) = member( $cookie{alice}, scalar( csrf( $cookie{alice} ) ) );
    ok( $c, 'alice connects' ) || return;
    expect( $got, 'welcome', 'welcomed' );
    say_msg( $c, type => 'say', text => 'x' x 2001, csrf => scalar( csrf( $cookie{alice} ) ) );
    like( expect( $got, 'error', 'a text of 2001 characters: an error' )->{message}, qr{1 to 2000}, 'the limit' );
    @$got = ();
    say_msg( $c, type => 'whisper', to => { user => 'bob' }, text => 'x', csrf => scalar( csrf( $cookie{alice} ) ) );
    is( expect( $got, 'error', 'a whisper to an object' )->{code}, 404, 'is for no such user' );
    @$got = ();
    $c->send_utf8( $json->encode( { type => 'say', text => 'y' x 17000, csrf => scalar( csrf( $cookie{alice} ) ) } ) );
    is( expect( $got, '_closed', 'a message over 16 KiB' )->{code}, 1009, 'closes with 1009' );

    ( $c, $got ) = member( $cookie{alice}, scalar( csrf( $cookie{alice} ) ) );
    ok( $c, 'alice connects again' ) || return;
    expect( $got, 'welcome', 'welcomed' );
    my $t = csrf( $cookie{alice} );
    @$b_got = ();
    say_msg( $c, type => 'whoami', csrf => $t ) for( 1 .. 100 );
    my $e = expect( $got, 'error', 'a hundred messages at once' );
    is( $e->{code}, 429, 'are too many: 429' );
    is( expect( $got, '_closed', 'then' )->{code}, 1008, 'a close with 1008' );
    my $answered = grep{ $_->{type} eq 'you' } @$got;
    ok( $answered >= 30 && $answered < 100, "the burst was served ($answered), not the flood" );

    my @many;
    for( 1 .. 8 )
    {
        my( $m, $g ) = member( $cookie{carol}, scalar( csrf( $cookie{carol} ) ) );
        push( @many, $m ) if( $m );
    }
    # carol's first connection is open too: 8 more are one too many.
    is( scalar( @many ), 7, 'at most 8 connections per user' );
    $res = handshake( $cookie{carol}, scalar( csrf( $cookie{carol} ) ) );
    like( $res->content, qr{too many connections}, 'the next one is refused: too many connections' );
    $_->disconnect for( @many );
    wait_until( sub { handshake( $cookie{carol}, scalar( csrf( $cookie{carol} ) ) )->code == 101 }, 5 );
};

# ---------------------------------------------------------------------------
subtest 'logout: the session ends on the server, its cookie, tokens and connections with it' => sub
{
    my( $cookie, $set ) = login( 'alice' );
    my $old_token = csrf( $cookie );
    my $spare_token = csrf( $cookie );
    my( $a1, $g1 ) = member( $cookie, scalar( csrf( $cookie ) ) );
    my( $a2, $g2 ) = member( $cookie, scalar( csrf( $cookie ) ) );
    ok( $a1 && $a2, 'alice has two connections' ) || return;
    expect( $_, 'welcome', 'welcomed' ) for( $g1, $g2 );

    is( http( POST => '/logout', cookie => $cookie, origin => 'http://evil.example' )->code, 403, 'POST /logout from another site: 403' );
    is( handshake( $cookie, $spare_token )->code, 101, 'so the session is still there' );
    $spare_token = csrf( $cookie );
    is( http( GET => '/logout', cookie => $cookie )->code, 405, 'GET /logout: 405' );

    @$b_got = ();
    my $res = http( POST => '/logout', cookie => $cookie );
    is( $res->code, 200, 'POST /logout: 200' );
    my $j = $json->decode( $res->content );
    is( $j->{signed_out}, 'alice', 'alice is signed out' );
    ok( $j->{connections_closed}, 'and, when it answers, her connections are closed' );
    my $clear = $res->header( 'Set-Cookie' ) // '';
    like( $clear, qr{^chat_auth=;}, 'the cookie is emptied' );
    like( $clear, qr{expires=[^;]*19[0-9][0-9]|max-age=0}i, 'and expired' );
    like( $clear, qr{HttpOnly}i, 'with the same attributes' );
    for my $g ( $g1, $g2 )
    {
        expect( $g, 'signed_out', 'each connection is told' );
        is( expect( $g, '_closed', 'and closed' )->{code}, 4001, 'with 4001' );
    }
    is( ( csrf( $cookie ) )[1]->code, 403, 'the old cookie gets no more tokens' );
    $res = handshake( $cookie, $spare_token );
    is( $res->code, 403, 'a token issued before the logout opens nothing' );
    like( $res->content, qr{not signed in}, 'the session is over' );
    is( handshake( $cookie, $old_token )->code, 403, 'nor does an older one' );
    is( $json->decode( http( POST => '/logout', cookie => $cookie )->content )->{signed_out}, undef, 'a second logout has no session to end' );
    is( expect( $b_got, 'say', 'the others go on' )->{from}, 'carol', 'carol to bob' ) if( say_msg( $carol, type => 'say', text => 'still', csrf => scalar( csrf( $cookie{carol} ) ) ) || 1 );

    # The walkthrough's other sessions of alice (made before this logout) are ended too: a
    # logout ends every session of the user.
    is( ( csrf( $cookie{alice} ) )[1]->code, 403, "alice's session of the other tests is ended as well" );
    wait_until( sub { first_of( $a_got, '_closed' ) }, 5 );
    is( ( first_of( $a_got, '_closed' ) // {} )->{code}, 4001, 'and its connection closed with 4001' );

    my( $again ) = login( 'alice' );
    isnt( $again, $cookie, 'alice signs in again: a new cookie' );
    my( $a3, $g3 ) = member( $again, scalar( csrf( $again ) ) );
    ok( $a3, 'which works' );
    expect( $g3, 'welcome', 'welcomed' );
    $a3->disconnect if( $a3 );
    $cookie{alice} = $again;
};

$_->disconnect for( grep{ $_ } $alice, $bob, $carol );
my $rc = stop_example();
is( $rc, 0, 'the server ends cleanly on SIGTERM' );

# ---------------------------------------------------------------------------
subtest '--origin and --allow-no-origin' => sub
{
    ( $ws_port, $http_port, $out ) = start_example( 'examples/secure-chat/server.pl', '--host', '127.0.0.1', '--port', 0,
        '--origin', 'https://Chat.Example/', '--origin', 'http://127.0.0.1:1', '--allow-no-origin' );
    ok( $ws_port && $http_port, 'the server starts' ) || return( diag( $out ) );
    my( $cookie ) = login_from( 'https://chat.example', 'alice' );
    ok( $cookie, 'POST /login from a listed origin' ) || return;
    is( handshake( $cookie, scalar( csrf( $cookie ) ), origin => 'https://chat.example' )->code, 101, 'a listed origin (given as https://Chat.Example/): 101' );
    is( handshake( $cookie, scalar( csrf( $cookie ) ), origin => 'http://127.0.0.1:1' )->code, 101, 'the other listed one: 101' );
    my $res = handshake( $cookie, scalar( csrf( $cookie ) ), origin => "http://127.0.0.1:$http_port" );
    is( $res->code, 403, 'the own origin, no longer listed: 403' );
    is( handshake( $cookie, scalar( csrf( $cookie ) ), origin => undef )->code, 101, 'no Origin, with --allow-no-origin: 101' );
    is( handshake( undef, scalar( csrf( $cookie ) ), origin => undef )->code, 403, 'but still the cookie' );
    is( handshake( $cookie, undef, origin => undef )->code, 403, 'and the token' );
    is( stop_example(), 0, 'the server ends cleanly' );
};

sub login_from
{
    my( $origin, $user ) = @_;
    my $res = http( POST => '/login', form => "user=$user", origin => $origin );
    return if( $res->code != 200 );
    my( $pair ) = split( /;/, $res->header( 'Set-Cookie' ), 2 );
    return( $pair, $res->header( 'Set-Cookie' ) );
}

# ---------------------------------------------------------------------------
SKIP:
{
    require TestTLS;
    skip( 'the openssl command is not installed (apt-get install openssl): no TLS run', 1 ) if( !TestTLS::openssl_ok() );
    skip( 'IO::Socket::SSL is not installed: no TLS run', 1 ) if( !eval{ require IO::Socket::SSL; 1 } );
    subtest 'TLS: --cert and --key serve https:// and wss://, with a Secure __Host- cookie' => sub
    {
        my $pki = TestTLS->new;
        ( $ws_port, $http_port, $out ) = start_example( 'examples/secure-chat/server.pl', '--host', '127.0.0.1', '--port', 0,
            '--cert', $pki->file( 'server-chain.pem' ), '--key', $pki->file( 'server.key' ) );
        like( $out, qr{^listening on wss://127\.0\.0\.1:\d+/$}m, 'wss://' );
        like( $out, qr{^page at https://127\.0\.0\.1:\d+/$}m, 'https://' );
        ok( $ws_port && $http_port, 'the server starts' ) || return( diag( $out ) );
        ( $scheme, $tls_ca ) = ( 'https', $pki->file( 'ca.pem' ) );
        my $page = http( GET => '/' );
        is( $page->code, 200, 'the page over https://' );
        like( $page->header( 'Strict-Transport-Security' ) // '', qr{max-age=\d+}, 'with Strict-Transport-Security' );
        like( $page->header( 'Content-Security-Policy' ) // '', qr{connect-src 'self' wss://\*:$ws_port(?:;|\z)}, 'connecting to wss:// only' );
        my $res = http( POST => '/login', form => 'user=bob' );
        is( $res->code, 200, 'POST /login' );
        my $set = $res->header( 'Set-Cookie' ) // '';
        like( $set, qr{^__Host-chat_auth=bob\.}, 'the cookie has the __Host- prefix' );
        like( $set, qr{;\s*secure\b}i, 'Secure' );
        like( $set, qr{;\s*path=/(?:;|\z)}i, 'Path=/' );
        unlike( $set, qr{domain=}i, 'no Domain' );
        my( $cookie ) = split( /;/, $set, 2 );
        my $token = csrf( $cookie );
        ok( $token, 'a token' );
        is( handshake( $cookie, $token )->code, 101, 'a wss:// handshake with cookie and token: 101' );
        is( handshake( $cookie, scalar( csrf( $cookie ) ), origin => "http://127.0.0.1:$http_port" )->code, 403, 'from the http:// origin: 403' );
        ( my $plain = $cookie ) =~ s/\A__Host-//;
        is( handshake( $plain, scalar( csrf( $cookie ) ) )->code, 403, 'the cookie without its prefix: 403' );
        ( $scheme, $tls_ca ) = ( 'http', undef );
        my $clear = eval{ http( GET => '/' ) };
        ok( !$clear || !$clear->code, 'plain http:// to the https:// port gets no page' );
        is( stop_example(), 0, 'the server ends cleanly' );
    };
}
alarm( 0 );
done_testing;
