use strict;
use warnings;
use Test::More;
use HTTP::Headers;
use WebSocket::Common qw( :all );
use WebSocket::Request;
use WebSocket::Response;

# WebSocket::Common: the base of Request and Response, and the incremental parser parse_chunk.

# Exports and package variables
is( PARSE_DONE, 0, 'PARSE_DONE' );
is( PARSE_INCOMPLETE, -1, 'PARSE_INCOMPLETE' );
is( PARSE_WAITING, -2, 'PARSE_WAITING' );
is( PARSE_MAYBE_MORE, -3, 'PARSE_MAYBE_MORE' );
is( WEBSOCKET_DRAFT_VERSION_DEFAULT, 'draft-ietf-hybi-17', ':all exports WEBSOCKET_DRAFT_VERSION_DEFAULT' );
is_deeply( [ sort( @{ $WebSocket::Common::EXPORT_TAGS{all} } ) ],
    [ sort( qw( PARSE_DONE PARSE_INCOMPLETE PARSE_WAITING PARSE_MAYBE_MORE WEBSOCKET_DRAFT_VERSION_DEFAULT ) ) ], ':all tag' );
ok( !exists( $WebSocket::Common::EXPORT_TAGS{ws} ), 'no :ws tag' );
ok( !main->can( 'GUID' ), 'nothing else exported' );
{
    package Other::Pkg;
    WebSocket::Common->import( 'PARSE_WAITING' );
    main::ok( Other::Pkg->can( 'PARSE_WAITING' ) && !Other::Pkg->can( 'PARSE_DONE' ), 'import by name' );
}
is( $WebSocket::Common::MAX_MESSAGE_SIZE, 20480, 'MAX_MESSAGE_SIZE default is 20 KiB' );

# Constructor defaults
my $c = WebSocket::Common->new;
isa_ok( $c, 'WebSocket::Common' );
isa_ok( $c, 'WebSocket' );
is( $c->buffer->scalar, '', 'buffer defaults to empty' );
isa_ok( $c->buffer, 'WebSocket::Generic::Scalar', 'buffer' );
is( $c->max_message_size, 20480, 'max_message_size default' );
isa_ok( $c->max_message_size, 'WebSocket::Generic::Number', 'max_message_size' );
isa_ok( $c->version, 'WebSocket::Version', 'version' );
is( $c->version->draft, 'draft-ietf-hybi-17', 'version defaults to hybi-17' );
isnt( $c->version, $WebSocket::Common::VERSION, 'version is not the module version' );
is( $c->uri, undef, 'uri undef by default' );
is( $c->subprotocol->length, 0, 'no subprotocol' );
is( $c->extensions->length, 0, 'no extension' );
ok( !$c->is_done, 'not done' );
ok( !$c->secure, 'not secure' );
is( $c->protocol->scalar, '', 'protocol empty' );
is( $c->error, undef, 'no error' );

{
    local $WebSocket::Common::MAX_MESSAGE_SIZE = 1024;
    is( WebSocket::Common->new->max_message_size, 1024, 'local $MAX_MESSAGE_SIZE is the default of new objects' );
}
is( WebSocket::Common->new( max_message_size => 99 )->max_message_size, 99, 'max_message_size option' );

# version from the headers
is( WebSocket::Common->new( headers => [ 'Sec-WebSocket-Version' => 8 ] )->version->draft, 'draft-ietf-hybi-12', 'version from Sec-WebSocket-Version' );
is( WebSocket::Common->new( headers => [ 'WebSocket-Version' => 7 ] )->version->draft, 'draft-ietf-hybi-07', 'version from WebSocket-Version' );
is( WebSocket::Common->new( headers => [ 'Sec-WebSocket-Version' => 'abc' ] )->version->draft, 'draft-ietf-hybi-17', 'non-numeric version header ignored' );
is( WebSocket::Common->new( version => 'draft-hixie-76' )->version->draft, 'draft-hixie-76', 'version option (hixie, false in bool context)' );
is( WebSocket::Common->new( version => 13 )->version->draft, 'draft-ietf-hybi-17', 'version option as number' );

