use strict;
use warnings;
use Test::More;
use WebSocket::HeaderValue;

subtest 'new' => sub
{
    my $hv = WebSocket::HeaderValue->new( 'foo' );
    isa_ok( $hv, 'WebSocket::HeaderValue' );
    is( "$hv", 'foo', 'stringifies to the value' );
    is( WebSocket::HeaderValue->new( 'foo', bar => 2 )->as_string, 'foo; bar=2', 'BUG fixed: constructor parameters are kept' );
    is( WebSocket::HeaderValue->new( 'foo', { bar => 2, Baz => 'x y' } )->as_string, 'foo; bar=2; baz="x y"', 'hash reference form; names lower-cased; values quoted' );
    is( WebSocket::HeaderValue->new( 'foo', params => { a => 1 } )->as_string, 'foo; a=1', 'params option' );
    is( WebSocket::HeaderValue->new( 'foo', original => 'foo;  bar=2' )->as_string, 'foo;  bar=2', 'original option' );
    ok( !defined( WebSocket::HeaderValue->new( '' ) ), 'empty value refused' );
    is( WebSocket::HeaderValue->error->message, 'No value provided.', '... with the original error' );
    ok( !defined( WebSocket::HeaderValue->new ), 'undef value refused' );
};

subtest 'new_from_header' => sub
{
    my $hv = WebSocket::HeaderValue->new_from_header( 'permessage-deflate; client_max_window_bits; server_max_window_bits="10"' );
    is( $hv->value, 'permessage-deflate', 'value' );
    ok( exists( $hv->params->{client_max_window_bits} ), 'valueless parameter kept (recommended)' );
    is( $hv->params->{client_max_window_bits}, undef, '... with no value' );
    is( $hv->params->{server_max_window_bits}, '10', 'quoted value unquoted' );
    my $mux = WebSocket::HeaderValue->new_from_header( 'mux; max-channels=4; flow-control' );
    is( $mux->params->{'max-channels'}, 4, 'BUG fixed: max-channels=4 is kept' );
    my $q = WebSocket::HeaderValue->new_from_header( 'a; b="x;y \"z\""; C=D' );
    is( $q->params->{b}, 'x;y "z"', 'separator and escaped quotes inside a quoted string' );
    is( $q->params->{c}, 'D', 'names lower-cased' );
    is( WebSocket::HeaderValue->new_from_header( 'a| b=1', '|' )->params->{b}, 1, 'another separator' );
    is( "$q", 'a; b="x;y \"z\""; C=D', 'stringifies to the original text' );
    ok( !defined( WebSocket::HeaderValue->new_from_header( '' ) ), 'empty string refused' );
    is( WebSocket::HeaderValue->error->message, 'Header value is required', '... with the original error' );
    ok( !defined( WebSocket::HeaderValue->new_from_header( '  ' ) ), 'blank string refused' );
};

subtest 'new_from_multi' => sub
{
    my $list = WebSocket::HeaderValue->new_from_multi( 'mux; max-channels=4; flow-control, deflate-stream' );
    isa_ok( $list, 'WebSocket::Generic::Array' );
    is( $list->length, 2, 'two values' );
    is( $list->first->value, 'mux', 'first' );
    is( $list->last->value, 'deflate-stream', 'last' );
    my $q = WebSocket::HeaderValue->new_from_multi( 'a; p="1,2", b' );
    is( $q->length, 2, 'commas inside quotes do not split' );
    is( $q->first->params->{p}, '1,2', '... value intact' );
    ok( !defined( WebSocket::HeaderValue->new_from_multi( '' ) ), 'empty refused' );
};

subtest 'as_string, qstring, params, reset, value, original' => sub
{
    my $hv = WebSocket::HeaderValue->new( 'permessage-deflate' );
    is( $hv->as_string, 'permessage-deflate', 'BUG fixed: a token value is valid (no / required)' );
    is( WebSocket::HeaderValue->new( 'text/html', charset => 'utf-8' )->as_string, 'text/html; charset=utf-8', 'media types still work' );
    my $bad = WebSocket::HeaderValue->new( 'two words' );
    ok( !defined( $bad->as_string ), 'a value that is neither token nor type' );
    is( $bad->error->message, 'Invalid value "two words"', '... original error' );
    my $badp = WebSocket::HeaderValue->new( 'v', 'bad name' => 1 );
    ok( !defined( $badp->as_string ), 'bad parameter name' );
    is( $badp->error->message, 'Invalid parameter name: "bad name"', '... original error' );
    is( $hv->qstring( 'token' ), 'token', 'qstring: token unchanged' );
    is( $hv->qstring( 'a b' ), '"a b"', 'qstring: quoted' );
    is( $hv->qstring( 'say "hi" \\ bye' ), '"say \"hi\" \\\\ bye"', 'qstring: escapes' );
    ok( !defined( $hv->qstring( "bad\x01" ) ), 'qstring: control character' );
    is( $hv->error->message, 'Invalid parameter value', '... original error' );
    my $p = $hv->params( client_max_window_bits => undef );
    isa_ok( $p, 'WebSocket::Generic::Hash' );
    is( "$hv", 'permessage-deflate; client_max_window_bits', 'setting a parameter rebuilds the text' );
    $hv->params({ server_no_context_takeover => undef });
    is( "$hv", 'permessage-deflate; server_no_context_takeover', 'params( \%h ) replaces' );
    $hv->params->{x} = 1;
    $hv->reset;
    is( "$hv", 'permessage-deflate; server_no_context_takeover; x=1', 'reset forgets the cached text' );
    is( ref( $hv->reset ), 'WebSocket::HeaderValue', 'reset chains' );
    isa_ok( $hv->original, 'WebSocket::Generic::Scalar' );
    $hv->value( 'other' );
    like( "$hv", qr/^other;/, 'value( $new )' );
    isa_ok( $hv->value, 'WebSocket::Generic::Scalar' );
};

done_testing();
