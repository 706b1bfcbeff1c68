use strict;
use warnings;
use FindBin ();
use lib "$FindBin::Bin/interop", "$FindBin::Bin/lib";
use IO::Socket::INET;
use Test::More;
use Interop;

# examples/secure-chat (server.pl and its page index.html) in headless Chromium (Debian's
# chromium, driven by playwright-core through t/interop/secure_chat_driver.js), used as people
# would: one browser context (cookie jar) per user, the page's own form and buttons.
#   1. http:// and ws://, CSRF tokens living 3 seconds: alice, bob and carol sign in; a message
#      to all (with markup in it, which must show as text) and a whisper; messages still go
#      through after the tokens the pages connected with have expired (the page refreshes
#      them); a page of another origin (the attacker's server, another port of the same host,
#      hence the same site: alice's SameSite=Strict cookie is sent) opens the chat's WebSocket
#      with a valid token of alice's and is refused, while alice's page gets in with that same
#      token; alice signs out in one tab and the server closes her other tab with 4001; her
#      old cookie, put back into the browser, and a token issued before the sign-out open
#      nothing.
#   2. https:// and wss:// (--cert/--key, the test CA's certificate for localhost, pinned in
#      Chromium by its key): sign in, chat, a Secure __Host- cookie, sign out.
# WEBSOCKET_INTEROP_REQUIRED=1 turns a missing Chromium, Node.js, playwright-core, HTTP::Daemon,
# Cookie::Baker (or, for run 2, openssl) into failures instead of skips.

Interop::need_chromium();
for my $m ( qw( HTTP::Daemon Cookie::Baker ) )
{
    Interop::need( $m, eval( "require $m; 1" ), "cpanm $m (Debian: lib" . lc( join( '-', split( /::/, $m ) ) ) . '-perl)' );
}

my $top = "$FindBin::Bin/..";
my @server = ( $^X, "-I$top/blib/lib", "-I$top/blib/arch", "$top/examples/secure-chat/server.pl", '--host', '127.0.0.1', '--port', 0, '--log' );

# The attacker's site: one page, on a port of its own, that tries the chat with what it is
# given (the chat's WebSocket URL, a token), and also tries to read a token from /csrf.
my $ATTACK = <<'HTML';
<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>not the chat</title></head><body><script>
window.result = { done: false };
(async function () {
  var q = new URLSearchParams(location.search), r = window.result;
  try {
    var res = await fetch(q.get('csrf'), { credentials: 'include', cache: 'no-store' });
    r.csrf = { status: res.status, body: await res.text() };
  } catch (e) { r.csrf = { blocked: String(e) }; }
  await new Promise(function (resolve) {
    r.ws = { opened: false, messages: [] };
    var ws = new WebSocket(q.get('ws') + '?csrf=' + encodeURIComponent(q.get('token')));
    var t = setTimeout(function () { r.ws.timeout = true; resolve(); }, 8000);
    ws.onopen = function () {
      r.ws.opened = true;
      ws.send(JSON.stringify({ type: 'say', text: 'hijacked', csrf: q.get('token') }));
    };
    ws.onmessage = function (e) { r.ws.messages.push(e.data); };
    ws.onclose = function (e) { r.ws.code = e.code; clearTimeout(t); resolve(); };
  });
  r.done = true;
})();
</script></body></html>
HTML

sub attacker_site
{
    return( Interop::spawn( name => 'attacker site', code => Interop::static_http( { '/attack.html' => [ \$ATTACK, 'text/html; charset=utf-8' ] } ) ) );
}