# version setter
$c = WebSocket::Common->new;
$c->version( 8 );
is( $c->version->draft, 'draft-ietf-hybi-12', 'version(8)' );
$c->version( WebSocket::Version->new( 'draft-ietf-hybi-00' ) );
is( $c->version->draft, 'draft-ietf-hybi-00', 'version(object)' );
ok( !defined( $c->version( 99 ) ), 'version(99) fails' );
like( $c->error->message, qr/No data found for version "99"/, 'version error message' );

# buffer / content
$c = WebSocket::Common->new( buffer => 'abc' );
is( $c->buffer, 'abc', 'buffer option' );
is( $c->content, 'abc', 'content is an alias of buffer' );
$c->content( 'xyz' );
is( $c->buffer->scalar, 'xyz', 'content setter' );

# challenge
$c->challenge( "12345678" );
isa_ok( $c->challenge, 'WebSocket::Generic::Scalar', 'challenge' );
is( $c->challenge->length, 8, 'challenge length' );

# checksum
$c = WebSocket::Common->new;
ok( !defined( $c->checksum ), 'checksum without numbers fails' );
is( $c->error->message, 'number1 is required', 'number1 is required' );
$c = WebSocket::Common->new( number1 => 777_007_543 );
ok( !defined( $c->checksum ), 'checksum without number2 fails' );
is( $c->error->message, 'number2 is required', 'number2 is required' );
$c = WebSocket::Common->new( number1 => 777_007_543, number2 => 114_997_259 );
ok( !defined( $c->checksum ), 'checksum without challenge fails' );
is( $c->error->message, 'challenge is required', 'challenge is required' );
$c = WebSocket::Common->new( number1 => 777_007_543, number2 => 114_997_259, challenge => "\x47\x30\x22\x2D\x5A\x3F\x47\x58" );
is( $c->checksum, '0st3Rl&q-2ZU^weu', 'checksum computed (MD5 of both numbers and the challenge)' );
is( $c->number1, 777_007_543, 'number1' );
is( $c->number2, 114_997_259, 'number2' );
is( $c->checksum( 'x' x 16 ), $c, 'checksum setter chains' );
is( $c->checksum, 'x' x 16, 'checksum set' );
is( $c->checksum( undef )->checksum, '0st3Rl&q-2ZU^weu', 'checksum(undef) resets it' );

