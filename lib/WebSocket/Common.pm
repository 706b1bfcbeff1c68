package WebSocket::Common;
use strict;
use warnings;
use parent qw( WebSocket );
use vars qw( $MAX_MESSAGE_SIZE $MAX_LINE_LENGTH $MAX_HEADERS $MAX_HEAD_SIZE @EXPORT_OK %EXPORT_TAGS $VERSION );
use WebSocket qw( WEBSOCKET_DRAFT_VERSION_DEFAULT );
use Digest::MD5 ();
use HTTP::Headers ();
use HTTP::Status ();
use Scalar::Util ();
use URI ();
use WebSocket::Headers;
use WebSocket::Version;
use WebSocket::Extension;
use constant {
    PARSE_DONE       => 0,
    PARSE_INCOMPLETE => -1,
    PARSE_WAITING    => -2,
    PARSE_MAYBE_MORE => -3,
};

our $VERSION = 'v0.3.0';

# Default of max_message_size: the largest opening handshake message (head and body) accepted.
our $MAX_MESSAGE_SIZE = 10 * 2048;
# Limits given to the engine's HTTP head parser.
our $MAX_LINE_LENGTH  = 8192;
our $MAX_HEADERS      = 100;
our $MAX_HEAD_SIZE    = 16384;

our @EXPORT_OK = qw( PARSE_DONE PARSE_INCOMPLETE PARSE_WAITING PARSE_MAYBE_MORE WEBSOCKET_DRAFT_VERSION_DEFAULT );
our %EXPORT_TAGS = ( all => [ @EXPORT_OK ] );

# The shared base of WebSocket::Request and WebSocket::Response: the HTTP message parts of
# the opening handshake (headers, buffer, version, subprotocols, extensions), the legacy
# hixie-76 key arithmetic, and an incremental HTTP head parser (parse_chunk).

sub init
{
    my $self = shift( @_ );
    $self->{buffer}           = '' if( !defined( $self->{buffer} ) );
    $self->{checksum}         = undef if( !defined( $self->{checksum} ) || !length( $self->{checksum} ) );
    $self->{cookies}          = undef if( !exists( $self->{cookies} ) );
    $self->{extensions}       = [] if( !defined( $self->{extensions} ) );
    $self->{max_message_size} = $MAX_MESSAGE_SIZE if( !defined( $self->{max_message_size} ) || !length( $self->{max_message_size} ) );
    $self->{protocol}         = '' if( !defined( $self->{protocol} ) );
    $self->{subprotocol}      = [] if( !defined( $self->{subprotocol} ) );
    $self->{uri}              = undef if( !defined( $self->{uri} ) || !length( $self->{uri} ) );
    # Never the module's own version: a WebSocket::Version, set below when not given.
    $self->{version}          = undef if( !ref( $self->{version} ) );
    # State of parse_chunk
    $self->{state}            = 'blank';
    $self->{_exception_class} //= 'WebSocket::Exception';
    # Options that others depend on are applied first: headers before the header shortcuts
    # (host, key, origin...), and version before origin, whose header name depends on it.
    $self->{_init_params_order} //= [qw( buffer headers version )];
    $self->SUPER::init( @_ ) || return( $self->pass_error );
    if( !defined( $self->version ) )
    {
        my $v;
        for my $name ( qw( Sec-WebSocket-Version WebSocket-Version ) )
        {
            my $val = $self->_header_value( $name );
            next unless( defined( $val ) && $val =~ /^\s*(\d{1,2})\s*$/ );
            $v = WebSocket::Version->new( $1 );
            last if( defined( $v ) );
        }
        $v //= WebSocket::Version->new( WEBSOCKET_DRAFT_VERSION_DEFAULT ) ||
            return( $self->pass_error( WebSocket::Version->error ) );
        $self->version( $v );
    }
    return( $self );
}

sub buffer { return( shift->_set_get_scalar_as_object( 'buffer', @_ ) ); }

sub challenge { return( shift->_set_get_scalar_as_object( 'challenge', @_ ) ); }

