package WebSocket;
use strict;
use warnings;
use parent qw( WebSocket::Generic );
use Exporter ();
use Scalar::Util ();
use XSLoader ();

our $VERSION = 'v0.3.0';

XSLoader::load( 'WebSocket', $VERSION );

use constant {
    WS_OK                       => 1000,
    WS_GONE                     => 1001,
    WS_PROTOCOL_ERROR           => 1002,
    WS_NOT_ACCEPTABLE           => 1003,
    WS_NO_STATUS                => 1005,
    WS_CLOSED_ABNORMALLY        => 1006,
    WS_BAD_MESSAGE              => 1007,
    WS_FORBIDDEN                => 1008,
    WS_MESSAGE_TOO_LARGE        => 1009,
    WS_EXTENSIONS_NOT_AVAILABLE => 1010,
    WS_INTERNAL_SERVER_ERROR    => 1011,
    WS_TLS_HANDSHAKE_FAIL       => 1015,
    WEBSOCKET_DRAFT_VERSION_DEFAULT => 'draft-ietf-hybi-17',
    WEBSOCKET_COMPRESSION_THRESHOLD => 10240,
};

our @EXPORT_OK = qw(
    WS_OK WS_GONE WS_PROTOCOL_ERROR WS_NOT_ACCEPTABLE WS_NO_STATUS WS_CLOSED_ABNORMALLY
    WS_BAD_MESSAGE WS_FORBIDDEN WS_MESSAGE_TOO_LARGE WS_EXTENSIONS_NOT_AVAILABLE
    WS_INTERNAL_SERVER_ERROR WS_TLS_HANDSHAKE_FAIL WEBSOCKET_DRAFT_VERSION_DEFAULT
);
our %EXPORT_TAGS = (
    all => [ @EXPORT_OK ],
    ws  => [ @EXPORT_OK ],
);

# Every class of the distribution inherits this import: each package exports from its own
# @EXPORT_OK and %EXPORT_TAGS (WebSocket::Common has its PARSE_* constants), and nothing by default.
sub import
{
    my $pkg = shift( @_ );
    return if( !@_ );
    local $Exporter::ExportLevel = $Exporter::ExportLevel + 1;
    return( Exporter::import( $pkg, @_ ) );
}

sub init
{
    my $self = shift( @_ );
    $self->{compression_threshold} = WEBSOCKET_COMPRESSION_THRESHOLD unless( exists( $self->{compression_threshold} ) );
    return( $self->SUPER::init( @_ ) );
}

sub client
{
    my $self = shift( @_ );
    require WebSocket::Client;
    my $c = WebSocket::Client->new( @_ ) || return( $self->pass_error( WebSocket::Client->error ) );
    return( $c );
}

sub server
{
    my $self = shift( @_ );
    require WebSocket::Server;
    my $s = WebSocket::Server->new( @_ ) || return( $self->pass_error( WebSocket::Server->error ) );
    return( $s );
}

sub compression_threshold { return( shift->_set_get_number( 'compression_threshold', @_ ) ); }

# Text payloads. The engine has already validated received text as UTF-8 (RFC 3629), in which
# noncharacters such as U+FFFE and U+10FFFF are valid, so the lax decoder is right here:
# Encode's strict UTF-8 would replace them with U+FFFD and change the message.
sub _text_decode
{
    my $s = $_[1];
    $s = '' if( !defined( $s ) );
    utf8::decode( $s );
    return( $s );
}

# Characters to UTF-8 bytes, noncharacters kept. A string holding a surrogate or a code point
# above U+10FFFF gives bytes that the engine refuses to send as text.
sub _text_encode
{
    my $s = $_[1];
    $s = '' if( !defined( $s ) );
    $s = "$s";
    utf8::encode( $s );
    return( $s );
}

# Extensions that change the frames themselves (compression in RSV1). permessage-deflate is
# negotiated by the engine, which also compresses and inflates (see _deflate_options); the
# older deflate-frame family is not implemented, and negotiating it would let the peer send
# frames the engine must refuse (1002). None of them is negotiated by name; any other
# extension is, as the original did.
my %FRAME_EXTENSION = map{ $_ => 1 } qw( permessage-deflate x-webkit-deflate-frame deflate-frame perframe-deflate x-webkit-perframe-deflate deflate-stream );