# headers
my $hh = HTTP::Headers->new( Host => 'example.com', 'X-Foo' => 'bar' );
$c = WebSocket::Common->new( headers => $hh );
isa_ok( $c->headers, 'WebSocket::Headers', 'headers from HTTP::Headers' );
isa_ok( $c->headers, 'HTTP::Headers', 'headers' );
is( $c->host, 'example.com', 'host from headers' );
$hh->header( Host => 'changed.example' );
is( $c->host, 'example.com', 'HTTP::Headers object was copied' );
$c = WebSocket::Common->new( headers => [ Host => 'a.example', Foo => 1, Foo => 2 ] );
isa_ok( $c->headers, 'WebSocket::Headers', 'headers from array' );
is( scalar( my @foo = $c->headers->HTTP::Headers::header( 'Foo' ) ), 2, 'repeated fields kept' );
$c = WebSocket::Common->new;
isa_ok( $c->headers, 'WebSocket::Headers', 'headers created on first access' );
ok( !defined( $c->headers( 'foo' ) ), 'headers( string ) fails' );
is( $c->error->message, q{Bad value for headers. I was expecting either an array reference or a HTTP::Headers object (including WebSocket::Headers) and I got instead 'foo'.}, 'headers error message' );
ok( !defined( WebSocket::Common->new( headers => {} ) ), 'new( headers => {} ) fails' );
like( WebSocket::Common->error->message, qr/^Bad value for headers\. .*HASH\(0x[0-9a-f]+\)'\.$/, 'class error' );

# headers_as_string, host
$c = WebSocket::Common->new( headers => [ Host => 'example.com' ] );
is( $c->headers_as_string, "Host: example.com\n", 'headers_as_string default eol' );
is( $c->headers_as_string( "\r\n" ), "Host: example.com\r\n", 'headers_as_string with eol' );
isa_ok( $c->host, 'WebSocket::Generic::Scalar', 'host' );
$c->host( 'other.example:8080' );
is( $c->host, 'other.example:8080', 'host setter' );
is( scalar( $c->headers->HTTP::Headers::header( 'Host' ) ), 'other.example:8080', 'host is the Host header' );
ok( !WebSocket::Common->new->host->defined, 'no host' );

# is_* helpers
ok( $c->is_client_error( 404 ), 'is_client_error(404)' );
ok( !$c->is_client_error( 500 ), '!is_client_error(500)' );
ok( $c->is_error( 404 ) && $c->is_error( 503 ), 'is_error' );
ok( !$c->is_error( 101 ), '!is_error(101)' );
ok( $c->is_redirect( 302 ), 'is_redirect(302)' );
ok( !$c->is_redirect( 200 ), '!is_redirect(200)' );
ok( $c->is_server_error( 500 ), 'is_server_error(500)' );
ok( !$c->is_server_error( 404 ), '!is_server_error(404)' );
ok( $c->is_success( 200 ), 'is_success(200)' );
ok( !$c->is_success( 101 ), '!is_success(101)' );
ok( !$c->is_error, 'is_error without code and without a code method is false' );
ok( WebSocket::Response->new( 403 )->is_error, 'is_error defaults to the response code' );
is( $c->status_message( 404 ), 'Not Found', 'status_message' );
is( $c->status_message( 101 ), 'Switching Protocols', 'status_message(101)' );

# is_done, max_message_size, number1/number2, protocol, secure, uri
$c = WebSocket::Common->new;
ok( $c->is_done( 1 ) && $c->is_done, 'is_done set' );
isa_ok( $c->is_done, 'WebSocket::Generic::Boolean', 'is_done' );
$c->max_message_size( 10 );
is( $c->max_message_size, 10, 'max_message_size setter' );
$c->number1( 3 );
$c->number2( 4 );
is( $c->number1 + $c->number2, 7, 'number1 / number2' );
$c->protocol( 'HTTP/1.1' );
is( $c->protocol, 'HTTP/1.1', 'protocol' );
$c->secure( 1 );
ok( $c->secure, 'secure' );
$c->uri( 'wss://example.com/chat?a=1' );
isa_ok( $c->uri, 'URI', 'uri' );
is( $c->uri->path, '/chat', 'uri path' );

# subprotocol
$c = WebSocket::Common->new;
$c->subprotocol( 'chat superchat' );
isa_ok( $c->subprotocol, 'WebSocket::Generic::Array', 'subprotocol' );
is( $c->subprotocol->join( ' ' )->scalar, 'chat superchat', 'the ->join(" ")->scalar idiom' );
$c->subprotocol( [qw( a b c )] );
is_deeply( [ @{ $c->subprotocol } ], [qw( a b c )], 'subprotocol( arrayref )' );
$c->subprotocol( qw( x y ) );
is_deeply( [ $c->subprotocol->list ], [qw( x y )], 'subprotocol( list )' );
$c->subprotocol( 'one, two' );
is_deeply( [ $c->subprotocol->list ], [qw( one two )], 'subprotocol( comma list )' );
$c->subprotocol( WebSocket::Generic::Scalar->new( 'p q' ) );
is_deeply( [ $c->subprotocol->list ], [qw( p q )], 'subprotocol( stringifiable object )' );
is( WebSocket::Common->new( subprotocol => 'chat' )->subprotocol->first, 'chat', 'subprotocol option' );

# extensions
$c = WebSocket::Common->new;
$c->extensions( 'permessage-deflate; client_max_window_bits, x-foo' );
isa_ok( $c->extensions, 'WebSocket::Generic::Array', 'extensions' );
is( $c->extensions->length, 2, 'two extensions from one header value' );
isa_ok( $c->extensions->first, 'WebSocket::Extension', 'extension' );
is( $c->extensions->first->extension, 'permessage-deflate', 'extension name' );
is( $c->extensions->last->extension, 'x-foo', 'second extension' );
my $ext = WebSocket::Extension->new( 'mux' );
$c->extensions( [ $ext, 'deflate-stream' ] );
is( $c->extensions->length, 2, 'extensions( [ object, string ] )' );
is( $c->extensions->first, $ext, 'object kept' );
$c->extensions( [] );
is( $c->extensions->length, 0, 'extensions cleared' );

# request / response accessors
$c = WebSocket::Common->new;
isa_ok( $c->request, 'WebSocket::Request', 'request created on access' );
isa_ok( $c->response, 'WebSocket::Response', 'response created on access' );
my $r = WebSocket::Request->new;
$c->request( $r );
is( $c->request, $r, 'request setter' );

# parse_chunk: a request in one piece
my $req_text = "GET /chat?x=1 HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nX-Multi: a\r\nX-Multi: b\r\n\r\n";
$c = WebSocket::Common->new;
is( $c->parse_chunk( $req_text ), PARSE_DONE, 'parse_chunk: whole request' );
ok( $c->is_done, 'parse_chunk: done' );
$r = $c->request;
isa_ok( $r, 'WebSocket::Request', 'parse_chunk created a request' );
is( $r->method, 'GET', 'request method' );
is( $r->uri->path_query, '/chat?x=1', 'request path kept as-is' );
is( $r->protocol, 'HTTP/1.1', 'request protocol' );
is( $r->host, 'example.com', 'request Host' );
is( scalar( my @m = $r->headers->HTTP::Headers::header( 'X-Multi' ) ), 2, 'repeated header fields pushed' );
is( $r->content->scalar, '', 'no content' );
# A path that looks like a scheme-relative URI
$c = WebSocket::Common->new;
is( $c->parse_chunk( "GET //evil.example/x HTTP/1.1\r\nHost: a\r\n\r\n" ), PARSE_DONE, 'parse_chunk: //path' );
is( $c->request->uri->path, '//evil.example/x', 'path starting with // is kept as a path' );

# parse_chunk: a response in 1-byte pieces, with leading blank lines and a body
my $res_text = "\r\n\r\nHTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\nbody";
$c = WebSocket::Common->new;
my @rv;
push( @rv, $c->parse_chunk( $_ ) ) for( split( //, $res_text ) );
is( $rv[-1], PARSE_DONE, 'parse_chunk in 1-byte pieces: done' );
my @before = grep{ $_ == PARSE_WAITING } @rv;
my $first_done = 0;
$first_done++ until( $rv[ $first_done ] == PARSE_DONE );
is( scalar( grep{ $_ != PARSE_WAITING } @rv[ 0 .. $first_done - 1 ] ), 0, 'PARSE_WAITING until the blank line' );
is( $first_done, length( $res_text ) - 5, 'PARSE_DONE right after the blank line' );
my $res = $c->response;
isa_ok( $res, 'WebSocket::Response', 'parse_chunk created a response' );
is( $res->code, 101, 'response code' );
is( $res->status, 'Switching Protocols', 'response status' );
is( $res->protocol, 'HTTP/1.1', 'response protocol' );
is( $res->content->scalar, 'body', 'body bytes given one by one are all in the content' );
is( $c->parse_chunk( 'more' ), PARSE_DONE, 'more data after the head' );
is( $res->content->scalar, 'bodymore', 'data after PARSE_DONE is added to the content' );
is( WebSocket::Common->new->parse_chunk( "\r\n" ), PARSE_WAITING, 'only blank lines: waiting' );
is( WebSocket::Common->new->parse_chunk( undef ), PARSE_WAITING, 'undef: waiting' );

# parse_chunk errors (the engine's messages are those of the original)
$c = WebSocket::Common->new;
ok( !defined( $c->parse_chunk( "HELLO\r\n\r\n" ) ), 'bad start line' );
is( $c->error->message, q{'HELLO' is not the start of a valid HTTP request or response}, 'bad start line message' );
$c = WebSocket::Common->new;
ok( !defined( $c->parse_chunk( "GET / HTTP/1.1\r\nBad Name: x\r\n\r\n" ) ), 'bad header name' );
is( $c->error->message, q{Bad header name in 'Bad Name: x'}, 'bad header name message' );
$c = WebSocket::Common->new;
ok( !defined( $c->parse_chunk( "GET / HTTP/1.1\r\n  folded: x\r\n\r\n" ) ), 'folded first header line' );
is( $c->error->message, 'Linear white space on first header line', 'linear white space message' );
$c = WebSocket::Common->new;
is( $c->parse_chunk( "GET / HTTP/1.1\r\nX-A: 1\r\n  2\r\n\r\n" ), PARSE_DONE, 'obs-fold joined' );
like( $c->request->headers->HTTP::Headers::header( 'X-A' ), qr/^1\s*2$/, 'folded value joined' );
{
    local $WebSocket::Common::MAX_HEADERS = 3;
    $c = WebSocket::Common->new;
    ok( !defined( $c->parse_chunk( "GET / HTTP/1.1\r\n" . join( '', map{ "X-$_: $_\r\n" } 1 .. 5 ) . "\r\n" ) ), 'too many header fields' );
    ok( $c->error->code >= 400, 'limit error has an HTTP status code' );
}

# Request and Response fill themselves through parse_chunk
$r = WebSocket::Request->new;
open( my $fh, '<:raw', 't/data/http-request-rfc6455.txt' ) or die( $! );
my $rfc_req = do{ local $/; <$fh> };
close( $fh );
my $last;
$last = $r->parse_chunk( $_ ) for( $rfc_req =~ /(.{1,7})/gs );
is( $last, PARSE_DONE, 'Request->parse_chunk: done' );
ok( $r->is_done, 'request is done' );
is( $r->key, 'dGhlIHNhbXBsZSBub25jZQ==', 'request filled itself' );
is( $r->subprotocol->join( ' ' )->scalar, 'chat superchat', 'and was checked like parse does' );
$res = WebSocket::Response->new;
is( $res->parse_chunk( "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n" ), PARSE_DONE, 'Response->parse_chunk' );
ok( $res->is_done, 'response done' );
is( $res->code, 101, 'response code' );

# _append
$c = WebSocket::Common->new( max_message_size => 10 );
ok( $c->_append( '12345' ), '_append' );
is( $c->buffer, '12345', '_append adds to the buffer' );
ok( !defined( $c->_append( '123456' ) ), '_append over the limit' );
is( $c->error->message, 'Message is too long', 'Message is too long' );
ok( !defined( $c->_append( 'x' ) ), '_append with an existing error fails again' );
is( $c->error->message, 'Message is too long', 'same error' );
open( my $io, '<', \"from a handle" ) or die;
$c = WebSocket::Common->new;
ok( $c->_append( $io ), '_append( $io )' );
is( $c->buffer, 'from a handle', 'read from the object' );

# _extract_number, _generate_16bit_nonce
is( $c->_extract_number( '18x 6]8vM;54 *(5:  {   U1]8  z [  8' ), 155712099, '_extract_number (hixie-76 example key1)' );
is( $c->_extract_number( '1_ tx7X d  <  nw  334J702) 7]o}` 0' ), 173347027, '_extract_number (hixie-76 example key2)' );
is( scalar( $c->_extract_number( '12345' ) ), undef, '_extract_number without space' );
my $nonce = $c->_generate_16bit_nonce;
like( $nonce, qr{^[A-Za-z0-9+/]{22}==$}, 'nonce is base64 of 16 bytes' );
isnt( $c->_generate_16bit_nonce, $nonce, 'nonces differ' );

# fatal
$c = WebSocket::Common->new( fatal => 1 );
eval{ $c->headers( 'foo' ) };
isa_ok( $@, 'WebSocket::Exception', 'fatal: error dies with the exception' );

done_testing();
