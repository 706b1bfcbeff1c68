package WebSocket::Frame;
use strict;
use warnings;
use parent qw( WebSocket );
use vars qw( $MAX_PAYLOAD_SIZE $MAX_FRAGMENTS_AMOUNT $TYPES $VERSION );
use WebSocket qw( :all );
use Config ();
use Encode ();
use overload ();
use Scalar::Util ();
use constant {
    # Kept for code written for the original; masks now come from the engine's secure RNG.
    MAX_RAND_INT       => 2**32,
    MATH_RANDOM_SECURE => 1,
    SUPPORT_64BITS     => ( ( $Config::Config{ivsize} || 4 ) >= 8 ? 1 : 0 ),
    RSV1               => chr( 64 ),
    RSV2               => chr( 32 ),
    RSV3               => chr( 16 ),
};

our $VERSION = 'v0.3.0';

# Read by every new frame: tests and applications may localise them.
our $MAX_PAYLOAD_SIZE     = 65536;
our $MAX_FRAGMENTS_AMOUNT = 128;
our $TYPES = {
    continuation => 0x00,
    text         => 0x01,
    binary       => 0x02,
    close        => 0x08,
    ping         => 0x09,
    pong         => 0x0a,
};

# A frame buffer: it serialises one frame from its payload and header fields (to_bytes), and
# reads complete messages out of the bytes appended to it (append, next_bytes, next). The
# parsing happens in the engine's assembler (WebSocket::Engine::Assembler), created on the
# first append and kept in the object. The Perl-side 'buffer' is the payload for to_bytes
# and, on the reading side, bytes not yet handed to the engine.

sub init
{
    my $self = shift( @_ );
    # new( $data ), new( $data, \%opts ), new( $data, %opts ), new( %opts ), new( \%opts )
    my $data;
    if( @_ && _is_data( $_[0] ) && ( @_ == 1 || ( @_ % 2 ) || ( @_ == 2 && ref( $_[1] ) eq 'HASH' ) ) )
    {
        $data = shift( @_ );
    }
    my $opts = $self->_get_args_as_hash( @_ );
    return( $self->error( "Odd number of parameters provided to " . ref( $self ) . "->new" ) ) if( !defined( $opts ) );
    $opts->{buffer} = $data if( defined( $data ) && !exists( $opts->{buffer} ) );

    $self->{buffer}               = '';
    $self->{fin}                  = undef;
    $self->{mask}                 = undef;
    $self->{masked}               = undef;
    $self->{max_fragments_amount} = $MAX_FRAGMENTS_AMOUNT;
    $self->{max_payload_size}     = $MAX_PAYLOAD_SIZE;
    $self->{opcode}               = undef;
    $self->{rsv}                  = [];
    $self->{type}                 = '';
    # Never the module's own version: a WebSocket::Version, created when first asked for.
    $self->{version}              = undef;
    $self->{_assembler}           = undef;
    $self->{_legacy}              = 0;
    $self->{_mask_bytes}          = undef;
    $self->{_types}               = ( ref( $TYPES ) eq 'HASH' ) ? $TYPES : {};
    $self->{_exception_class}   //= 'WebSocket::Exception';
    # A known type sets the opcode: it is applied after opcode, so that it wins.
    $self->{_init_params_order}   = [qw( version buffer opcode type )];
    $self->SUPER::init( $opts ) || return( $self->pass_error );
    return( $self );
}

# Objects of this class are copied into new threads; the engine's assembler is not (its
# class says so), and a fresh one is made on the next append.
sub CLONE_SKIP { 0 }

sub append
{
    my $self = shift( @_ );
    return unless( defined( $_[0] ) );
    my $asm = $self->_engine || return( $self->pass_error );
    local $@;
    my $ok = eval
    {
        if( utf8::is_utf8( $_[0] ) )
        {
            # Bytes that were upgraded go in as they are; real characters as UTF-8.
            my $copy = "$_[0]";
            $copy = Encode::encode( 'UTF-8', $copy ) if( !utf8::downgrade( $copy, 1 ) );
            $asm->append( $copy );
        }
        else
        {
            $asm->append( $_[0] );
        }
        1;
    };
    return( $self->error( "Unable to append data to the frame buffer: " . _clean_croak( $@ ) ) ) if( !$ok );
    # Destructive, so that a caller's read buffer can be reused at once; but not through
    # read-only values, nor through lvalues such as substr( $data, ... ), which would cut
    # the caller's string.
    if( !Internals::SvREADONLY( $_[0] ) && ref( \$_[0] ) ne 'LVALUE' )
    {
        local $@;
        eval{ $_[0] = ''; };
    }
    return( $self );
}