# Starts server.pl with these arguments: ( $proc, $ws_port, $http_port ).
sub chat_server
{
    my( $name, @args ) = @_;
    my $srv = Interop::spawn( name => $name, cmd => [ @server, @args ] );
    my $http_port;
    my $ws_port = Interop::wait_for( [ $srv ], sub
    {
        ( $http_port ) = map{ $_->{text} =~ m{^page at https?://\S+:(\d+)/} ? $1 : () } Interop::events( $srv, event => 'output' );
        return( $http_port && Interop::listening_port( $srv ) );
    }, 30 );
    return( $srv, $ws_port, $http_port );
}

sub stderr_of
{
    my $p = shift( @_ );
    my $fh = $p->{stderr} || return( '' );
    seek( $fh, 0, 0 ) || return( '' );
    local $/;
    return( <$fh> // '' );
}

sub texts { return( [ map{ $_->{text} } @{ $_[0]->{lines} || [] } ] ); }

sub has_line
{
    my( $view, $re ) = @_;
    return( scalar( grep{ $_ =~ $re } @{ texts( $view ) } ) );
}

# What every run checks: three users signed in and talking.
sub check_chat
{
    my( $drv, $check, %cookie ) = @_;
    for my $user ( qw( alice bob carol ) )
    {
        my( $in ) = Interop::events( $drv, event => 'signed-in', user => $user );
        $check->( ok( $in && $in->{state} eq 'open' && $in->{me} eq $user, "$user signs in with the form and the page connects" ) );
        my $c = ( $in || {} )->{cookie} || {};
        $check->( is_deeply( [ @$c{qw( name httpOnly secure sameSite )} ], [ $cookie{name}, JSON::PP::true(), $cookie{secure}, 'Strict' ],
            "$user\'s cookie: $cookie{name}, HttpOnly, " . ( $cookie{secure} ? 'Secure' : 'not Secure' ) . ', SameSite=Strict' ) );
    }
    my( $chat ) = Interop::events( $drv, event => 'chat' );
    $chat ||= {};
    my $markup = 'hi <b>all</b> <img src=x onerror="window.pwned=1">';
    $check->( ok( has_line( $chat->{bob}, qr{^alice: \Q$markup\E$} ) && has_line( $chat->{carol}, qr{^alice: \Q$markup\E$} ),
        "alice's message reaches bob and carol" ) );
    $check->( ok( ( $chat->{bob} || {} )->{elements} == 0 && ( $chat->{carol} || {} )->{elements} == 0,
        'its markup shows as text: no element was made of it' ) );
    $check->( ok( !( $chat->{bob} || {} )->{pwned} && !( $chat->{carol} || {} )->{pwned}, 'and its onerror never ran' ) );
    my( $w ) = grep{ $_->{text} eq 'bob (to you): psst alice' } @{ ( $chat->{alice} || {} )->{lines} || [] };
    $check->( ok( $w && $w->{cls} eq 'whisper', "bob's whisper reaches alice, shown as a whisper" ) );
    $check->( ok( !has_line( $chat->{carol}, qr{psst} ), 'carol never sees it' ) );
    $check->( ok( !has_line( $chat->{$_}, qr{^error} ), "no error on $_\'s page" ) ) for( qw( alice bob carol ) );
}

sub check_logout
{
    my( $drv, $check ) = @_;
    my( $out ) = Interop::events( $drv, event => 'logout' );
    $out ||= {};
    $check->( is( ( $out->{first} || {} )->{state}, 'signed-out', 'alice signs out: her page is back on the sign-in form' ) );
    $check->( is( ( $out->{second} || {} )->{state}, 'signed-out', 'her second tab too' ) );
    $check->( ok( has_line( $out->{second}, qr{^connection closed \(4001 signed out\)$} ), 'because the server closed its connection with 4001' ) );
    $check->( is( $out->{afterCookie}, undef, 'the cookie is gone from her browser' ) );
    $check->( is( $out->{oldToken}, 200, 'a token was issued to her second tab before' ) );
    my $r = $out->{replay} || {};
    $check->( ok( $r->{cookie} && $r->{cookie}->{value}, 'her old cookie put back into her browser' ) );
    $check->( is( ( $r->{csrf} || {} )->{status}, 403, 'gets no token: 403' ) );
    my $ws = $r->{ws} || {};
    $check->( ok( !$ws->{opened} && ( $ws->{code} // 0 ) == 1006, 'and, with the old token, opens no WebSocket (1006)' ) ) || diag( explain( $ws ) );
    $check->( is( ( $out->{reloaded} || {} )->{state}, 'signed-out', 'a reload with the old cookie stays signed out' ) );
    $check->( ok( has_line( $out->{carol}, qr{^bob: still here$} ), 'bob and carol go on talking' ) );
}

subtest 'secure chat over http:// and ws://' => sub
{
    my( $srv, $ws_port, $http_port ) = chat_server( 'secure-chat server', '--csrf-ttl', 3 );
    my $evil = attacker_site();
    my $ok = Interop::wait_for( [ $evil ], sub{ Interop::listening_port( $evil ) }, 20 );
    if( !ok( $ws_port && $http_port && $ok, 'the chat server and the attacker site listen' ) )
    {
        diag( Interop::transcript( $srv ), Interop::transcript( $evil ) );
        return;
    }
    my $page = "http://127.0.0.1:$http_port/";
    my $attacker = 'http://127.0.0.1:' . Interop::listening_port( $evil ) . '/attack.html';
    note( "the page: $page; the attacker's: $attacker" );
    my $drv = Interop::spawn( name => 'Chromium pages', cmd => [ 'node', "$Interop::DIR/secure_chat_driver.js", $page, $attacker ] );
    Interop::wait_for( [ $drv, $srv ], sub{ Interop::events( $drv, event => 'done' ) || Interop::events( $drv, event => 'error' ) || $drv->{eof} }, 170 );
    Interop::stop( $_ ) for( $drv, $evil, $srv );

    my $failed = 0;
    my $check = sub{ $_[0] || $failed++ };
    my( $done ) = Interop::events( $drv, event => 'done' );
    $check->( ok( $done, 'the pages ran to their end' ) );
    note( "browser: $done->{browser}" ) if( $done );
    $check->( ok( !Interop::events( $drv, event => 'error' ), 'no error' ) );
    check_chat( $drv, $check, name => 'chat_auth', secure => JSON::PP::false() );

    my( $refresh ) = Interop::events( $drv, event => 'refresh' );
    $refresh ||= {};
    $check->( is( $refresh->{ttl}, 3, 'the tokens live 3 seconds' ) );
    $check->( ok( has_line( $refresh->{bob}, qr{^alice: after the expiry$} ) && has_line( $refresh->{alice}, qr{^bob: bob after the expiry too$} ),
        "$refresh->{waited} seconds later, messages still go through: the pages refresh their tokens" ) );
    $check->( ok( ( $refresh->{alice} || {} )->{state} eq 'open' && !has_line( $refresh->{alice}, qr{^error|^connection closed} ), 'on the same connections, without error' ) );

    my( $attack ) = Interop::events( $drv, event => 'attack' );
    $attack ||= {};
    my $a = $attack->{attack} || {};
    $check->( is( $attack->{leaked}, 200, 'a valid token of alice\'s is handed to the attacker\'s page' ) );
    $check->( ok( $a->{ws} && !$a->{ws}->{opened} && ( $a->{ws}->{code} // 0 ) == 1006,
        "the attacker's page ($attack->{attackerOrigin}), in alice's browser, cannot open the chat's WebSocket (1006)" ) ) || diag( explain( $a ) );
    $check->( ok( $a->{csrf} && ( $a->{csrf}->{blocked} || ( $a->{csrf}->{body} // '' ) !~ /token/ ), 'nor read a token from /csrf' ) ) || diag( explain( $a ) );
    my $c = $attack->{control} || {};
    $check->( ok( $c->{opened} && ( $c->{messages}->[0] // '' ) =~ /"type":"welcome"/ && ( $c->{messages}->[0] // '' ) =~ /"user":"alice"/,
        "alice's own page opens it with the same token: the origin made the difference" ) ) || diag( explain( $c ) );
    $check->( ok( !has_line( $attack->{bob}, qr{hijacked} ), 'nothing reached bob from the attacker' ) );
    my $log = stderr_of( $srv );
    $check->( like( $log, qr{refused a handshake from 127\.0\.0\.1 \(origin \Q$attack->{attackerOrigin}\E\): origin not allowed},
        'the server refused it for its origin (its --log)' ) );

    check_logout( $drv, $check );
    $check->( like( $log, qr{alice signed out}, 'the server logged the sign-out' ) );
    diag( Interop::transcript( $srv ), Interop::transcript( $drv ), Interop::transcript( $evil ) ) if( $failed );
};

SKIP:
{
    require TestTLS;
    if( !TestTLS::openssl_ok() )
    {
        fail( 'the openssl command is missing for the https:// run; WEBSOCKET_INTEROP_REQUIRED is set' ) if( Interop::required() );
        skip( 'the openssl command is not installed (apt-get install openssl): no https:// run', 1 );
    }
    subtest 'secure chat over https:// and wss:// (--cert, --key)' => sub
    {
        my $pki = TestTLS->new;
        my $spki = Interop::spki_hash( $pki->file( 'server.key' ) );
        my( $srv, $ws_port, $http_port ) = chat_server( 'secure-chat server (TLS)', '--cert', $pki->file( 'server-chain.pem' ), '--key', $pki->file( 'server.key' ) );
        if( !ok( $ws_port && $http_port, 'the chat server listens' ) )
        {
            diag( Interop::transcript( $srv ) );
            return;
        }
        my $page = "https://localhost:$http_port/";
        note( "the page: $page (certificate pinned by its key: $spki)" );
        my $drv = Interop::spawn( name => 'Chromium pages (TLS)', cmd => [ 'node', "$Interop::DIR/secure_chat_driver.js", '--spki', $spki, '--short', $page ] );
        Interop::wait_for( [ $drv, $srv ], sub{ Interop::events( $drv, event => 'done' ) || Interop::events( $drv, event => 'error' ) || $drv->{eof} }, 120 );
        Interop::stop( $_ ) for( $drv, $srv );

        my $failed = 0;
        my $check = sub{ $_[0] || $failed++ };
        $check->( ok( Interop::events( $drv, event => 'done' ), 'the pages ran to their end' ) );
        $check->( ok( !Interop::events( $drv, event => 'error' ), 'no error' ) );
        check_chat( $drv, $check, name => '__Host-chat_auth', secure => JSON::PP::true() );
        check_logout( $drv, $check );
        diag( Interop::transcript( $srv ), Interop::transcript( $drv ) ) if( $failed );
    };
}

done_testing;