# The parameters of permessage-deflate (RFC 7692 section 7.1): the boolean ones and those
# that take a window size (8 to 15).
my %DEFLATE_FLAG = map{ $_ => 1 } qw( server_no_context_takeover client_no_context_takeover );
my %DEFLATE_BITS = map{ $_ => 1 } qw( server_max_window_bits client_max_window_bits );

# What the engine says connection $cid's TLS handshake agreed, as tls_info gives it to
# WebSocket::Connection and WebSocket::Client users: { version, alpn, cipher }, or undef (a
# plain connection, or the handshake not done).
sub _engine_tls_info
{
    my( $self, $reactor, $cid ) = @_;
    my( $version, $alpn, $cipher ) = eval{ $reactor->tls_info( $cid ) };
    return( undef ) if( !defined( $version ) );
    return( { version => $version, alpn => $alpn, cipher => $cipher } );
}

# The TLS versions an IO::Socket::SSL style SSL_version string allows, among those the engine
# speaks (rustls: TLS 1.2 and 1.3): undef for both, '1.2' or '1.3' for one. Tokens are separated
# by ':', each a name (SSLv2, SSLv3, TLSv1, TLSv1_1, TLSv1_2, TLSv1_3; SSLv23 for all) that
# adds it, or !NAME that takes it away; a list starting with !NAME starts from all. Sets an
# error and returns an empty list for an unknown name, or a list that allows neither 1.2 nor 1.3.
sub _tls_version
{
    my( $self, $spec ) = @_;
    return( undef ) if( !defined( $spec ) || $spec !~ /\S/ );
    my %known = ( sslv2 => [], sslv3 => [], tlsv1 => [], tlsv11 => [], tlsv12 => [ '1.2' ], tlsv13 => [ '1.3' ], sslv23 => [ '1.2', '1.3' ], default => [ '1.2', '1.3' ] );
    my @tokens = grep{ length } map{ s/\s+//gr } split( /:/, $spec );
    my %on = ( @tokens && $tokens[0] =~ /^!/ ) ? ( '1.2' => 1, '1.3' => 1 ) : ();
    for my $t ( @tokens )
    {
        my( $not, $name ) = $t =~ /\A(!?)(.+)\z/;
        my $v = $known{ lc( $name =~ s/[._]//gr ) };
        if( !$v )
        {
            $self->error( "Unknown TLS version \"$name\" in SSL_version \"$spec\" (known: SSLv23, TLSv1, TLSv1_1, TLSv1_2, TLSv1_3, each with ! to exclude it)" );
            return;
        }
        if( $not ) { delete( @on{ @$v } ) } else { $on{ $_ } = 1 for( @$v ) }
    }
    if( !%on )
    {
        $self->error( "SSL_version \"$spec\" allows neither TLS 1.2 nor TLS 1.3, the versions the engine speaks" );
        return;
    }
    return( keys( %on ) == 2 ? undef : ( keys( %on ) )[0] );
}

# The engine settings for the permessage-deflate element of an extensions list (strings or
# WebSocket::Extension objects, as the extensions option takes them): { deflate => 1,
# deflate_threshold => $threshold, deflate_<parameter> => ... }, or {} when the list has none.
# Sets an error and returns undef for a parameter RFC 7692 does not define or a bad window
# size.
sub _deflate_options
{
    my( $self, $list, $threshold ) = @_;
    require WebSocket::Extension;
    my @ext = map{ Scalar::Util::blessed( $_ ) && $_->can( 'extension' ) ? $_ : @{ WebSocket::Extension->new_from_multi( "$_" ) || [] } } grep{ defined } @{ $list || [] };
    my( $pmd ) = grep{ lc( $_->extension // '' ) eq 'permessage-deflate' } @ext;
    return( {} ) if( !$pmd );
    my %set = ( deflate => 1, deflate_threshold => $threshold // WEBSOCKET_COMPRESSION_THRESHOLD );
    my $params = $pmd->params || {};
    for my $name ( sort( keys( %$params ) ) )
    {
        my $v = $params->{ $name };
        if( $DEFLATE_FLAG{ $name } )
        {
            $set{ "deflate_${name}" } = 1;
        }
        elsif( $DEFLATE_BITS{ $name } )
        {
            # A window size without a value (client_max_window_bits) is the largest, 15.
            $v = 15 if( !defined( $v ) || !length( $v ) );
            return( $self->error( "Invalid permessage-deflate parameter ${name}=${v}: a window size is 8 to 15." ) )
                if( $v !~ /^\d+$/ || $v < 8 || $v > 15 );
            $set{ "deflate_${name}" } = 0 + $v;
        }
        else
        {
            return( $self->error( "Unknown permessage-deflate parameter \"${name}\" (RFC 7692 defines server_no_context_takeover, client_no_context_takeover, server_max_window_bits and client_max_window_bits)." ) );
        }
    }
    return( \%set );
}

sub _extension_negotiable
{
    my( $self, $name ) = @_;
    return( defined( $name ) && length( $name ) && !$FRAME_EXTENSION{ lc( $name ) } ? 1 : 0 );
}

# Whether the engine answers pings by itself: when neither on_ping nor do_pong was changed
# from the class's defaults (_default_on_ping and the class's own pong), there is nothing for
# Perl to decide, and the pong goes out without a round trip through Perl.
sub _engine_pongs
{
    my $self = shift( @_ );
    my $cb = $self->{on_ping};
    my $dp = $self->{do_pong};
    return( ( !$cb || $cb == $self->_default_on_ping ) && ( !$dp || $dp == ( $self->can( 'pong' ) // 0 ) ) ? 1 : 0 );
}

sub _default_on_ping { return( 0 ); }

# The accessor of on_ping and do_pong: a change tells the engine whether it may answer pings
# by itself (see _update_auto_pong in the classes that have connections). $default is what
# the getter gives while none is set.
sub _pong_code_accessor
{
    my $self = shift( @_ );
    my $name = shift( @_ );
    my $default = shift( @_ );
    return( $self->{ $name } // $default ) if( !@_ );
    my $rv = $self->_set_get_code( $name, @_ );
    $self->_update_auto_pong;
    return( $rv );
}

# Objects holding engine handles must not be shared with a new ithread.
sub CLONE_SKIP { 1 }

1;

__END__

=encoding utf-8

=head1 NAME

WebSocket - WebSocket client and server for Perl, with a Rust engine

=head1 SYNOPSIS

    use WebSocket qw( :ws );
    print WS_OK, "\n";                 # 1000

    # Each class is loaded on its own: WebSocket.pm only loads the engine and the constants.
    use WebSocket::Frame;
    my $frame = WebSocket::Frame->new( buffer => 'Hello', type => 'text' );
    my $bytes = $frame->to_bytes;      # "\x81\x05Hello"

    my $ws = WebSocket->new;
    my $client = $ws->client( 'ws://localhost:8080/chat', origin => 'http://localhost' )
        || die( $ws->error );

=head1 VERSION

    v0.3.0

=head1 DESCRIPTION

This distribution gives Perl a WebSocket (RFC 6455) client and server, and the classes that
build and read the protocol's frames and opening handshake. It is a drop-in replacement for
the CPAN C<WebSocket> distribution v0.2.x: the module names, constructors, options, methods,
callbacks, constants and error strings are the same, so code written for it runs unchanged.

The protocol work and all the socket I/O happen in a Rust engine linked into this module:
frame encoding and decoding, masking, UTF-8 validation, the opening handshake with limits,
the close handshake, keep-alive, time-outs, TLS (rustls) and permessage-deflate (RFC 7692),
and one event loop that owns every socket and timer, driven from the Perl thread. The engine
is also usable from Rust and, through the C header F<rust/include/websocket.h>, from C.

The classes of the distribution:

=over 4

=item L<WebSocket::Server> and L<WebSocket::Connection>: a server (C<ws://> and C<wss://>,
one process or several worker processes on one port) and each of its clients.

=item L<WebSocket::Client>: a client.

=item L<WebSocket::Loop>: the event loop they share, with timers and watchers for your own
file handles; L<WebSocket::Loop::AnyEvent>, L<WebSocket::Loop::IOAsync> and
L<WebSocket::Loop::Mojo> let those event loops drive it instead.

=item L<WebSocket::Frame>: a frame buffer that encodes and decodes frames.

=item L<WebSocket::Request>, L<WebSocket::Response> and their base L<WebSocket::Common>:
the HTTP messages of the opening handshake.

=item L<WebSocket::Handshake::Client>, L<WebSocket::Handshake::Server> and their base
L<WebSocket::Handshake>: each side of the opening handshake.

=item L<WebSocket::Headers>, L<WebSocket::HeaderValue>, L<WebSocket::Extension>: header
fields and their values.

=item L<WebSocket::Version>: the protocol versions and drafts, with comparison operators.

=item L<WebSocket::Exception>: the error object.

=back

=head2 Errors

By design the methods do not die: a method that fails returns C<undef> (an empty list in list
context) and records a L<WebSocket::Exception>, which the C<error> method returns. Always check
return values. If you would rather have errors thrown, create objects with the option
C<< fatal => 1 >>: errors then C<die> with the exception object. A constructor that fails
returns C<undef>, and C<< Class->error >> gives the reason:

    my $frame = WebSocket::Frame->new( bogus => 1 ) || die( WebSocket::Frame->error );

=head1 CONSTRUCTOR

=head2 new

    my $ws = WebSocket->new( compression_threshold => 4096 );

Creates an object with the methods below. Options are the methods' names.

=head1 METHODS

=head2 client

    my $client = $ws->client( $uri, %options );

Shortcut for C<< WebSocket::Client->new( @_ ) >>: returns the new client, or C<undef> with
the client's error recorded on this object.

=head2 server

    my $server = $ws->server( listen => 8080, on_connect => sub { ... } );

Shortcut for C<< WebSocket::Server->new( @_ ) >>, with the same error handling.

=head2 compression_threshold

Sets or gets the size in bytes from which text and binary messages are compressed when the
permessage-deflate extension is negotiated; smaller messages go out uncompressed. Default:
10240. Returns a L<WebSocket::Generic::Number>.

=head1 CONSTANTS

None is exported by default. Import them with the tag C<:ws> or C<:all>, or by name:

    use WebSocket qw( :ws );
    use WebSocket qw( WS_OK WS_GONE );

The close codes are those of RFC 6455 section 7.4.1:

=over 4

=item C<WS_OK> (1000): normal closure; the purpose of the connection was fulfilled. The code
used when none is given.

=item C<WS_GONE> (1001): the endpoint is going away, for example a server shutting down or a
browser leaving the page.

=item C<WS_PROTOCOL_ERROR> (1002): the peer broke the protocol.

=item C<WS_NOT_ACCEPTABLE> (1003): the endpoint received a type of data it cannot accept, such
as binary data where only text is understood.

=item C<WS_NO_STATUS> (1005): reserved; reported when a Close frame carried no status code.
Never sent on the wire.

=item C<WS_CLOSED_ABNORMALLY> (1006): reserved; reported when the connection was lost without a
Close frame. Never sent on the wire.

=item C<WS_BAD_MESSAGE> (1007): a message's data did not match its type, such as a text
message that is not valid UTF-8.

=item C<WS_FORBIDDEN> (1008): a message violated the endpoint's policy; a generic code when no
other fits or when details are best kept private.

=item C<WS_MESSAGE_TOO_LARGE> (1009): a message was too big to process.

=item C<WS_EXTENSIONS_NOT_AVAILABLE> (1010): sent by a client that needed an extension the
server did not agree to in its handshake answer.

=item C<WS_INTERNAL_SERVER_ERROR> (1011): the server met an unexpected condition.

=item C<WS_TLS_HANDSHAKE_FAIL> (1015): reserved; reported when the TLS handshake failed (for
example, a certificate that cannot be verified). Never sent on the wire.

=back

C<WEBSOCKET_DRAFT_VERSION_DEFAULT> is C<draft-ietf-hybi-17>, the draft that became RFC 6455
(protocol version 13), used when no version is given.

=head1 SECURITY CONSIDERATIONS

The WebSocket protocol does not authenticate anyone. A browser's C<WebSocket> object cannot
add headers to its opening handshake (only subprotocol names), but it does send the cookies of
the server's site and an C<Origin> header naming the page that opened it. A sound design for a
browser application builds on exactly those two, plus TLS. What follows is one such design,
step by step; F<examples/secure-chat/server.pl> implements it and the test suite drives it as
users and attackers would (F<t/49-secure-chat.t>, and in Chromium
F<t/72-interop-chromium-secure-chat.t>). Adapt it to your own sessions; it is a pattern, not a
library.

=head2 1. Use wss://

Serve the WebSocket over TLS: with L<WebSocket::Server/SSL_cert_file> and
L<WebSocket::Server/SSL_key_file>, or behind a reverse proxy that terminates TLS (see
L</"Behind a reverse proxy">). The cookie, the token in the query string and every message
then travel encrypted, and the cookie can carry the C<Secure> attribute.

=head2 2. Signing in sets an HttpOnly cookie

Your ordinary HTTP application signs the user in and answers with a cookie that identifies
the session:

    Set-Cookie: chat_auth=...; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=3600

C<HttpOnly> keeps the cookie away from JavaScript, so a script injected into the page cannot
read it. C<SameSite=Strict> (or C<Lax>) keeps the browser from sending it with requests that
start on another site, which already blocks most cross-site WebSocket hijacking (step 5 does the
rest). Its value is a random session id looked up on the server, or a signed value such as
C<user.expiry.HMAC(user, expiry)>; only a server-side record lets you end a session before it
expires (logout, a stolen device), so keep one, even if small.

=head2 3. The page asks for a short-lived CSRF token

An HTTP endpoint, authenticated by the cookie, returns a token bound to the user and to an
expiry time, signed with a secret only the server knows:

    use Digest::SHA qw( hmac_sha256_hex );
    my $expires = time() + 60;
    my $token   = hmac_sha256_hex( join( ';', 'csrf', $user_id, $expires ), $secret ) . ".$expires";

Send it as JSON (C<{"token":"..."}>) or in a response header. Do not answer this endpoint to
other origins (no C<Access-Control-Allow-Origin> for them): a page on another site must not
be able to read a token. The page keeps the token in memory and asks for a fresh one before it
expires, for example every 30 seconds for a 60-second token. Sign different kinds of values
with different prefixes (C<csrf> above), so that a signature made for a cookie is never
accepted as a token.

=head2 4. The page connects to the same site, with the token in the URL

    const ws = new WebSocket('wss://example.com/ws?csrf=' + encodeURIComponent(token));

The WebSocket must be on the site that set the cookie, or the browser will not send it. The
query string is the one place the browser lets a page put its own data into the handshake; it
is encrypted on the wire but ends up in access logs, the proxy's included, which is why the
token lives a minute and the session cookie never goes there. F<examples/websocket.js> is a
client library for the page (reconnection, a send queue, and a hook that adds the current
token to every message); F<examples/websocket.pod> documents it.

=head2 5. The server checks Origin, cookie and token in the handshake

A browser sends the site's cookies with a WebSocket handshake whatever page opened it, and
browsers do not apply the same-origin policy to WebSocket connections. So the server must
check C<Origin> against the origins of its own pages, before anything else. (Non-browser
clients can send any C<Origin> they like: the check protects your users' browsers, not the
server.) Then it reads the cookie, recomputes the token's signature for that user and expiry,
compares it in constant time, and only then accepts:

    use Digest::SHA qw( hmac_sha256_hex );
    use URI::QueryParam;
    use WebSocket qw( :ws );
    use WebSocket::Server;

    my %allowed = map { $_ => 1 } ( 'https://example.com' );

    my $server = WebSocket::Server->new(
        listen        => 8443,
        SSL_cert_file => 'chain.pem',
        SSL_key_file  => 'key.pem',
        on_connect    => sub
        {
            my( $server, $conn ) = @_;
            $conn->max_recv_size( 16384 );
            $conn->on(
                # 0 answers "403 Unacceptable origin" and closes (undef would accept: say 0).
                origin    => sub { my( $conn, $origin ) = @_; return( defined( $origin ) && $allowed{ $origin } ? 1 : 0 ) },
                handshake => sub
                {
                    my( $conn, $hs ) = @_;
                    my $user  = session_user( $hs->request->headers->header( 'Cookie' ) ); # your lookup
                    my $token = $conn->request_uri->query_param( 'csrf' );             # URI::QueryParam
                    if( !defined( $user ) || !csrf_ok( $token, $user ) )
                    {
                        # An HTTP answer, since no WebSocket exists yet; the connection is closed.
                        $conn->http_error( 403, 'You do not have permission to access this websocket.' );
                        return;
                    }
                    $conn->metadata({ user => $user });
                    return( 1 );
                },
            );
        },
    );

    sub csrf_ok
    {
        my( $token, $user ) = @_;
        my( $mac, $expires ) = ( $token // '' ) =~ /\A([0-9a-f]{64})\.([0-9]{1,12})\z/ or return( 0 );
        return( 0 ) if( $expires < time() );
        return( same( $mac, hmac_sha256_hex( join( ';', 'csrf', $user, $expires ), $secret ) ) );
    }

    # Compares in a time that does not depend on where the strings first differ.
    sub same
    {
        my( $x, $y ) = @_;
        return( 0 ) if( length( $x ) != length( $y ) );
        my $diff = 0;
        $diff |= ord( substr( $x, $_, 1 ) ) ^ ord( substr( $y, $_, 1 ) ) for( 0 .. length( $x ) - 1 );
        return( $diff == 0 );
    }

Parse the token strictly before using any part of it, and check the expiry you parsed, not a
variable from somewhere else. Keep what the connection is allowed to do in
L<WebSocket::Connection/metadata>: from here on, the user is that of the metadata, never a
name a message claims.

=head2 6. Every message carries a current token

The page sends JSON messages with the current token in a field (C<csrf>), and the server
checks it against the connection's user for each message. The handshake check is what stops
hijacking; the per-message check bounds how long an open socket outlives its session: once the
session ends, the page gets no fresh tokens, and the connection stops being useful when the
last one expires. At this stage the answer to a bad token is a WebSocket message and a close
with code 1008 (C<WS_FORBIDDEN>), since HTTP is over:

    $conn->on( utf8 => sub
    {
        my( $conn, $text ) = @_;
        my $msg = eval { JSON->new->decode( $text ) };
        my $user = $conn->metadata->{user};
        if( ref( $msg ) ne 'HASH' || !csrf_ok( $msg->{csrf}, $user ) )
        {
            $conn->send_utf8( JSON->new->encode({ code => 403, message => 'You do not have permission to access this websocket.' }) );
            $conn->disconnect( WS_FORBIDDEN, 'invalid or expired token' );
            return;
        }
        # ... act for $user ...
    });

When a user logs out, or their session is revoked, close their open connections yourself as
well (keep them in a hash by user id): do not wait for the token to run out.

=head2 7. Limits

Set what one client may cost you: L<WebSocket::Connection/max_recv_size> (the largest message;
default 64 KiB, larger ones close with 1009), L<WebSocket::Connection/max_fragments_amount>,
L<WebSocket::Server/max_buffered> (a client that stops reading is closed instead of growing
the server's memory), L<WebSocket::Server/handshake_timeout> (default 10 seconds for the TLS
and WebSocket handshakes together), L<WebSocket::Server/silence_max> with
L<WebSocket::Server/pong_timeout> (dead peers are found and dropped). With permessage-deflate
the message limits apply to the inflated size, checked while inflating. The engine refuses
oversized handshakes and malformed frames on its own, with the close code or HTTP status of
each case.

=head2 Behind a reverse proxy

A proxy in front (for TLS, for serving the pages on the same site, for load balancing) must
pass the C<Upgrade> request through and then relay bytes both ways. Whatever the proxy, three
things matter:

=over 4

=item * the idle timeout of the proxy must be longer than the server's keep-alive interval
(L<WebSocket::Server/silence_max>, 20 seconds by default), or the proxy will cut quiet
connections;

=item * the backend sees the proxy's address in L<WebSocket::Connection/ip>; the client's comes
in C<X-Forwarded-For>, to be trusted only when the connection comes from your proxy;

=item * with TLS at the proxy, the backend speaks plain C<ws://> on a loopback or private
address, the browser still sees C<https://> and C<wss://> (so Secure cookies work), and the
C<Origin> to check is the public C<https://> one.

=back

B<nginx>. The C<Upgrade> and C<Connection> headers are hop-by-hop, so nginx must be told to
forward them, over HTTP/1.1:

    map $http_upgrade $connection_upgrade {
        default upgrade;
        ''      close;
    }

    server {
        listen 443 ssl;
        server_name example.com;
        # ssl_certificate ... ssl_certificate_key ...

        location /ws {
            proxy_pass         http://127.0.0.1:8080;
            proxy_http_version 1.1;
            proxy_set_header   Upgrade $http_upgrade;
            proxy_set_header   Connection $connection_upgrade;
            proxy_set_header   Host $host;
            proxy_set_header   X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_read_timeout 300s;     # the default, 60 s, is also fine with silence_max below it
        }
    }

B<Apache httpd 2.4>. From 2.4.47, C<mod_proxy_http> tunnels upgraded connections itself when
told so; load C<mod_proxy> and C<mod_proxy_http>:

    ProxyRequests Off
    ProxyPass        /ws  http://127.0.0.1:8080/ws  upgrade=websocket timeout=300
    ProxyPassReverse /ws  http://127.0.0.1:8080/ws

Older 2.4 releases need C<mod_proxy_wstunnel> as well and a C<ws://> target:

    ProxyPass        /ws  ws://127.0.0.1:8080/ws
    ProxyPassReverse /ws  ws://127.0.0.1:8080/ws

When the same path serves ordinary HTTP too, send only the upgrade requests to the WebSocket
server with C<mod_rewrite>:

    RewriteEngine On
    RewriteCond %{HTTP:Upgrade} =websocket [NC]
    RewriteRule ^/ws(.*)$ ws://127.0.0.1:8080/ws$1 [P,L]

The proxy passes C<Sec-WebSocket-Extensions> through, so permessage-deflate is negotiated
between the browser and this server; do not turn on the proxy's own compression for these
locations.

=head1 SEE ALSO

L<WebSocket::Server>, L<WebSocket::Connection>, L<WebSocket::Client>, L<WebSocket::Loop>,
L<WebSocket::Frame>, L<WebSocket::Request>, L<WebSocket::Response>,
L<WebSocket::Handshake::Client>, L<WebSocket::Handshake::Server>, L<WebSocket::Version>,
L<WebSocket::Exception>.

F<examples/> in the distribution: an echo server, a chat room with its page, the secure chat
of L</"SECURITY CONSIDERATIONS">, and F<websocket.js>, a client library for web pages.

RFC 6455 (The WebSocket Protocol), RFC 7692 (Compression Extensions for WebSocket).

=head1 CREDITS

The API is the one of the CPAN C<WebSocket> distribution by Jacques Deguest, itself modelled on
L<Net::WebSocket::Server> (Eric Wastl), L<Protocol::WebSocket> (Viacheslav Tykhanovskyi) and
L<AnyEvent::WebSocket::Client> (Graham Ollis).

=head1 COPYRIGHT & LICENSE

This library is free software; you can redistribute it and/or modify it under the same terms
as Perl itself.

=cut