sub buffer
{
    my $self = shift( @_ );
    if( @_ )
    {
        my $v = shift( @_ );
        $v = '' if( !defined( $v ) );
        $v = "$v" if( ref( $v ) );
        # A Perl string of characters is sent as its UTF-8 bytes.
        $v = Encode::encode( 'UTF-8', $v ) if( utf8::is_utf8( $v ) );
        $self->{buffer} = $v;
    }
    return( WebSocket::Generic::Scalar->new( $self->{buffer} ) );
}

sub fin
{
    my $self = shift( @_ );
    $self->{fin} = shift( @_ ) if( @_ );
    return( defined( $self->{fin} ) ? $self->{fin} : 1 );
}

sub fragments
{
    my $self = shift( @_ );
    my $asm = Scalar::Util::blessed( $self->{_assembler} ) ? $self->{_assembler} : undef;
    if( @_ )
    {
        my $v = @_ == 1 ? shift( @_ ) : [ @_ ];
        my @list = !defined( $v ) ? () : ( Scalar::Util::reftype( $v ) // '' ) eq 'ARRAY' ? @$v : ( $v );
        if( @list )
        {
            return( $self->error( "The fragments of a message in progress are kept by the engine: they can only be discarded, with an empty array." ) );
        }
        # Abandon the message in progress.
        $asm->reset if( $asm && $asm->pending_fragments );
    }
    my $n = $asm ? $asm->pending_fragments : 0;
    # As the original: [ first_opcode, fragment, ... ], here with placeholders, since the
    # engine holds the opcode and the bytes.
    return( WebSocket::Generic::Array->new( $n ? [ ( undef ) x ( $n + 1 ) ] : [] ) );
}

sub is_binary { return( _opcode_of( $_[0] ) == 2 ? 1 : 0 ); }

sub is_close { return( _opcode_of( $_[0] ) == 8 ? 1 : 0 ); }

sub is_continuation { return( _opcode_of( $_[0] ) == 0 ? 1 : 0 ); }

sub is_ping { return( _opcode_of( $_[0] ) == 9 ? 1 : 0 ); }

sub is_pong { return( _opcode_of( $_[0] ) == 10 ? 1 : 0 ); }

sub is_text { return( _opcode_of( $_[0] ) == 1 ? 1 : 0 ); }

# The masking key used by to_bytes when masked is true: 4 bytes, or an integer below 2**32
# (as the original stored it; packed big-endian). Unset means a fresh random key per frame.
sub mask
{
    my $self = shift( @_ );
    if( @_ )
    {
        my $v = shift( @_ );
        $v = "$v" if( ref( $v ) );
        if( !defined( $v ) || !length( $v ) )
        {
            $self->{mask} = undef;
            $self->{_mask_bytes} = undef;
            return( $self->{mask} );
        }
        my $bytes;
        if( $v =~ /^\d+$/ )
        {
            return( $self->error( "Invalid mask \"$v\": an integer mask must be below 4294967296." ) )
                if( length( $v ) > 10 || $v > 4294967295 );
            $bytes = pack( 'N', $v );
        }
        elsif( $v =~ /^0x([0-9a-fA-F]{1,8})$/ )
        {
            $bytes = pack( 'N', hex( $1 ) );
        }
        else
        {
            $bytes = $v;
            if( !utf8::downgrade( $bytes, 1 ) || length( $bytes ) != 4 )
            {
                return( $self->error( "Invalid mask: expected 4 bytes or an integer from 0 to 4294967295, but got " . length( $v ) . " characters." ) );
            }
        }
        $self->{mask} = $v;
        $self->{_mask_bytes} = $bytes;
    }
    return( $self->{mask} );
}

sub masked { return( shift->_set_get_scalar( 'masked', @_ ) ); }

sub max_fragments_amount { return( shift->_set_get_limit( 'max_fragments_amount', $MAX_FRAGMENTS_AMOUNT, @_ ) ); }

sub max_payload_size { return( shift->_set_get_limit( 'max_payload_size', $MAX_PAYLOAD_SIZE, @_ ) ); }

sub next
{
    my $self = shift( @_ );
    my $bytes = $self->next_bytes;
    # Incomplete, or an error that next_bytes has recorded.
    return unless( defined( $bytes ) );
    return( ( $self->{opcode} // 1 ) == 1 ? Encode::decode( 'UTF-8', $bytes ) : $bytes );
}

sub next_bytes
{
    my $self = shift( @_ );
    # A fresh start, so that after undef, error() tells a refusal from a need for more data.
    $self->{error} = undef;
    my $asm = $self->_engine || return( $self->pass_error );
    my $m = $asm->next;
    if( !defined( $m ) )
    {
        # More bytes needed: not an error.
        my $err = $asm->error || return;
        my( $engine_code, $close_code, $message ) = @$err;
        # The original reported this one with 1011; kept for compatibility.
        $close_code = WS_INTERNAL_SERVER_ERROR if( defined( $message ) && $message eq 'Too many fragments' );
        return( $self->error({ code => $close_code, message => $message }) );
    }
    my( $opcode, $fin, $rsv, $masked, $payload ) = @$m;
    $self->{opcode} = $opcode;
    $self->{fin}    = $fin;
    $self->{rsv}    = [ ( $rsv >> 2 ) & 1, ( $rsv >> 1 ) & 1, $rsv & 1 ];
    $self->{masked} = $masked;
    return( $payload );
}

sub opcode
{
    my $self = shift( @_ );
    $self->{opcode} = shift( @_ ) if( @_ );
    return( defined( $self->{opcode} ) ? $self->{opcode} : 1 );
}

sub rsv { return( shift->_set_get_array_as_object( 'rsv', @_ ) ); }

sub supported_types
{
    my $self = shift( @_ );
    my $types = ( ref( $self ) && ref( $self->{_types} ) eq 'HASH' ) ? $self->{_types} : ( ref( $TYPES ) eq 'HASH' ? $TYPES : {} );
    if( @_ )
    {
        my $t = shift( @_ );
        return( 0 ) if( !defined( $t ) || !length( "$t" ) );
        return( defined( _lookup_type( $types, "$t" ) ) ? 1 : 0 );
    }
    return( WebSocket::Generic::Array->new( [ sort( keys( %$types ) ) ] ) );
}

sub to_bytes
{
    my $self = shift( @_ );
    my $buffer = $self->{buffer};
    $buffer = '' if( !defined( $buffer ) );
    my $opcode = $self->{opcode};
    $opcode = 1 if( !defined( $opcode ) );
    if( !( "$opcode" =~ /^\d+$/ && $opcode <= 15 ) )
    {
        return( $self->error({ code => WS_PROTOCOL_ERROR, message => "Invalid opcode \"$opcode\": it must be an integer from 0 to 15." }) );
    }
    $opcode = int( "$opcode" );
    local $@;
    if( $self->{_legacy} )
    {
        # 0xFF ends a legacy frame: a payload holding one would let the rest be read as
        # frames of its own. Valid UTF-8 never contains it.
        if( $opcode != 8 && index( $buffer, "\xff" ) != -1 )
        {
            return( $self->error({ code => WS_BAD_MESSAGE, message => "The legacy framing cannot carry the byte 0xFF: send UTF-8 text only." }) );
        }
        my $bytes = eval{ WebSocket::Engine::encode_legacy_frame( ( $opcode == 8 ? 1 : 0 ), $buffer ) };
        return( $self->error( "Unable to serialise the frame: " . _clean_croak( $@ ) ) ) if( !defined( $bytes ) );
        return( $bytes );
    }
    my $max = $self->{max_payload_size};
    if( $max && length( $buffer ) > $max )
    {
        return( $self->error({ code => WS_MESSAGE_TOO_LARGE, message => "Payload is too big. Send shorter messages or increase max_payload_size" }) );
    }
    my $rsv = 0;
    if( my $r = $self->{rsv} )
    {
        $rsv = ( $r->[0] ? 4 : 0 ) | ( $r->[1] ? 2 : 0 ) | ( $r->[2] ? 1 : 0 );
    }
    my $masked = $self->{masked} ? 1 : 0;
    my $fin = defined( $self->{fin} ) ? ( $self->{fin} ? 1 : 0 ) : 1;
    # An undefined mask makes the engine draw a fresh one from its secure source.
    my $bytes = eval{ WebSocket::Engine::encode_frame( $opcode, $fin, $rsv, $masked, ( $masked ? $self->{_mask_bytes} : undef ), $buffer ) };
    return( $self->error( "Unable to serialise the frame: " . _clean_croak( $@ ) ) ) if( !defined( $bytes ) );
    return( $bytes );
}

sub type
{
    my $self = shift( @_ );
    if( @_ )
    {
        my $t = shift( @_ );
        $t = defined( $t ) ? "$t" : '';
        $self->{type} = $t;
        if( length( $t ) )
        {
            my $opcode = _lookup_type( $self->{_types} || $TYPES, $t );
            $self->{opcode} = $opcode if( defined( $opcode ) );
        }
    }
    return( WebSocket::Generic::Scalar->new( $self->{type} ) );
}

sub version
{
    my $self = shift( @_ );
    if( @_ )
    {
        my $v = shift( @_ );
        if( !defined( $v ) || ( !ref( $v ) && !length( $v ) ) )
        {
            $self->{version} = undef;
            $self->_set_legacy( 0 );
            return( $self->{version} );
        }
        if( !( Scalar::Util::blessed( $v ) && $v->isa( 'WebSocket::Version' ) ) )
        {
            WebSocket::Generic::_load_class( 'WebSocket::Version' );
            # Not ||: a version object is false for the hixie drafts and hybi-00.
            $v = WebSocket::Version->new( $v );
            return( $self->pass_error( WebSocket::Version->error ) ) if( !defined( $v ) );
        }
        $self->{version} = $v;
        $self->_set_legacy( _is_legacy_version( $v ) );
        return( $self->{version} );
    }
    if( !defined( $self->{version} ) )
    {
        WebSocket::Generic::_load_class( 'WebSocket::Version' );
        my $v = WebSocket::Version->new( WEBSOCKET_DRAFT_VERSION_DEFAULT );
        return( $self->pass_error( WebSocket::Version->error ) ) if( !defined( $v ) );
        $self->{version} = $v;
    }
    return( $self->{version} );
}

# die() messages from XS end with " at FILE line N.\n"; errors carry their own location.
sub _clean_croak
{
    my $e = shift( @_ );
    $e = '' if( !defined( $e ) );
    $e =~ s/ at \S+ line \d+\.?\n?\z//;
    return( $e );
}

# The engine's assembler, created on first use with the object's limits and framing. Bytes
# held in the Perl-side buffer (from new( $data ) or buffer()) are handed to it first.
sub _engine
{
    my $self = shift( @_ );
    my $asm = $self->{_assembler};
    if( !Scalar::Util::blessed( $asm ) )
    {
        local $@;
        $asm = eval
        {
            WebSocket::Engine::Assembler->new( $self->{max_payload_size} || 0, $self->{max_fragments_amount} || 0, $self->{_legacy} ? 1 : 0 );
        };
        return( $self->error( "Unable to create the frame assembler: " . _clean_croak( $@ ) ) ) if( !$asm );
        $self->{_assembler} = $asm;
    }
    if( defined( $self->{buffer} ) && length( $self->{buffer} ) )
    {
        my $pending = $self->{buffer};
        $self->{buffer} = '';
        local $@;
        eval{ $asm->append( $pending ); 1 } ||
            return( $self->error( "Unable to append data to the frame buffer: " . _clean_croak( $@ ) ) );
    }
    return( $asm );
}

sub _is_legacy_version
{
    my $v = shift( @_ );
    my $type = $v->can( 'type' ) ? $v->type : undef;
    $type = defined( $type ) ? lc( "$type" ) : '';
    return( 1 ) if( $type eq 'hixie' );
    if( $type eq 'hybi' && $v->can( 'revision' ) )
    {
        my $rev = $v->revision;
        return( 1 ) if( defined( $rev ) && "$rev" =~ /^\d+$/ && "$rev" <= 3 );
    }
    return( 0 );
}

# A payload given first to new(): a plain scalar, or an object that stringifies (such as a
# WebSocket::Generic::Scalar), but not a hash of options.
sub _is_data
{
    my $v = shift( @_ );
    return( 1 ) if( !ref( $v ) );
    return( ( Scalar::Util::blessed( $v ) && Scalar::Util::reftype( $v ) ne 'HASH' && overload::Method( $v, '""' ) ) ? 1 : 0 );
}

# The opcode as a number for the is_* tests: 1 when unset, -1 when not a number.
sub _opcode_of
{
    my $op = $_[0]->{opcode};
    return( 1 ) if( !defined( $op ) );
    return( ( "$op" =~ /^\d+$/ ) ? "$op" : -1 );
}

# Case-insensitive look-up of a type name; the opcode or undef.
sub _lookup_type
{
    my( $types, $t ) = @_;
    return( $types->{ $t } ) if( exists( $types->{ $t } ) );
    my $lc = lc( $t );
    for my $k ( keys( %$types ) )
    {
        return( $types->{ $k } ) if( lc( $k ) eq $lc );
    }
    return;
}

# The framing mode changed: an assembler made for the other mode is dropped (with whatever
# it held), and the next append makes a new one.
sub _set_legacy
{
    my( $self, $legacy ) = @_;
    $legacy = $legacy ? 1 : 0;
    $self->{_assembler} = undef if( $legacy != ( $self->{_legacy} ? 1 : 0 ) );
    $self->{_legacy} = $legacy;
    return( $legacy );
}

# max_payload_size and max_fragments_amount: a non-negative integer, 0 meaning no limit.
# undef restores the default of the package variable. The engine gets the new limits at once.
sub _set_get_limit
{
    my $self = shift( @_ );
    my $field = shift( @_ );
    my $default = shift( @_ );
    if( @_ )
    {
        my $v = shift( @_ );
        $v = $default if( !defined( $v ) );
        $v = "$v" if( ref( $v ) );
        if( !defined( $v ) || !Scalar::Util::looks_like_number( $v ) || $v < 0 || $v != int( $v ) )
        {
            return( $self->error( "Value provided for $field (\"" . ( $v // 'undef' ) . "\") is not a positive integer or 0." ) );
        }
        $self->{ $field } = int( $v );
        if( Scalar::Util::blessed( $self->{_assembler} ) )
        {
            $self->{_assembler}->set_limits( $self->{max_payload_size} || 0, $self->{max_fragments_amount} || 0 );
        }
    }
    return( WebSocket::Generic::Number->new( $self->{ $field } ) );
}

1;

__END__

=encoding utf-8

=head1 NAME

WebSocket::Frame - build and read WebSocket frames

=head1 SYNOPSIS

    use WebSocket::Frame;

    # Sending: one frame from a payload
    my $frame = WebSocket::Frame->new( buffer => 'Hello', type => 'text', masked => 1 ) ||
        die( WebSocket::Frame->error );
    my $bytes = $frame->to_bytes // die( $frame->error );
    print( $socket $bytes );

    # Same thing, short form: the first argument is the payload
    my $ping = WebSocket::Frame->new( 'still there?', type => 'ping' )->to_bytes;

    # Receiving: append what the socket gave, then take out every complete message
    my $reader = WebSocket::Frame->new( max_payload_size => 1_048_576 );
    while( sysread( $socket, my $chunk, 65536 ) )
    {
        $reader->append( $chunk );    # $chunk is now ''
        while( defined( my $bytes = $reader->next_bytes ) )
        {
            # opcode, fin, rsv and masked now describe this message
            if( $reader->is_text )
            {
                my $text = Encode::decode( 'UTF-8', $bytes );
                ...
            }
            elsif( $reader->is_close )
            {
                ...
            }
        }
        # undef: either more data is needed, or the data was refused
        die( $reader->error ) if( $reader->error );
    }

=head1 VERSION

    v0.3.0

=head1 DESCRIPTION

A C<WebSocket::Frame> object does two jobs, as its counterpart in the original C<WebSocket>
distribution (and L<Protocol::WebSocket::Frame>, which it followed) did:

=over 4

=item * it serialises one frame (RFC 6455 section 5.2) from a payload and the header fields
you give it (L</opcode> or L</type>, L</fin>, L</rsv>, L</masked>, L</mask>): see
L</to_bytes>;

=item * it reads the bytes received from a peer, given to it in chunks of any size with
L</append>, and returns each complete message with L</next_bytes> or L</next>. Fragmented
messages are joined, masked payloads are unmasked, and a control frame that arrives between
the fragments of a message is returned at once.

=back

The parsing and serialising are done by the Rust engine of this distribution: appended bytes
are copied into the engine's buffer, and the payload of a message is copied out once when it
is complete. Masking keys come from a secure random source.

The frame does not check the protocol rules that belong to a connection (reserved bits without
an extension, masking direction, control frame sizes, UTF-8 validity): it only reads and
writes the framing, as the original did. L<WebSocket::Connection> and L<WebSocket::Client>
apply those rules.

For the drafts that predate RFC 6455 framing (the hixie drafts and hybi drafts 00 to 03, chosen
with the L</version> option), messages are framed as C<0x00 payload 0xFF>, and a close as
C<0xFF 0x00>.

=head1 CONSTRUCTOR

=head2 new

    my $f = WebSocket::Frame->new;
    my $f = WebSocket::Frame->new( $payload );
    my $f = WebSocket::Frame->new( $payload, type => 'binary' );
    my $f = WebSocket::Frame->new( $payload, { type => 'binary' } );
    my $f = WebSocket::Frame->new( buffer => $payload, type => 'binary' );
    my $f = WebSocket::Frame->new({ buffer => $payload, type => 'binary' });

Creates a frame. A lone first argument, or a first argument followed by options, is the
payload (the same as the C<buffer> option). A payload that is a string of characters (with
Perl's UTF-8 flag on) is encoded to UTF-8 bytes.

The options, each of which is also a method described below:

=over 4

=item * C<buffer>: the payload; default empty.

=item * C<fin>: whether this is the last frame of a message; default true (undefined, read
back as 1).

=item * C<mask>: the masking key used when C<masked> is true; default unset, meaning a fresh
random key for every frame.

=item * C<masked>: whether to mask the payload; default false.

=item * C<max_fragments_amount>: default C<$WebSocket::Frame::MAX_FRAGMENTS_AMOUNT> (128).

=item * C<max_payload_size>: default C<$WebSocket::Frame::MAX_PAYLOAD_SIZE> (65536); 0 for
no limit.

=item * C<opcode>: the frame's opcode; default undefined, read back as 1 (text).

=item * C<rsv>: the reserved bits, as C<[ rsv1, rsv2, rsv3 ]>; default none set.

=item * C<type>: one of C<continuation>, C<text>, C<binary>, C<ping>, C<pong>, C<close>. A
known type sets the opcode, and wins over the C<opcode> option.

=item * C<version>: the protocol version or draft, default C<draft-ietf-hybi-17> (RFC 6455).

=item * C<debug>, C<fatal>: see L<WebSocket>.

=back

The package variables C<$MAX_PAYLOAD_SIZE>, C<$MAX_FRAGMENTS_AMOUNT> and C<$TYPES> are read
when a frame is created, so they can be changed for the frames created within a scope:

    local $WebSocket::Frame::MAX_PAYLOAD_SIZE = 1024;
    my $small = WebSocket::Frame->new;

On failure (an unknown option, an invalid value), C<new> returns C<undef> and
C<< WebSocket::Frame->error >> tells why.

=head1 METHODS

=head2 append

    $frame->append( $bytes );

Adds received bytes to the frame buffer and returns the object, or C<undef> when given
C<undef>. The variable passed is emptied (set to C<''>) unless it is read-only, so that a read
buffer can be reused straight away. An lvalue such as C<substr( $data, 0, 10 )> is left as
it is: emptying it would cut the string it comes from. A string with Perl's UTF-8 flag is taken as the bytes it
holds when it has no character above 255, and as its UTF-8 encoding otherwise.

=head2 buffer

Sets or gets the payload that L</to_bytes> sends, as a L<WebSocket::Generic::Scalar>. A
string of characters is stored as its UTF-8 encoding.

Bytes put in the buffer are also what the reading side parses first: C<< new( $bytes ) >>
followed by L</next_bytes> reads frames from C<$bytes>, as in the original. Once handed to
the engine (by the next L</append> or L</next_bytes>), they leave the buffer, which then reads
as empty.

=head2 fin

Sets or gets the FIN bit: true for the last (or only) frame of a message. Reads as 1 when
unset. After L</next_bytes> it is the FIN bit of the frame just read (1 for a whole message).

=head2 fragments

Returns a L<WebSocket::Generic::Array> describing the message whose fragments have arrived
but not its last frame: empty when there is none, otherwise one element for the message's
opcode followed by one element per fragment received, as in the original. The engine keeps
the opcode and the bytes itself, so the elements are placeholders; use the array's length.

Given an empty array reference, it discards the message in progress (together with any
unread bytes). Any other value is an error.

=head2 is_binary

True if the opcode is 2 (binary).

=head2 is_close

True if the opcode is 8 (close).

=head2 is_continuation

True if the opcode is 0 (continuation).

=head2 is_ping

True if the opcode is 9 (ping).

=head2 is_pong

True if the opcode is 10 (pong).

=head2 is_text

True if the opcode is 1 (text). It is true on a new frame, whose opcode reads as 1.

=head2 mask

    my $f = WebSocket::Frame->new( buffer => 'Hello', masked => 1, mask => "\x37\xfa\x21\x3d" );
    my $f = WebSocket::Frame->new( buffer => 'Hello', masked => 1, mask => 939139389 );

Sets or gets the masking key that L</to_bytes> uses when L</masked> is true: a string of 4
bytes, or an integer from 0 to 4294967295 (written big-endian, so C<939139389> is the key
C<37 fa 21 3d>), or a hexadecimal string such as C<0x37fa213d>. A string made only of digits
is always read as an integer. Returns the value as it was given.

When unset (the default, or after setting C<undef>), each call to L</to_bytes> uses a new key
from a secure random source, which is what RFC 6455 requires of clients. A fixed key is meant
for tests and for reproducing frames byte for byte.

=head2 masked

Sets or gets whether L</to_bytes> masks the payload. After L</next_bytes> it tells whether
the frame just read was masked.

=head2 max_fragments_amount

Sets or gets the largest number of frames a fragmented message may be split into, as a
L<WebSocket::Generic::Number>; 0 means no limit. When a message goes over it,
L</next_bytes> fails with the code 1011 and the message C<Too many fragments>, and the
fragments received are dropped. Setting C<undef> restores the default,
C<$MAX_FRAGMENTS_AMOUNT>. The new value applies to the data already appended.

=head2 max_payload_size

Sets or gets the largest payload, in bytes, of a frame read or written, as a
L<WebSocket::Generic::Number>; 0 means no limit. When a received frame announces more (or a
fragmented message grows past it), L</next_bytes> empties the buffer and fails with the code
1009 and the message
C<Payload is too big. Deny big message (LENGTH) or increase max_payload_size (MAX)>; the check
is made on the frame header, before the payload is buffered. When the payload given to
L</to_bytes> is bigger, it fails with the code 1009 and the message
C<Payload is too big. Send shorter messages or increase max_payload_size>. Setting C<undef>
restores the default, C<$MAX_PAYLOAD_SIZE>. The new value applies to the data already
appended.

=head2 next

Like L</next_bytes>, but the payload of a text message is returned decoded from UTF-8 into a
Perl string (malformed sequences become U+FFFD); other payloads are returned as bytes.

=head2 next_bytes

Returns the payload of the next complete message in the appended data, as bytes (C<''> for an
empty payload). Returns C<undef> when more data is needed, and C<undef> with an error set
(see L</max_payload_size> and L</max_fragments_amount>) when the data cannot be accepted. Call
it in a loop until it returns C<undef>: one L</append> may complete several messages.

Each call first clears the object's last error, so that after C<undef>, C<< $frame->error >>
tells whether the data was refused (an exception) or is merely incomplete (C<undef>).

After each message, L</opcode>, L</fin>, L</rsv> and L</masked> describe it. A fragmented
message is returned whole once its last frame has arrived, with the opcode of its first frame;
a control frame (ping, pong, close) arriving between its fragments is returned first, on its
own.

=head2 opcode

Sets or gets the opcode, an integer from 0 to 15. Reads as 1 (text) when unset. After
L</next_bytes> it is the opcode of the message just read.

=head2 rsv

Sets or gets the three reserved bits as a L<WebSocket::Generic::Array> C<[ rsv1, rsv2, rsv3 ]>
of true or false values; L</to_bytes> sets the bits that are true. After L</next_bytes> it
holds the bits of the frame just read, as 0 or 1 (for a fragmented message, those of its last
frame).

=head2 supported_types

    my $types = WebSocket::Frame->supported_types;       # continuation binary close ping pong text
    print "ok\n" if( $frame->supported_types( 'Ping' ) );

Without argument, returns the type names in alphabetical order as a
L<WebSocket::Generic::Array>. With a type name, returns true if it is a known type, whatever
its case. Works as a class method (reading C<$TYPES>) and as an object method (reading the
table the frame was created with).

=head2 to_bytes

Returns the frame serialised: header, masking key when masked, and the (masked) payload, with
the payload length written in 7, 16 or 64 bits, whichever is the shortest. Returns C<undef>
with an error when the payload is larger than L</max_payload_size> (code 1009, see there), or
when the opcode is not an integer from 0 to 15 (code 1002).

With a legacy L</version>, returns C<0x00 payload 0xFF>, or C<0xFF 0x00> when the opcode is
8 (close). A payload containing the byte 0xFF, which would end the frame early, is refused
with the code 1007; the size limit does not apply, as in the original.

=head2 type

Sets or gets the frame type name (C<text>, C<binary>, ...) as a
L<WebSocket::Generic::Scalar>. Setting a known type (in any case) also sets the L</opcode>.
L</next_bytes> does not change it.

=head2 version

Sets or gets the protocol version, as a L<WebSocket::Version> object. It may be set with a
version object, a version number (C<13>) or a draft name (C<draft-ietf-hybi-17>), and defaults
to C<draft-ietf-hybi-17>. The hixie drafts and the hybi drafts 00 to 03 use the legacy
framing; changing between legacy and RFC 6455 framing discards data appended but not read.

=head1 CONSTANTS

These constants are not exported; they are kept from the original, which used them to build
frames in Perl.

=head2 MAX_RAND_INT

2**32, the number of possible masking keys.

=head2 MATH_RANDOM_SECURE

Always true: masking keys come from the engine's secure random source (the original used
L<Math::Random::Secure> when it was installed).

=head2 SUPPORT_64BITS

True when this perl has 64-bit integers. Payload lengths are handled by the engine in 64 bits
in any case.

=head2 RSV1

C<chr(64)>, the RSV1 bit of the first header byte.

=head2 RSV2

C<chr(32)>, the RSV2 bit.

=head2 RSV3

C<chr(16)>, the RSV3 bit.

=head1 PACKAGE VARIABLES

=over 4

=item C<$WebSocket::Frame::MAX_PAYLOAD_SIZE>: 65536.

=item C<$WebSocket::Frame::MAX_FRAGMENTS_AMOUNT>: 128.

=item C<$WebSocket::Frame::TYPES>: the type names and their opcodes:
C<< { continuation => 0, text => 1, binary => 2, close => 8, ping => 9, pong => 10 } >>.

=back

=head1 ERRORS

Methods do not die: they return C<undef> (an empty list in list context) and set a
L<WebSocket::Exception> available from C<< $frame->error >>, with a C<code> when one of the
RFC 6455 close codes applies (1009 for a payload too big, 1011 for too many fragments), so
that a connection can close with it. With the option C<< fatal => 1 >>, errors are thrown.

=head1 THREADS

A frame can be used in a thread created after it: the object is copied, but the engine's
buffer is not, so data appended and not yet read before the thread was created is not seen
in the new thread, which starts with an empty buffer.

=head1 SEE ALSO

L<WebSocket>, L<WebSocket::Connection>, L<WebSocket::Client>, L<WebSocket::Version>,
L<Protocol::WebSocket::Frame>

RFC 6455, section 5 (data framing).

=head1 COPYRIGHT & LICENSE

This library is free software; you can redistribute it and/or modify it under the same terms
as Perl itself.

=cut