sub checksum
{
    my $self = shift( @_ );
    if( @_ )
    {
        $self->{checksum} = shift( @_ );
        $self->{checksum} = "$self->{checksum}" if( ref( $self->{checksum} ) );
        return( $self );
    }
    return( $self->{checksum} ) if( defined( $self->{checksum} ) );
    my $n1 = $self->number1;
    my $n2 = $self->number2;
    my $challenge = $self->{challenge};
    return( $self->error( "number1 is required" ) ) unless( defined( $n1 ) && length( "$n1" ) );
    return( $self->error( "number2 is required" ) ) unless( defined( $n2 ) && length( "$n2" ) );
    return( $self->error( "challenge is required" ) ) unless( defined( $challenge ) && length( $challenge ) );
    # hixie-76 section 5.2: MD5 over both numbers as 32-bit big-endian integers and key3
    $self->{checksum} = Digest::MD5::md5( pack( 'N', "$n1" ) . pack( 'N', "$n2" ) . $challenge );
    return( $self->{checksum} );
}

sub content { return( shift->buffer( @_ ) ); }

sub extensions
{
    my $self = shift( @_ );
    if( @_ )
    {
        my $v = @_ == 1 ? shift( @_ ) : [ @_ ];
        $v = [] if( !defined( $v ) );
        $v = [ $v ] if( Scalar::Util::reftype( $v ) // '' ) ne 'ARRAY';
        my @list;
        for my $item ( @$v )
        {
            next if( !defined( $item ) );
            if( Scalar::Util::blessed( $item ) && $item->isa( 'WebSocket::Extension' ) )
            {
                push( @list, $item );
                next;
            }
            # A header value such as "permessage-deflate; client_max_window_bits, foo"
            my $str = "$item";
            next if( $str !~ /\S/ );
            my $all = WebSocket::Extension->new_from_multi( $str ) ||
                return( $self->pass_error( WebSocket::Extension->error ) );
            push( @list, @$all );
        }
        $self->{extensions} = WebSocket::Generic::Array->new( \@list );
    }
    $self->{extensions} = WebSocket::Generic::Array->new( $self->{extensions} || [] )
        if( !Scalar::Util::blessed( $self->{extensions} ) );
    return( $self->{extensions} );
}

sub headers
{
    my $self = shift( @_ );
    if( @_ )
    {
        my $v = shift( @_ );
        if( Scalar::Util::blessed( $v ) && $v->isa( 'HTTP::Headers' ) )
        {
            my $h = $v->clone;
            $self->{headers} = bless( $h => 'WebSocket::Headers' );
        }
        elsif( ( Scalar::Util::reftype( $v ) // '' ) eq 'ARRAY' )
        {
            $self->{headers} = $self->_new_headers( @$v );
        }
        else
        {
            return( $self->error( "Bad value for headers. I was expecting either an array reference or a HTTP::Headers object (including WebSocket::Headers) and I got instead '", ( defined( $v ) ? overload::StrVal( $v ) : 'undef' ), "'." ) );
        }
    }
    elsif( !$self->{headers} )
    {
        $self->{headers} = WebSocket::Headers->new;
    }
    return( $self->{headers} );
}

sub headers_as_string { return( shift->headers->as_string( @_ ) ); }

sub host { return( shift->_header_accessor( 'Host', @_ ) ); }

sub is_client_error { return( shift->_is_status( 'is_client_error', @_ ) ); }

sub is_done { return( shift->_set_get_boolean( 'is_done', @_ ) ); }

sub is_error { return( shift->_is_status( 'is_error', @_ ) ); }

sub is_redirect { return( shift->_is_status( 'is_redirect', @_ ) ); }

sub is_server_error { return( shift->_is_status( 'is_server_error', @_ ) ); }

sub is_success { return( shift->_is_status( 'is_success', @_ ) ); }

sub max_message_size { return( shift->_set_get_number( 'max_message_size', @_ ) ); }

sub number1 { return( shift->_set_get_scalar( 'number1', @_ ) ); }

sub number2 { return( shift->_set_get_scalar( 'number2', @_ ) ); }

# Incremental parser: feed it data as it arrives. While the head is incomplete it returns
# PARSE_WAITING; once the blank line has arrived it creates $self->request or
# $self->response from the head, gives it everything received after the head as content,
# and returns PARSE_DONE; later data is added to that content.
sub parse_chunk
{
    my $self = shift( @_ );
    my $data = shift( @_ );
    $data = '' if( !defined( $data ) );
    $self->{buffer} = '' if( !defined( $self->{buffer} ) );
    $self->{buffer} .= "$data";
    my $state = $self->{state} // 'blank';

    if( $state eq 'blank' )
    {
        # Blank lines before the start line are allowed (RFC 7230 section 3.5).
        $self->{buffer} =~ s/^(?:\x0d?\x0a)+//;
        return( PARSE_WAITING ) unless( length( $self->{buffer} ) );
        $state = $self->{state} = 'header';
    }

    if( $state eq 'header' )
    {
        my( $n, $head, @err ) = $self->_parse_head( $self->{buffer} );
        return( PARSE_WAITING ) if( !defined( $n ) );
        return( $self->error({ code => $err[0], message => $head }) ) if( $n < 0 );
        my $rest = substr( $self->{buffer}, $n );
        $self->{buffer} = '';
        my $obj;
        if( $head->{type} eq 'response' )
        {
            require WebSocket::Response;
            $obj = WebSocket::Response->new( $head->{code}, $head->{status}, debug => $self->debug ) ||
                return( $self->pass_error( WebSocket::Response->error ) );
            $self->response( $obj );
        }
        else
        {
            require WebSocket::Request;
            my $uri = $head->{uri};
            # An absolute path must not be taken for a scheme-relative URI ("//host/..."):
            # give URI an empty authority so that the path is kept as it is.
            $uri = "//$uri" if( $uri =~ m{^/} );
            $obj = WebSocket::Request->new( method => $head->{method}, uri => $uri, debug => $self->debug ) ||
                return( $self->pass_error( WebSocket::Request->error ) );
            $self->request( $obj );
        }
        $obj->protocol( $head->{protocol} );
        my $h = $obj->headers;
        my @pairs = @{ $head->{headers} || [] };
        while( my( $name, $value ) = splice( @pairs, 0, 2 ) )
        {
            $h->push_header( $name => $value );
        }
        $obj->{buffer} = $rest;
        $self->{_chunk_obj} = $obj;
        $self->{state} = 'body';
        $self->is_done(1);
        return( $self->_parse_chunk_done( $obj ) );
    }
    elsif( $state eq 'body' )
    {
        my $obj = $self->{_chunk_obj};
        if( length( $self->{buffer} ) )
        {
            $obj->{buffer} = '' if( !defined( $obj->{buffer} ) );
            $obj->{buffer} .= $self->{buffer};
            $self->{buffer} = '';
        }
        return( $self->_parse_chunk_done( $obj ) );
    }
    elsif( $state eq 'trailer' )
    {
        # Trailers only follow a chunked body, which an opening handshake never has.
        return( PARSE_INCOMPLETE );
    }
    return( $self->error( "Unknown state '$state'" ) );
}

sub protocol { return( shift->_set_get_scalar_as_object( 'protocol', @_ ) ); }

sub request { return( shift->_set_get_object( 'request', 'WebSocket::Request', @_ ) ); }

sub response { return( shift->_set_get_object( 'response', 'WebSocket::Response', @_ ) ); }

sub secure { return( shift->_set_get_boolean( 'secure', @_ ) ); }

sub status_message
{
    my $self = shift( @_ );
    my $code = @_ ? shift( @_ ) : $self->_status_code;
    return( defined( $code ) ? HTTP::Status::status_message( $code ) : undef );
}

sub subprotocol
{
    my $self = shift( @_ );
    if( @_ )
    {
        my @list;
        if( @_ == 1 && ( Scalar::Util::reftype( $_[0] ) // '' ) eq 'ARRAY' )
        {
            @list = @{ $_[0] };
        }
        elsif( @_ == 1 )
        {
            my $v = shift( @_ );
            @list = defined( $v ) ? ( "$v" ) : ();
        }
        else
        {
            @list = @_;
        }
        # Protocol names are tokens: "a b" and "a, b" both give two of them.
        @list = grep{ length( $_ ) } map{ split( /[\s,]+/, ( defined( $_ ) ? "$_" : '' ) ) } @list;
        $self->{subprotocol} = WebSocket::Generic::Array->new( \@list );
    }
    $self->{subprotocol} = WebSocket::Generic::Array->new( $self->{subprotocol} || [] )
        if( !Scalar::Util::blessed( $self->{subprotocol} ) );
    return( $self->{subprotocol} );
}

sub uri { return( shift->_set_get_uri( 'uri', @_ ) ); }

sub version
{
    my $self = shift( @_ );
    if( @_ )
    {
        my $v = $self->_to_version( shift( @_ ) );
        return( $self->pass_error ) if( !defined( $v ) && $self->{_version_error} );
        $self->{version} = $v;
    }
    return( $self->{version} );
}

# Adds data (a string, or what can be read from an object with a read method) to the
# buffer, and refuses a message larger than max_message_size.
sub _append
{
    my $self = shift( @_ );
    return( $self->pass_error ) if( $self->error );
    $self->{buffer} = '' if( !defined( $self->{buffer} ) );
    # One byte more than the limit is enough to tell that a message is too long.
    my $len = $self->{max_message_size} ? $self->{max_message_size} + 1 : 65536;
    if( Scalar::Util::blessed( $_[0] ) && $_[0]->can( 'read' ) )
    {
        my $buf = '';
        $_[0]->read( $buf, $len );
        $self->{buffer} .= $buf if( defined( $buf ) );
    }
    elsif( ref( $_[0] ) eq 'GLOB' )
    {
        my $buf = '';
        CORE::read( $_[0], $buf, $len );
        $self->{buffer} .= $buf if( defined( $buf ) );
    }
    elsif( defined( $_[0] ) )
    {
        $self->{buffer} .= "$_[0]";
    }
    my $max = $self->{max_message_size};
    if( defined( $max ) && $max > 0 && length( $self->{buffer} ) > $max )
    {
        return( $self->error({ code => 413, message => "Message is too long" }) );
    }
    return( $self );
}

# hixie-76 section 5.2: the digits of a key divided by its number of spaces.
sub _extract_number
{
    my $self = shift( @_ );
    my $key  = shift( @_ );
    return if( !defined( $key ) );
    $key = "$key";
    my $digits = join( '', $key =~ /(\d+)/g );
    my $spaces = ( $key =~ tr/ / / );
    return if( !$spaces || !length( $digits ) );
    return( int( $digits / $spaces ) );
}

# A fresh base64 nonce of 16 random bytes, as Sec-WebSocket-Key or Sec-WebSocket-Nonce.
sub _generate_16bit_nonce { return( WebSocket::Engine::generate_key() ); }

# The value of a header field as a plain string (several values are joined with ", "), or
# undef when absent.
sub _header_value
{
    my( $self, $name ) = @_;
    my @v = $self->headers->HTTP::Headers::header( $name );
    return if( !@v );
    return( join( ', ', map{ defined( $_ ) ? "$_" : '' } @v ) );
}

# Get or set a header field; undef removes it. Returns the value as a scalar object.
sub _header_accessor
{
    my $self = shift( @_ );
    my $name = shift( @_ );
    if( @_ )
    {
        my $v = shift( @_ );
        if( defined( $v ) )
        {
            $self->headers->HTTP::Headers::header( $name => "$v" );
        }
        else
        {
            $self->headers->remove_header( $name );
        }
    }
    return( WebSocket::Generic::Scalar->new( $self->_header_value( $name ) ) );
}

sub _new_headers
{
    my $self = shift( @_ );
    my $h = WebSocket::Headers->new;
    while( my( $name, $value ) = splice( @_, 0, 2 ) )
    {
        $h->push_header( $name => ( ref( $value ) eq 'ARRAY' ? [ map{ "$_" } @$value ] : "$value" ) );
    }
    return( $h );
}

# Runs the engine's HTTP head parser on $_[1] with our limits. Returns () while more bytes
# are needed, ( $consumed, \%head ) when the head is complete, or ( -1, $message, $status )
# on error.
sub _parse_head
{
    my $self = shift( @_ );
    my @r;
    # The engine takes bytes: a string with wide characters makes it croak.
    local $@;
    eval{ @r = WebSocket::Engine::parse_http_head( $_[0], $MAX_LINE_LENGTH, $MAX_HEADERS, $MAX_HEAD_SIZE ); 1 } ||
        return( -1, "The data is not a byte string: " . ( $@ =~ s/ at \S+ line \d+\.?\n?\z//r ), 400 );
    return if( !@r );
    return( $r[0], $r[1], $r[2] // 400, $r[3] ) if( $r[0] < 0 );
    return( @r[0, 1] );
}

# Sec-WebSocket-Accept for a key, or undef and an error (the engine croaks on wide characters).
sub _accept_key
{
    my( $self, $key ) = @_;
    my $v;
    local $@;
    eval{ $v = WebSocket::Engine::accept_key( "$key" ); 1 } ||
        return( $self->error( "Unable to compute the Sec-WebSocket-Accept value: " . ( $@ =~ s/ at \S+ line \d+\.?\n?\z//r ) ) );
    return( $v );
}

# What parse_chunk returns once the head has been parsed; Request and Response also fill
# themselves from the parsed message when it is of their own kind.
sub _parse_chunk_done { return( PARSE_DONE ); }

sub _random_int
{
    my( $self, $n ) = @_;
    return( 0 ) if( $n <= 1 );
    return( unpack( 'N', WebSocket::Engine::random_bytes(4) ) % $n );
}

# A WebSocket::Version from an object, a version number or a draft name. A hixie version
# object is false in boolean context, so only definedness is tested here.
sub _to_version
{
    my( $self, $v ) = @_;
    $self->{_version_error} = 0;
    return if( !defined( $v ) || ( !ref( $v ) && !length( $v ) ) );
    return( $v ) if( Scalar::Util::blessed( $v ) && $v->isa( 'WebSocket::Version' ) );
    my $o = WebSocket::Version->new( ref( $v ) eq 'ARRAY' ? @$v : "$v" );
    if( !defined( $o ) )
    {
        $self->{_version_error} = 1;
        return( $self->pass_error( WebSocket::Version->error ) );
    }
    return( $o );
}

# The type ('hybi' or 'hixie') and revision of a version object, as plain values.
sub _version_info
{
    my( $self, $v ) = @_;
    return( '', -1 ) if( !defined( $v ) );
    my $type = $v->type;
    my $rev  = $v->revision;
    return( ( defined( $type ) ? "$type" : '' ), ( defined( $rev ) && length( "$rev" ) ? "$rev" + 0 : -1 ) );
}

sub _is_status
{
    my $self = shift( @_ );
    my $func = shift( @_ );
    my $code = $self->_status_code( @_ );
    return( 0 ) if( !defined( $code ) || $code !~ /^\d{3}$/ );
    no strict 'refs';
    return( &{"HTTP::Status::${func}"}( $code ) ? 1 : 0 );
}

# The status code for the is_* helpers: the argument, or the object's own code.
sub _status_code
{
    my $self = shift( @_ );
    return( defined( $_[0] ) ? "$_[0]" : undef ) if( @_ );
    return unless( ref( $self ) && $self->can( 'code' ) );
    my $c = $self->code;
    return( defined( $c ) ? "$c" : undef );
}

# As in the original, loading this class (or either subclass) makes both message classes
# available. At this point everything above is compiled and the export lists are set.
require WebSocket::Request;
require WebSocket::Response;

1;

__END__

=encoding utf-8

=head1 NAME

WebSocket::Common - what WebSocket::Request and WebSocket::Response share

=head1 SYNOPSIS

    use WebSocket::Common qw( :all );

    # Usually through a subclass
    my $req = WebSocket::Request->new( host => 'example.com', uri => '/chat' );
    print $req->headers->header( 'Host' ), "\n";
    print $req->version->draft, "\n";          # draft-ietf-hybi-17

    # Parse an HTTP message as it arrives
    my $p = WebSocket::Common->new;
    my $rv;
    for my $chunk ( @chunks )
    {
        $rv = $p->parse_chunk( $chunk ) // die( $p->error );
        last if( $rv == PARSE_DONE );
    }
    my $msg = $p->request;    # or $p->response for a status line

    {
        # A smaller limit for the messages created in this scope
        local $WebSocket::Common::MAX_MESSAGE_SIZE = 4096;
        my $small = WebSocket::Request->new;
    }

=head1 VERSION

    v0.3.0

=head1 DESCRIPTION

This class holds what the two HTTP messages of the WebSocket opening handshake have in
common: the header fields (a L<WebSocket::Headers> object), a byte buffer, the protocol
L<version|WebSocket::Version>, the subprotocols and L<extensions|WebSocket::Extension>, and
the arithmetic of the legacy hixie-76 keys. L<WebSocket::Request> and L<WebSocket::Response>
inherit from it.

It also provides L</parse_chunk>, a parser that accepts an HTTP message in pieces and tells
whether it has seen the whole head. The head itself is parsed by the Rust engine, with limits
on the line length, the number of fields and the size of the head.

Like every class of this distribution, the methods do not die: on failure they return
C<undef> (an empty list in list context) and record a L<WebSocket::Exception> available with
C<error>.

=head1 CONSTANTS

The parser's results, exported on request (C<:all> exports them all, together with
C<WEBSOCKET_DRAFT_VERSION_DEFAULT>):

=over 4

=item PARSE_DONE (0)

The head is complete; the message is available.

=item PARSE_INCOMPLETE (-1)

Waiting for the end of trailer fields (never reached by an opening handshake).

=item PARSE_WAITING (-2)

More data is needed before the end of the head.

=item PARSE_MAYBE_MORE (-3)

Reserved, never returned.

=item WEBSOCKET_DRAFT_VERSION_DEFAULT

C<draft-ietf-hybi-17>, re-exported from L<WebSocket>.

=back

=head1 VARIABLES

=over 4

=item C<$WebSocket::Common::MAX_MESSAGE_SIZE>

The default of L</max_message_size>: 20480 bytes. It is read when an object is created, so
C<local> works:

    local $WebSocket::Common::MAX_MESSAGE_SIZE = 1024;

=item C<$MAX_LINE_LENGTH>, C<$MAX_HEADERS>, C<$MAX_HEAD_SIZE>

The limits of the head parser: 8192 bytes per line, 100 header fields, 16384 bytes in all.

=back

=head1 CONSTRUCTOR

=head2 new

    my $msg = WebSocket::Common->new( %options );

Every method below can be given as an option. When no C<version> is given, it is taken from
a C<Sec-WebSocket-Version> (or C<WebSocket-Version>) header of one or two digits, and
otherwise defaults to C<draft-ietf-hybi-17>.

=head1 METHODS

=head2 buffer

Sets or gets the raw bytes of the message that follow its head. Returns a
L<WebSocket::Generic::Scalar>.

=head2 challenge

Sets or gets the 8 random bytes (the I<key3>) that a hixie-76 or hybi-00 to hybi-03 client
sends after its head. Returns a scalar object.

=head2 checksum

With a value, stores it as the checksum and returns the object itself, so calls can be
chained. Without, returns the stored checksum or computes it: the raw 16-byte MD5 of
L</number1> and L</number2> (each packed as a 32-bit big-endian integer) followed by the
L</challenge>, which is what a legacy server sends back after its head. Fails with
C<number1 is required>, C<number2 is required> or C<challenge is required> when a part is
missing.

=head2 content

An alias of L</buffer>.

=head2 extensions

Sets or gets the extensions as a L<WebSocket::Generic::Array> of L<WebSocket::Extension>
objects. Accepts extension objects, header strings such as
C<permessage-deflate; client_max_window_bits> (several extensions may be separated by
commas), or an array reference of either.

=head2 headers

Sets or gets the header fields. Accepts an array reference of name and value pairs, or an
L<HTTP::Headers> object (including a L<WebSocket::Headers>), which is copied. Anything else
fails with C<Bad value for headers. I was expecting either an array reference or a
HTTP::Headers object (including WebSocket::Headers) and I got instead '...'.> Returns the
L<WebSocket::Headers> object, creating an empty one on first use.

=head2 headers_as_string

The header fields as text, each line ending with the given end of line (default
C<"\n">, as L<HTTP::Headers/as_string>).

=head2 host

Sets or gets the C<Host> header field. Returns a scalar object.

=head2 is_client_error

=head2 is_error

=head2 is_redirect

=head2 is_server_error

=head2 is_success

    $msg->is_error( 404 );    # true

Whether the given HTTP status code (by default the object's own C<code>, for a response)
belongs to that class of status, as the functions of L<HTTP::Status>.

=head2 is_done

Boolean: set once a parse has gone through the whole message.

=head2 max_message_size

The largest message, in bytes, that C<parse> accepts before failing with
C<Message is too long>. Defaults to C<$WebSocket::Common::MAX_MESSAGE_SIZE>. Returns a
number object.

=head2 number1

=head2 number2

Set or get the numbers hidden in the hixie-76 keys C<Sec-WebSocket-Key1> and
C<Sec-WebSocket-Key2>; the subclasses compute them from the keys when not set.

=head2 parse_chunk

    my $rv = $p->parse_chunk( $data );

Adds data to the parser. Returns C<PARSE_WAITING> while the head is incomplete (blank lines
before the start line are skipped) and C<PARSE_DONE> once it is complete. A start line
C<HTTP/x.y CODE REASON> creates a L<WebSocket::Response> available from L</response>; a line
C<METHOD TARGET HTTP/x.y> creates a L<WebSocket::Request> available from L</request>. The
header fields are added to it in order, obs-fold lines joined, and everything after the head
becomes its L</content>; data given after that is added to the content. When the object
parsing is itself a Request or a Response and the message is of its kind, it also takes the
message's parts and checks it, as its C<parse> method does.

On a malformed head it returns C<undef> and sets an error, for example
C<'...' is not the start of a valid HTTP request or response>,
C<Bad header name in '...'> or C<Linear white space on first header line>.

=head2 protocol

Sets or gets the HTTP version of the message, such as C<HTTP/1.1>. Returns a scalar object.

=head2 request

Sets or gets the L<WebSocket::Request> created by L</parse_chunk> (an empty one is created on
first access).

=head2 response

Sets or gets the L<WebSocket::Response> created by L</parse_chunk> (an empty one is created on
first access).

=head2 secure

Boolean: whether the connection uses TLS (C<wss>).

=head2 status_message

    my $text = $msg->status_message( 404 );    # Not Found

The reason phrase of an HTTP status code, from L<HTTP::Status>.

=head2 subprotocol

Sets or gets the subprotocols as a L<WebSocket::Generic::Array>. Accepts an array reference,
a list, or a string in which names are separated by spaces or commas:

    $req->subprotocol( 'chat superchat' );
    print $req->subprotocol->join( ' ' )->scalar;    # chat superchat

=head2 uri

Sets or gets the request target or the resource, as a L<URI> object.

=head2 version

Sets or gets the protocol version as a L<WebSocket::Version> object. A version number (such
as 13) or a draft name (such as C<draft-ietf-hybi-17>) is turned into one.

=head1 SEE ALSO

L<WebSocket::Request>, L<WebSocket::Response>, L<WebSocket::Headers>,
L<WebSocket::Version>, L<WebSocket::Extension>

=head1 COPYRIGHT & LICENSE

This library is free software; you can redistribute it and/or modify it under the same
terms as Perl itself.

=cut
