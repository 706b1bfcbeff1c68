use strict;
use warnings;
use Test::More;
use WebSocket::Extension;

my $e = WebSocket::Extension->new( 'permessage-deflate' );
isa_ok( $e, 'WebSocket::Extension' );
isa_ok( $e, 'WebSocket::HeaderValue' );
is( $e->extension, 'permessage-deflate', 'extension is the value' );
is( "$e", 'permessage-deflate', 'stringifies (BUG fixed: a token is a valid value)' );
$e->extension( 'x-webkit-deflate-frame' );
is( $e->value, 'x-webkit-deflate-frame', 'extension( $name ) sets the value' );

my $list = WebSocket::Extension->new_from_multi( 'mux; max-channels=4; flow-control, deflate-stream' );
is( $list->length, 2, 'the POD example has two extensions' );
isa_ok( $list->first, 'WebSocket::Extension', 'BUG fixed: new_from_header builds objects of the calling class' );
is( $list->first->extension, 'mux', 'first name' );
is( $list->first->params->{'max-channels'}, 4, 'max-channels kept' );
ok( exists( $list->first->params->{'flow-control'} ), 'valueless flow-control kept' );
is( $list->last->extension, 'deflate-stream', 'second name' );

my $one = WebSocket::Extension->new_from_header( 'private-extension' );
isa_ok( $one, 'WebSocket::Extension' );
is( "$one", 'private-extension', 'a bare extension' );

my $pmd = WebSocket::Extension->new( 'permessage-deflate', client_max_window_bits => undef, server_max_window_bits => 10 );
is( "$pmd", 'permessage-deflate; client_max_window_bits; server_max_window_bits=10', 'an RFC 7692 offer' );

done_testing();
