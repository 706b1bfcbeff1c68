use strict;
use warnings;
use Test::More;
use WebSocket::Handshake;
use WebSocket::Handshake::Client;
use WebSocket::Handshake::Server;
use WebSocket::Version;

# The opening handshake, each side on its own and both together in one process.

sub slurp
{
    my $file = shift( @_ );
    open( my $fh, '<:raw', $file ) or die( "$file: $!" );
    local $/;
    return( scalar( <$fh> ) );
}

# Feed $data to $hs->parse in pieces of $size bytes; returns the number of calls made before
# is_done became true, or undef on error.
sub feed
{
    my( $hs, $data, $size ) = @_;
    my $calls = 0;
    for( my $i = 0; $i < length( $data ); $i += $size )
    {
        $calls++;
        defined( $hs->parse( substr( $data, $i, $size ) ) ) or return;
        last if( $hs->is_done );
    }
    return( $calls );
}

my $HAS_FRAME = eval{ require WebSocket::Frame; 1 };

# WebSocket::Handshake
my $hs = WebSocket::Handshake->new;
isa_ok( $hs, 'WebSocket::Handshake' );
isa_ok( $hs, 'WebSocket' );
is( $hs->version, undef, 'no version by default (never the module version)' );
is( $hs->uri, undef, 'no uri by default' );
isa_ok( $hs->request, 'WebSocket::Request', 'request created on access' );
isa_ok( $hs->response, 'WebSocket::Response', 'response created on access' );
$hs->uri( 'ws://example.com/x' );
isa_ok( $hs->uri, 'URI', 'uri' );
$hs->version( 13 );
isa_ok( $hs->version, 'WebSocket::Version', 'version( 13 )' );
is( $hs->version->draft, 'draft-ietf-hybi-17', 'version draft' );
$hs->version( 'draft-hixie-76' );
is( $hs->version->draft, 'draft-hixie-76', 'version( hixie draft ), false in boolean context' );
ok( !defined( $hs->version( 'draft-nope-1' ) ), 'version( unknown ) fails' );
like( $hs->error->message, qr/No data found for/, 'version error' );
my $req = WebSocket::Request->new;
$hs->request( $req );
is( $hs->request, $req, 'request setter' );
my $res = WebSocket::Response->new;
$hs->response( $res );
is( $hs->response, $res, 'response setter' );
$hs = WebSocket::Handshake->new( version => 'draft-ietf-hybi-00', uri => 'ws://a/' );
is( $hs->version->draft, 'draft-ietf-hybi-00', 'version option' );

# WebSocket::Handshake::Client
my $c = WebSocket::Handshake::Client->new( uri => 'ws://example.com:8080/chat?room=1' );
isa_ok( $c, 'WebSocket::Handshake::Client' );
isa_ok( $c, 'WebSocket::Handshake' );
isa_ok( $c->uri, 'URI', 'uri' );
is( $c->uri->scheme, 'ws', 'uri scheme' );
isa_ok( $c->request, 'WebSocket::Request', 'request created' );
isa_ok( $c->response, 'WebSocket::Response', 'response created' );
is( $c->request->host, 'example.com:8080', 'request host with a non-default port' );
is( $c->request->uri->path_query, '/chat?room=1', 'request uri' );
ok( !$c->request->secure, 'ws: not secure' );
ok( !$c->is_done, 'not done' );
$c = WebSocket::Handshake::Client->new( uri => 'wss://example.com:443/' );
is( $c->request->host, 'example.com', 'default wss port omitted' );
ok( $c->request->secure, 'wss: secure' );
isa_ok( $c->uri, 'URI::wss', 'uri' );
$c = WebSocket::Handshake::Client->new( uri => 'wss://example.com:8443/' );
is( $c->request->host, 'example.com:8443', 'other wss port kept' );
$c = WebSocket::Handshake::Client->new( uri => 'ws://example.com:80/' );
is( $c->request->host, 'example.com', 'default ws port omitted' );
$c->uri( 'ws://other.example/z' );
is( $c->request->host, 'other.example', 'uri setter updates the request host' );
is( $c->request->uri->path, '/z', 'and its uri' );
$c = WebSocket::Handshake::Client->new( uri => 'ws://a.example/', version => 'draft-hixie-76', debug => 0 );
is( $c->request->version->draft, 'draft-hixie-76', 'version copied to the request' );
is( $c->response->version->draft, 'draft-hixie-76', 'version copied to the response' );
$req = WebSocket::Request->new( subprotocol => 'chat' );
$c = WebSocket::Handshake::Client->new( uri => 'ws://a.example/', request => $req );
is( $c->request, $req, 'request option used' );
is( $req->host, 'a.example', 'and given the host of the uri' );
$c = WebSocket::Handshake::Client->new;
ok( !defined( $c->as_string ), 'as_string without uri fails' );
is( $c->error->message, 'uri is required', 'with the request error' );
ok( !defined( $c->parse( '' ) ), 'parse( "" ) fails' );
is( $c->error->message, 'No data provided to parse', 'No data provided to parse' );
ok( !defined( $c->parse( undef ) ), 'parse( undef ) fails' );

