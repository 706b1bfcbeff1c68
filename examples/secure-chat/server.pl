#!/usr/bin/perl
# An authenticated chat: HttpOnly session cookie + short-lived HMAC CSRF token, Origin allowlist,
# server-side logout. See the POD at the end, or perldoc examples/secure-chat/server.pl
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
use IO::Select;
use IO::Socket::IP;
use JSON ();
use POSIX ();
use Scalar::Util ();
use Socket ();
use Time::HiRes ();
use URI;
use URI::QueryParam;
use WebSocket::Server;

my $host        = '127.0.0.1';
my $port        = 8080;
my $http_port;
my $csrf_ttl    = 300;
my $session_ttl = 3600;
my $secure      = 0;
my( $cert_file, $key_file );
my @origins;
my $allow_no_origin = 0;
my $log         = 0;
my $secret;
my $page_file   = "$FindBin::Bin/index.html";
my $usage = "Usage: $0 [--host 127.0.0.1] [--port 8080] [--http-port PORT] [--csrf-ttl SECONDS] [--session-ttl SECONDS] [--secure] [--cert FILE --key FILE] [--origin ORIGIN ...] [--allow-no-origin] [--log] [--secret STRING] [--page FILE]\n";
Getopt::Long::GetOptions(
    'host=s'          => \$host,
    'port=i'          => \$port,
    'http-port=i'     => \$http_port,
    'csrf-ttl=i'      => \$csrf_ttl,
    'session-ttl=i'   => \$session_ttl,
    'secure!'         => \$secure,
    'cert=s'          => \$cert_file,
    'key=s'           => \$key_file,
    'origin=s'        => \@origins,
    'allow-no-origin' => \$allow_no_origin,
    'log'             => \$log,
    'secret=s'        => \$secret,
    'page=s'          => \$page_file,
) || die( $usage );
die( "--csrf-ttl must be at least 1\n" ) if( $csrf_ttl < 1 );
die( "--session-ttl must be at least 1\n" ) if( $session_ttl < 1 );
die( "--cert and --key go together\n" ) if( defined( $cert_file ) != defined( $key_file ) );
# Serving TLS ourselves implies the Secure cookie.
my $tls = defined( $cert_file ) ? 1 : 0;
$secure ||= $tls;
$http_port //= $port ? $port + 1 : 0;

sub random_bytes
{
    my( $n ) = @_;
    open( my $rnd, '<:raw', '/dev/urandom' ) || die( "Cannot read /dev/urandom: $!\n" );
    read( $rnd, my $bytes, $n ) == $n || die( "Short read from /dev/urandom\n" );
    close( $rnd );
    return( $bytes );
}

# The server secret: random for each run unless given (then every restart logs everyone out).
$secret //= random_bytes( 32 );

# The demo's user table: signing in takes a name from it, without password. A real application
# checks a password, a single sign-on answer, etc. before it issues the cookie.
my %USERS = map{ $_ => 1 } qw( alice bob carol );
# With Secure, the __Host- prefix: the browser then keeps the cookie only if it came over HTTPS,
# with Path=/ and no Domain, so a sibling host or plain-HTTP page cannot plant or shadow it.
my $COOKIE = $secure ? '__Host-chat_auth' : 'chat_auth';
# Limits of the chat messages.
my $MAX_MESSAGE   = 16384;   # bytes of one WebSocket message
my $MAX_TEXT      = 2000;    # characters of a text
my $RATE          = 20;      # messages a second, on average...
my $BURST         = 40;      # ...with bursts of this many
my $MAX_PER_USER  = 8;       # open connections of one user
my $CLOSE_SIGNED_OUT = 4001; # the close code of the connections of a user who signed out

my $page = do
{
    open( my $fh, '<:raw', $page_file ) || die( "Cannot read the page $page_file: $!\n" );
    local $/;
    <$fh>;
};

sub note_event
{
    return if( !$log );
    my $line = join( '', @_ );
    $line =~ s/[^\x20-\x7e]/?/g;
    print( STDERR "secure-chat: $line\n" );
}

