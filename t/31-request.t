use strict;
use warnings;
use Test::More;
use HTTP::Headers;
use WebSocket::Request;

# WebSocket::Request: building (as_string) and parsing (parse) the client's opening handshake.

sub slurp
{
    my $file = shift( @_ );
    open( my $fh, '<:raw', $file ) or die( "$file: $!" );
    local $/;
    return( scalar( <$fh> ) );
}

sub head_of
{
    my $text = shift( @_ );
    my( $head ) = split( /\r\n\r\n/, $text, 2 );
    my( $line, @fields ) = split( /\r\n/, $head );
    my %h;
    for( @fields )
    {
        my( $n, $v ) = split( /:\s*/, $_, 2 );
        push( @{ $h{ lc( $n ) } }, $v );
    }
    return( $line, \%h );
}

my $RFC_REQ = slurp( 't/data/http-request-rfc6455.txt' );

# Constructor forms
my $req = WebSocket::Request->new;
isa_ok( $req, 'WebSocket::Request' );
isa_ok( $req, 'WebSocket::Common' );
ok( !$req->is_done, 'new request is not done' );
is( $req->version->draft, 'draft-ietf-hybi-17', 'default version' );
is( $req->method, '', 'method empty by default' );

$req = WebSocket::Request->new( { host => 'example.com', uri => '/chat' } );
is( $req->host, 'example.com', 'new( \%opts )' );
$req = WebSocket::Request->new( [ Host => 'example.com', 'X-A' => 1 ], uri => '/chat', debug => 0 );
is( $req->host, 'example.com', 'new( $headers, %opts ): headers' );
is( $req->uri->path, '/chat', 'new( $headers, %opts ): options' );
$req = WebSocket::Request->new( [ Host => 'example.com' ], 'some body', uri => '/x' );
is( $req->buffer, 'some body', 'new( $headers, $buffer, %opts )' );
is( $req->uri->path, '/x', 'options after the buffer' );
$req = WebSocket::Request->new( [ Host => 'example.com' ], 'body2', { uri => '/y' } );
is( $req->buffer, 'body2', 'new( $headers, $buffer, \%opts )' );
is( $req->uri->path, '/y', 'hash ref options after the buffer' );
$req = WebSocket::Request->new( [ Host => 'example.com' ], { uri => '/z' } );
is( $req->uri->path, '/z', 'new( $headers, \%opts )' );
is( $req->buffer, '', 'no buffer' );
my $hh = HTTP::Headers->new( Host => 'h.example' );
$req = WebSocket::Request->new( $hh, uri => '/' );
isa_ok( $req->headers, 'WebSocket::Headers', 'HTTP::Headers copied' );
is( $req->host, 'h.example', 'host from the HTTP::Headers' );
ok( !defined( WebSocket::Request->new( no_such_option => 1 ) ), 'unknown option fails' );
like( WebSocket::Request->error->message, qr/no_such_option/, 'class error names the option' );
$req = WebSocket::Request->new( headers => [ Host => 'a' ], host => 'b', connection => 'keep-alive', upgrade => 'websocket', key => 'k', origin => 'http://o' );
is( $req->host, 'b', 'header options are applied after headers' );
is( $req->connection, 'keep-alive', 'connection option' );
is( $req->upgrade, 'websocket', 'upgrade option' );
is( $req->key, 'k', 'key option' );
is( $req->origin, 'http://o', 'origin option (applied whatever the key order)' );

# as_string errors
$req = WebSocket::Request->new( host => 'example.com' );
ok( !defined( $req->as_string ), 'as_string without uri fails' );
is( $req->error->message, 'uri is required', 'uri is required' );
$req = WebSocket::Request->new( uri => '/chat' );
ok( !defined( $req->as_string ), 'as_string without host fails' );
is( $req->error->message, 'Host is required', 'Host is required' );

