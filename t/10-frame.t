use strict;
use warnings;
use utf8;
use Test::More;
use Config;
use Encode ();
use Scalar::Util ();
use WebSocket::Frame;

my @WARNINGS;
$SIG{__WARN__} = sub{ push( @WARNINGS, @_ ) };

# WebSocket::Frame: constructor forms, every method, the reading and writing of RFC 6455
# frames, limits and error strings. The behaviour follows Protocol::WebSocket::Frame's
# tests (frame.t, rsv.t), of which the original class was a port.

sub h { return( pack( 'H*', join( '', @_ ) ) ); }
sub hx { return( unpack( 'H*', $_[0] ) ); }

# Constants: append() empties the variables it is given, but not read-only values.
use constant HELLO        => pack( 'H*', '810548656c6c6f' );
use constant FRAG         => pack( 'H*', '010348656c' );
use constant HELLO_MASKED => pack( 'H*', '818537fa213d7f9f4d5158' );

subtest 'class, constants and package variables' => sub
{
    my $f = WebSocket::Frame->new;
    isa_ok( $f, 'WebSocket::Frame' );
    isa_ok( $f, 'WebSocket' );
    is( $WebSocket::Frame::MAX_PAYLOAD_SIZE, 65536, '$MAX_PAYLOAD_SIZE' );
    is( $WebSocket::Frame::MAX_FRAGMENTS_AMOUNT, 128, '$MAX_FRAGMENTS_AMOUNT' );
    is_deeply( $WebSocket::Frame::TYPES, { continuation => 0, text => 1, binary => 2, ping => 9, pong => 10, close => 8 }, '$TYPES' );
    is( WebSocket::Frame::MAX_RAND_INT(), 2**32, 'MAX_RAND_INT' );
    ok( WebSocket::Frame::MATH_RANDOM_SECURE(), 'MATH_RANDOM_SECURE' );
    is( WebSocket::Frame::SUPPORT_64BITS(), ( $Config{ivsize} >= 8 ? 1 : 0 ), 'SUPPORT_64BITS' );
    is( WebSocket::Frame::RSV1(), chr( 64 ), 'RSV1' );
    is( WebSocket::Frame::RSV2(), chr( 32 ), 'RSV2' );
    is( WebSocket::Frame::RSV3(), chr( 16 ), 'RSV3' );
    ok( !WebSocket::Frame->can( 'import' ) || !defined( &main::MAX_RAND_INT ), 'constants are not exported' );
    is( WebSocket::Frame->new( fatal => 0 )->fatal, 0, 'inherited options work' );
};

subtest 'defaults' => sub
{
    my $f = WebSocket::Frame->new;
    is( $f->fin, 1, 'fin reads as 1' );
    is( $f->{fin}, undef, '... while unset' );
    is( $f->opcode, 1, 'opcode reads as 1' );
    ok( !$f->masked, 'not masked' );
    is( $f->mask, undef, 'no fixed mask' );
    isa_ok( $f->buffer, 'WebSocket::Generic::Scalar', 'buffer' );
    is( $f->buffer, '', '... empty' );
    isa_ok( $f->type, 'WebSocket::Generic::Scalar', 'type' );
    is( $f->type, '', '... empty' );
    isa_ok( $f->rsv, 'WebSocket::Generic::Array', 'rsv' );
    is( $f->rsv->length, 0, '... empty' );
    isa_ok( $f->fragments, 'WebSocket::Generic::Array', 'fragments' );
    is( $f->fragments->length, 0, '... empty' );
    isa_ok( $f->max_payload_size, 'WebSocket::Generic::Number', 'max_payload_size' );
    is( $f->max_payload_size, 65536, '... 65536' );
    isa_ok( $f->max_fragments_amount, 'WebSocket::Generic::Number', 'max_fragments_amount' );
    is( $f->max_fragments_amount, 128, '... 128' );
    ok( $f->is_text, 'is_text on a new frame' );
    is( $f->error, undef, 'no error' );
    is( $f->to_bytes, h( '8100' ), 'an empty text frame' );
};

