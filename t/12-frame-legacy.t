use strict;
use warnings;
use utf8;
use Test::More;
use Encode ();
use Scalar::Util ();
use WebSocket::Frame;
use WebSocket::Version;

# The framing of the drafts before RFC 6455 (hixie-75/76, hybi-00 to hybi-03): a message is
# 0x00 payload 0xFF and a close is 0xFF 0x00. Ported in behaviour from Protocol::WebSocket's
# draft-ietf-hybi-00/frame.t.

sub legacy { return( WebSocket::Frame->new( version => 'draft-ietf-hybi-00', @_ ) || die( WebSocket::Frame->error ) ); }

subtest 'which versions use the legacy framing' => sub
{
    for my $draft ( qw( draft-hixie-75 draft-hixie-76 draft-ietf-hybi-00 draft-ietf-hybi-01 draft-ietf-hybi-02 draft-ietf-hybi-03 ) )
    {
        my $f = WebSocket::Frame->new( buffer => 'Hello', version => $draft ) || die( WebSocket::Frame->error );
        is( $f->to_bytes, "\x00Hello\xff", "$draft: legacy framing" );
        my $r = WebSocket::Frame->new( version => $draft );
        $r->append( "\x00Hello\xff" );
        is( $r->next_bytes, 'Hello', "$draft: legacy reading" );
    }
    for my $draft ( qw( draft-ietf-hybi-04 draft-ietf-hybi-07 draft-ietf-hybi-10 draft-ietf-hybi-17 ) )
    {
        my $f = WebSocket::Frame->new( buffer => 'Hello', version => $draft );
        is( $f->to_bytes, "\x81\x05Hello", "$draft: RFC 6455 framing" );
    }
    is( WebSocket::Frame->new( buffer => 'Hello', version => 13 )->to_bytes, "\x81\x05Hello", 'version 13: RFC 6455 framing' );
    is( WebSocket::Frame->new( buffer => 'Hello', version => 0 )->to_bytes, "\x00Hello\xff", 'version 0 (hybi-00): legacy' );
    is( WebSocket::Frame->new( buffer => 'Hello', version => 2 )->to_bytes, "\x00Hello\xff", 'version 2 (hybi-03): legacy' );
    is( WebSocket::Frame->new( buffer => 'Hello', version => 4 )->to_bytes, "\x81\x05Hello", 'version 4 (hybi-04): RFC 6455' );
    my $v = WebSocket::Version->new( 'draft-hixie-76' );
    my $f = WebSocket::Frame->new( buffer => 'Hello', version => $v );
    is( Scalar::Util::refaddr( $f->version ), Scalar::Util::refaddr( $v ), 'a version object is kept' );
    is( $f->to_bytes, "\x00Hello\xff", '... hixie-76: legacy' );
    is( legacy()->version->draft, 'draft-ietf-hybi-00', 'version getter' );
};

