use strict;
use warnings;
use Test::More;
use HTTP::Headers;
use WebSocket::Response;
use WebSocket::Version;

# WebSocket::Response: building (as_string) and parsing (parse) the server's opening handshake.

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
    my( $head, $body ) = split( /\r\n\r\n/, $text, 2 );
    my( $line, @fields ) = split( /\r\n/, $head );
    my %h;
    for( @fields )
    {
        my( $n, $v ) = split( /:\s*/, $_, 2 );
        push( @{ $h{ lc( $n ) } }, $v );
    }
    return( $line, \%h, $body );
}

is( WebSocket::Response::GUID, '258EAFA5-E914-47DA-95CA-C5AB0DC85B11', 'GUID' );
is( WebSocket::Response::HTTP_SWITCHING_PROTOCOLS, 101, 'HTTP_SWITCHING_PROTOCOLS' );

# Constructor forms
my $res = WebSocket::Response->new;
isa_ok( $res, 'WebSocket::Response' );
isa_ok( $res, 'WebSocket::Common' );
is( $res->code, 101, 'code defaults to 101' );
isa_ok( $res->code, 'WebSocket::Generic::Number', 'code' );
ok( !$res->status->defined, 'no status by default' );
is( $res->version->draft, 'draft-ietf-hybi-17', 'default version' );
is( $res->cookies->length, 0, 'no cookies' );
$res = WebSocket::Response->new( 400 );
is( $res->code, 400, 'new( $code )' );
$res = WebSocket::Response->new( 403, 'Go away' );
is( $res->code, 403, 'new( $code, $status ): code' );
is( $res->status, 'Go away', 'new( $code, $status ): status' );
$res = WebSocket::Response->new( 403, 'Go away', debug => 0 );
is( $res->status, 'Go away', 'new( $code, $status, %opts )' );
$res = WebSocket::Response->new( 101, { key => 'k' } );
is( $res->key, 'k', 'new( $code, \%opts )' );
ok( !$res->status->defined, 'no status taken from the options' );
$res = WebSocket::Response->new( 101, 'Switching Protocols', [ 'X-A' => 1 ], 'buf', key => 'k2' );
is( scalar( $res->header( 'X-A' ) ), 1, 'new( $code, $status, $headers, $buffer, %opts ): headers' );
is( $res->buffer, 'buf', 'buffer' );
is( $res->key, 'k2', 'options' );
$res = WebSocket::Response->new( 101, 'Switching Protocols', HTTP::Headers->new( 'X-B' => 2 ), { key => 'k3' } );
is( scalar( $res->header( 'X-B' ) ), 2, 'new( $code, $status, HTTP::Headers, \%opts )' );
is( $res->key, 'k3', 'hash ref options' );
isa_ok( $res->headers, 'WebSocket::Headers', 'headers' );
$res = WebSocket::Response->new( code => 426, status => 'Upgrade Required' );
is( $res->code, 426, 'code option' );
$res = WebSocket::Response->new( headers => [ 'Sec-WebSocket-Version' => 8 ] );
is( $res->version->draft, 'draft-ietf-hybi-12', 'version from the headers given' );