subtest 'constructor forms' => sub
{
    is( WebSocket::Frame->new( 'Hello' )->to_bytes, HELLO, 'new( $data )' );
    is( WebSocket::Frame->new( buffer => 'Hello' )->to_bytes, HELLO, 'new( buffer => $data )' );
    is( WebSocket::Frame->new({ buffer => 'Hello' })->to_bytes, HELLO, 'new( \%opts )' );
    is( WebSocket::Frame->new( 'Hello', { type => 'binary' } )->to_bytes, h( '820548656c6c6f' ), 'new( $data, \%opts )' );
    is( WebSocket::Frame->new( 'Hello', type => 'binary', fin => 0 )->to_bytes, h( '020548656c6c6f' ), 'new( $data, %opts )' );
    is( WebSocket::Frame->new( 'Hello', type => 'ping' )->to_bytes, h( '890548656c6c6f' ), 'new( $data, key => value )' );
    is( WebSocket::Frame->new( undef )->buffer, '', 'new( undef ): empty payload' );
    is( WebSocket::Frame->new( WebSocket::Frame->new( 'Hello' )->buffer )->to_bytes, HELLO, 'new( $scalar_object )' );
    is( WebSocket::Frame->new( '0' )->to_bytes, h( '810130' ), 'new( "0" ): a false payload' );

    my $f = WebSocket::Frame->new( bogus => 1 );
    is( $f, undef, 'an unknown option fails' );
    isa_ok( WebSocket::Frame->error, 'WebSocket::Exception', 'class error' );
    is( WebSocket::Frame->error->message, 'Unknown method bogus in class WebSocket::Frame', '... message' );
    is( scalar( my @l = WebSocket::Frame->new( bogus => 1 ) ), 0, 'empty list in list context' );
    is( WebSocket::Frame->new( max_payload_size => 'lots' ), undef, 'an invalid limit fails' );
    like( WebSocket::Frame->error->message, qr/^Value provided for max_payload_size \("lots"\)/, '... saying which' );
    ok( !eval{ WebSocket::Frame->new( fatal => 1, bogus => 1 ); 1 }, 'fatal: new dies' );
    isa_ok( $@, 'WebSocket::Exception', '... with the exception' );

    # Characters are sent as UTF-8
    my $smile = WebSocket::Frame->new( buffer => '☺' );
    is( $smile->buffer, Encode::encode( 'UTF-8', '☺' ), 'a character string is stored as UTF-8' );
    is( $smile->to_bytes, h( '8103e298ba' ), '... and sent as such' );
    my $latin = "caf\xe9";
    utf8::upgrade( $latin );
    is( WebSocket::Frame->new( $latin )->to_bytes, "\x81\x05caf\xc3\xa9", 'a flagged latin-1 string is sent as UTF-8' );
    is( WebSocket::Frame->new( "\xe9" )->to_bytes, "\x81\x01\xe9", 'a byte string is sent as is' );
};

subtest 'append' => sub
{
    my $f = WebSocket::Frame->new;
    is( $f->append, undef, 'append() returns undef' );
    is( scalar( my @l = $f->append( undef ) ), 0, 'append( undef ): empty list in list context' );
    is( $f->append( '' ), $f, 'append( "" ) returns the object' );
    is( $f->next_bytes, undef, 'nothing to read' );
    my $chunk = HELLO;
    is( $f->append( $chunk ), $f, 'append chains' );
    is( $chunk, '', 'append is destructive' );
    is( $f->next_bytes, 'Hello', 'read' );
    ok( eval{ $f->append( "\x81\x02hi" ); 1 }, 'a read-only argument is left alone' );
    is( $f->next_bytes, 'hi', '... and read' );
    use constant CHUNK => "\x81\x02yo";
    $f->append( CHUNK );
    is( CHUNK, "\x81\x02yo", 'a constant is not modified' );
    is( $f->next_bytes, 'yo', '... and read' );
    my $hash = { data => "\x82\x01\x00" };
    $f->append( $hash->{data} );
    is( $hash->{data}, '', 'a hash element is emptied' );
    is( $f->next_bytes, "\x00", 'binary NUL' );
    # Upgraded bytes go in as bytes
    my $up = "\x81\x01\xe9";
    utf8::upgrade( $up );
    $f->append( $up );
    is( $f->next_bytes, "\xe9", 'an upgraded byte string is taken as bytes' );
    # Wide characters: their UTF-8 encoding
    $f->append( "\x81\x03" );
    $f->append( "☺" );
    is( $f->next_bytes, Encode::encode( 'UTF-8', '☺' ), 'characters are appended as UTF-8' );
    is( $f->buffer, '', 'buffer reads as empty once handed to the engine' );
};

