#!/usr/bin/perl
# An authenticated chat: HttpOnly session cookie + short-lived HMAC CSRF token. See the POD at
# the end, or perldoc examples/secure-chat/server.pl
#
#   perl -Mblib examples/secure-chat/server.pl [--host 127.0.0.1] [--port 8080] [--http-port 8081]
use strict;
use warnings;
use Cookie::Baker ();
use Digest::SHA ();
use FindBin ();
use Getopt::Long ();
use HTTP::Daemon;
use HTTP::Response;
use IO::Socket::IP;
use JSON ();
use POSIX ();
use Scalar::Util ();
use URI;
use URI::QueryParam;
use WebSocket::Server;

my $host        = '127.0.0.1';
my $port        = 8080;
my $http_port;
my $csrf_ttl    = 300;
my $session_ttl = 3600;
my $secure      = 0;
my $secret;
my $page_file   = "$FindBin::Bin/index.html";
Getopt::Long::GetOptions(
    'host=s'        => \$host,
    'port=i'        => \$port,
    'http-port=i'   => \$http_port,
    'csrf-ttl=i'    => \$csrf_ttl,
    'session-ttl=i' => \$session_ttl,
    'secure!'       => \$secure,
    'secret=s'      => \$secret,
    'page=s'        => \$page_file,
) || die( "Usage: $0 [--host 127.0.0.1] [--port 8080] [--http-port PORT] [--csrf-ttl SECONDS] [--session-ttl SECONDS] [--secure] [--secret STRING] [--page FILE]\n" );
die( "--csrf-ttl must be at least 1\n" ) if( $csrf_ttl < 1 );
die( "--session-ttl must be at least 1\n" ) if( $session_ttl < 1 );
$http_port //= $port ? $port + 1 : 0;

# The server secret: random for each run unless given (then every restart logs everyone out).
if( !defined( $secret ) )
{
    open( my $rnd, '<:raw', '/dev/urandom' ) || die( "Cannot read /dev/urandom: $!\n" );
    read( $rnd, $secret, 32 ) == 32 || die( "Short read from /dev/urandom\n" );
    close( $rnd );
}

# The demo's user table: signing in takes a name from it, without password. A real application
# checks a password, a single sign-on answer, etc. before it issues the cookie.
my %USERS = map{ $_ => 1 } qw( alice bob carol );
my $COOKIE = 'chat_auth';

my $page = do
{
    open( my $fh, '<:raw', $page_file ) || die( "Cannot read the page $page_file: $!\n" );
    local $/;
    <$fh>;
};

# ---------------------------------------------------------------------------
# Signed values
# ---------------------------------------------------------------------------
# The session cookie and the CSRF token are both HMAC-SHA256 with the server secret, over the
# user id and an expiry time; a different label in each keeps one from passing for the other.
sub sign { return( Digest::SHA::hmac_sha256_hex( join( ';', @_ ), $secret ) ); }

# Compares two strings in a time that does not depend on where they differ.
sub same
{
    my( $x, $y ) = @_;
    return( 0 ) if( !defined( $x ) || !defined( $y ) || length( $x ) != length( $y ) );
    my $diff = 0;
    $diff |= ord( substr( $x, $_, 1 ) ) ^ ord( substr( $y, $_, 1 ) ) for( 0 .. length( $x ) - 1 );
    return( $diff == 0 );
}

sub make_session
{
    my( $user ) = @_;
    my $exp = time() + $session_ttl;
    return( join( '.', $user, $exp, sign( 'session', $user, $exp ) ), $exp );
}