# WebSocket::Handshake::Server
my $s = WebSocket::Handshake::Server->new;
isa_ok( $s, 'WebSocket::Handshake::Server' );
isa_ok( $s->request, 'WebSocket::Request', 'request created' );
isa_ok( $s->response, 'WebSocket::Response', 'response created' );
ok( !$s->is_done, 'not done' );
ok( !defined( $s->parse( '' ) ), 'parse( "" ) fails' );
is( $s->error->message, 'No data to parse was provided.', 'No data to parse was provided.' );
ok( !defined( $s->parse( "POST / HTTP/1.1\r\n\r\n" ) ), 'bad request' );
is( $s->error->message, 'Wrong method or http version', 'request error passed on' );
$s = WebSocket::Handshake::Server->new;
ok( !defined( $s->parse( "GET / HTTP/1.1\r\nHost: a\r\n\r\n" ) ), 'invalid request' );
is( $s->error->message, 'Not a valid request: No upgrade header or its value is not "WebSocket".', 'validation error passed on' );
$s = WebSocket::Handshake::Server->new;
ok( !defined( $s->as_string ), 'as_string before parse fails (no key)' );
is( $s->error->message, 'key value is required.', 'response error passed on' );

# RFC 6455 section 1.3: the server's accept value for the example key
$s = WebSocket::Handshake::Server->new;
is( $s->parse( slurp( 't/data/http-request-rfc6455.txt' ) ), $s, 'server parse returns the object' );
ok( $s->is_done, 'server done' );
is( $s->parse( 'ignored' ), $s, 'parse once done returns the object' );
is( $s->response->key, 'dGhlIHNhbXBsZSBub25jZQ==', 'key copied to the response' );
is( $s->response->version->draft, 'draft-ietf-hybi-17', 'version copied to the response' );
is( $s->version->draft, 'draft-ietf-hybi-17', 'handshake version set from the request' );
is( $s->response->origin, 'http://example.com', 'origin copied' );
is( $s->response->host, 'server.example.com', 'host copied' );
is( $s->response->uri->path, '/chat', 'uri copied' );
is( $s->request->subprotocol->join( ' ' )->scalar, 'chat superchat', 'offered subprotocols' );
$s->response->subprotocol( 'chat' );
my $answer = $s->as_string;
like( $answer, qr{^HTTP/1\.1 101 Switching Protocols\r\n}, 'status line' );
like( $answer, qr{^Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=\r$}m, 'RFC 6455 1.3 accept value' );
like( $answer, qr{^Sec-WebSocket-Protocol: chat\r$}m, 'one selected subprotocol' );
unlike( $answer, qr/Sec-WebSocket-Origin|Location/, 'no legacy field' );