# ---------------------------------------------------------------------------
# Origins
# ---------------------------------------------------------------------------
# An Origin header is "scheme://host[:port]", lower case, the port left out when it is the
# default one. The allowlist holds values in that form; the default is the page's own origin,
# under each name of a loopback address when the server listens on one.
sub origin_of
{
    my( $scheme, $name, $p ) = @_;
    $name = "[$name]" if( $name =~ /:/ && $name !~ /\A\[/ );
    my $default = $scheme eq 'https' ? 443 : 80;
    return( lc( "${scheme}://${name}" . ( $p == $default ? '' : ":$p" ) ) );
}

sub normalize_origin
{
    my( $o ) = @_;
    $o =~ s{/+\z}{};
    die( "--origin $o: an origin is scheme://host[:port], such as https://chat.example.com\n" )
        if( $o !~ m{\Ahttps?://[^/\s?#\@]+\z}i );
    my $u = URI->new( $o );
    return( origin_of( lc( $u->scheme ), $u->host, $u->port ) );
}

# ---------------------------------------------------------------------------
# Signed values
# ---------------------------------------------------------------------------
# The session cookie and the CSRF token are both HMAC-SHA256 with the server secret; a
# different label in each keeps one from passing for the other. A session is its user, the
# time it was issued (in microseconds, unique within this server) and its expiry; a CSRF token
# is bound to one session.
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

# Microseconds since the epoch, strictly increasing within the process that issues sessions.
my $last_us = 0;
sub now_us
{
    my $t = int( Time::HiRes::time() * 1_000_000 );
    $t = $last_us + 1 if( $t <= $last_us );
    return( $last_us = $t );
}

# The sign-outs: user => [ every session issued up to this time is ended, forget it at ].
# One entry per user who signed out within the last --session-ttl seconds, so it stays small.
my %signed_out;

sub sign_out
{
    my( $user, $upto ) = @_;
    $signed_out{ $user } = [ $upto, time() + $session_ttl + 1 ] if( !$signed_out{ $user } || $signed_out{ $user }->[0] < $upto );
    for my $u ( keys( %signed_out ) )
    {
        delete( $signed_out{ $u } ) if( $signed_out{ $u }->[1] < time() );
    }
}

# True while a session is valid: its user exists, it has not expired, its user has not signed
# out since it was issued.
sub session_alive
{
    my( $user, $iat, $exp ) = @_;
    return( 0 ) if( !$USERS{ $user } || $exp < time() );
    return( 0 ) if( $signed_out{ $user } && $iat <= $signed_out{ $user }->[0] );
    return( 1 );
}

sub make_session
{
    my( $user ) = @_;
    my $iat = now_us();
    my $exp = time() + $session_ttl;
    return( join( '.', $user, $iat, $exp, sign( 'session', $user, $iat, $exp ) ), $exp );
}

# The session { user, iat, exp } of a valid session cookie value, or undef.
sub check_session
{
    my( $value ) = @_;
    my( $user, $iat, $exp, $mac ) = ( $value // '' ) =~ /\A([a-z0-9_]{1,32})\.(\d{1,20})\.(\d{1,12})\.([0-9a-f]{64})\z/ or return;
    return if( !same( $mac, sign( 'session', $user, $iat, $exp ) ) );
    return if( !session_alive( $user, $iat, $exp ) );
    return({ user => $user, iat => $iat, exp => $exp });
}

# The session of the cookie in a Cookie header, or undef. A header naming the cookie twice
# (a sibling site may plant a second one) is refused.
sub session_of_cookie_header
{
    my( $header ) = @_;
    return if( !defined( $header ) || !length( $header ) || length( $header ) > 8192 );
    my $n = () = $header =~ /(?:\A|;)\s*\Q$COOKIE\E=/g;
    return if( $n != 1 );
    my $jar = Cookie::Baker::crush_cookie( $header );
    return( check_session( $jar->{ $COOKIE } ) );
}

# A token is HMAC.EXPIRY.NONCE: the nonce makes each one different, so that "one token opens
# one connection" does not refuse a second window that asked for one in the same second.
sub make_csrf
{
    my( $s ) = @_;
    my $exp = time() + $csrf_ttl;
    my $nonce = unpack( 'H*', random_bytes( 12 ) );
    return( join( '.', sign( 'csrf', $s->{user}, $s->{iat}, $exp, $nonce ), $exp, $nonce ), $exp );
}

# Checks a CSRF token for this session: ( 1, $expiry ) or ( 0, $why ).
sub check_csrf
{
    my( $token, $s ) = @_;
    return( 0, 'missing CSRF token' ) if( !defined( $token ) || ref( $token ) || !length( $token ) );
    my( $mac, $exp, $nonce ) = $token =~ /\A([0-9a-f]{64})\.(\d{1,12})\.([0-9a-f]{24})\z/ or return( 0, 'malformed CSRF token' );
    return( 0, 'invalid CSRF token' ) if( !$s || !same( $mac, sign( 'csrf', $s->{user}, $s->{iat}, $exp, $nonce ) ) );
    return( 0, 'expired CSRF token' ) if( $exp < time() );
    return( 1, $exp );
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
my $http_port_real = $http->sockport;
$page =~ s{(<meta name="chat-websocket-port" content=")[^"]*(")}{$1$ws_port$2}
    || die( "The page $page_file has no <meta name=\"chat-websocket-port\" content=\"\"> element\n" );
my $scheme = $secure ? 'https' : 'http';
if( @origins )
{
    @origins = map{ normalize_origin( $_ ) } map{ split( /\s*,\s*/, $_ ) } @origins;
}
elsif( $host =~ /\A(?:127\.\d+\.\d+\.\d+|::1|localhost)\z/ )
{
    @origins = map{ origin_of( $scheme, $_, $http_port_real ) } ( $host, grep{ $_ ne $host } qw( 127.0.0.1 localhost ::1 ) );
}
elsif( $host =~ /\A(?:0\.0\.0\.0|::|\*)\z/ )
{
    die( "Listening on every address ($host): give the page's origin(s) with --origin, such as --origin https://chat.example.com\n" );
}
else
{
    @origins = ( origin_of( $scheme, $host, $http_port_real ) );
}
my %ORIGIN_OK = map{ $_ => 1 } @origins;

# ( 1 ) or ( 0, $why ) for the value of an Origin header (undef when there is none). "null"
# (sandboxed frames, file: pages, some redirects) is never allowed.
sub origin_allowed
{
    my( $origin ) = @_;
    if( !defined( $origin ) )
    {
        return( $allow_no_origin ? ( 1 ) : ( 0, 'no Origin header' ) );
    }
    ( my $o = lc( $origin ) ) =~ s/\A\s+|\s+\z//g;
    return( 1 ) if( $ORIGIN_OK{ $o } );
    return( 0, 'origin not allowed' );
}

# The page's Content-Security-Policy allows its own inline script by hash, and nothing else.
my( $script ) = $page =~ m{<script>(.*?)</script>}s;
die( "The page $page_file has no inline <script>\n" ) if( !defined( $script ) );
( my $script_hash = Digest::SHA::sha256_base64( $script ) ) .= '=';
my $ws_scheme = $secure ? 'wss' : 'ws';
my $CSP = join( '; ',
    "default-src 'none'",
    "script-src 'sha256-$script_hash'",
    "style-src 'unsafe-inline'",
    "connect-src 'self' ${ws_scheme}://*:${ws_port}",
    "img-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
);

# ---------------------------------------------------------------------------
# The HTTP endpoints, in a child process (HTTP::Daemon is blocking; the chat is not held up)
# ---------------------------------------------------------------------------
use HTTP::Headers ();
my $json       = JSON->new->canonical;          # character strings: send_utf8 encodes them
my $json_bytes = JSON->new->utf8->canonical;    # the HTTP bodies

# The channel between the two processes: the HTTP child tells the chat of each sign-out and
# waits for its answer, so that when /logout answers, the chat has closed the connections.
socketpair( my $to_chat, my $to_http, Socket::AF_UNIX(), Socket::SOCK_STREAM(), Socket::PF_UNSPEC() )
    || die( "socketpair: $!\n" );

sub json_response
{
    my( $code, $data, @headers ) = @_;
    return( HTTP::Response->new( $code, undef, [
        'Content-Type'           => 'application/json; charset=utf-8',
        'Cache-Control'          => 'private, no-cache, no-store, must-revalidate',
        'X-Content-Type-Options' => 'nosniff',
        @headers,
    ], $json_bytes->encode( $data ) ) );
}

sub cookie_header
{
    my( $value, $expires ) = @_;
    return( Cookie::Baker::bake_cookie( $COOKIE, {
        value    => $value,
        path     => '/',
        expires  => $expires,
        # Emptied: expired in the past and Max-Age=0, which browsers honour first.
        ( length( $value ) ? () : ( 'max-age' => 0 ) ),
        httponly => 1,
        samesite => 'Strict',
        ( $secure ? ( secure => 1 ) : () ),
    }) );
}

# Tells the chat process that $user signed out; true once it has closed the connections.
sub tell_chat
{
    my( $user, $upto ) = @_;
    syswrite( $to_chat, "signout $user $upto\n" ) || return( 0 );
    my $sel = IO::Select->new( $to_chat );
    my $answer = '';
    my $deadline = Time::HiRes::time() + 5;
    while( $answer !~ /\n/ )
    {
        my $left = $deadline - Time::HiRes::time();
        return( 0 ) if( $left <= 0 || !$sel->can_read( $left ) );
        sysread( $to_chat, $answer, 256, length( $answer ) ) || return( 0 );
    }
    return( $answer =~ /\Adone\b/ ? 1 : 0 );
}

sub http_response
{
    my( $req ) = @_;
    my $path = $req->uri->path;
    my $method = $req->method;
    my @origin = $req->header( 'Origin' );
    return( json_response( 400, { code => 400, message => 'More than one Origin header' } ) ) if( @origin > 1 );
    my $origin = $origin[0];
    if( $path eq '/' || $path eq '/index.html' )
    {
        return( json_response( 405, { code => 405, message => 'Method not allowed' }, Allow => 'GET, HEAD' ) )
            if( $method ne 'GET' && $method ne 'HEAD' );
        return( HTTP::Response->new( 200, undef, [
            'Content-Type'            => 'text/html; charset=utf-8',
            'Cache-Control'           => 'no-cache',
            'Content-Security-Policy' => $CSP,
            'X-Content-Type-Options'  => 'nosniff',
            'X-Frame-Options'         => 'DENY',
            'Referrer-Policy'         => 'no-referrer',
            ( $secure ? ( 'Strict-Transport-Security' => 'max-age=31536000' ) : () ),
        ], $method eq 'HEAD' ? '' : $page ) );
    }
    elsif( $path eq '/login' || $path eq '/logout' )
    {
        return( json_response( 405, { code => 405, message => 'Method not allowed' }, Allow => 'POST' ) ) if( $method ne 'POST' );
        # A browser sends Origin with every POST: one from another origin is a cross-site
        # request (login CSRF, forced logout).
        my( $ok, $why ) = origin_allowed( $origin );
        if( !$ok )
        {
            note_event( "refused POST $path: $why (", $origin // 'none', ')' );
            return( json_response( 403, { code => 403, message => "Forbidden: $why" } ) );
        }
        if( $path eq '/logout' )
        {
            my $s = session_of_cookie_header( join( '; ', $req->header( 'Cookie' ) ) );
            my $closed = 0;
            if( $s )
            {
                my $upto = now_us();
                sign_out( $s->{user}, $upto );
                $closed = tell_chat( $s->{user}, $upto );
                note_event( "$s->{user} signed out", $closed ? '' : ' (the chat did not answer)' );
            }
            return( json_response( 200, { code => 200, signed_out => $s ? $s->{user} : undef, connections_closed => $closed ? JSON::true : JSON::false },
                'Set-Cookie' => cookie_header( '', 1 ) ) );
        }
        # A form (user=alice) or JSON ({"user":"alice"}).
        my $user;
        if( ( $req->content_type // '' ) eq 'application/json' )
        {
            my $data = eval{ JSON->new->utf8->max_depth( 4 )->decode( $req->content ) };
            $user = $data->{user} if( ref( $data ) eq 'HASH' );
        }
        else
        {
            $user = URI->new( '?' . ( $req->content // '' ) )->query_param( 'user' );
        }
        $user = undef if( ref( $user ) );
        $user = lc( $user // '' );
        return( json_response( 403, { code => 403, message => 'Unknown user' } ) ) if( !$USERS{ $user } );
        my( $value, $exp ) = make_session( $user );
        return( json_response( 200, { code => 200, user => $user, expires => $exp + 0 }, 'Set-Cookie' => cookie_header( $value, $exp ) ) );
    }
    elsif( $path eq '/csrf' )
    {
        return( json_response( 405, { code => 405, message => 'Method not allowed' }, Allow => 'GET, POST' ) )
            if( $method ne 'GET' && $method ne 'POST' );
        # Browsers leave Origin out of a same-origin GET, but send it from another origin.
        if( defined( $origin ) || $method eq 'POST' )
        {
            my( $ok, $why ) = origin_allowed( $origin );
            return( json_response( 403, { code => 403, message => "Forbidden: $why" } ) ) if( !$ok );
        }
        my $s = session_of_cookie_header( join( '; ', $req->header( 'Cookie' ) ) );
        return( json_response( 403, { code => 403, message => 'Sign in first' } ) ) if( !$s );
        my( $token, $exp ) = make_csrf( $s );
        return( json_response( 200, { code => 200, token => $token, expires => $exp + 0, ttl => $csrf_ttl + 0, user => $s->{user} },
            'X-CSRF-Token' => $token ) );
    }
    return( json_response( 404, { code => 404, message => 'Not found' } ) );
}

# Reads the request: its header (HTTP::Daemon caps it at 16 KiB), then a body of at most 4 KiB.
# Returns the request or an HTTP::Response refusing it (or nothing, when the client went away).
sub read_request
{
    my( $c ) = @_;
    my $req = $c->get_request( 1 ) || return;
    return( json_response( 501, { code => 501, message => 'Transfer-Encoding is not supported' } ) )
        if( defined( $req->header( 'Transfer-Encoding' ) ) );
    my $len = $req->header( 'Content-Length' ) // 0;
    return( json_response( 413, { code => 413, message => 'The body is limited to 4096 bytes' } ) )
        if( $len !~ /\A\d{1,5}\z/ || $len > 4096 );
    my $body = $c->read_buffer( '' ) // '';
    my $sel = IO::Select->new( $c );
    my $deadline = Time::HiRes::time() + 5;
    while( length( $body ) < $len )
    {
        my $left = $deadline - Time::HiRes::time();
        last if( $left <= 0 );
        last if( !( $c->can( 'pending' ) && $c->pending ) && !$sel->can_read( $left ) );
        sysread( $c, $body, $len - length( $body ), length( $body ) ) || last;
    }
    return( json_response( 400, { code => 400, message => 'Incomplete body' } ) ) if( length( $body ) < $len );
    $req->content( substr( $body, 0, $len ) );
    return( $req );
}

sub http_main
{
    my( $parent ) = @_;
    $SIG{TERM} = $SIG{INT} = sub { POSIX::_exit( 0 ) };
    while( getppid() == $parent )
    {
        my $c = $http->accept || next;
        if( $tls )
        {
            # The TLS handshake, bounded in time; then the connection reads through TLS.
            IO::Socket::SSL->start_SSL( $c,
                SSL_server    => 1,
                SSL_cert_file => $cert_file,
                SSL_key_file  => $key_file,
                Timeout       => 5,
            ) || do
            {
                close( $c );
                next;
            };
            bless( $c, 'SecureChat::TLSClientConn' );
        }
        $c->timeout( 5 );
        # One request per connection: simple, and a slow client cannot hold the process long.
        if( my $req = read_request( $c ) )
        {
            my $res = $req->isa( 'HTTP::Response' ) ? $req : ( eval{ http_response( $req ) } // json_response( 500, { code => 500, message => 'Internal error' } ) );
            $res->header( Connection => 'close' );
            $c->send_response( $res );
        }
        $c->close;
    }
    POSIX::_exit( 0 );
}

if( $tls )
{
    require IO::Socket::SSL;
    # Fail now rather than at the first client when the files are not usable.
    IO::Socket::SSL::SSL_Context->new( SSL_server => 1, SSL_cert_file => $cert_file, SSL_key_file => $key_file )
        || die( "Cannot use --cert $cert_file and --key $key_file: ", IO::Socket::SSL::errstr(), "\n" );
}

my $parent = $$;
my $http_pid = fork() // die( "fork: $!\n" );
if( !$http_pid )
{
    close( $ws_sock );
    close( $to_http );
    http_main( $parent );
}
close( $http );
close( $to_chat );

# ---------------------------------------------------------------------------
# The WebSocket chat
# ---------------------------------------------------------------------------
my %conns;       # refaddr => connection, the authenticated ones
my %used_token;  # a CSRF token opens one connection: token => its expiry

sub can_send
{
    my( $conn ) = @_;
    return( $conn->is_ready && !$conn->disconnecting && !$conn->disconnected );
}

sub send_json
{
    my( $conn, $data ) = @_;
    return if( !can_send( $conn ) );
    # A client that went away meanwhile: nothing to do; its disconnect callback comes.
    defined( $conn->send_utf8( $json->encode( $data ) ) ) ||
        note_event( 'cannot send to ', $conn->ip // '?', ': ', $conn->error );
}

# The message is refused: an error message to this client, then a close with 1008 (policy).
sub refuse
{
    my( $conn, $code, $why ) = @_;
    note_event( 'closed a connection of ', $conn->metadata->{user} // '?', ": $why" );
    send_json( $conn, { type => 'error', code => $code, message => "You do not have permission to access this websocket: $why." } );
    $conn->disconnect( 1008, $why );
    return;
}

sub deny_handshake
{
    my( $conn, $why, $origin ) = @_;
    note_event( 'refused a handshake from ', $conn->ip // '?', " (origin ", $origin // 'none', "): $why" );
    $conn->http_error( 403, "You do not have permission to access this websocket: $why." );
    return;
}

# The sign-outs the HTTP process reports: "signout USER UPTO\n", answered with "done\n" once
# every connection of a session it ended is closed.
my $from_http = '';
sub read_signouts
{
    my( $server, $fh ) = @_;
    my $n = sysread( $fh, $from_http, 4096, length( $from_http ) );
    if( !$n )
    {
        return if( !defined( $n ) && $!{EAGAIN} );
        $server->unwatch_readable( $fh );
        return;
    }
    while( $from_http =~ s/\A([^\n]*)\n// )
    {
        my( $user, $upto ) = $1 =~ /\Asignout ([a-z0-9_]{1,32}) (\d{1,20})\z/ or next;
        sign_out( $user, $upto );
        for my $conn ( values( %conns ) )
        {
            my $m = $conn->metadata;
            next if( $m->{user} ne $user || $m->{iat} > $upto );
            send_json( $conn, { type => 'signed_out' } );
            $conn->disconnect( $CLOSE_SIGNED_OUT, 'signed out' );
            delete( $conns{ Scalar::Util::refaddr( $conn ) } );
        }
        syswrite( $fh, "done\n" );
    }
}

my $server = WebSocket::Server->new(
    listen       => $ws_sock,
    silence_max  => 20,
    pong_timeout => 30,
    ( $tls ? ( SSL_cert_file => $cert_file, SSL_key_file => $key_file ) : () ),
    on_connect   => sub
    {
        my( $server, $conn ) = @_;
        $conn->max_recv_size( $MAX_MESSAGE );
        $conn->on(
            # Steps 7 and 8 of the walkthrough: the origin, the cookie and the token in the query
            # string.
            handshake => sub
            {
                my( $conn, $hs ) = @_;
                # HTTP::Headers' own accessor: plain strings, and nothing for a missing header.
                my $headers = $hs->request->headers;
                my @origin = HTTP::Headers::header( $headers, 'Origin' );
                return( deny_handshake( $conn, 'more than one Origin header', join( ', ', @origin ) ) ) if( @origin > 1 );
                my( $ok, $why ) = origin_allowed( $origin[0] );
                return( deny_handshake( $conn, $why, $origin[0] ) ) if( !$ok );
                my $s = session_of_cookie_header( join( '; ', HTTP::Headers::header( $headers, 'Cookie' ) ) );
                return( deny_handshake( $conn, 'not signed in', $origin[0] ) ) if( !$s );
                my @token = $conn->request_uri->query_param( 'csrf' );
                return( deny_handshake( $conn, 'more than one CSRF token', $origin[0] ) ) if( @token > 1 );
                ( $ok, my $texp ) = check_csrf( $token[0], $s );
                return( deny_handshake( $conn, $texp, $origin[0] ) ) if( !$ok );
                my $now = time();
                for( keys( %used_token ) ) { delete( $used_token{ $_ } ) if( $used_token{ $_ } < $now ) }
                return( deny_handshake( $conn, 'CSRF token already used', $origin[0] ) ) if( exists( $used_token{ $token[0] } ) );
                my $open = grep{ $_->metadata->{user} eq $s->{user} } values( %conns );
                return( deny_handshake( $conn, "too many connections (at most $MAX_PER_USER)", $origin[0] ) ) if( $open >= $MAX_PER_USER );
                $used_token{ $token[0] } = $texp;
                $conn->metadata({ %$s, allowance => $BURST, checked => Time::HiRes::time() });
                return( 1 );
            },
            ready => sub
            {
                my( $conn ) = @_;
                # Signed out between the handshake and now: not one message.
                my $m = $conn->metadata;
                return( $conn->disconnect( $CLOSE_SIGNED_OUT, 'signed out' ) ) if( !session_alive( @$m{qw( user iat exp )} ) );
                $conns{ Scalar::Util::refaddr( $conn ) } = $conn;
                send_json( $conn, { type => 'welcome', user => $m->{user}, csrf_ttl => $csrf_ttl + 0 } );
            },
            # Steps 9 and 10: each message carries a valid token of this connection's session.
            utf8 => sub
            {
                my( $conn, $text ) = @_;
                my $m = $conn->metadata;
                my $me = $m->{user};
                # A token bucket: $RATE messages a second, bursts of $BURST.
                my $t = Time::HiRes::time();
                $m->{allowance} += ( $t - $m->{checked} ) * $RATE;
                $m->{allowance} = $BURST if( $m->{allowance} > $BURST );
                $m->{checked} = $t;
                return( refuse( $conn, 429, 'too many messages' ) ) if( $m->{allowance} < 1 );
                $m->{allowance}--;
                return( refuse( $conn, 403, 'session ended' ) ) if( !session_alive( $me, $m->{iat}, $m->{exp} ) );
                my $msg = eval{ JSON->new->max_depth( 4 )->decode( $text ) };
                return( refuse( $conn, 400, 'a message is a JSON object' ) ) if( ref( $msg ) ne 'HASH' );
                my( $ok, $why ) = check_csrf( $msg->{csrf}, $m );
                return( refuse( $conn, 403, $why ) ) if( !$ok );
                my $type = $msg->{type} // 'say';
                $type = '' if( ref( $type ) );
                if( $type eq 'whoami' )
                {
                    send_json( $conn, { type => 'you', user => $me } );
                }
                elsif( $type eq 'say' || $type eq 'whisper' )
                {
                    my $body = $msg->{text};
                    if( !defined( $body ) || ref( $body ) || !length( $body ) || length( $body ) > $MAX_TEXT )
                    {
                        return( send_json( $conn, { type => 'error', code => 400, message => "text: 1 to $MAX_TEXT characters" } ) );
                    }
                    # The sender is the connection's user, whatever the message says.
                    my $out = { type => $type, from => $me, text => "$body", ts => time() };
                    my $to;
                    if( $type eq 'whisper' )
                    {
                        $to = $msg->{to};
                        return( send_json( $conn, { type => 'error', code => 404, message => 'no such user' } ) )
                            if( !defined( $to ) || ref( $to ) || !$USERS{ $to } );
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
$to_http->blocking( 0 );
$server->watch_readable( $to_http => \&read_signouts );

my $shown = $host =~ /:/ ? "[$host]" : $host;
$| = 1;
print( "listening on ${ws_scheme}://${shown}:${ws_port}/\n" );
print( "page at ${scheme}://${shown}:${http_port_real}/\n" );
note_event( 'allowed origins: ', join( ' ', @origins ), $allow_no_origin ? ' (and none)' : '' );

$SIG{TERM} = $SIG{INT} = sub { $server->shutdown };
$server->start || warn( $server->error, "\n" );
kill( 'TERM', $http_pid );
waitpid( $http_pid, 0 );

# HTTP::Daemon's connection class over TLS: IO::Socket::SSL for the reads and writes (first in
# the inheritance), HTTP::Daemon::ClientConn for the HTTP parsing. A TLS record may hold more
# than one read asks for: what IO::Socket::SSL keeps already decrypted is read without waiting.
package SecureChat::TLSClientConn;
BEGIN { our @ISA = ( 'IO::Socket::SSL', 'HTTP::Daemon::ClientConn' ); }

sub _need_more
{
    my $self = shift( @_ );
    if( $_[1] && !$self->pending )
    {
        my( $timeout, $fdset ) = @_[1, 2];
        my $n = select( $fdset, undef, undef, $timeout );
        if( !$n )
        {
            $self->reason( defined( $n ) ? 'Timeout' : "select: $!" );
            return;
        }
    }
    my $n = sysread( $self, $_[0], 2048, length( $_[0] ) );
    $self->reason( defined( $n ) ? 'Client closed' : "sysread: $!" ) if( !$n );
    return( $n );
}

package main;
__END__

=encoding utf-8

=head1 NAME

secure-chat/server.pl - a chat whose WebSocket is authenticated with an HttpOnly cookie, a CSRF token and the Origin

=head1 SYNOPSIS

    perl -Mblib examples/secure-chat/server.pl [--host 127.0.0.1] [--port 8080] [--http-port 8081]
        [--csrf-ttl 300] [--session-ttl 3600] [--secure] [--cert FILE --key FILE]
        [--origin https://chat.example.com ...] [--allow-no-origin] [--log] [--secret STRING]

    listening on ws://127.0.0.1:8080/
    page at http://127.0.0.1:8081/

Open the page in two browser windows (one of them private, so that each has its own cookie),
sign in as C<alice> in one and C<bob> in the other, and talk.

=head1 DESCRIPTION

The walkthrough of L<WebSocket/"SECURITY CONSIDERATIONS">, as a program that runs, with what a
deployment needs on top of it: an Origin check, a logout that ends the session on the server,
TLS, and limits. The WebSocket protocol has no authentication of its own and a browser cannot
add headers to a WebSocket request, but it does send the site's cookies with it, and the page
can put anything in the query string. So:

=over 4

=item 1. Signing in

C<POST /login> with C<user=alice> (a form, or JSON C<{"user":"alice"}>) sets the cookie
C<chat_auth>: C<USER.ISSUED.EXPIRY.HMAC>, the user id, the time the session was issued (in
microseconds, unique within the server), its expiry (C<--session-ttl> seconds, default 3600)
and an HMAC-SHA256 of the three with the server secret. It is C<HttpOnly> (the page's script
cannot read it, so a script injected into the page cannot steal it), C<SameSite=Strict>
(another I<site> cannot make the browser send it; but see L</"The Origin">: another port of the
same host is the same site), C<Path=/>. With C<--secure> it is also C<Secure> and is named
C<__Host-chat_auth>, a prefix with which browsers keep it only when it came over HTTPS with
C<Path=/> and no C<Domain>, so that a sibling host or a plain-HTTP page cannot plant or
shadow it. B<This is a demo>: the users are a fixed table (C<alice>, C<bob>, C<carol>) and no
password is asked. A request carrying the cookie twice is treated as signed out (one of the two
may have been planted).

=item 2. and 3. The CSRF token

C<GET /csrf> (or C<POST>), with a valid cookie, answers
C<{"code":200,"token":"HMAC.EXPIRY.NONCE","expires":EXPIRY,"ttl":300,"user":"alice"}> (also in
an C<X-CSRF-Token> header); without one, 403. The token is
C<HMAC-SHA256(secret, "csrf;USER;ISSUED;EXPIRY;NONCE")> in hex, its expiry (C<--csrf-ttl>
seconds after it was issued, default 300) and a random nonce: it belongs to one session, so it
is worth nothing once that session has ended, nor with another user's cookie, and no two are
the same. The page asks for a fresh one before the current one expires. The answer carries no
C<Access-Control-Allow-Origin>, so another origin's script cannot read it; a request that comes
with the C<Origin> of another origin is refused anyway.

=item 4. to 7. The connection

The page opens C<ws://HOST:PORT/?csrf=TOKEN> with a token fetched for it; the browser adds the
cookie (cookies are per host, not per port). In C<on_handshake> the server checks, in this
order, and answers C<< $conn->http_error( 403, ... ) >> (an HTTP 403 with a JSON body saying
why, not a WebSocket) at the first that fails:

=over 4

=item * the C<Origin> header: exactly one, on the allowlist (see L</"The Origin">);

=item * the C<Cookie> header (read with L<Cookie::Baker>): a valid session, unexpired, whose user
has not signed out since it was issued;

=item * the token of the query string (exactly one C<csrf> parameter): its HMAC must be the one
of this session, its expiry and its nonce, compared in constant time, and it must not have
expired;

=item * the token has not opened a connection before: a token opens one connection, so a token
that leaked (a proxy's log of the URL, a Referer) cannot open another;

=item * the user has fewer than 8 open connections.

=back

=item 8. The user of the connection

Once accepted, the session (user id, issue time, expiry) is kept in C<< $conn->metadata >>,
one per connection. The client gets C<{"type":"welcome","user":"alice","csrf_ttl":300}>.

=item 9. and 10. Every message

A message is a JSON object with a C<csrf> member holding a valid, unexpired token B<of the
connection's session>, while that session is still valid. A message without one, with an
expired or forged one, with another user's or another session's, or sent after the session
expired, gets C<{"type":"error","code":403,...}> and the connection is closed with 1008
(policy violation); so does a message that is not a JSON object (code 400), a binary message
(400), and more than 20 messages a second on average, in bursts of at most 40 (code 429). A
message over 16 KiB closes the connection with 1009; a text over 2000 characters gets an error
C<{"type":"error","code":400,...}> and the connection stays.

=back

=head2 The Origin

Cookies go with every request to their host, whatever page makes it: without a check, a page of
another origin that the user visits can open the chat's WebSocket with the user's cookie
(Cross-Site WebSocket Hijacking), and SameSite does not stop it when that page is on the same
site, for example another port of the same host. Browsers always send an C<Origin> header with
a WebSocket handshake, and a page cannot change it. So the handshake must come from an origin on
the allowlist:

=over 4

=item C<--origin ORIGIN>

An allowed origin, C<scheme://host[:port]> as browsers send it (the port left out when it is
the scheme's default); repeat it, or separate origins with commas. Case and a final C</> do not
matter. When given, it replaces the default.

=item the default

The page's own origin: C<http://HOST:HTTP_PORT> (C<https://> with C<--secure>), and, when
C<--host> is a loopback address or C<localhost>, the same under each of C<127.0.0.1>,
C<localhost> and C<[::1]>. Listening on every address (C<--host 0.0.0.0>) requires
C<--origin>, since the server cannot know the name users reach it by.

=item a missing Origin

A browser always sends one, so a handshake without C<Origin> is not a browser's, and is refused
with 403 (C<no Origin header>) by default. C<--allow-no-origin> accepts such handshakes, for
non-browser clients (scripts, other servers) that hold a cookie and a token: they still need
both, and such a client is not a hijacking risk, since only browsers send cookies on their own.

=item C<Origin: null>

Sent by sandboxed frames, C<file:> pages and some redirects: never allowed.

=back

The same allowlist guards C<POST /login> and C<POST /logout> (a browser sends C<Origin> with
every POST; another site's form could otherwise sign the user in as someone else, or out) and
C<GET /csrf> when it comes with an C<Origin>. Refusals answer 403.

=head2 Signing out

C<POST /logout> (from an allowed origin) ends the session on the server, clears the cookie
(empty, expired, C<Max-Age=0>) and answers
C<{"code":200,"signed_out":"alice","connections_closed":true}>. A cookie signed with HMAC
cannot be revoked by itself, so the server keeps a short list: for each user who signed out,
the time of the sign-out, kept for C<--session-ttl> seconds (by then every session issued
before has expired anyway); a session issued before it is refused everywhere. It is kept in
memory: a restart with the same C<--secret> forgets it (a restart with a new secret, the
default, ends every session).

Signing out ends B<every> session of that user, in every browser, and closes every WebSocket
connection of those sessions: each gets C<{"type":"signed_out"}> then a close with code
B<4001> and reason C<signed out>. The HTTP process tells the WebSocket process and waits for
its answer (at most 5 seconds) before it answers, so when C<POST /logout> has answered, the
connections are closed (C<connections_closed> says whether the chat answered in time). From then
on, the old cookie gets no tokens (403), and neither it nor any token issued for it opens a
connection (403 C<not signed in>); signing in again gives a new session.

=head2 TLS

C<--cert FILE --key FILE> (a PEM certificate chain and its key, as
L<WebSocket::Server/SSL_cert_file> and L<WebSocket::Server/SSL_key_file> take them) serve the
page and the endpoints over C<https://> (L<IO::Socket::SSL>) and the chat over C<wss://>
(TLS in the engine), and imply C<--secure>. C<--secure> alone is for a server behind a TLS
front end: the cookie is C<Secure> and the default allowed origin is C<https://>. The program
then prints C<listening on wss://...> and C<page at https://...>. Over HTTPS the page is sent
with C<Strict-Transport-Security>.

=head2 The page

F<index.html> is served with a Content-Security-Policy that runs only its own inline script
(allowed by its SHA-256 hash, computed at start), lets it connect only to its own origin and
to the chat port, and forbids framing (also C<X-Frame-Options: DENY>), plugins, forms and
images. The page inserts every text it receives as text (C<textContent>), never as HTML, so a
message such as C<< <img src=x onerror=...> >> shows as typed. It fetches a fresh token for
each connection and at half the token's life, and, before sending, a fresh one when the timer
was late (browsers slow down the timers of background tabs). On a 4001 close it goes back to
the sign-in form.

=head2 Limits

WebSocket messages: 16 KiB (C<max_recv_size>), 2000 characters of text, JSON nested at most 4
deep, 20 a second (bursts of 40), 8 connections per user; a client silent for 20 seconds is
pinged, and dropped when no pong comes within 30. HTTP requests: one per connection, headers at
most 16 KiB (L<HTTP::Daemon>), a body of at most 4 KiB (413) and no chunked body (501), 5
seconds to send each part.

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

=head2 Options

C<--host> and C<--port> (default 127.0.0.1 and 8080; 0 for any free port) for the WebSocket,
C<--http-port> (default the next port) for the page and the endpoints; C<--csrf-ttl> and
C<--session-ttl> in seconds; C<--secure>, C<--cert>, C<--key> (L</TLS>); C<--origin> and
C<--allow-no-origin> (L</"The Origin">); C<--log> writes every refusal, sign-out and the
allowed origins to standard error; C<--secret> fixes the HMAC key (by default random at each
start); C<--page> serves another page (it needs the C<chat-websocket-port> meta element and
one inline script).

=head2 Processes

The WebSocket server (L<WebSocket::Server>) runs in the main process. The HTTP endpoints
(L<HTTP::Daemon>, one request per connection) run in a child process forked at start, so that
a slow HTTP client never holds up the chat; both know the secret, and they talk over a socket
pair, which the chat watches with L<WebSocket::Server/watch_readable>, for the sign-outs. The
child ends with its parent; on SIGTERM or SIGINT the server closes its connections with 1001,
ends the child and exits.

=head1 SEE ALSO

F<examples/secure-chat/index.html> (the page), F<t/49-secure-chat.t> (which drives this
program as its users would) and F<t/72-interop-chromium-secure-chat.t> (which drives the page
in headless Chromium), L<WebSocket::Server>, L<WebSocket::Connection>, the OWASP Cross-Site
Request Forgery Prevention Cheat Sheet and its WebSocket Security Cheat Sheet.

=cut
