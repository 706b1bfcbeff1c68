use strict;
use warnings;
use Test::More;
use Config;
use MIME::Base64 ();
use WebSocket;

# The XS layer over the engine's C ABI: WebSocket::Engine functions and the Assembler and
# Connection classes. The Perl classes of the distribution are built on these.

subtest 'keys and randomness (RFC 6455 4.1, 4.2.2, 10.3)' => sub
{
    is( WebSocket::Engine::accept_key( 'dGhlIHNhbXBsZSBub25jZQ==' ), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=', 'rfc6455_4_2_2 accept value' );
    my $k1 = WebSocket::Engine::generate_key();
    my $k2 = WebSocket::Engine::generate_key();
    is( length( $k1 ), 24, 'key is 24 characters' );
    is( length( MIME::Base64::decode_base64( $k1 ) ), 16, 'key is 16 bytes in base64' );
    isnt( $k1, $k2, 'keys differ' );
    is( length( WebSocket::Engine::random_bytes( 8 ) ), 8, 'random_bytes( 8 )' );
    is( WebSocket::Engine::random_bytes( 0 ), '', 'random_bytes( 0 )' );
    is( length( WebSocket::Engine::random_mask() ), 4, 'random_mask is 4 bytes' );
    my %seen = map{ WebSocket::Engine::random_mask() => 1 } 1 .. 200;
    cmp_ok( scalar( keys( %seen ) ), '>', 195, 'masks do not repeat' );
};

subtest 'mask and UTF-8' => sub
{
    my $m = "\x37\xfa\x21\x3d";
    my $masked = WebSocket::Engine::mask( 'Hello', $m );
    is( unpack( 'H*', $masked ), '7f9f4d5158', 'RFC 6455 5.7 masked payload' );
    is( WebSocket::Engine::mask( $masked, $m ), 'Hello', 'masking twice gives the payload back' );
    is( WebSocket::Engine::mask( substr( $masked, 2 ), $m, 2 ), 'llo', 'offset resumes the mask cycle' );
    ok( !eval{ WebSocket::Engine::mask( 'x', 'abc' ); 1 }, 'a 3-byte mask croaks' );
    like( $@, qr/mask must be 4 bytes/, '... saying why' );
    ok( WebSocket::Engine::utf8_valid( "caf\xc3\xa9" ), 'valid UTF-8' );
    ok( WebSocket::Engine::utf8_valid( '' ), 'empty is valid' );
    ok( !WebSocket::Engine::utf8_valid( "\xc3" ), 'truncated sequence' );
    ok( !WebSocket::Engine::utf8_valid( "\xed\xa0\x80" ), 'surrogate' );
    ok( !WebSocket::Engine::utf8_valid( "\xf4\x90\x80\x80" ), 'above U+10FFFF' );
    ok( !WebSocket::Engine::utf8_valid( "\xc0\xaf" ), 'overlong' );
    ok( !eval{ WebSocket::Engine::utf8_valid( "\x{263a}" ); 1 }, 'a wide character croaks (byte strings only)' );
    like( $@, qr/Wide character/, '... with perl\'s message' );
    my $down = "caf\xe9";
    utf8::upgrade( $down );
    ok( !WebSocket::Engine::utf8_valid( $down ), 'an upgraded string is read as its bytes' );
};

subtest 'encode_frame (RFC 6455 5.7 examples)' => sub
{
    is( unpack( 'H*', WebSocket::Engine::encode_frame( 1, 1, 0, 0, undef, 'Hello' ) ), '810548656c6c6f', 'unmasked text' );
    is( unpack( 'H*', WebSocket::Engine::encode_frame( 1, 1, 0, 1, "\x37\xfa\x21\x3d", 'Hello' ) ), '818537fa213d7f9f4d5158', 'masked text' );
    is( unpack( 'H*', WebSocket::Engine::encode_frame( 1, 0, 0, 0, undef, 'Hel' ) ), '010348656c', 'first fragment' );
    is( unpack( 'H*', WebSocket::Engine::encode_frame( 0, 1, 0, 0, undef, 'lo' ) ), '80026c6f', 'last fragment' );
    is( unpack( 'H*', WebSocket::Engine::encode_frame( 9, 1, 0, 0, undef, 'Hello' ) ), '890548656c6c6f', 'ping' );
    is( unpack( 'H*', substr( WebSocket::Engine::encode_frame( 2, 1, 0, 0, undef, "\0" x 256 ), 0, 4 ) ), '827e0100', '256 bytes: 16-bit length' );
    is( unpack( 'H*', substr( WebSocket::Engine::encode_frame( 2, 1, 0, 0, undef, "\0" x 65536 ), 0, 10 ) ), '827f0000000000010000', '64 KiB: 64-bit length' );
    is( unpack( 'H*', WebSocket::Engine::encode_frame( 1, 1, 4, 0, undef, '' ) ), 'c100', 'RSV1' );
    my $rand = WebSocket::Engine::encode_frame( 2, 1, 0, 1, undef, 'abc' );
    is( length( $rand ), 9, 'random mask: 2 + 4 + 3 bytes' );
    is( WebSocket::Engine::mask( substr( $rand, 6 ), substr( $rand, 2, 4 ) ), 'abc', 'random mask is the one in the header' );
    ok( !eval{ WebSocket::Engine::encode_frame( 16, 1, 0, 0, undef, '' ); 1 }, 'opcode 16 croaks' );
    ok( !eval{ WebSocket::Engine::encode_frame( 1, 1, 8, 0, undef, '' ); 1 }, 'rsv 8 croaks' );
    is( WebSocket::Engine::encode_legacy_frame( 0, 'hi' ), "\x00hi\xff", 'legacy text frame' );
    is( WebSocket::Engine::encode_legacy_frame( 1, '' ), "\xff\x00", 'legacy close frame' );
};

subtest 'parse_http_head' => sub
{
    my $req = "GET /chat?x=1 HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\nX-Dup: a\r\nX-Dup: b\r\n\r\n\x81\x00";
    is_deeply( [ WebSocket::Engine::parse_http_head( substr( $req, 0, 30 ) ) ], [], 'incomplete: empty list' );
    my( $used, $head ) = WebSocket::Engine::parse_http_head( $req );
    is( $used, length( $req ) - 2, 'consumed up to the blank line' );
    is( $head->{type}, 'request', 'a request' );
    is( $head->{method}, 'GET', 'method' );
    is( $head->{uri}, '/chat?x=1', 'target' );
    is( $head->{protocol}, 'HTTP/1.1', 'protocol' );
    is_deeply( $head->{headers}, [ Host => 'server.example.com', Upgrade => 'websocket', 'X-Dup' => 'a', 'X-Dup' => 'b' ], 'headers in order, duplicates kept' );
    my( undef, $res ) = WebSocket::Engine::parse_http_head( "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n" );
    is( $res->{type}, 'response', 'a response' );
    is( $res->{code}, 101, 'status code' );
    is( $res->{status}, 'Switching Protocols', 'reason' );
    my @err = WebSocket::Engine::parse_http_head( "NOT HTTP\r\n\r\n" );
    is( $err[0], -1, 'error marker' );
    is( $err[1], "'NOT HTTP' is not the start of a valid HTTP request or response", 'original error string' );
    is( $err[2], 400, 'HTTP 400' );
    @err = WebSocket::Engine::parse_http_head( "GET / HTTP/1.1\r\n" . ( "X: y\r\n" x 101 ) . "\r\n" );
    is( $err[2], 431, 'more than 100 headers: 431' );
    @err = WebSocket::Engine::parse_http_head( "GET / HTTP/1.1\r\nX: " . ( 'a' x 9000 ) );
    is( $err[2], 431, 'a long line fails before its end arrives' );
    @err = WebSocket::Engine::parse_http_head( "GET / HTTP/1.1\r\nX: " . ( 'a' x 100 ), 50 );
    is( $err[2], 431, 'limits can be lowered per call' );
};

subtest 'Assembler' => sub
{
    my $a = WebSocket::Engine::Assembler->new( 65536, 128 );
    isa_ok( $a, 'WebSocket::Engine::Assembler' );
    my $f = WebSocket::Engine::encode_frame( 1, 0, 0, 1, undef, 'Hel' )
          . WebSocket::Engine::encode_frame( 9, 1, 0, 1, undef, 'ping' )
          . WebSocket::Engine::encode_frame( 0, 1, 0, 1, undef, 'lo' );
    $a->append( substr( $f, 0, 5 ) );
    is( $a->next, undef, 'incomplete' );
    is( $a->error, undef, '... is not an error' );
    is( $a->buffered, 5, 'bytes kept' );
    $a->append( substr( $f, 5 ) );
    is_deeply( $a->next, [ 9, 1, 0, 1, 'ping' ], 'control frame between fragments comes first' );
    is( $a->pending_fragments, 1, 'one fragment pending' );
    is_deeply( $a->next, [ 1, 1, 0, 1, 'Hello' ], 'then the whole message with the first opcode' );
    is( $a->next, undef, 'nothing left' );
    $a->set_limits( 3, 0 );
    $a->append( WebSocket::Engine::encode_frame( 2, 1, 0, 0, undef, 'abcd' ) );
    is( $a->next, undef, 'over the limit' );
    is_deeply( $a->error, [ 101, 1009, 'Payload is too big. Deny big message (4) or increase max_payload_size (3)' ], 'error triple' );
    is( $a->buffered, 0, 'buffer emptied' );
    $a->append( "\x81" );
    $a->reset;
    is( $a->buffered, 0, 'reset' );
    ok( !eval{ WebSocket::Engine::Assembler::next( bless( {}, 'Other' ) ); 1 }, 'a wrong object croaks' );
    like( $@, qr/is not a WebSocket::Engine::Assembler/, '... naming the class' );
};

sub pump
{
    my( $from, $to ) = @_;
    my $out = $from->take_output;
    $to->receive( $out ) if( length( $out ) );
    return( length( $out ) );
}

subtest 'Connection pair (client engine wired to a server engine)' => sub
{
    my $c = WebSocket::Engine::Connection->new( 'client' );
    my $s = WebSocket::Engine::Connection->new( 'server', max_message_size => 1 << 20 );
    $c->set_fixed_mask( "\x37\xfa\x21\x3d" );
    ok( $c->send( 1, 1, 'Hello' ), 'send text' );
    is( unpack( 'H*', $c->output ), '818537fa213d7f9f4d5158', 'byte-exact with the fixed mask' );
    pump( $c, $s );
    is_deeply( $s->next_event, [ 'text', 0, 'Hello' ], 'server gets the text' );
    is( $s->next_event, undef, 'no more events' );
    ok( $c->send( 2, 0, 'ab' ) && $c->send( 0, 0, 'cd' ) && $c->send( 0, 1, 'ef' ), 'fragmented binary' );
    pump( $c, $s );
    is_deeply( $s->next_event, [ 'binary', 0, 'abcdef' ], 'reassembled' );
    $c->send( 2, 1, 'x' x 300_000 );
    pump( $c, $s );
    is( length( $s->next_event->[2] ), 300_000, 'a large message' );
    $c->send( 9, 1, 'are you there' );
    pump( $c, $s );
    is_deeply( $s->next_event, [ 'ping', 0, 'are you there' ], 'ping' );
    pump( $s, $c );
    is_deeply( $c->next_event, [ 'pong', 0, 'are you there' ], 'automatic pong' );
    ok( !defined( $c->send( 9, 1, 'x' x 126 ) ), 'a 126-byte ping is refused' );
    is( $c->error->[0], 108, '... ControlFrameTooLong' );
    ok( $s->close( 4242, 'test server shutdown cleanly' ), 'server closes' );
    is( $s->state, 'closing', 'server closing' );
    pump( $s, $c );
    is_deeply( $c->next_event, [ 'close', 4242, 'test server shutdown cleanly' ], 'client sees code and reason' );
    pump( $c, $s );
    is_deeply( $s->next_event, [ 'close', 4242, '' ], 'server gets the echoed code' );
    is( $s->state, 'closed', 'server closed' );
    is( $c->state, 'closed', 'client closed' );
    ok( $s->should_close, 'server closes the TCP connection first (RFC 6455 7.1.1)' );
    ok( !defined( $c->send( 1, 1, 'late' ) ), 'no sending after close' );
    is( $c->error->[0], 301, '... InvalidState' );
};

subtest 'Connection errors' => sub
{
    my $s = WebSocket::Engine::Connection->new( 'server', accept_unmasked_frames => 0 );
    $s->receive( "\x81\x02hi" );
    is_deeply( $s->next_event, [ 'error', 1002, 'Unmasked frame from a client' ], 'strict RFC 6455 5.1 refuses unmasked frames' );
    my $out = $s->output;
    is( unpack( 'H2', $out ), '88', 'and queues a Close frame' );
    is( unpack( 'n', substr( $out, 2, 2 ) ), 1002, '... with code 1002' );
    is( substr( $out, 4 ), 'Unmasked frame from a client', '... and the reason' );
    my $lax = WebSocket::Engine::Connection->new( 'server' );
    $lax->receive( "\x81\x02hi" );
    is_deeply( $lax->next_event, [ 'text', 0, 'hi' ], 'unmasked frames are accepted by default' );
    my $c = WebSocket::Engine::Connection->new( 'client' );
    $c->receive_eof;
    is_deeply( $c->next_event, [ 'close', 1006, '' ], 'end of stream without close: 1006' );
    ok( !eval{ WebSocket::Engine::Connection->new( 'peer' ); 1 }, 'bad role croaks' );
    ok( !eval{ WebSocket::Engine::Connection->new( 'client', bogus => 1 ); 1 }, 'unknown option croaks' );
    like( $@, qr/unknown option 'bogus'/, '... naming it' );
    ok( !defined( $c->close( 1000 ) ), 'no close after the stream ended' );
    is( $c->error->[0], 301, '... InvalidState' );
    my $d = WebSocket::Engine::Connection->new( 'client' );
    ok( !defined( $d->close( 1005 ) ), 'close code 1005 may not be sent' );
    is_deeply( $d->error, [ 302, 1011, 'Invalid argument: close code not allowed on the wire' ], '... InvalidArgument' );
    ok( $d->close( 1000, 'bye' ), 'a valid close' );
    is( $d->error, undef, 'clears the last error' );
};

SKIP:
{
    skip( 'perl without ithreads', 1 ) unless( $Config{useithreads} );
    # Engine objects are not cloned into new threads (CLONE_SKIP), so nothing is freed twice.
    my $out = `$^X -Mblib -e 'use threads; use WebSocket; my \$a = WebSocket::Engine::Assembler->new; my \$c = WebSocket::Engine::Connection->new("client"); threads->create(sub { 1 })->join for 1 .. 3; \$a->append("x"); print "ok:", \$a->buffered' 2>&1`;
    is( $out, 'ok:1', 'engine objects survive thread creation' );
}

done_testing();