# The client checks the accept value against the key it sent
$c = WebSocket::Handshake::Client->new( uri => 'ws://server.example.com/chat', request => WebSocket::Request->new( key => 'dGhlIHNhbXBsZSBub25jZQ==' ) );
ok( defined( $c->as_string ), 'client request with the example key' );
is( $c->parse( slurp( 't/data/http-response-rfc6455.txt' ) ), $c, 'client accepts the example response' );
ok( $c->is_done, 'client done' );
is( $c->response->subprotocol->first, 'chat', 'selected subprotocol' );
$c = WebSocket::Handshake::Client->new( uri => 'ws://server.example.com/chat' );
$c->as_string;
my $wrong = slurp( 't/data/http-response-rfc6455.txt' );
ok( !defined( $c->parse( $wrong ) ), 'an accept value for another key is refused' );
is( $c->error->message, 'Invalid Sec-WebSocket-Accept header value: expected "' . WebSocket::Engine::accept_key( $c->request->key->scalar ) . '", got "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="', 'Invalid Sec-WebSocket-Accept header value' );
$c = WebSocket::Handshake::Client->new( uri => 'ws://server.example.com/chat' );
$c->as_string;
ok( !defined( $c->parse( "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n" ) ), 'a missing accept value is refused' );
like( $c->error->message, qr/^Invalid Sec-WebSocket-Accept header value: expected "[^"]+", got ""$/, 'missing accept: message' );
$c = WebSocket::Handshake::Client->new( uri => 'ws://server.example.com/chat' );
ok( !defined( $c->parse( "HTTP/1.1 403 Forbidden\r\n\r\n" ) ), 'a refusal is an error' );
like( $c->error->message, qr/^Wrong response line\. Got "HTTP\/1\.1 403 Forbidden"/, 'response error passed on' );

# A full RFC 6455 handshake, client and server in one process, in small pieces
for my $size ( 1, 2, 3, 7, 1000 )
{
    my $client = WebSocket::Handshake::Client->new( uri => 'ws://localhost:8080/chat?x=1' );
    $client->request->subprotocol( [qw( chat superchat )] );
    $client->request->extensions( 'permessage-deflate; client_max_window_bits' );
    $client->request->origin( 'http://localhost:8080' );
    my $out = $client->as_string;
    ok( defined( $out ), "[$size] client request" ) or diag( $client->error );
    my $server = WebSocket::Handshake::Server->new;
    my $calls = feed( $server, $out, $size );
    ok( defined( $calls ), "[$size] server parsed the request" ) or diag( $server->error );
    is( $calls, int( ( length( $out ) + $size - 1 ) / $size ), "[$size] server done with the last piece" );
    ok( $server->is_done, "[$size] server done" );
    my $sreq = $server->request;
    is( $sreq->uri->path_query, '/chat?x=1', "[$size] uri" );
    is( $sreq->host, 'localhost:8080', "[$size] host" );
    is( $sreq->origin, 'http://localhost:8080', "[$size] origin" );
    is( $sreq->subprotocol->join( ' ' )->scalar, 'chat superchat', "[$size] offered subprotocols" );
    is( $sreq->extensions->length, 1, "[$size] offered extension" );
    is( $sreq->extensions->first->extension, 'permessage-deflate', "[$size] extension name" );
    is( $sreq->key, $client->request->key, "[$size] key received" );
    # The server selects one subprotocol among those offered, and the extension
    my( $chosen ) = grep{ $_ eq 'superchat' } @{ $sreq->subprotocol };
    $server->response->subprotocol( $chosen );
    $server->response->extensions( 'permessage-deflate' );
    my $back = $server->as_string;
    ok( defined( $back ), "[$size] server response" ) or diag( $server->error );
    # Frame bytes sent right after the response stay in the client's response buffer
    $calls = feed( $client, $back . "\x81\x05hello", $size );
    ok( defined( $calls ), "[$size] client parsed the response" ) or diag( $client->error );
    ok( $client->is_done, "[$size] client done" );
    is( $client->response->code, 101, "[$size] 101" );
    is( $client->response->subprotocol->join( ' ' )->scalar, 'superchat', "[$size] agreed subprotocol" );
    is( $client->response->extensions->first->extension, 'permessage-deflate', "[$size] agreed extension" );
    is( $client->response->version->draft, 'draft-ietf-hybi-17', "[$size] version" );
    like( "\x81\x05hello", qr/^\Q${\ $client->response->buffer->scalar }\E/, "[$size] bytes after the response kept for the frames" );
}