subtest 'reading (Protocol::WebSocket draft-ietf-hybi-00/frame.t)' => sub
{
    my $f = legacy();
    $f->append;
    is( $f->next, undef, 'nothing appended' );
    $f->append( '' );
    is( $f->next, undef, 'empty string appended' );

    $f->append( 'qwe' );
    is( $f->next, undef, 'junk only' );
    $f->append( "\x00foo\xff" );
    is( $f->next, 'foo', 'junk skipped, message read' );
    is( $f->next, undef, 'then nothing' );
    ok( $f->is_text, 'is_text' );

    $f->append( "\x00" );
    is( $f->next, undef, 'start byte only' );
    $f->append( "\xff" );
    my $e = $f->next;
    ok( defined( $e ), 'an empty message is defined' );
    is( $e, '', '... and empty' );

    $f->append( "\xff" );
    $f->append( "\x00" );
    is( $f->next, '', 'close frame' );
    ok( $f->is_close, 'is_close' );
    is( $f->opcode, 8, 'opcode 8' );

    $f->append( "\x00" );
    is( $f->next, undef, 'in pieces: start' );
    $f->append( 'foo' );
    is( $f->next, undef, 'in pieces: payload' );
    $f->append( "\xff" );
    is( $f->next, 'foo', 'in pieces: end' );
    is( $f->opcode, 1, 'opcode 1 again after the close' );

    $f->append( "\x00foo\xff\x00bar\n\xff" );
    is( $f->next, 'foo', 'two messages: first' );
    is( $f->next, "bar\n", '... second, with a newline' );
    is( $f->next, undef, '... then nothing' );

    $f->append( "123\x00foo\xff56\x00bar\xff789" );
    is( $f->next, 'foo', 'junk around messages: first' );
    is( $f->next, 'bar', '... second' );
    is( $f->next, undef, '... then nothing' );

    my $frame = "123\x00foo\xff56\x00bar\xff789";
    $f->append( $frame );
    is( $frame, '', 'append is destructive' );
    is( $f->next, 'foo', 'first' );
    is( $f->next, 'bar', 'second' );
    is( $f->next, undef, 'then nothing' );

    $f->append( "\x00" . Encode::encode( 'UTF-8', '☺' ) . "\xff" );
    is( $f->next, '☺', 'bytes in, characters out' );
    $f->append( "\x00" . Encode::encode( 'UTF-8', '☺' ) . "\xff" );
    is( $f->next_bytes, Encode::encode( 'UTF-8', '☺' ), 'next_bytes: the bytes' );

    # byte by byte
    my $g = legacy();
    my @got;
    for my $byte ( split( //, "\x00abc\xff\xff\x00\x00\xff" ) )
    {
        $g->append( $byte );
        while( defined( my $m = $g->next_bytes ) )
        {
            push( @got, [ $g->opcode, $m ] );
        }
    }
    is_deeply( \@got, [ [ 1, 'abc' ], [ 8, '' ], [ 1, '' ] ], 'byte by byte: text, close, empty text' );
};

subtest 'writing' => sub
{
    is( legacy()->to_bytes, "\x00\xff", 'empty' );
    is( legacy( buffer => '☺' )->to_bytes, "\x00" . Encode::encode( 'UTF-8', '☺' ) . "\xff", 'characters are sent as UTF-8' );
    is( legacy( buffer => Encode::encode( 'UTF-8', '☺' ) )->to_bytes, "\x00" . Encode::encode( 'UTF-8', '☺' ) . "\xff", 'bytes are sent as they are' );
    is( legacy( type => 'ping' )->to_bytes, "\x00\xff", 'ping: an empty message (no control frames in the drafts)' );
    is( legacy( type => 'close' )->to_bytes, "\xff\x00", 'close' );
    is( legacy( buffer => 'bye', type => 'close' )->to_bytes, "\xff\x00", 'close ignores the payload' );
    is( legacy( buffer => 'x', opcode => 8 )->to_bytes, "\xff\x00", 'opcode 8 is a close' );
    is( legacy( buffer => 'Hello', masked => 1, rsv => [ 1, 1, 1 ], fin => 0, type => 'binary' )->to_bytes, "\x00Hello\xff",
        'masked, rsv, fin and binary do not exist in the drafts' );
    my $bad = legacy( buffer => "a\xff\x00b" );
    is( $bad->to_bytes, undef, 'a payload with 0xFF is refused' );
    is( $bad->error->code, 1007, '... 1007' );
    is( $bad->error->message, 'The legacy framing cannot carry the byte 0xFF: send UTF-8 text only.', '... message' );
    my $r = legacy();
    $r->append( legacy( buffer => 'round trip' )->to_bytes );
    is( $r->next, 'round trip', 'round trip' );
};

subtest 'max_payload_size' => sub
{
    my $f = legacy( max_payload_size => 5 );
    $f->append( "\x00" . ( 'x' x 6 ) . "\xff" );
    is( $f->next_bytes, undef, 'a message over the limit' );
    is( $f->error->code, 1009, '... 1009' );
    is( $f->error->message, 'Payload is too big. Deny big message (6) or increase max_payload_size (5)', '... message' );
    $f->append( "\x00hello\xff" );
    is( $f->next_bytes, 'hello', 'the limit itself passes' );
    my $g = legacy( max_payload_size => 5 );
    $g->append( "\x00" . ( 'x' x 10 ) );
    is( $g->next_bytes, undef, 'a message growing past the limit without its end' );
    is( $g->error && $g->error->code, 1009, '... refused before it ends' );
    my $u = legacy( max_payload_size => 0 );
    $u->append( "\x00" . ( 'y' x 200_000 ) . "\xff" );
    is( length( $u->next_bytes ), 200_000, '0 = unlimited' );
};

subtest 'changing the version' => sub
{
    my $f = WebSocket::Frame->new( buffer => 'Hello' );
    is( $f->to_bytes, "\x81\x05Hello", 'RFC 6455 by default' );
    $f->version( 'draft-hixie-75' );
    is( $f->to_bytes, "\x00Hello\xff", 'legacy after version( draft-hixie-75 )' );
    $f->version( 'draft-ietf-hybi-17' );
    is( $f->to_bytes, "\x81\x05Hello", 'RFC 6455 again' );
    my $r = WebSocket::Frame->new;
    $r->append( "\x81\x05He" );
    $r->version( 'draft-ietf-hybi-00' );
    $r->append( "\x00new\xff" );
    is( $r->next_bytes, 'new', 'switching framing discards the unread data' );
    is( $r->version( 'draft-bogus-1' ), undef, 'an unknown draft is refused' );
    isa_ok( $r->error, 'WebSocket::Exception', '... error' );
    is( $r->version->draft, 'draft-ietf-hybi-00', '... the version is unchanged' );
};

done_testing();