# as_string, RFC 6455
$req = WebSocket::Request->new(
    host        => 'server.example.com',
    uri         => '/chat?room=1',
    subprotocol => [qw( chat superchat )],
    extensions  => 'permessage-deflate; client_max_window_bits',
    cookies     => 'a=1; b=2',
);
my $text = $req->as_string;
ok( defined( $text ), 'as_string' ) or diag( $req->error );
my( $line, $h ) = head_of( $text );
is( $line, 'GET /chat?room=1 HTTP/1.1', 'request line with path and query' );
like( $text, qr/\r\n\r\n\z/, 'head ends with a blank line, no body' );
like( $text, qr/^Upgrade: WebSocket\r$/m, 'Upgrade: WebSocket' );
is( $h->{connection}->[0], 'Upgrade', 'Connection: Upgrade' );
is( $h->{host}->[0], 'server.example.com', 'Host' );
is( $h->{origin}->[0], 'http://server.example.com', 'default Origin is http://host' );
ok( !$h->{'sec-websocket-origin'}, 'no Sec-WebSocket-Origin for version 13' );
is( $h->{'sec-websocket-version'}->[0], 13, 'Sec-WebSocket-Version: 13' );
is( $h->{'sec-websocket-protocol'}->[0], 'chat, superchat', 'Sec-WebSocket-Protocol comma separated' );
like( $h->{'sec-websocket-extensions'}->[0], qr/^permessage-deflate;\s*client_max_window_bits\b/, 'Sec-WebSocket-Extensions' );
is( $h->{cookie}->[0], 'a=1; b=2', 'Cookie' );
my $key = $h->{'sec-websocket-key'}->[0];
like( $key, qr{^[A-Za-z0-9+/]{22}==$}, 'generated Sec-WebSocket-Key is base64 of 16 bytes' );
is( $req->key, $key, 'the generated key is stored (key returns it)' );
my( undef, $h2 ) = head_of( $req->as_string );
is( $h2->{'sec-websocket-key'}->[0], $key, 'the same key on a second call' );
isnt( WebSocket::Request->new( host => 'a', uri => '/' )->as_string =~ /Sec-WebSocket-Key: (\S+)/ ? $1 : '', $key, 'another request gets another key' );
like( $req->as_string( "\n" ), qr{^GET /chat\?room=1 HTTP/1\.1\nConnection: Upgrade\n.*\n\n\z}s, 'as_string( "\n" )' );

# Given key, origin, secure
$req = WebSocket::Request->new( host => 'example.com', uri => 'wss://example.com/', key => 'dGhlIHNhbXBsZSBub25jZQ==', secure => 1 );
( $line, $h ) = head_of( $req->as_string );
is( $line, 'GET / HTTP/1.1', 'request line for an empty path' );
is( $h->{'sec-websocket-key'}->[0], 'dGhlIHNhbXBsZSBub25jZQ==', 'given key used' );
is( $h->{origin}->[0], 'https://example.com', 'secure: default origin is https' );
$req = WebSocket::Request->new( host => 'example.com', uri => '/', origin => 'http://app.example' );
( $line, $h ) = head_of( $req->as_string );
is( $h->{origin}->[0], 'http://app.example', 'origin option sent as Origin' );

# hybi-10 (protocol version 8): Sec-WebSocket-Origin. (Version 8 alone means its newest draft,
# hybi-12, which uses Origin again.)
$req = WebSocket::Request->new( host => 'example.com', uri => '/', version => 8, origin => 'http://app.example' );
is( scalar( $req->headers->HTTP::Headers::header( 'Origin' ) ), 'http://app.example', 'version 8 (hybi-12): Origin' );
$req = WebSocket::Request->new( host => 'example.com', uri => '/', version => 'draft-ietf-hybi-10', origin => 'http://app.example' );
is( $req->headers->HTTP::Headers::header( 'Sec-WebSocket-Origin' ), 'http://app.example', 'origin setter uses Sec-WebSocket-Origin for hybi 4-10' );
( $line, $h ) = head_of( $req->as_string );
is( $h->{'sec-websocket-origin'}->[0], 'http://app.example', 'Sec-WebSocket-Origin sent' );
ok( !$h->{origin}, 'no Origin for hybi-10' );
is( $h->{'sec-websocket-version'}->[0], 8, 'Sec-WebSocket-Version: 8' );