# Older drafts: hybi-10 (version 8), hixie-76, hybi-00, hixie-75
for my $v ( qw( draft-ietf-hybi-10 draft-ietf-hybi-05 draft-hixie-76 draft-ietf-hybi-00 draft-hixie-75 ) )
{
    my $client = WebSocket::Handshake::Client->new( uri => 'ws://example.com/demo', version => $v );
    $client->request->subprotocol( 'sample' );
    my $out = $client->as_string;
    ok( defined( $out ), "$v: client request" ) or diag( $client->error );
    my $server = WebSocket::Handshake::Server->new;
    ok( defined( feed( $server, $out, 3 ) ), "$v: server parse" ) or diag( $server->error );
    ok( $server->is_done, "$v: server done" );
    is( $server->request->subprotocol->first, 'sample', "$v: subprotocol" );
    $server->response->subprotocol( 'sample' );
    my $back = $server->as_string;
    ok( defined( $back ), "$v: server response" ) or diag( $server->error );
    ok( defined( feed( $client, $back, 5 ) ), "$v: client parse" ) or diag( $client->error );
    ok( $client->is_done, "$v: client done" );
    is( $client->response->subprotocol->first, 'sample', "$v: agreed subprotocol" );
}

# hixie-76 details: the draft's example, and a wrong checksum
$s = WebSocket::Handshake::Server->new;
$s->parse( slurp( 't/data/http-request-hixie76.txt' ) );
ok( $s->is_done, 'hixie-76 example: server done' );
is( $s->response->number1, 829309203, 'number1 copied' );
is( $s->response->number2, 259970620, 'number2 copied' );
is( $s->response->challenge, '^n:ds[4U', 'challenge copied' );
$s->response->subprotocol( 'sample' );
$answer = $s->as_string;
like( $answer, qr{^HTTP/1\.1 101 WebSocket Protocol Handshake\r\n}, 'hixie-76 status line' );
like( $answer, qr{\r\n\r\n8jKS'y:G\*Co,Wxa-\z}, 'the checksum of the example' );
like( $answer, qr{^Sec-WebSocket-Location: ws://example\.com/demo\r$}m, 'Sec-WebSocket-Location' );
like( $answer, qr{^Sec-WebSocket-Origin: http://example\.com\r$}m, 'Sec-WebSocket-Origin' );
like( $answer, qr{^Upgrade: WebSocket\r$}m, 'Upgrade: WebSocket' );

$c = WebSocket::Handshake::Client->new( uri => 'ws://example.com/demo', version => 'draft-hixie-76' );
$c->as_string;
ok( !defined( $c->parse( slurp( 't/data/http-response-hixie76.txt' ) ) ), 'hixie-76: answer to another challenge' );
is( $c->error->message, 'Checksum is wrong.', 'Checksum is wrong.' );
$c = WebSocket::Handshake::Client->new( uri => 'ws://example.com/demo', version => 'draft-hixie-76' );
$c->request->key1( '4 @1  46546xW%0l 1 5' );
$c->request->key2( '12998 5 Y3 1  .P00' );
$c->request->challenge( '^n:ds[4U' );
like( $c->as_string, qr/\r\n\r\n\^n:ds\[4U\z/, 'hixie-76: given keys and challenge sent' );
is( $c->parse( slurp( 't/data/http-response-hixie76.txt' ) ), $c, 'hixie-76: the example answer is right' );
ok( $c->is_done, 'hixie-76: client done' );

# make_frame
SKIP:
{
    skip( 'WebSocket::Frame is not available yet', 6 ) unless( $HAS_FRAME );
    $c = WebSocket::Handshake::Client->new( uri => 'ws://example.com/' );
    my $f = $c->make_frame( buffer => 'hi' );
    isa_ok( $f, 'WebSocket::Frame', 'client make_frame' );
    ok( $f->masked, 'client frames are masked' );
    is( $f->buffer, 'hi', 'options passed' );
    $s = WebSocket::Handshake::Server->new;
    $s->parse( slurp( 't/data/http-request-rfc6455.txt' ) );
    $f = $s->make_frame( buffer => 'yo' );
    isa_ok( $f, 'WebSocket::Frame', 'server make_frame' );
    ok( !$f->masked, 'server frames are not masked' );
    is( $f->buffer, 'yo', 'options passed' );
}

# A "0" piece is data like any other
$s = WebSocket::Handshake::Server->new;
my $text = "GET /0 HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
my( $pre, $post ) = split( /(?<=GET \/)/, $text, 2 );
ok( defined( $s->parse( $pre ) ) && defined( $s->parse( '0' ) ) && defined( $s->parse( substr( $post, 1 ) ) ), 'a "0" piece is parsed' );
is( $s->request->uri->path, '/0', 'path with the 0' );

done_testing();
