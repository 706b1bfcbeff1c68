use strict;
use warnings;
use Test::More;
use Digest::SHA ();
use File::Spec;
use FindBin;
use WebSocket::Frame;

# The shared byte-exact frame vectors (t/data/frame-vectors.tsv, also read by
# rust/tests/frame_vectors.rs): every vector is written by WebSocket::Frame->to_bytes byte for
# byte, and read back by append/next_bytes.

my $file = File::Spec->catfile( $FindBin::Bin, 'data', 'frame-vectors.tsv' );
open( my $fh, '<', $file ) || BAIL_OUT( "Unable to open $file: $!" );
my( @columns, @vectors );
while( my $line = <$fh> )
{
    chomp( $line );
    next if( $line =~ /^#/ || $line !~ /\S/ );
    my @f = split( /\t/, $line, -1 );
    if( !@columns )
    {
        @columns = @f;
        next;
    }
    my %v;
    @v{ @columns } = @f;
    push( @vectors, \%v );
}
close( $fh );
is_deeply( \@columns, [qw( name opcode fin rsv mask payload frame )], 'columns' );
cmp_ok( scalar( @vectors ), '>=', 50, scalar( @vectors ) . ' vectors' );

sub payload_of
{
    my $spec = shift( @_ );
    return( pack( 'H*', $1 ) ) if( $spec =~ /^hex:([0-9a-fA-F]*)$/ );
    if( $spec =~ /^pattern:(\d+)$/ )
    {
        my $n = $1;
        # (i * 31 + 7) % 256 repeats every 256 bytes
        my $block = pack( 'C*', map{ ( $_ * 31 + 7 ) % 256 } 0 .. 255 );
        my $s = $block x ( int( $n / 256 ) + 1 );
        return( substr( $s, 0, $n ) );
    }
    die( "Unknown payload specification $spec" );
}

# Compare a frame with its expected form: the whole frame in hex, or a prefix and a digest.
sub frame_matches
{
    my( $got, $spec, $name ) = @_;
    if( $spec =~ /^hex:([0-9a-fA-F]*)$/ )
    {
        return( is( unpack( 'H*', $got // '' ), lc( $1 ), $name ) );
    }
    if( $spec =~ /^prefix:([0-9a-fA-F]+);sha256:([0-9a-fA-F]{64})$/ )
    {
        my( $prefix, $digest ) = ( lc( $1 ), lc( $2 ) );
        return( ok( defined( $got ) &&
            unpack( 'H*', substr( $got, 0, length( $prefix ) / 2 ) ) eq $prefix &&
            Digest::SHA::sha256_hex( $got ) eq $digest, $name ) );
    }
    die( "Unknown frame specification $spec" );
}

# The whole expected frame, to feed to the reader.
sub expected_frame
{
    my( $v, $payload ) = @_;
    return( pack( 'H*', $1 ) ) if( $v->{frame} =~ /^hex:([0-9a-fA-F]*)$/ );
    # Rebuilt from the header in the prefix and the payload (checked against the digest).
    my( $prefix ) = $v->{frame} =~ /^prefix:([0-9a-fA-F]+);/;
    my $head = pack( 'H*', $prefix );
    my $body = $payload;
    if( $v->{mask} ne '-' )
    {
        my $key = pack( 'H*', $v->{mask} );
        my $stream = $key x ( int( length( $body ) / 4 ) + 1 );
        $body = $body ^ substr( $stream, 0, length( $body ) );
    }
    return( $head . $body );
}

my %names = reverse( %$WebSocket::Frame::TYPES );
my( %opcodes, %lengths );
for my $v ( @vectors )
{
    my $name = $v->{name};
    my $payload = payload_of( $v->{payload} );
    my $rsv = $v->{rsv};
    my @rsv = ( ( $rsv >> 2 ) & 1, ( $rsv >> 1 ) & 1, $rsv & 1 );
    my $masked = $v->{mask} ne '-' ? 1 : 0;
    $opcodes{ $v->{opcode} }++;
    $lengths{ length( $payload ) }++;

    subtest $name => sub
    {
        my %opts = (
            buffer           => $payload,
            fin              => $v->{fin},
            rsv              => [ @rsv ],
            masked           => $masked,
            max_payload_size => 0,
        );
        $opts{mask} = pack( 'H*', $v->{mask} ) if( $masked );
        # Once with the opcode, once with the type name when the opcode has one
        my $f = WebSocket::Frame->new( %opts, opcode => $v->{opcode} ) || die( WebSocket::Frame->error );
        my $bytes = $f->to_bytes;
        ok( defined( $bytes ), 'to_bytes' ) || diag( $f->error );
        frame_matches( $bytes, $v->{frame}, 'to_bytes with opcode: byte-exact' );
        if( exists( $names{ $v->{opcode} } ) )
        {
            my $t = WebSocket::Frame->new( %opts, type => $names{ $v->{opcode} } );
            frame_matches( $t->to_bytes, $v->{frame}, "to_bytes with type $names{ $v->{opcode} }: byte-exact" );
        }
        if( $masked )
        {
            # The same key given as an integer
            my $i = WebSocket::Frame->new( %opts, opcode => $v->{opcode}, mask => hex( $v->{mask} ) );
            frame_matches( $i->to_bytes, $v->{frame}, 'to_bytes with an integer mask: byte-exact' );
            # A random key: same header but for the key, and the payload reads back
            my $r = WebSocket::Frame->new( %opts, opcode => $v->{opcode}, mask => undef )->to_bytes;
            my $hlen = length( expected_frame( $v, $payload ) ) - length( $payload );
            is( length( $r ), length( $bytes ), 'random mask: same length' );
            is( substr( $r, 0, $hlen - 4 ), substr( $bytes, 0, $hlen - 4 ), 'random mask: same header' );
            my $rr = WebSocket::Frame->new( max_payload_size => 0 );
            $rr->append( $r );
            $rr->append( "\x80\x00" ) if( !$v->{fin} );
            ok( $rr->next_bytes eq $payload, 'random mask: payload reads back' );
        }

        # Reading the expected frame
        my $wire = expected_frame( $v, $payload );
        my $reader = WebSocket::Frame->new( max_payload_size => 0 );
        my $copy = $wire;
        $reader->append( $copy );
        is( $copy, '', 'append emptied the variable' );
        if( $v->{fin} )
        {
            my $got = $reader->next_bytes;
            ok( defined( $got ) && $got eq $payload, 'next_bytes gives the payload back' );
            is( $reader->opcode, $v->{opcode}, 'opcode' );
            is( $reader->fin, 1, 'fin' );
            is( $reader->masked ? 1 : 0, $masked, 'masked' );
            is_deeply( [ @{ $reader->rsv } ], \@rsv, 'rsv' );
        }
        else
        {
            is( $reader->next_bytes, undef, 'a first fragment: incomplete' );
            is( $reader->error, undef, '... not an error' );
            is( $reader->fragments->length, 2, '... one fragment pending' );
            $reader->append( "\x80\x00" );
            my $got = $reader->next_bytes;
            ok( defined( $got ) && $got eq $payload, 'with a final empty continuation: the payload' );
            is( $reader->opcode, $v->{opcode}, '... with the first opcode' );
            is( $reader->fin, 1, '... fin' );
        }
        is( $reader->next_bytes, undef, 'nothing more' );

        # The same stream in uneven pieces
        my $pieces = WebSocket::Frame->new( max_payload_size => 0 );
        my $stream = $wire . ( $v->{fin} ? '' : "\x80\x00" );
        my( $pos, $step, $got ) = ( 0, 1 );
        while( $pos < length( $stream ) )
        {
            my $chunk = substr( $stream, $pos, $step );
            $pos += length( $chunk );
            $pieces->append( $chunk );
            my $m = $pieces->next_bytes;
            if( defined( $m ) )
            {
                $got = $m;
                last;
            }
            $step = $step * 3 + 1;
        }
        ok( defined( $got ) && $got eq $payload && $pos == length( $stream ), 'read in growing pieces' );

        # With the default limit, frames over 64 KiB are refused with 1009
        if( length( $payload ) > 65536 )
        {
            my $limited = WebSocket::Frame->new;
            $limited->append( my $c = $wire );
            is( $limited->next_bytes, undef, 'over the default max_payload_size' );
            is( $limited->error->code, 1009, '... 1009' );
            is( WebSocket::Frame->new( %opts, opcode => $v->{opcode}, max_payload_size => 65536 )->to_bytes, undef, 'to_bytes over the default limit' );
        }
    };
}

# The vectors cover what they must
for my $op ( 0, 1, 2, 8, 9, 10 )
{
    ok( $opcodes{ $op }, "opcode $op covered" );
}
for my $len ( 0, 1, 125, 126, 65535, 65536, 1048576 )
{
    ok( $lengths{ $len }, "payload length $len covered" );
}

done_testing();