# hixie-76 / hybi-00: two keys, challenge after the head
for my $draft ( qw( draft-hixie-76 draft-ietf-hybi-00 draft-ietf-hybi-03 ) )
{
    $req = WebSocket::Request->new( host => 'example.com', uri => '/demo', version => $draft, subprotocol => [qw( sample other )] );
    $text = $req->as_string;
    ok( defined( $text ), "$draft: as_string" ) or diag( $req->error );
    my( $head, $body ) = split( /\r\n\r\n/, $text, 2 );
    ( $line, $h ) = head_of( $text );
    is( length( $body ), 8, "$draft: 8 bytes of challenge after the head" );
    is( $body, $req->challenge->scalar, "$draft: the body is the challenge" );
    is( $h->{'content-length'}->[0], 8, "$draft: Content-Length: 8" );
    ok( $h->{'sec-websocket-key1'} && $h->{'sec-websocket-key2'}, "$draft: Sec-WebSocket-Key1 and Key2" );
    ok( !$h->{'sec-websocket-key'} && !$h->{'sec-websocket-version'}, "$draft: no Sec-WebSocket-Key or Version" );
    is( $h->{'sec-websocket-protocol'}->[0], 'sample other', "$draft: subprotocols space separated" );
    is( $h->{origin}->[0], 'http://example.com', "$draft: Origin" );
    my $k1 = $h->{'sec-websocket-key1'}->[0];
    unlike( $k1, qr/^ | $/, "$draft: no space at the ends of key1" );
    like( $k1, qr/ /, "$draft: key1 has spaces" );
    is( $req->_extract_number( $k1 ), $req->number1, "$draft: key1 hides number1" );
    is( $req->_extract_number( $h->{'sec-websocket-key2'}->[0] ), $req->number2, "$draft: key2 hides number2" );
    is( length( $req->checksum ), 16, "$draft: checksum computable" );
}

# hixie-75
$req = WebSocket::Request->new( host => 'example.com', uri => '/demo', version => 'draft-hixie-75', subprotocol => 'sample' );
( $line, $h ) = head_of( $req->as_string );
is( $h->{'websocket-protocol'}->[0], 'sample', 'hixie-75: WebSocket-Protocol' );
ok( !$h->{'sec-websocket-key'} && !$h->{'sec-websocket-key1'}, 'hixie-75: no key' );

# Accessors
$req = WebSocket::Request->new;
$req->connection( 'Upgrade' );
is( $req->connection, 'Upgrade', 'connection' );
isa_ok( $req->connection, 'WebSocket::Generic::Scalar', 'connection' );
$req->cookies( 'x=1' );
is( $req->cookies, 'x=1', 'cookies' );
$req->key( 'abc' );
is( $req->key, 'abc', 'key' );
is( scalar( $req->headers->HTTP::Headers::header( 'Sec-WebSocket-Key' ) ), 'abc', 'key is the Sec-WebSocket-Key header' );
$req->key( undef );
ok( !$req->key->defined, 'key( undef ) removes the header' );
$req->key1( '1 2' );
$req->key2( '3 4' );
is( scalar( $req->headers->HTTP::Headers::header( 'Sec-WebSocket-Key1' ) ), '1 2', 'key1 is Sec-WebSocket-Key1' );
is( scalar( $req->headers->HTTP::Headers::header( 'Sec-WebSocket-Key2' ) ), '3 4', 'key2 is Sec-WebSocket-Key2' );
is( $req->number1, 12, 'number1 from key1' );
is( $req->number2, 34, 'number2 from key2' );
is( $req->number1( 5 ), $req, 'number1 setter chains' );
is( $req->number1, 5, 'number1 set' );
is( $req->number2( 6 )->number2, 6, 'number2 setter chains' );
$req->method( 'GET' );
is( $req->method, 'GET', 'method' );
$req->upgrade( 'websocket' );
is( $req->upgrade, 'websocket', 'upgrade' );
is( scalar( $req->_key() ), undef, '_key without name fails' );
is( $req->error->message, 'No Sec-WebSocket header name was provided', '_key error' );
$req = WebSocket::Request->new( version => 'draft-ietf-hybi-17' );
$req->origin( 'http://a.example' );
is( $req->origin, 'http://a.example', 'origin' );
is( scalar( $req->headers->HTTP::Headers::header( 'Origin' ) ), 'http://a.example', 'origin is Origin for version 13' );
$req = WebSocket::Request->new( version => 'draft-ietf-hybi-00' );
$req->origin( 'http://b.example' );
is( scalar( $req->headers->HTTP::Headers::header( 'Origin' ) ), 'http://b.example', 'origin is Origin for hybi-00' );