# RFC 6455 section 1.3 / 4.2.2
$res = WebSocket::Response->new( key => 'dGhlIHNhbXBsZSBub25jZQ==', subprotocol => 'chat' );
my $text = $res->as_string;
ok( defined( $text ), 'as_string' ) or diag( $res->error );
my( $line, $h, $body ) = head_of( $text );
is( $line, 'HTTP/1.1 101 Switching Protocols', 'status line with the real reason phrase' );
is( $h->{'sec-websocket-accept'}->[0], 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=', 'RFC 6455 1.3: Sec-WebSocket-Accept' );
is( $h->{upgrade}->[0], 'websocket', 'Upgrade: websocket' );
is( $h->{connection}->[0], 'Upgrade', 'Connection: Upgrade' );
is( $h->{'sec-websocket-version'}->[0], '13', 'Sec-WebSocket-Version' );
is_deeply( $h->{'sec-websocket-protocol'}, [ 'chat' ], 'a single selected subprotocol' );
ok( !$h->{'sec-websocket-nonce'}, 'no nonce for version 13' );
ok( !$h->{'sec-websocket-location'} && !$h->{'sec-websocket-origin'} && !$h->{host}, 'no location, origin or host' );
is( $body, '', 'no body' );
like( $text, qr/\r\n\r\n\z/, 'ends with a blank line' );
like( $res->as_string( "\n" ), qr/^HTTP\/1\.1 101 Switching Protocols\n.*\n\n\z/s, 'as_string( "\n" )' );
is( $res->headers_as_string( "\n" ), $res->headers->as_string( "\n" ), 'headers_as_string' );
like( $res->headers_as_string, qr/\r\n\z/, 'headers_as_string defaults to CRLF' );

$res = WebSocket::Response->new;
ok( !defined( $res->as_string ), 'as_string without key fails' );
is( $res->error->message, 'key value is required.', 'key value is required.' );
ok( !defined( $res->headers_as_string ), 'headers_as_string without key fails' );

# Status lines of other codes
$res = WebSocket::Response->new( 400 );
( $line, $h ) = head_of( $res->as_string );
is( $line, 'HTTP/1.1 400 Bad Request', '400 Bad Request' );
ok( !$h->{'sec-websocket-accept'}, 'no accept on an error' );
$res = WebSocket::Response->new( 426, versions => [ 13, 8 ] );
( $line, $h ) = head_of( $res->as_string );
is( $line, 'HTTP/1.1 426 Upgrade Required', '426 Upgrade Required' );
is( $h->{'sec-websocket-version'}->[0], '13,8', 'supported versions listed' );
$res = WebSocket::Response->new( 403, 'Origin not allowed' );
like( $res->as_string, qr{^HTTP/1\.1 403 Origin not allowed\r\n}, 'status used as reason phrase' );
$res = WebSocket::Response->new( key => 'dGhlIHNhbXBsZSBub25jZQ==', status => 'Web Socket Upgrade' );
like( $res->as_string, qr{^HTTP/1\.1 101 Web Socket Upgrade\r\n}, 'status used for 101 too' );

# body_as_string on errors
$res = WebSocket::Response->new( 400, 'Bad Request', buffer => 'bad request' );
is( $res->body_as_string, 'bad request', 'body_as_string: error body' );
is( scalar( $res->header( 'Content-Length' ) ), 11, 'body_as_string sets Content-Length' );
( $line, $h, $body ) = head_of( $res->as_string );
is( $body, 'bad request', 'as_string: error body' );
is( $h->{'content-length'}->[0], 11, 'as_string: Content-Length in the head' );
is( WebSocket::Response->new( key => 'k', buffer => 'x' )->body_as_string, '', 'no body for a 101' );

# Extensions, cookies (one Set-Cookie each), explicit version header, versions
$res = WebSocket::Response->new(
    key        => 'dGhlIHNhbXBsZSBub25jZQ==',
    extensions => 'permessage-deflate; server_no_context_takeover',
    cookies    => [ 'a=1; Path=/', 'b=2; HttpOnly' ],
);
( $line, $h ) = head_of( $res->as_string );
like( $h->{'sec-websocket-extensions'}->[0], qr/^permessage-deflate;\s*server_no_context_takeover\b/, 'Sec-WebSocket-Extensions' );
is_deeply( $h->{'set-cookie'}, [ 'a=1; Path=/', 'b=2; HttpOnly' ], 'one Set-Cookie field per cookie' );
( $line, $h ) = head_of( $res->as_string );
is( scalar( @{ $h->{'set-cookie'} } ), 2, 'not duplicated by a second as_string' );
isa_ok( $res->cookies, 'WebSocket::Generic::Array', 'cookies' );
$res = WebSocket::Response->new( key => 'k', headers => [ 'Sec-WebSocket-Version' => '13' ], versions => [ 13, 8, 7 ] );
( $line, $h ) = head_of( $res->as_string );
is( $h->{'sec-websocket-version'}->[0], '13', 'a Sec-WebSocket-Version already set is kept' );
is( $res->versions->length, 3, 'versions' );
isa_ok( $res->versions->first, 'WebSocket::Version', 'versions item' );
is( $res->version->draft, 'draft-ietf-hybi-17', 'version is the first of versions' );
$res->version( '8, 13' );
is( $res->versions->length, 2, 'version( "8, 13" ) sets the list' );
is( $res->version->draft, 'draft-ietf-hybi-12', 'and returns the first' );
$res->version( WebSocket::Version->new( 'draft-ietf-hybi-10' ) );
is( $res->version->draft, 'draft-ietf-hybi-10', 'version( object ) kept as is' );
ok( !defined( $res->version( 'bogus' ) ), 'version( bogus ) fails' );

# Upgrade value by version (the original compared "revision => 4", always true)
for my $t ( [ 'draft-ietf-hybi-17', 'websocket' ], [ 'draft-ietf-hybi-04', 'websocket' ], [ 'draft-ietf-hybi-03', 'WebSocket' ], [ 'draft-hixie-76', 'WebSocket' ], [ 'draft-hixie-75', 'WebSocket' ] )
{
    $res = WebSocket::Response->new( version => $t->[0], key => 'k', host => 'example.com', number1 => 1, number2 => 2, challenge => '12345678' );
    ( $line, $h ) = head_of( $res->as_string );
    is( $h->{upgrade}->[0], $t->[1], "Upgrade: $t->[1] for $t->[0]" );
}

# hybi-04 and hybi-05: a nonce
$res = WebSocket::Response->new( version => 'draft-ietf-hybi-05', key => 'dGhlIHNhbXBsZSBub25jZQ==' );
( $line, $h ) = head_of( $res->as_string );
like( $h->{'sec-websocket-nonce'}->[0], qr{^[A-Za-z0-9+/]{22}==$}, 'hybi-05: Sec-WebSocket-Nonce' );
is( $h->{'sec-websocket-version'}->[0], '5', 'hybi-05: Sec-WebSocket-Version: 5' );
$res = WebSocket::Response->new( version => 'draft-ietf-hybi-06', key => 'dGhlIHNhbXBsZSBub25jZQ==' );
( $line, $h ) = head_of( $res->as_string );
ok( !$h->{'sec-websocket-nonce'}, 'hybi-06: no nonce' );

# hixie-76 (the SYNOPSIS of the original)
$res = WebSocket::Response->new(
    version     => 'draft-hixie-76',
    host        => 'example.com',
    uri         => '/demo',
    origin      => 'http://example.com',
    number1     => 777_007_543,
    number2     => 114_997_259,
    challenge   => "\x47\x30\x22\x2D\x5A\x3F\x47\x58",
    subprotocol => [qw( sample other )],
);
( $line, $h, $body ) = head_of( $res->as_string );
is( $line, 'HTTP/1.1 101 WebSocket Protocol Handshake', 'hixie-76 status line' );
is( $body, '0st3Rl&q-2ZU^weu', 'hixie-76: the checksum is the body' );
is( $res->body_as_string, '0st3Rl&q-2ZU^weu', 'body_as_string: checksum' );
is( $h->{'sec-websocket-location'}->[0], 'ws://example.com/demo', 'Sec-WebSocket-Location' );
is( $h->{'sec-websocket-origin'}->[0], 'http://example.com', 'Sec-WebSocket-Origin' );
is( $h->{'sec-websocket-protocol'}->[0], 'sample other', 'subprotocols space separated' );
ok( !$h->{'sec-websocket-accept'} && !$h->{'sec-websocket-version'} && !$h->{host}, 'no accept, version or host field' );
$res = WebSocket::Response->new( version => 'draft-ietf-hybi-00', host => 'example.com:8080', uri => '/demo?x=1', secure => 1, number1 => 1, number2 => 2, challenge => 'abcdefgh' );
( $line, $h ) = head_of( $res->as_string );
is( $h->{'sec-websocket-location'}->[0], 'wss://example.com:8080/demo?x=1', 'hybi-00: wss location with port and query' );
is( $h->{'sec-websocket-origin'}->[0], 'https://example.com:8080', 'hybi-00: default origin' );
$res = WebSocket::Response->new( version => 'draft-hixie-76', number1 => 1, number2 => 2, challenge => 'abcdefgh' );
ok( !defined( $res->as_string ), 'hixie-76 without host fails' );
is( $res->error->message, 'host value is required.', 'host value is required.' );
$res = WebSocket::Response->new( version => 'draft-hixie-76', host => 'example.com' );
ok( !defined( $res->as_string ), 'hixie-76 without the numbers fails' );
is( $res->error->message, 'number1 is required', 'number1 is required' );
$res = WebSocket::Response->new( 400, version => 'draft-hixie-76', host => 'example.com' );
is( $res->body_as_string, '', 'no checksum on an error' );

# hixie-75
$res = WebSocket::Response->new( version => 'draft-hixie-75', host => 'example.com', uri => '/demo', subprotocol => 'sample' );
( $line, $h, $body ) = head_of( $res->as_string );
is( $line, 'HTTP/1.1 101 Web Socket Protocol Handshake', 'hixie-75 status line' );
is( $h->{'websocket-location'}->[0], 'ws://example.com/demo', 'WebSocket-Location' );
is( $h->{'websocket-origin'}->[0], 'http://example.com', 'WebSocket-Origin' );
is( $h->{'websocket-protocol'}->[0], 'sample', 'WebSocket-Protocol' );
ok( !$h->{'sec-websocket-location'} && !$h->{'sec-websocket-protocol'}, 'no Sec- fields' );
is( $body, '', 'no body' );

# Accessors
$res = WebSocket::Response->new;
$res->code( 404 );
is( $res->code, 404, 'code' );
$res->status( 'Nope' );
is( $res->status, 'Nope', 'status' );
isa_ok( $res->status, 'WebSocket::Generic::Scalar', 'status' );
$res->header( 'X-Test' => 'yes' );
is( scalar( $res->header( 'X-Test' ) ), 'yes', 'header' );
$res->host( 'example.com' );
is( $res->host, 'example.com', 'host' );
ok( !defined( scalar( $res->headers->HTTP::Headers::header( 'Host' ) ) ), 'host is not a header of the response' );
$res->key( 'abc' );
is( $res->key, 'abc', 'key' );
ok( !defined( scalar( $res->headers->HTTP::Headers::header( 'Sec-WebSocket-Key' ) ) ), 'key is not a header of the response' );
$res->key1( '1 2' );
$res->key2( '3  4' );
is( $res->key1, '1 2', 'key1' );
is( $res->key2, '3  4', 'key2' );
is( $res->number1, 12, 'number1 from key1' );
is( $res->number2, 17, 'number2 from key2' );
$res->number1( 99 );
is( $res->number1, 99, 'number1 set' );
$res->location( 'ws://example.com/x' );
is( $res->location, 'ws://example.com/x', 'location' );
is( scalar( $res->headers->HTTP::Headers::header( 'Location' ) ), 'ws://example.com/x', 'location is the Location header' );
$res->origin( 'http://example.com' );
is( $res->origin, 'http://example.com', 'origin' );
is( scalar( $res->headers->HTTP::Headers::header( 'Sec-WebSocket-Origin' ) ), 'http://example.com', 'origin is Sec-WebSocket-Origin' );

# parse: RFC 6455 example, with frame bytes after the head
my $RFC_RES = slurp( 't/data/http-response-rfc6455.txt' );
$res = WebSocket::Response->new;
my $rv = $res->parse( $RFC_RES . "\x81\x02hi" );
is( $rv, $res, 'parse returns the object' ) or diag( $res->error );
ok( $res->is_done, 'done' );
is( $res->code, 101, 'code' );
is( $res->status, 'Switching Protocols', 'status' );
is( $res->protocol, 'HTTP/1.1', 'protocol' );
is( $res->version->draft, 'draft-ietf-hybi-17', 'version from Sec-WebSocket-Accept' );
is( scalar( $res->header( 'Sec-WebSocket-Accept' ) ), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=', 'accept header' );
is_deeply( [ $res->subprotocol->list ], [ 'chat' ], 'subprotocol' );
is( $res->buffer, "\x81\x02hi", 'bytes after the head stay in the buffer' );
is( $res->parse( undef ), 1, 'parse( undef ) returns 1' );

# parse in pieces
$res = WebSocket::Response->new;
my @rv = map{ $res->parse( $_ ) } ( $RFC_RES =~ /(.{1,3})/gs );
is( scalar( grep{ !ref( $_ ) && defined( $_ ) && $_ eq '1' } @rv[ 0 .. $#rv - 1 ] ), $#rv, 'pieces: 1 until complete' );
is( $rv[-1], $res, 'pieces: then the object' );
ok( $res->is_done, 'pieces: done' );
$res = WebSocket::Response->new;
is( $res->parse( 'HTT' ), 1, 'a beginning of status line waits for more' );
is( $res->parse( 'P/1.1 10' ), 1, 'still a possible status line' );

# Version header, extensions, several versions
$res = WebSocket::Response->new;
$res->parse( "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: x\r\nSec-WebSocket-Version: 8\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=10, x-foo\r\nSec-WebSocket-Protocol: a, b\r\n\r\n" );
ok( $res->is_done, 'parse with version header' );
is( $res->version->draft, 'draft-ietf-hybi-12', 'version from Sec-WebSocket-Version' );
is( $res->extensions->length, 2, 'extensions' );
isa_ok( $res->extensions->first, 'WebSocket::Extension', 'extension' );
is_deeply( [ $res->subprotocol->list ], [qw( a b )], 'subprotocols split on commas' );

# parse errors (t/006 of the original)
$res = WebSocket::Response->new;
ok( !defined( $res->parse( "foo\x0d\x0a" ) ), 'bad response line' );
is( $res->error->message, 'Wrong response line. Got "foo", but expected something starting with "HTTP/1.1 101 "', 'bad response line message' );
$res = WebSocket::Response->new;
ok( !defined( $res->parse( ( "1234567890" x 10 ) . "\x0d\x0a" ) ), 'long bad response line' );
is( $res->error->message, 'Wrong response line. Got "12345678901234567890123456789012345678901234567890123456789012345678901234567...", but expected something starting with "HTTP/1.1 101 "', 'cut to 77 characters and ...' );
$res = WebSocket::Response->new;
$res->parse( ( 'a' x 78 ) . "\x0d\x0a" );
is( $res->error->message, 'Wrong response line. Got "' . ( 'a' x 78 ) . '", but expected something starting with "HTTP/1.1 101 "', '80 bytes: not cut' );
$res = WebSocket::Response->new;
ok( !defined( $res->parse( "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n" ) ), '404 refused' );
is( $res->error->message, "Wrong response line. Got \"HTTP/1.1 404 Not Found\r\nContent-Length: 0\", but expected something starting with \"HTTP/1.1 101 \"", 'whole buffer shown, final line breaks removed' );
$res = WebSocket::Response->new;
ok( !defined( $res->parse( 'XYZ' ) ), 'cannot become a status line: error at once' );
is( $res->error->message, 'Wrong response line. Got "XYZ", but expected something starting with "HTTP/1.1 101 "', 'message' );
$res = WebSocket::Response->new;
ok( !defined( $res->parse( "HTTP/1.1 101 Switching Protocols\r\nBad Name: x\r\n\r\n" ) ), 'malformed head' );
is( $res->error->message, q{Error parsing response data: Bad header name in 'Bad Name: x'}, 'Error parsing response data' );
$res = WebSocket::Response->new;
ok( !defined( $res->parse( "HTTP/1.1 101 Switching Protocols\r\nUpgrade: WebSocket\r\n\r\n" ) ), 'hixie-75 without location' );
is( $res->error->message, 'No "WebSocket-Location" header found.', 'No "WebSocket-Location" header found.' );
$res = WebSocket::Response->new;
ok( !defined( $res->parse( "HTTP/1.1 101 WebSocket Protocol Handshake\r\nSec-WebSocket-Origin: http://a\r\n\r\n0123456789abcdef" ) ), 'hixie-76 without location' );
is( $res->error->message, 'No "Sec-WebSocket-Location" header found.', 'No "Sec-WebSocket-Location" header found.' );
{
    local $WebSocket::Common::MAX_MESSAGE_SIZE = 1024;
    $res = WebSocket::Response->new;
    ok( !defined( $res->parse( 'x' x ( 1024 * 10 ) ) ), 'response data too big' );
    is( $res->error->message, 'Message is too long', 'Message is too long, checked before the status line' );
}

# hixie-76 response (the example of the draft), checksum in pieces
my $legacy = slurp( 't/data/http-response-hixie76.txt' );
$res = WebSocket::Response->new;
is( $res->parse( substr( $legacy, 0, length( $legacy ) - 6 ) ), 1, 'hixie-76: checksum incomplete returns 1' );
ok( !$res->is_done, 'hixie-76: not done' );
is( $res->parse( substr( $legacy, -6 ) ), $res, 'hixie-76: complete' );
ok( $res->is_done, 'hixie-76: done' );
is( $res->checksum, "8jKS'y:G*Co,Wxa-", 'hixie-76: checksum read from the body' );
is( $res->version->draft, 'draft-ietf-hybi-03', 'hixie-76: version' );
is( $res->location, 'ws://example.com/demo', 'hixie-76: location' );
is( $res->host, 'example.com', 'hixie-76: host from the location' );
is( $res->uri->path, '/demo', 'hixie-76: uri from the location' );
ok( !$res->secure, 'hixie-76: ws is not secure' );
is( $res->origin, 'http://example.com', 'hixie-76: origin' );
is( $res->subprotocol->first, 'sample', 'hixie-76: subprotocol' );
is( $res->buffer, '', 'hixie-76: nothing left' );

# hixie-75 response
$res = WebSocket::Response->new;
is( $res->parse( slurp( 't/data/http-response-hixie75.txt' ) ), $res, 'hixie-75: parse' );
is( $res->version->draft, 'draft-hixie-75', 'hixie-75: version' );
is( $res->location, 'ws://example.com/demo', 'hixie-75: location' );
is( $res->origin, 'http://example.com', 'hixie-75: origin' );
is( $res->subprotocol->first, 'sample', 'hixie-75: subprotocol' );
$res = WebSocket::Response->new;
$res->parse( "HTTP/1.1 101 Web Socket Protocol Handshake\r\nWebSocket-Location: wss://secure.example/x\r\n\r\n" );
ok( $res->secure, 'wss location: secure' );

# parse_body on its own
$res = WebSocket::Response->new( 101, 'Switching Protocols', [ 'Sec-WebSocket-Accept' => 'abc' ] );
is( $res->parse_body, $res, 'parse_body' );
ok( $res->is_done, 'parse_body: done' );
$res = WebSocket::Response->new( 101, 'x', [ 'Sec-WebSocket-Origin' => 'http://a', 'Sec-WebSocket-Location' => 'ws://a/' ], 'short' );
is( $res->parse_body, 1, 'parse_body: legacy checksum incomplete returns 1' );

done_testing();