# The user id of a valid, unexpired session cookie value, or undef.
sub check_session
{
    my( $value ) = @_;
    my( $user, $exp, $mac ) = ( $value // '' ) =~ /\A([a-z0-9_]{1,32})\.(\d{1,12})\.([0-9a-f]{64})\z/ or return;
    return if( !same( $mac, sign( 'session', $user, $exp ) ) );
    return if( $exp < time() || !$USERS{ $user } );
    return( $user );
}

# The user id of the session cookie in a Cookie header, or undef.
sub user_of_cookie_header
{
    my( $header ) = @_;
    return if( !defined( $header ) || !length( $header ) );
    my $jar = Cookie::Baker::crush_cookie( $header );
    return( check_session( $jar->{ $COOKIE } ) );
}

sub make_csrf
{
    my( $user ) = @_;
    my $exp = time() + $csrf_ttl;
    return( sign( 'csrf', $user, $exp ) . ".$exp", $exp );
}

# Checks a CSRF token for this user: ( 1 ) or ( 0, $why ).
sub check_csrf
{
    my( $token, $user ) = @_;
    return( 0, 'missing CSRF token' ) if( !defined( $token ) || ref( $token ) || !length( $token ) );
    my( $mac, $exp ) = $token =~ /\A([0-9a-f]{64})\.(\d{1,12})\z/ or return( 0, 'malformed CSRF token' );
    return( 0, 'invalid CSRF token' ) if( !defined( $user ) || !same( $mac, sign( 'csrf', $user, $exp ) ) );
    return( 0, 'expired CSRF token' ) if( $exp < time() );
    return( 1 );
}

# ---------------------------------------------------------------------------
# Listeners
# ---------------------------------------------------------------------------
my $ws_sock = IO::Socket::IP->new(
    LocalHost => $host,
    LocalPort => $port,
    Listen    => 128,
    ReuseAddr => 1,
) || die( "Cannot listen on ${host}:${port}: $@\n" );
my $http = HTTP::Daemon->new(
    LocalAddr => $host,
    LocalPort => $http_port,
    Listen    => 64,
    ReuseAddr => 1,
    # accept() returns every second, so that the HTTP process notices when it is alone.
    Timeout   => 1,
) || die( "Cannot listen on ${host}:${http_port}: $@\n" );
my $ws_port = $ws_sock->sockport;
$page =~ s{(<meta name="chat-websocket-port" content=")[^"]*(")}{$1$ws_port$2}
    || die( "The page $page_file has no <meta name=\"chat-websocket-port\" content=\"\"> element\n" );

# ---------------------------------------------------------------------------
# The HTTP endpoints, in a child process (HTTP::Daemon is blocking; the chat is not held up)
# ---------------------------------------------------------------------------
my $json       = JSON->new->canonical;          # character strings: send_utf8 encodes them
my $json_bytes = JSON->new->utf8->canonical;    # the HTTP bodies

sub json_response
{
    my( $code, $data, @headers ) = @_;
    return( HTTP::Response->new( $code, undef, [
        'Content-Type'  => 'application/json; charset=utf-8',
        'Cache-Control' => 'private, no-cache, no-store, must-revalidate',
        @headers,
    ], $json_bytes->encode( $data ) ) );
}

sub http_response
{
    my( $req ) = @_;
    my $path = $req->uri->path;
    my $method = $req->method;
    if( $path eq '/' || $path eq '/index.html' )
    {
        return( json_response( 405, { code => 405, message => 'Method not allowed' }, Allow => 'GET, HEAD' ) )
            if( $method ne 'GET' && $method ne 'HEAD' );
        return( HTTP::Response->new( 200, undef, [
            'Content-Type'            => 'text/html; charset=utf-8',
            'Cache-Control'           => 'no-cache',
            'Content-Security-Policy' => "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self' ws: wss:; base-uri 'none'; form-action 'none'",
            'X-Content-Type-Options'  => 'nosniff',
            'Referrer-Policy'         => 'no-referrer',
        ], $method eq 'HEAD' ? '' : $page ) );
    }
    elsif( $path eq '/login' )
    {
        return( json_response( 405, { code => 405, message => 'Method not allowed' }, Allow => 'POST' ) ) if( $method ne 'POST' );
        # A form (user=alice) or JSON ({"user":"alice"}).
        my $user;
        if( ( $req->content_type // '' ) eq 'application/json' )
        {
            my $data = eval{ JSON->new->utf8->decode( $req->content ) };
            $user = $data->{user} if( ref( $data ) eq 'HASH' );
        }
        else
        {
            $user = URI->new( '?' . ( $req->content // '' ) )->query_param( 'user' );
        }
        $user = lc( $user // '' );
        return( json_response( 403, { code => 403, message => 'Unknown user' } ) ) if( !$USERS{ $user } || ref( $user ) );
        my( $value, $exp ) = make_session( $user );
        my $cookie = Cookie::Baker::bake_cookie( $COOKIE, {
            value    => $value,
            path     => '/',
            expires  => $exp,
            httponly => 1,
            samesite => 'Strict',
            ( $secure ? ( secure => 1 ) : () ),
        });
        return( json_response( 200, { code => 200, user => $user, expires => $exp + 0 }, 'Set-Cookie' => $cookie ) );
    }
    elsif( $path eq '/logout' )
    {
        return( json_response( 405, { code => 405, message => 'Method not allowed' }, Allow => 'POST' ) ) if( $method ne 'POST' );
        my $cookie = Cookie::Baker::bake_cookie( $COOKIE, {
            value => '', path => '/', expires => 'now', httponly => 1, samesite => 'Strict', ( $secure ? ( secure => 1 ) : () ),
        });
        return( json_response( 200, { code => 200 }, 'Set-Cookie' => $cookie ) );
    }
    elsif( $path eq '/csrf' )
    {
        return( json_response( 405, { code => 405, message => 'Method not allowed' }, Allow => 'GET, POST' ) )
            if( $method ne 'GET' && $method ne 'POST' );
        my $user = user_of_cookie_header( scalar( $req->header( 'Cookie' ) ) );
        return( json_response( 403, { code => 403, message => 'Sign in first' } ) ) if( !defined( $user ) );
        my( $token, $exp ) = make_csrf( $user );
        return( json_response( 200, { code => 200, token => $token, expires => $exp + 0, ttl => $csrf_ttl + 0, user => $user },
            'X-CSRF-Token' => $token ) );
    }
    return( json_response( 404, { code => 404, message => 'Not found' } ) );
}

sub http_main
{
    my( $parent ) = @_;
    $SIG{TERM} = $SIG{INT} = sub { POSIX::_exit( 0 ) };
    while( getppid() == $parent )
    {
        my $c = $http->accept || next;
        $c->timeout( 5 );
        # One request per connection: simple, and a slow client cannot hold the process long.
        if( my $req = $c->get_request )
        {
            my $res = eval{ http_response( $req ) } // json_response( 500, { code => 500, message => 'Internal error' } );
            $res->header( Connection => 'close' );
            $c->send_response( $res );
        }
        $c->close;
    }
    POSIX::_exit( 0 );
}

my $parent = $$;
my $http_pid = fork() // die( "fork: $!\n" );
if( !$http_pid )
{
    close( $ws_sock );
    http_main( $parent );
}
my $http_port_real = $http->sockport;
close( $http );

# ---------------------------------------------------------------------------
# The WebSocket chat
# ---------------------------------------------------------------------------
my %conns;    # refaddr => connection, the authenticated ones

sub can_send
{
    my( $conn ) = @_;
    return( $conn->is_ready && !$conn->disconnecting && !$conn->disconnected );
}

sub send_json
{
    my( $conn, $data ) = @_;
    return if( !can_send( $conn ) );
    defined( $conn->send_utf8( $json->encode( $data ) ) ) ||
        warn( "Cannot send to ", $conn->ip // '?', ": ", $conn->error, "\n" );
}

# The message is refused: an error message to this client, then a close with 1008 (policy).
sub refuse
{
    my( $conn, $code, $why ) = @_;
    send_json( $conn, { type => 'error', code => $code, message => "You do not have permission to access this websocket: $why." } );
    $conn->disconnect( 1008, $why );
    return;
}

my $server = WebSocket::Server->new(
    listen       => $ws_sock,
    silence_max  => 20,
    pong_timeout => 30,
    on_connect   => sub
    {
        my( $server, $conn ) = @_;
        $conn->max_recv_size( 16384 );
        $conn->on(
            # Steps 7 and 8 of the walkthrough: the cookie and the token in the query string.
            handshake => sub
            {
                my( $conn, $hs ) = @_;
                my $user = user_of_cookie_header( scalar( $hs->request->headers->header( 'Cookie' ) ) );
                my $token = $conn->request_uri->query_param( 'csrf' );
                my( $ok, $why ) = defined( $user ) ? check_csrf( $token, $user ) : ( 0, 'not signed in' );
                if( !$ok )
                {
                    $conn->http_error( 403, "You do not have permission to access this websocket: $why." );
                    return;
                }
                $conn->metadata({ user => $user });
                return( 1 );
            },
            ready => sub
            {
                my( $conn ) = @_;
                $conns{ Scalar::Util::refaddr( $conn ) } = $conn;
                send_json( $conn, { type => 'welcome', user => $conn->metadata->{user}, csrf_ttl => $csrf_ttl + 0 } );
            },
            # Steps 9 and 10: each message carries a valid token of this connection's user.
            utf8 => sub
            {
                my( $conn, $text ) = @_;
                my $me = $conn->metadata->{user};
                my $msg = eval{ JSON->new->decode( $text ) };
                return( refuse( $conn, 400, 'a message is a JSON object' ) ) if( ref( $msg ) ne 'HASH' );
                my( $ok, $why ) = check_csrf( $msg->{csrf}, $me );
                return( refuse( $conn, 403, $why ) ) if( !$ok );
                my $type = $msg->{type} // 'say';
                if( $type eq 'whoami' )
                {
                    send_json( $conn, { type => 'you', user => $me } );
                }
                elsif( $type eq 'say' || $type eq 'whisper' )
                {
                    my $body = $msg->{text};
                    if( !defined( $body ) || ref( $body ) || !length( $body ) || length( $body ) > 2000 )
                    {
                        return( send_json( $conn, { type => 'error', code => 400, message => 'text: 1 to 2000 characters' } ) );
                    }
                    # The sender is the connection's user, whatever the message says.
                    my $out = { type => $type, from => $me, text => $body, ts => time() };
                    my $to;
                    if( $type eq 'whisper' )
                    {
                        $to = $msg->{to} // '';
                        return( send_json( $conn, { type => 'error', code => 404, message => 'no such user' } ) )
                            if( ref( $to ) || !$USERS{ $to } );
                        $out->{to} = $to;
                    }
                    for my $other ( values( %conns ) )
                    {
                        next if( Scalar::Util::refaddr( $other ) == Scalar::Util::refaddr( $conn ) );
                        next if( defined( $to ) && $other->metadata->{user} ne $to );
                        send_json( $other, $out );
                    }
                    send_json( $conn, { type => 'sent', ( defined( $to ) ? ( to => $to ) : () ) } );
                }
                else
                {
                    send_json( $conn, { type => 'error', code => 400, message => 'unknown message type' } );
                }
            },
            binary => sub { refuse( $_[0], 400, 'binary messages are not accepted' ) },
            disconnect => sub { delete( $conns{ Scalar::Util::refaddr( $_[0] ) } ) },
        );
        return( 1 );
    },
) || die( WebSocket::Server->error, "\n" );

my $shown = $host =~ /:/ ? "[$host]" : $host;
$| = 1;
print( "listening on ws://${shown}:${ws_port}/\n" );
print( "page at http://${shown}:${http_port_real}/\n" );

$SIG{TERM} = $SIG{INT} = sub { $server->shutdown };
$server->start || warn( $server->error, "\n" );
kill( 'TERM', $http_pid );
waitpid( $http_pid, 0 );

__END__

=encoding utf-8

=head1 NAME

secure-chat/server.pl - a chat whose WebSocket is authenticated with an HttpOnly cookie and a CSRF token

=head1 SYNOPSIS

    perl -Mblib examples/secure-chat/server.pl [--host 127.0.0.1] [--port 8080] [--http-port 8081]
        [--csrf-ttl 300] [--session-ttl 3600] [--secure] [--secret STRING]

    listening on ws://127.0.0.1:8080/
    page at http://127.0.0.1:8081/

Open the page in two browser windows (one of them private, so that each has its own cookie),
sign in as C<alice> in one and C<bob> in the other, and talk.

=head1 DESCRIPTION

The walkthrough of L<WebSocket/"SECURITY CONSIDERATIONS">, as a program that runs. The
WebSocket protocol has no authentication of its own and a browser cannot add headers to a
WebSocket request, but it does send the site's cookies with it, and the page can put anything
in the query string. So:

=over 4

=item 1. Signing in

C<POST /login> with C<user=alice> (a form, or JSON C<{"user":"alice"}>) sets the cookie
C<chat_auth>: the user id, an expiry time and an HMAC-SHA256 of both with the server secret.
It is C<HttpOnly> (the page's script cannot read it, so a script injected into the page cannot
steal it), C<SameSite=Strict> (another site cannot make the browser send it), and C<Secure>
with C<--secure> (for a server behind a TLS front end, as it always should be: use C<wss://>
and C<https://>). B<This is a demo>: the users are a fixed table (C<alice>, C<bob>,
C<carol>) and no password is asked. C<POST /logout> removes the cookie.

=item 2. and 3. The CSRF token

C<GET /csrf> (or C<POST>), with a valid cookie, answers
C<{"code":200,"token":"HMAC.EXPIRY","expires":EXPIRY,"ttl":300,"user":"alice"}> (also in an
C<X-CSRF-Token> header); without one, 403. The token is
C<HMAC-SHA256(secret, "csrf;USER;EXPIRY")> in hex, a dot and the expiry, which comes
C<--csrf-ttl> seconds (default 300) after it was issued. The page asks for a fresh one before
the current one expires. Since the answer carries no C<Access-Control-Allow-Origin>, another
site's script cannot read it.

=item 4. to 7. The connection

The page opens C<ws://HOST:PORT/?csrf=TOKEN>; the browser adds the cookie (cookies are
per host, not per port). In C<on_handshake> the server reads the C<Cookie> header of
C<< $hs->request >> (with L<Cookie::Baker>), checks the session, then checks the token of the
query string (C<< $conn->request_uri->query_param('csrf') >>): its HMAC must be the one of this
user and its expiry, compared in constant time, and it must not have expired. Otherwise the
client gets C<< $conn->http_error( 403, ... ) >>: an HTTP 403 answer, not a WebSocket.

=item 8. The user of the connection

Once accepted, the user id is kept in C<< $conn->metadata >>, one per connection. The client
gets C<{"type":"welcome","user":"alice","csrf_ttl":300}>.

=item 9. and 10. Every message

A message is a JSON object with a C<csrf> member holding a valid, unexpired token B<of the
connection's user>. A message without one, with an expired or forged one, with another user's,
or that is not a JSON object gets C<{"type":"error","code":403,...}> (400 for the last) and the
connection is closed with 1008 (policy violation).

=back

=head2 Messages

What the client sends (each with C<"csrf">):

=over 4

=item C<{"type":"say","text":"hello"}>

goes to every other connection as C<{"type":"say","from":"alice","text":"hello","ts":...}>.
C<from> is the connection's user from its metadata; whatever the message says about its
sender is ignored. The sender gets C<{"type":"sent"}>.

=item C<{"type":"whisper","to":"bob","text":"psst"}>

goes only to C<bob>'s connections, as C<{"type":"whisper","from":"alice","to":"bob",...}>.

=item C<{"type":"whoami"}>

answered with C<{"type":"you","user":"alice"}>.

=back

=head2 Processes

The WebSocket server (L<WebSocket::Server>) runs in the main process. The HTTP endpoints
(L<HTTP::Daemon>, one request per connection) run in a child process forked at start, so that
a slow HTTP client never holds up the chat; both know the secret, chosen at random at each start
unless C<--secret> is given. The child ends with its parent; on SIGTERM or SIGINT the
server closes its connections with 1001, ends the child and exits.

=head1 SEE ALSO

F<examples/secure-chat/index.html> (the page), F<t/49-secure-chat.t> (which drives this
program as its users would), L<WebSocket::Server>, L<WebSocket::Connection>, the OWASP
Cross-Site Request Forgery Prevention Cheat Sheet.

=cut