# parse: RFC 6455 section 1.2 example
$req = WebSocket::Request->new;
my $rv = $req->parse( $RFC_REQ );
is( $rv, $req, 'parse returns the object' ) or diag( $req->error );
ok( $req->is_done, 'done' );
is( $req->method, 'GET', 'method' );
isa_ok( $req->uri, 'URI', 'uri' );
is( $req->uri->path, '/chat', 'uri path' );
is( $req->protocol, 'HTTP/1.1', 'protocol' );
is( $req->host, 'server.example.com', 'host' );
is( $req->key, 'dGhlIHNhbXBsZSBub25jZQ==', 'key' );
is( $req->version->draft, 'draft-ietf-hybi-17', 'version' );
is( "" . $req->version, '13', 'version 13' );
is( $req->subprotocol->join( ' ' )->scalar, 'chat superchat', 'subprotocol: $req->subprotocol->join(" ")->scalar' );
is( $req->origin, 'http://example.com', 'origin' );
ok( !$req->secure, 'not secure' );
is( $req->upgrade, 'websocket', 'upgrade' );
is( $req->connection, 'Upgrade', 'connection' );
is( $req->buffer, '', 'nothing left in the buffer' );
is( $req->parse( undef ), 1, 'parse( undef ) returns 1' );

# parse in pieces
$req = WebSocket::Request->new;
my @rv = map{ $req->parse( $_ ) } split( //, $RFC_REQ );
is( scalar( grep{ defined( $_ ) && !ref( $_ ) && $_ eq '1' } @rv[ 0 .. $#rv - 1 ] ), length( $RFC_REQ ) - 1, 'parse in 1-byte pieces returns 1 until complete' );
is( $rv[-1], $req, 'then the object' );
ok( $req->is_done, 'done after the last byte' );
is( $req->subprotocol->length, 2, 'subprotocols' );

# parse from a filehandle
open( my $fh, '<:raw', 't/data/http-request-rfc6455.txt' ) or die( $! );
$req = WebSocket::Request->new;
is( $req->parse( $fh ), $req, 'parse( $fh )' );
ok( $req->is_done, 'done from a filehandle' );

# Extensions, cookies, https origin, version 8
$req = WebSocket::Request->new;
$rv = $req->parse( "GET /x HTTP/1.1\r\nHost: a.example\r\nUpgrade: WebSocket\r\nConnection: keep-alive, Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\nSec-WebSocket-Origin: https://a.example\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits, x-foo\r\nCookie: a=1; b=2\r\n\r\n" );
is( $rv, $req, 'parse hybi-10 request' ) or diag( $req->error );
is( $req->version->draft, 'draft-ietf-hybi-12', 'version 8 is draft-ietf-hybi-12' );
is( $req->origin, 'https://a.example', 'origin from Sec-WebSocket-Origin' );
ok( $req->secure, 'https origin: secure' );
is( $req->extensions->length, 2, 'extensions parsed' );
isa_ok( $req->extensions->first, 'WebSocket::Extension', 'extension' );
is( $req->extensions->first->extension, 'permessage-deflate', 'extension name' );
is( $req->cookies, 'a=1; b=2', 'cookies from Cookie' );
is( $req->subprotocol->length, 0, 'no subprotocol' );

# A key without Sec-WebSocket-Version: hybi-17
$req = WebSocket::Request->new;
$req->parse( "GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n" );
is( $req->version->draft, 'draft-ietf-hybi-17', 'key without version header: hybi-17' );

# A single space-separated subprotocol list keeps the version (no downgrade)
$req = WebSocket::Request->new;
$req->parse( "GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: chat\r\n\r\n" );
is( $req->version->draft, 'draft-ietf-hybi-17', 'one subprotocol: version stays 13' );
is( $req->subprotocol->join( ' ' )->scalar, 'chat', 'one subprotocol' );

# hixie-76 request (the example of the draft), given in two parts
$req = WebSocket::Request->new;
my $legacy = slurp( 't/data/http-request-hixie76.txt' );
my( $lhead, $lbody ) = split( /(?<=\r\n\r\n)/, $legacy, 2 );
is( $req->parse( $lhead ), 1, 'hixie-76: head without the challenge returns 1' );
ok( !$req->is_done, 'hixie-76: not done without the challenge' );
is( $req->parse( substr( $lbody, 0, 5 ) ), 1, 'hixie-76: part of the challenge returns 1' );
is( $req->parse( substr( $lbody, 5 ) ), $req, 'hixie-76: complete' );
ok( $req->is_done, 'hixie-76: done' );
is( $req->version->draft, 'draft-ietf-hybi-03', 'hixie-76: the two-key handshake is draft-ietf-hybi-03' );
is( $req->challenge, '^n:ds[4U', 'hixie-76: challenge' );
is( $req->number1, 829309203, 'hixie-76: number1' );
is( $req->number2, 259970620, 'hixie-76: number2' );
is( $req->checksum, "8jKS'y:G*Co,Wxa-", 'hixie-76: checksum of the example' );
is( $req->subprotocol->join( ' ' )->scalar, 'sample', 'hixie-76: subprotocol' );
is( $req->origin, 'http://example.com', 'hixie-76: origin' );

# hixie-75 request
$req = WebSocket::Request->new;
is( $req->parse( slurp( 't/data/http-request-hixie75.txt' ) ), $req, 'hixie-75: parse' );
is( $req->version->draft, 'draft-hixie-75', 'hixie-75: no key' );
is( $req->subprotocol->first, 'sample', 'hixie-75: WebSocket-Protocol' );

# parse errors, with their exact messages
my @bad = (
    [ "foo\r\n", 'Wrong request line', 'not a request line' ],
    [ "GET /\r\n\r\n", 'Wrong request line', 'no protocol' ],
    [ "POST /chat HTTP/1.1\r\nHost: a\r\n\r\n", 'Wrong method or http version', 'POST' ],
    [ "GET /chat HTTP/1.0\r\nHost: a\r\n\r\n", 'Wrong method or http version', 'HTTP/1.0' ],
    [ "GET /chat HTTP/1.1\r\nBad Name: x\r\n\r\n", q{Error parsing request data: Bad header name in 'Bad Name: x'}, 'bad header name' ],
    [ "GET /chat HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\n\r\n", 'Not a valid request: No upgrade header or its value is not "WebSocket".', 'no Upgrade' ],
    [ "GET /chat HTTP/1.1\r\nHost: a\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n", 'Not a valid request: No upgrade header or its value is not "WebSocket".', 'Upgrade: h2c' ],
    [ "GET /chat HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n\r\n", 'Not a valid request: No "Connection" header', 'no Connection' ],
    [ "GET /chat HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: keep-alive\r\n\r\n", 'Not a valid request: Connection header has no "Upgrade" value.', 'Connection without Upgrade' ],
    [ "GET /chat HTTP/1.1\r\nUpgrade: WebSocket\r\nConnection: Upgrade\r\nOrigin: http://example.com\r\n\r\n", 'Not a valid request: No "Host" header value found.', 'no Host' ],
    [ "GET /chat HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: short\r\nSec-WebSocket-Version: 13\r\n\r\n", 'Not a valid request: Invalid Sec-WebSocket-Key header value "short".', 'invalid key' ],
    [ "GET /chat HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 99\r\n\r\n", 'Not a valid request: Unsupported protocol version "99" in the Sec-WebSocket-Version header.', 'unsupported version' ],
    [ "GET /chat HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\nxyz", 'Excessive unknown data found in request body: xyz', 'data after the head' ],
);
for my $t ( @bad )
{
    my( $data, $msg, $name ) = @$t;
    $req = WebSocket::Request->new;
    ok( !defined( $req->parse( $data ) ), "parse error: $name" );
    is( $req->error && $req->error->message, $msg, "error message: $name" );
}
$req = WebSocket::Request->new;
$req->parse( "GET /chat HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 99\r\n\r\n" );
is( $req->error->code, 426, 'unsupported version: code 426' );
$req = WebSocket::Request->new;
$req->parse( "GET /chat HTTP/1.1\r\nHost: a\r\n\r\n" );
is( $req->error->code, 400, 'invalid request: code 400' );
ok( !defined( $req->parse( "more" ) ), 'after an error, parse fails again' );
like( $req->error->message, qr/^Not a valid request/, 'with the same error' );
$req = WebSocket::Request->new;
is( $req->parse( "GET /chat HTTP/1.1\r\nUpgrade: WebSocket\r\nConnection: Upgrade\r\n" ), 1, 'incomplete head returns 1' );
ok( !$req->is_done, 'incomplete head: not done' );

{
    local $WebSocket::Common::MAX_MESSAGE_SIZE = 1024;
    $req = WebSocket::Request->new;
    ok( !defined( $req->parse( 'x' x ( 1024 * 10 ) ) ), 'request too big' );
    is( $req->error->message, 'Message is too long', 'Message is too long' );
    $req = WebSocket::Request->new;
    is( $req->parse( "GET / HTTP/1.1\r\n" ), 1, 'under the limit' );
    ok( !defined( $req->parse( 'X-Pad: ' . ( 'y' x 1024 ) . "\r\n" ) ), 'over the limit across calls' );
    is( $req->error->message, 'Message is too long', 'Message is too long across calls' );
}

# parse_body on its own
$req = WebSocket::Request->new( [ Host => 'a', Upgrade => 'websocket', Connection => 'Upgrade', 'Sec-WebSocket-Key' => 'dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version' => 13 ] );
is( $req->parse_body, $req, 'parse_body on headers given to new' );
ok( $req->is_done, 'parse_body: done' );
$req = WebSocket::Request->new( [ Host => 'a', Upgrade => 'websocket', Connection => 'Upgrade', 'Sec-WebSocket-Key1' => '1 2', 'Sec-WebSocket-Key2' => '3 4' ], 'abc' );
is( $req->parse_body, 1, 'parse_body: legacy keys with fewer than 8 bytes returns 1' );
$req->buffer( 'abcdefgh' );
is( $req->parse_body, $req, 'parse_body: with the challenge' );
is( $req->challenge, 'abcdefgh', 'parse_body: challenge taken' );

# cookie_jar: the request's cookies by name (RFC 6265 cookie-string)
{
    my $cr = WebSocket::Request->new;
    ok( $cr->parse( "GET /chat HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nCookie: session=abc123; theme=\"dark\"; session=shadowed; flag\r\n\r\n" ), 'cookie_jar: request with cookies parsed' );
    my $jar = $cr->cookie_jar;
    isa_ok( $jar, 'WebSocket::Generic::Hash', 'cookie_jar' );
    is( $jar->{session}, 'abc123', 'cookie_jar: value by name; the first of a repeated name wins' );
    is( $jar->theme, 'dark', 'cookie_jar: quoted value unquoted, reachable as a method' );
    ok( !exists( $jar->{flag} ), 'cookie_jar: a part without = is not a cookie' );
    my $built = WebSocket::Request->new( cookies => 'a=1; b=2' );
    is_deeply( { %{ $built->cookie_jar } }, { a => 1, b => 2 }, 'cookie_jar: from the cookies option' );
    is_deeply( { %{ WebSocket::Request->new->cookie_jar } }, {}, 'cookie_jar: no cookies, empty jar' );
}

done_testing();
