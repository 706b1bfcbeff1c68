use strict;
use warnings;
use Test::More;
use WebSocket::Extension;

subtest 'new and extension' => sub
{
    my $e = WebSocket::Extension->new( 'permessage-deflate' );
    isa_ok( $e, 'WebSocket::Extension' );
    isa_ok( $e, 'WebSocket::HeaderValue' );
    isa_ok( $e->extension, 'WebSocket::Generic::Scalar', 'extension' );
    is( $e->extension, 'permessage-deflate', '... is the value' );
    is( $e->extension( 'x-webkit-deflate-frame' ), 'x-webkit-deflate-frame', 'extension( $name ) returns the new name' );
    is( $e->value, 'x-webkit-deflate-frame', '... which is the value' );
    is( "$e", 'x-webkit-deflate-frame', '... and the text' );
    ok( !defined( $e->extension( '' ) ), 'an empty name is refused' );
    is( $e->error->message, 'No value provided.', '... error message' );
    my $pmd = WebSocket::Extension->new( 'permessage-deflate', client_max_window_bits => undef, server_max_window_bits => 10 );
    is( "$pmd", 'permessage-deflate; client_max_window_bits; server_max_window_bits=10', 'an RFC 7692 offer built from parts' );
};

subtest 'BUG: an extension name is a valid value (the original as_string required type/subtype)' => sub
{
    my $e = WebSocket::Extension->new( 'permessage-deflate' );
    is( "$e", 'permessage-deflate', 'permessage-deflate stringifies' );
    is( WebSocket::Extension->new( 'deflate-stream' )->as_string, 'deflate-stream', 'deflate-stream too' );
};

subtest 'BUG: new_from_header and new_from_multi give WebSocket::Extension objects (the original gave WebSocket::HeaderValue)' => sub
{
    my $one = WebSocket::Extension->new_from_header( 'private-extension' );
    isa_ok( $one, 'WebSocket::Extension', 'new_from_header' );
    is( $one->extension, 'private-extension', '... with the name' );
    my $list = WebSocket::Extension->new_from_multi( 'mux; max-channels=4; flow-control, deflate-stream' );
    isa_ok( $list->first, 'WebSocket::Extension', 'new_from_multi, first' );
    isa_ok( $list->last, 'WebSocket::Extension', 'new_from_multi, last' );
};

subtest 'the header examples of RFC 6455 section 9.1' => sub
{
    my $list = WebSocket::Extension->new_from_multi( 'deflate-stream' );
    is( $list->length, 1, 'deflate-stream: one extension' );
    is( $list->first->extension, 'deflate-stream', '... its name' );
    $list = WebSocket::Extension->new_from_multi( 'mux; max-channels=4; flow-control, deflate-stream' );
    is( $list->length, 2, 'mux ..., deflate-stream: two extensions' );
    is( $list->first->extension, 'mux', 'first name' );
    is( $list->first->params->{'max-channels'}, 4, 'max-channels=4 kept' );
    ok( exists( $list->first->params->{'flow-control'} ), 'valueless flow-control kept' );
    is( "" . $list->first, 'mux; flow-control; max-channels=4', 'the first written back' );
    is( $list->last->extension, 'deflate-stream', 'second name' );
    is( scalar( keys( %{ $list->last->params } ) ), 0, '... without parameters' );
    is( $list->join( ', ' )->scalar, 'mux; flow-control; max-channels=4, deflate-stream', 'the list joins back into a header' );
    $list = WebSocket::Extension->new_from_multi( 'private-extension' );
    is( $list->first->extension, 'private-extension', 'private-extension' );
};

subtest 'an RFC 7692 offer' => sub
{
    my $list = WebSocket::Extension->new_from_multi( 'permessage-deflate; client_max_window_bits; server_max_window_bits=10, permessage-deflate' );
    is( $list->length, 2, 'two offers' );
    my $e = $list->first;
    is( $e->extension, 'permessage-deflate', 'name' );
    ok( exists( $e->params->{client_max_window_bits} ), 'client_max_window_bits' );
    is( $e->params->{client_max_window_bits}, undef, '... without value' );
    is( $e->params->{server_max_window_bits}, 10, 'server_max_window_bits=10' );
    is( "$e", 'permessage-deflate; client_max_window_bits; server_max_window_bits=10', 'written back' );
    my $q = WebSocket::Extension->new_from_header( 'permessage-deflate; server_max_window_bits="10"' );
    is( $q->params->{server_max_window_bits}, 10, 'a quoted value is unquoted' );
};

subtest 'errors through the subclass' => sub
{
    ok( !defined( WebSocket::Extension->new( '' ) ), 'new without name' );
    is( WebSocket::Extension->error->message, 'No value provided.', '... error message' );
    ok( !defined( WebSocket::Extension->new_from_header( '' ) ), 'new_from_header on an empty string' );
    is( WebSocket::Extension->error->message, 'Header value is required', '... error message' );
    ok( !defined( WebSocket::Extension->new_from_multi( undef ) ), 'new_from_multi on undef' );
    is( WebSocket::Extension->error->message, 'Header value is required', '... error message' );
    my $bad = WebSocket::Extension->new( 'bad name' );
    ok( !defined( $bad->as_string ), 'a name that is not a token' );
    is( $bad->error->message, 'Invalid value "bad name"', '... error message' );
};

done_testing();