subtest 'next_bytes: single, multi, masked, fragmented (Protocol::WebSocket frame.t)' => sub
{
    my $f = WebSocket::Frame->new;
    $f->append;
    is( $f->next, undef, 'nothing appended' );
    $f->append( '' );
    is( $f->next, undef, 'empty string appended' );
    is( $f->error, undef, '... is not an error' );

    $f->append( HELLO );
    is( $f->next_bytes, 'Hello', 'unmasked text' );
    is( $f->opcode, 1, 'opcode 1' );
    ok( $f->is_text, 'is_text' );
    is( $f->fin, 1, 'fin' );
    ok( !$f->masked, 'not masked' );

    $f->append( HELLO . HELLO );
    is( $f->next_bytes, 'Hello', 'two in one chunk: first' );
    is( $f->next_bytes, 'Hello', '... second' );
    is( $f->next_bytes, undef, '... then nothing' );

    $f->append( HELLO_MASKED );
    is( $f->next_bytes, 'Hello', 'masked text' );
    is( $f->opcode, 1, 'opcode 1' );
    ok( $f->masked, 'masked' );

    $f->append( h( '010348656c' ) );
    is( $f->next_bytes, undef, 'first fragment: incomplete' );
    is( $f->error, undef, '... no error' );
    is( $f->fragments->length, 2, 'fragments: opcode and one fragment' );
    $f->append( h( '80026c6f' ) );
    is( $f->next_bytes, 'Hello', 'last fragment: the whole message' );
    is( $f->opcode, 1, '... with the first opcode' );
    is( $f->fin, 1, '... fin' );
    is( $f->fragments->length, 0, 'no fragments left' );

    $f->append( h( '010348656c', '80026c6f' ) );
    is( $f->next_bytes, 'Hello', 'fragments in one chunk' );
    is( $f->opcode, 1, '... opcode 1' );

    # Control frame between fragments
    $f->append( h( '010348656c' ) );
    $f->append( h( '890548656c6c6f' ) );
    $f->append( h( '80026c6f' ) );
    is( $f->next_bytes, 'Hello', 'injected ping first' );
    is( $f->opcode, 9, '... opcode 9' );
    ok( $f->is_ping, '... is_ping' );
    is( $f->next_bytes, 'Hello', 'then the message' );
    is( $f->opcode, 1, '... opcode 1' );

    # Generated fragments
    my $g = WebSocket::Frame->new;
    $g->append( WebSocket::Frame->new( buffer => 'Hello', type => 'binary', fin => 0 )->to_bytes );
    is( $g->next_bytes, undef, 'generated: first fragment' );
    $g->append( WebSocket::Frame->new( buffer => ', ', type => 'continuation', fin => 0 )->to_bytes );
    is( $g->next_bytes, undef, '... second fragment' );
    $g->append( WebSocket::Frame->new( buffer => 'World!', type => 'continuation', fin => 1 )->to_bytes );
    is( $g->next_bytes, 'Hello, World!', '... joined' );
    is( $g->opcode, 2, '... binary' );

    # Masked fragments with a close in between, fed one byte at a time
    my $stream = WebSocket::Frame->new( buffer => 'ab', type => 'text', fin => 0, masked => 1 )->to_bytes
               . WebSocket::Frame->new( buffer => "\x03\xe8", type => 'close', masked => 1 )->to_bytes
               . WebSocket::Frame->new( buffer => 'cd', type => 'continuation', masked => 1 )->to_bytes;
    my $b = WebSocket::Frame->new;
    my @got;
    for my $byte ( split( //, $stream ) )
    {
        $b->append( $byte );
        while( defined( my $m = $b->next_bytes ) )
        {
            push( @got, [ $b->opcode, $m, $b->masked ] );
        }
    }
    is_deeply( \@got, [ [ 8, "\x03\xe8", 1 ], [ 1, 'abcd', 1 ] ], 'byte by byte: close, then the text message' );
};

subtest 'next_bytes: every opcode, lengths, empty payloads' => sub
{
    my $f = WebSocket::Frame->new;
    $f->append( h( '890548656c6c6f' ) );
    is( $f->next_bytes, 'Hello', 'ping' );
    is( $f->opcode, 9, '... 9' );
    ok( $f->is_ping, '... is_ping' );
    $f->append( h( '8a0548656c6c6f' ) );
    is( $f->next_bytes, 'Hello', 'pong' );
    is( $f->opcode, 10, '... 10' );
    ok( $f->is_pong, '... is_pong' );
    $f->append( h( '880203e8' ) );
    is( $f->next_bytes, "\x03\xe8", 'close' );
    ok( $f->is_close, '... is_close' );
    $f->append( h( '8800' ) );
    my $empty = $f->next_bytes;
    ok( defined( $empty ), 'an empty close is defined' );
    is( $empty, '', '... and empty' );
    $f->append( h( '8100' ) );
    is( $f->next_bytes, '', 'an empty text message is ""' );
    is( $f->next, undef, 'then undef' );
    $f->append( h( '8004', '636f6e74' ) );
    is( $f->next_bytes, 'cont', 'a lone final continuation frame' );
    ok( $f->is_continuation, '... is_continuation' );

    $f->append( h( '827E0100', '05' x 256 ) );
    is( length( $f->next_bytes ), 256, '256 bytes (16-bit length)' );
    is( $f->opcode, 2, '... binary' );
    ok( $f->is_binary, '... is_binary' );
    $f->append( h( '827F0000000000010000', '05' x 65536 ) );
    my $big = $f->next_bytes;
    is( length( $big ), 65536, '64 KiB (64-bit length)' );
    is( $big, "\x05" x 65536, '... content' );

    # Incomplete headers and payloads at every cut
    my $frame = WebSocket::Frame->new( buffer => 'x' x 300, masked => 1 )->to_bytes;
    for my $cut ( 1, 2, 3, 4, 5, 7, 8, 100, length( $frame ) - 1 )
    {
        my $p = WebSocket::Frame->new;
        # substr() as an argument is an lvalue: append must not cut the caller's string
        $p->append( substr( $frame, 0, $cut ) );
        is( length( $frame ), 308, "cut at $cut: the string passed through substr is intact" );
        is( $p->next_bytes, undef, "cut at $cut: incomplete" );
        $p->append( substr( $frame, $cut ) );
        is( $p->next_bytes, 'x' x 300, "cut at $cut: complete" );
    }
    my @list = WebSocket::Frame->new->next_bytes;
    is( scalar( @list ), 0, 'incomplete: empty list in list context' );
};

subtest 'max_payload_size' => sub
{
    my $f = WebSocket::Frame->new;
    # a 1 MiB frame announced, more than the payload sent
    $f->append( h( '827F0000000000100000', '05' x ( 65536 + 1 ) ) );
    is( $f->next_bytes, undef, 'frame over 64 KiB refused' );
    isa_ok( $f->error, 'WebSocket::Exception', 'error' );
    is( $f->error->code, 1009, '... code 1009' );
    is( $f->error->message, 'Payload is too big. Deny big message (1048576) or increase max_payload_size (65536)', '... message' );
    $f->append( HELLO );
    is( $f->next_bytes, 'Hello', 'the buffer was emptied: the next frame reads' );

    {
        local $WebSocket::Frame::MAX_PAYLOAD_SIZE = 10;
        my $s = WebSocket::Frame->new;
        is( $s->max_payload_size, 10, 'local $MAX_PAYLOAD_SIZE applies to new frames' );
        $s->append( h( '820b', '00' x 11 ) );
        is( $s->next_bytes, undef, '11 bytes over 10' );
        is( $s->error->message, 'Payload is too big. Deny big message (11) or increase max_payload_size (10)', '... message' );
        my $ok = WebSocket::Frame->new;
        $ok->append( h( '820a', '00' x 10 ) );
        is( length( $ok->next_bytes ), 10, '10 bytes pass' );
        is( WebSocket::Frame->new( buffer => 'x' x 11 )->to_bytes, undef, 'to_bytes over the local limit' );
    }
    is( WebSocket::Frame->new->max_payload_size, 65536, 'default again outside the scope' );

    my $u = WebSocket::Frame->new( max_payload_size => 0 );
    is( $u->max_payload_size, 0, '0 = unlimited' );
    my $mib = "\xab" x ( 1024 * 1024 );
    $u->append( WebSocket::Frame->new( buffer => $mib, type => 'binary', max_payload_size => 0 )->to_bytes );
    is( $u->next_bytes, $mib, '1 MiB read with no limit' );

    # A limit changed after the engine was created applies to data already appended
    my $c = WebSocket::Frame->new;
    $c->append( h( '8205', '0102030405' ) );
    is( $c->max_payload_size( 4 ), 4, 'set to 4 after append' );
    is( $c->next_bytes, undef, '... the appended frame is now too big' );
    is( $c->error->code, 1009, '... 1009' );
    $c->max_payload_size( 0 );
    $c->append( h( '827e0100', '00' x 256 ) );
    is( length( $c->next_bytes ), 256, 'then unlimited' );
    $c->max_payload_size( 300 );
    $c->append( h( '827e012d', '00' x 301 ) );
    is( $c->next_bytes, undef, 'then 300' );
    is( $c->error->message, 'Payload is too big. Deny big message (301) or increase max_payload_size (300)', '... message' );

    # Fragments add up
    my $m = WebSocket::Frame->new( max_payload_size => 8 );
    $m->append( WebSocket::Frame->new( buffer => '12345', fin => 0 )->to_bytes . WebSocket::Frame->new( buffer => '6789', type => 'continuation' )->to_bytes );
    is( $m->next_bytes, undef, 'a message over the limit in fragments' );
    is( $m->error->code, 1009, '... 1009' );

    # to_bytes
    my $t = WebSocket::Frame->new( buffer => h( '05' x ( 65536 + 1 ) ), type => 'binary' );
    is( $t->to_bytes, undef, 'to_bytes over 64 KiB' );
    is( $t->error->code, 1009, '... code 1009' );
    is( $t->error->message, 'Payload is too big. Send shorter messages or increase max_payload_size', '... message' );
    is( scalar( my @l = $t->to_bytes ), 0, '... empty list in list context' );
    $t->max_payload_size( 0 );
    is( length( $t->to_bytes ), 65537 + 10, 'allowed once unlimited' );
    is( length( WebSocket::Frame->new( buffer => 'x' x 65536 )->to_bytes ), 65536 + 10, 'exactly 64 KiB is allowed' );

    # Values
    my $v = WebSocket::Frame->new;
    is( $v->max_payload_size( '1024' ), 1024, 'string number' );
    is( $v->max_payload_size( undef ), 65536, 'undef restores the default' );
    is( $v->max_payload_size( -1 ), undef, 'negative refused' );
    like( $v->error->message, qr/^Value provided for max_payload_size \("-1"\) is not/, '... message' );
    is( $v->max_payload_size( 1.5 ), undef, 'fraction refused' );
    is( $v->max_payload_size, 65536, '... unchanged' );
};

subtest 'max_fragments_amount' => sub
{
    my $f = WebSocket::Frame->new;
    $f->append( FRAG ) for( 1 .. 129 );
    is( $f->next_bytes, undef, '129 fragments refused' );
    is( $f->error->code, 1011, '... code 1011 (as the original)' );
    is( $f->error->message, 'Too many fragments', '... message' );
    is( $f->fragments->length, 0, '... fragments dropped' );

    {
        local $WebSocket::Frame::MAX_FRAGMENTS_AMOUNT = 3;
        my $s = WebSocket::Frame->new;
        is( $s->max_fragments_amount, 3, 'local $MAX_FRAGMENTS_AMOUNT' );
        # The original counted the first opcode with the fragments: 2 frames fit a limit of 3
        $s->append( FRAG . FRAG . h( '8000' ) );
        is( $s->next_bytes, 'HelHel', 'two fragments and the final frame' );
        $s->append( FRAG . FRAG . FRAG . h( '8000' ) );
        is( $s->next_bytes, undef, 'three fragments refused' );
        is( $s->error->message, 'Too many fragments', '... message' );
    }

    my $u = WebSocket::Frame->new( max_fragments_amount => 0 );
    $u->append( FRAG ) for( 1 .. 300 );
    $u->append( h( '8000' ) );
    is( length( $u->next_bytes ), 900, '0 = unlimited: 300 fragments' );

    my $c = WebSocket::Frame->new;
    $c->append( FRAG . FRAG . FRAG );
    is( $c->max_fragments_amount( 2 ), 2, 'set after append' );
    is( $c->next_bytes, undef, '... applies' );
    is( $c->error->message, 'Too many fragments', '... message' );
    is( $c->max_fragments_amount( undef ), 128, 'undef restores the default' );
    is( $c->max_fragments_amount( 'x' ), undef, 'not a number' );
    like( $c->error->message, qr/^Value provided for max_fragments_amount \("x"\)/, '... message' );
};

subtest 'rsv (Protocol::WebSocket rsv.t)' => sub
{
    my %first = ( '0,0,0' => "\x81", '0,0,1' => "\x91", '0,1,0' => "\xa1", '1,0,0' => "\xc1",
                  '1,0,1' => "\xd1", '1,1,0' => "\xe1", '1,1,1' => "\xf1", '0,1,1' => "\xb1" );
    for my $bits ( sort( keys( %first ) ) )
    {
        my $f = WebSocket::Frame->new( buffer => '☺', rsv => [ split( /,/, $bits ) ] );
        is( substr( $f->to_bytes, 0, 1 ), $first{ $bits }, "to_bytes rsv [$bits]" );
        my $r = WebSocket::Frame->new;
        $r->append( $f->to_bytes );
        is( $r->next, '☺', "... read back" );
        isa_ok( $r->rsv, 'WebSocket::Generic::Array' );
        is( join( ',', @{ $r->rsv } ), $bits, "... rsv [$bits]" );
    }
    my $f = WebSocket::Frame->new( buffer => 'x' );
    is( $f->rsv( [ 1, 0, 0 ] )->join( ',' )->scalar, '1,0,0', 'rsv setter returns the array' );
    is( hx( $f->to_bytes ), 'c10178', '... applied' );
    $f->rsv( [ 0, 0, 0 ] );
    is( hx( $f->to_bytes ), '810178', 'cleared' );
    # A frame with RSV1 set is read as it is (the frame does not enforce extensions)
    my $r = WebSocket::Frame->new;
    $r->append( h( 'c1', '05', '48656c6c6f' ) );
    is( $r->next_bytes, 'Hello', 'RSV1 frame read' );
    is( $r->rsv->first, 1, '... rsv1' );
};

subtest 'to_bytes (Protocol::WebSocket frame.t)' => sub
{
    is( WebSocket::Frame->new( 'Hello' )->to_bytes, HELLO, 'text' );
    is( WebSocket::Frame->new( buffer => 'Hello', masked => 1, mask => '939139389' )->to_bytes, HELLO_MASKED, 'masked with an integer mask' );
    is( WebSocket::Frame->new( buffer => 'Hello', type => 'ping' )->to_bytes, h( '890548656c6c6f' ), 'ping' );
    is( WebSocket::Frame->new( buffer => h( '05' x 256 ), type => 'binary' )->to_bytes, h( '827E0100', '05' x 256 ), '256 bytes' );
    is( WebSocket::Frame->new( buffer => h( '05' x 65536 ), type => 'binary' )->to_bytes, h( '827F0000000000010000', '05' x 65536 ), '64 KiB' );
    is( WebSocket::Frame->new( buffer => 'Hello', fin => 0 )->to_bytes, h( '010548656c6c6f' ), 'fin 0' );
    is( WebSocket::Frame->new( buffer => 'Hello', type => 'continuation' )->to_bytes, h( '800548656c6c6f' ), 'continuation' );
    is( WebSocket::Frame->new( buffer => 'Hello', type => 'pong' )->to_bytes, h( '8a0548656c6c6f' ), 'pong' );
    is( WebSocket::Frame->new( buffer => "\x03\xe8", type => 'close' )->to_bytes, h( '880203e8' ), 'close' );
    is( WebSocket::Frame->new( buffer => 'x' x 125 )->to_bytes, "\x81\x7d" . 'x' x 125, '125 bytes: 7-bit length' );
    is( substr( WebSocket::Frame->new( buffer => 'x' x 126 )->to_bytes, 0, 4 ), h( '817e007e' ), '126 bytes: 16-bit length' );
    is( substr( WebSocket::Frame->new( buffer => 'x' x 65535 )->to_bytes, 0, 4 ), h( '817effff' ), '65535 bytes: 16-bit length' );
    is( substr( WebSocket::Frame->new( buffer => 'x' x 70000, max_payload_size => 0, masked => 1, mask => 'abcd' )->to_bytes, 0, 14 ), h( '81ff0000000000011170', '61626364' ), '70000 bytes masked: 64-bit length' );

    my $r = WebSocket::Frame->new;
    $r->append( WebSocket::Frame->new( 'привет' )->to_bytes );
    is( $r->next, 'привет', 'characters round trip' );

    # type and is_* agree
    my @types = qw( continuation text binary ping pong close );
    for my $type ( @types )
    {
        my $f = WebSocket::Frame->new( type => $type );
        is( $f->type, $type, "type $type" );
        for my $other ( @types )
        {
            my $meth = "is_$other";
            is( $f->$meth ? 1 : 0, $type eq $other ? 1 : 0, "type $type: $meth" );
        }
    }

    # opcode accessor
    my $f = WebSocket::Frame->new( 'Hello' );
    is( $f->opcode, 1, 'opcode 1' );
    is( $f->opcode( 2 ), 2, 'opcode( 2 )' );
    is( $f->to_bytes, h( '820548656c6c6f' ), '... used' );
    $f->opcode( 0 );
    is( $f->opcode, 0, 'opcode 0 reads as 0' );
    is( $f->to_bytes, h( '800548656c6c6f' ), '... used' );
    $f->opcode( undef );
    is( $f->opcode, 1, 'undef reads as 1' );
    is( WebSocket::Frame->new( buffer => 'Hello', opcode => 8 )->to_bytes, h( '880548656c6c6f' ), 'opcode option' );
    my $both = WebSocket::Frame->new( buffer => 'Hello', type => 'ping', opcode => 2 );
    is( $both->opcode, 9, 'type wins over opcode' );
    is( $both->to_bytes, h( '890548656c6c6f' ), '... in the frame' );
    # Invalid opcode
    my $bad = WebSocket::Frame->new( buffer => 'x', opcode => 16 );
    is( $bad->to_bytes, undef, 'opcode 16 refused' );
    is( $bad->error->code, 1002, '... code 1002' );
    like( $bad->error->message, qr/^Invalid opcode "16"/, '... message' );
    $bad->opcode( 'text' );
    is( $bad->to_bytes, undef, 'a non-numeric opcode refused' );
    # Reserved opcodes are written as asked
    is( hx( WebSocket::Frame->new( buffer => '', opcode => 3 )->to_bytes ), '8300', 'opcode 3 written' );
    is( hx( WebSocket::Frame->new( buffer => '', opcode => 15 )->to_bytes ), '8f00', 'opcode 15 written' );

    # fin
    my $g = WebSocket::Frame->new( buffer => 'a' );
    is( $g->fin( 0 ), 0, 'fin( 0 )' );
    is( hx( $g->to_bytes ), '010161', '... clear' );
    $g->fin( undef );
    is( $g->fin, 1, 'fin( undef ) reads as 1' );
    is( hx( $g->to_bytes ), '810161', '... set' );

    # to_bytes does not consume the buffer
    is( $g->to_bytes, $g->to_bytes, 'to_bytes is repeatable' );
    is( $g->buffer, 'a', 'buffer kept' );
};

subtest 'masked and mask' => sub
{
    # Random masks
    my $f = WebSocket::Frame->new( buffer => 'Foobar', opcode => 9, masked => 1 );
    my $bytes = $f->to_bytes;
    ok( ord( substr( $bytes, 1, 1 ) ) & 0x80, 'MASK bit set' );
    is( length( $bytes ), 2 + 4 + 6, 'key included' );
    my $p = WebSocket::Frame->new;
    $p->append( $bytes );
    is( $p->next_bytes, 'Foobar', 'read back' );
    is( $p->opcode, 9, '... ping' );
    ok( $p->masked, '... masked' );
    my %keys = map{ substr( $f->to_bytes, 2, 4 ) => 1 } 1 .. 50;
    cmp_ok( scalar( keys( %keys ) ), '>=', 49, 'a fresh key per frame' );

    # Fixed masks
    is( WebSocket::Frame->new( buffer => 'Hello', masked => 1, mask => "\x37\xfa\x21\x3d" )->to_bytes, HELLO_MASKED, '4-byte mask' );
    is( WebSocket::Frame->new( buffer => 'Hello', masked => 1, mask => 939139389 )->to_bytes, HELLO_MASKED, 'integer mask' );
    is( WebSocket::Frame->new( buffer => 'Hello', masked => 1, mask => '0x37fa213d' )->to_bytes, HELLO_MASKED, 'hexadecimal mask' );
    is( hx( WebSocket::Frame->new( buffer => 'ab', masked => 1, mask => 0 )->to_bytes ), '81820000000061' . '62', 'mask 0 is the zero key' );
    is( WebSocket::Frame->new( buffer => 'Hello', mask => "\x37\xfa\x21\x3d" )->to_bytes, HELLO, 'a mask without masked: unmasked' );
    my $m = WebSocket::Frame->new( buffer => 'Hello', masked => 1 );
    is( $m->mask( "\x37\xfa\x21\x3d" ), "\x37\xfa\x21\x3d", 'mask setter returns the value' );
    is( $m->mask, "\x37\xfa\x21\x3d", 'getter' );
    is( $m->to_bytes, HELLO_MASKED, '... used' );
    is( $m->mask( undef ), undef, 'mask( undef )' );
    isnt( substr( $m->to_bytes, 2, 4 ), "\x37\xfa\x21\x3d", '... random again' );
    is( $m->mask( 4294967295 ), 4294967295, 'largest integer' );
    is( substr( $m->to_bytes, 2, 4 ), "\xff\xff\xff\xff", '... ff ff ff ff' );

    # Invalid masks
    is( $m->mask( 'abcde' ), undef, '5 bytes refused' );
    like( $m->error->message, qr/^Invalid mask/, '... message' );
    is( $m->mask, 4294967295, '... previous mask kept' );
    is( $m->mask( 4294967296 ), undef, '2**32 refused' );
    is( $m->mask( "\x{263a}abc" ), undef, 'wide characters refused' );
    is( WebSocket::Frame->new( mask => 'abc' ), undef, 'new with a 3-byte mask fails' );
    like( WebSocket::Frame->error->message, qr/^Invalid mask/, '... class error' );

    # masked accessor
    my $n = WebSocket::Frame->new( buffer => 'x' );
    is( $n->masked( 1 ), 1, 'masked( 1 )' );
    is( length( $n->to_bytes ), 7, '... masked' );
    $n->masked( 0 );
    is( length( $n->to_bytes ), 3, 'masked( 0 )' );
};

subtest 'next' => sub
{
    my $f = WebSocket::Frame->new;
    $f->append( "\x81\x05caf\xc3\xa9" );
    my $s = $f->next;
    is( $s, "caf\x{e9}", 'text is decoded' );
    ok( utf8::is_utf8( $s ), '... a character string' );
    is( length( $s ), 4, '... four characters' );
    $f->append( "\x82\x05caf\xc3\xa9" );
    my $b = $f->next;
    is( $b, "caf\xc3\xa9", 'binary is not decoded' );
    is( length( $b ), 5, '... five bytes' );
    # Decoded once only: the UTF-8 of "Ã©" must come back as "Ã©"
    my $twice = Encode::encode( 'UTF-8', "\x{c3}\x{a9}" );
    $f->append( "\x81" . chr( length( $twice ) ) . $twice );
    is( $f->next, "\x{c3}\x{a9}", 'decoded once' );
    $f->append( "\x81\x02\xc3\x28" );
    is( $f->next, "\x{fffd}(", 'malformed UTF-8 becomes U+FFFD' );
    $f->append( "\x89\x04\xff\xfe\x00\x01" );
    is( $f->next, "\xff\xfe\x00\x01", 'ping payload as bytes' );
    is( $f->next, undef, 'incomplete: undef' );
    $f->append( h( '827F0000000000100000' ) );
    is( $f->next, undef, 'error: undef' );
    is( $f->error->code, 1009, '... with the error' );
    is( scalar( my @l = $f->next ), 0, 'empty list in list context' );
};

subtest 'buffer' => sub
{
    my $f = WebSocket::Frame->new;
    isa_ok( $f->buffer( 'abc' ), 'WebSocket::Generic::Scalar', 'setter returns' );
    is( $f->buffer, 'abc', 'getter' );
    is( $f->buffer->length, 3, 'length' );
    is( $f->buffer( undef ), '', 'undef empties' );
    # Bytes given to new are what next_bytes reads first, as in the original
    my $r = WebSocket::Frame->new( HELLO . h( '8102' ) );
    is( $r->next_bytes, 'Hello', 'new( $bytes )->next_bytes' );
    is( $r->next_bytes, undef, '... then incomplete' );
    $r->append( 'hi' );
    is( $r->next_bytes, 'hi', '... completed by append' );
    is( $r->buffer, '', 'buffer empty once handed over' );
    my $s = WebSocket::Frame->new( h( '81' ) );
    $s->append( h( '0178' ) );
    is( $s->next_bytes, 'x', 'buffer bytes come before appended ones' );
};

subtest 'type and supported_types' => sub
{
    my $f = WebSocket::Frame->new;
    isa_ok( $f->type( 'binary' ), 'WebSocket::Generic::Scalar', 'type setter' );
    is( $f->opcode, 2, '... sets the opcode' );
    $f->type( 'PING' );
    is( $f->opcode, 9, 'case-insensitive' );
    is( $f->type, 'PING', '... kept as given' );
    $f->type( 'nonsense' );
    is( $f->opcode, 9, 'an unknown type leaves the opcode' );
    is( $f->type, 'nonsense', '... but is stored' );
    $f->type( undef );
    is( $f->type, '', 'undef empties' );

    my $all = WebSocket::Frame->supported_types;
    isa_ok( $all, 'WebSocket::Generic::Array', 'class method' );
    is_deeply( [ @$all ], [qw( binary close continuation ping pong text )], '... sorted names' );
    is( $all->join( ' ' )->scalar, 'binary close continuation ping pong text', '... join' );
    is_deeply( [ @{ $f->supported_types } ], [ @$all ], 'object method' );
    ok( WebSocket::Frame->supported_types( 'text' ), 'text supported' );
    ok( $f->supported_types( 'Close' ), 'Close supported (case-insensitive)' );
    ok( !WebSocket::Frame->supported_types( 'foo' ), 'foo not supported' );
    ok( !WebSocket::Frame->supported_types( '' ), 'empty not supported' );
    ok( !WebSocket::Frame->supported_types( undef ), 'undef not supported' );

    # $TYPES is read at construction
    my $custom;
    {
        local $WebSocket::Frame::TYPES = { %$WebSocket::Frame::TYPES, custom => 0x03 };
        ok( WebSocket::Frame->supported_types( 'custom' ), 'local $TYPES: class method' );
        $custom = WebSocket::Frame->new( buffer => '', type => 'custom' );
        is( $custom->opcode, 3, 'local $TYPES: type sets the opcode' );
    }
    ok( !WebSocket::Frame->supported_types( 'custom' ), 'class method after the scope' );
    ok( $custom->supported_types( 'custom' ), 'the object kept its table' );
    is( hx( $custom->to_bytes ), '8300', '... and its opcode' );
};

subtest 'fragments' => sub
{
    my $f = WebSocket::Frame->new;
    is( $f->fragments->length, 0, 'none' );
    $f->append( h( '010348656c', '00026c6f' ) );
    is( $f->next_bytes, undef, 'two fragments pending' );
    is( $f->fragments->length, 3, 'opcode + 2 fragments' );
    is( $f->fragments( [] )->length, 0, 'fragments( [] ) discards them' );
    $f->append( h( '80026c6f' ) );
    is( $f->next_bytes, 'lo', 'a final continuation alone is then read by itself' );
    is( $f->fragments( [ 1, 'x' ] ), undef, 'setting fragments refused' );
    like( $f->error->message, qr/kept by the engine/, '... message' );
};

subtest 'version' => sub
{
    plan( skip_all => 'WebSocket::Version is not available' ) unless( eval{ require WebSocket::Version; 1 } );
    my $f = WebSocket::Frame->new;
    isa_ok( $f->version, 'WebSocket::Version', 'default version' );
    is( $f->version->draft, 'draft-ietf-hybi-17', '... draft-ietf-hybi-17' );
    isnt( "$f->{version}", $WebSocket::Frame::VERSION, 'never the module version' );
    my $g = WebSocket::Frame->new( version => 13 );
    is( $g->version->draft, 'draft-ietf-hybi-17', 'version 13' );
    is( $g->to_bytes, h( '8100' ), '... RFC 6455 framing' );
    my $v8 = WebSocket::Frame->new( version => 'draft-ietf-hybi-10', buffer => 'Hello' );
    is( $v8->to_bytes, HELLO, 'hybi-10: RFC 6455 framing' );
    my $v = WebSocket::Version->new( 'draft-ietf-hybi-04' );
    is( WebSocket::Frame->new( version => $v, buffer => 'Hello' )->to_bytes, HELLO, 'hybi-04 object: RFC 6455 framing' );
    is( WebSocket::Frame->new( version => 'draft-nonsense-1' ), undef, 'unknown draft fails' );
    isa_ok( WebSocket::Frame->error, 'WebSocket::Exception', '... with the error' );
};

subtest 'fatal' => sub
{
    my $f = WebSocket::Frame->new( buffer => 'x' x 11, max_payload_size => 10, fatal => 1 );
    ok( !eval{ $f->to_bytes; 1 }, 'fatal: to_bytes dies' );
    isa_ok( $@, 'WebSocket::Exception', '... with the exception' );
    is( $@->code, 1009, '... code' );
    my $r = WebSocket::Frame->new( max_payload_size => 2, fatal => 1 );
    $r->append( h( '8103', '616263' ) );
    ok( !eval{ $r->next_bytes; 1 }, 'fatal: next_bytes dies' );
    is( $@->message, 'Payload is too big. Deny big message (3) or increase max_payload_size (2)', '... message' );
    my $after = eval{ [ $r->next ] };
    is_deeply( $after, [], 'fatal: next after the error returns nothing and does not die' );
};

subtest 'ithreads' => sub
{
    plan( skip_all => 'perl without ithreads' ) unless( $Config{useithreads} );
    my $code = <<'EOT';
use strict; use warnings; use threads; use WebSocket::Frame;
my $w = WebSocket::Frame->new( buffer => 'Hi', type => 'binary' );
my $f = WebSocket::Frame->new( max_payload_size => 1000 );
$f->append( "\x81\x05He" );
my $res = threads->create( sub {
    my @r;
    push( @r, ref( $f ), $w->to_bytes eq "\x82\x02Hi" ? 'enc' : 'noenc', $f->max_payload_size );
    $f->append( "\x81\x02ok" );
    my $b = $f->next_bytes;
    push( @r, defined( $b ) ? $b : 'undef' );
    return( join( ',', @r ) );
})->join;
$f->append( "llo" );
print( $res, ';', $f->next_bytes, "\n" );
EOT
    my @inc = map{ "-I$_" } grep{ !ref( $_ ) } @INC;
    open( my $fh, '-|', $^X, @inc, '-e', $code ) || die( "Unable to run $^X: $!" );
    my $out = join( '', <$fh> );
    close( $fh );
    chomp( $out );
    is( $out, 'WebSocket::Frame,enc,1000,ok;Hello', 'a frame survives thread creation; the parent keeps its buffer' );
};

subtest 'error is cleared by next_bytes' => sub
{
    my $f = WebSocket::Frame->new( max_payload_size => 2 );
    $f->append( "\x81\x03abc" );
    is( $f->next_bytes, undef, 'refused' );
    ok( $f->error, '... error set' );
    $f->append( "\x81" );
    is( $f->next_bytes, undef, 'incomplete' );
    is( $f->error, undef, '... error cleared' );
    $f->append( "\x01a" );
    is( $f->next_bytes, 'a', 'then a message' );
    my $o = WebSocket::Frame->new( opcode => 'nonsense' );
    ok( !$o->is_text && !$o->is_binary && !$o->is_continuation, 'a non-numeric opcode is no type' );
};

is_deeply( \@WARNINGS, [], 'no warnings' );

done_testing();
