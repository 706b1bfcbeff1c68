package WebSocket::Request;
use strict;
use warnings;
use parent qw( WebSocket::Common );
use vars qw( $VERSION );
use WebSocket::Common qw( :all );
use MIME::Base64 ();
use Scalar::Util ();
use URI ();
use WebSocket::Extension;
use WebSocket::Headers;
use WebSocket::Version;

our $VERSION = 'v0.3.0';

# The client's opening handshake: built by as_string, read by parse.

sub init
{
    my $self = shift( @_ );
    # new( $headers, [ $buffer ], %opts | \%opts ): $headers is an array reference of pairs or
    # an HTTP::Headers object.
    if( @_ && ( ( ref( $_[0] ) eq 'ARRAY' ) || ( Scalar::Util::blessed( $_[0] ) && ( $_[0]->isa( 'HTTP::Headers' ) || $_[0]->isa( 'WebSocket::Generic::Array' ) ) ) ) )
    {
        my $headers = shift( @_ );
        $self->{headers} = Scalar::Util::blessed( $headers ) && $headers->isa( 'HTTP::Headers' )
            ? bless( $headers->clone => 'WebSocket::Headers' )
            : $self->_new_headers( @$headers );
        # What follows is the buffer when the options after it are an even list or a hash ref.
        if( @_ && !ref( $_[0] ) && ( ( @_ % 2 ) || ( @_ == 2 && ref( $_[1] ) eq 'HASH' ) ) )
        {
            $self->{buffer} = shift( @_ );
        }
    }
    $self->{method} = '' if( !defined( $self->{method} ) );
    $self->SUPER::init( @_ ) || return( $self->pass_error );
    return( $self );
}

sub as_string
{
    my $self = shift( @_ );
    my $eol  = shift( @_ ) || "\x0d\x0a";
    my $version = $self->version;
    if( !defined( $version ) )
    {
        $version = WebSocket::Version->new( WEBSOCKET_DRAFT_VERSION_DEFAULT ) ||
            return( $self->pass_error( WebSocket::Version->error ) );
    }
    my $uri = $self->uri;
    return( $self->error( "uri is required" ) ) unless( defined( $uri ) );
    my $host = $self->_header_value( 'Host' );
    return( $self->error( "Host is required" ) ) unless( defined( $host ) && length( $host ) );
    my( $type, $rev ) = $self->_version_info( $version );
    my $target = ( $uri->can( 'path_query' ) ? $uri->path_query : '' ) || '/';
    my $h = $self->headers;
    $h->header( Upgrade => 'WebSocket', Connection => 'Upgrade' );
    my $cookies = $self->{cookies};
    $h->header( Cookie => "$cookies" ) if( defined( $cookies ) && length( "$cookies" ) );

    # Origin (RFC 6454): the one given, or the host's own origin.
    my $origin = $self->_header_value( 'Origin' ) // $self->_header_value( 'Sec-WebSocket-Origin' );
    if( !defined( $origin ) || !length( $origin ) )
    {
        $origin = ( $self->secure ? 'https' : 'http' ) . '://' . $host;
    }
    $h->remove_header( qw( Origin Sec-WebSocket-Origin ) );
    # hybi drafts 4 to 10 named it Sec-WebSocket-Origin; before and after, Origin.
    $h->header( ( $type eq 'hybi' && $rev >= 4 && $rev <= 10 ) ? 'Sec-WebSocket-Origin' : 'Origin' => $origin );

    my $body = '';
    if( $type eq 'hybi' && $rev >= 4 )
    {
        my $key = $self->_header_value( 'Sec-WebSocket-Key' );
        # Generated once and kept in the header, so that the answer can be checked against it.
        $key = $self->_generate_16bit_nonce if( !defined( $key ) || !length( $key ) );
        $h->header( 'Sec-WebSocket-Protocol' => $self->subprotocol->join( ', ' )->scalar ) if( $self->subprotocol->length );
        $h->header( 'Sec-WebSocket-Extensions' => $self->extensions->join( ', ' )->scalar ) if( $self->extensions->length );
        $h->header( 'Sec-WebSocket-Key' => $key );
        $h->header( 'Sec-WebSocket-Version' => "$version" );
    }
    elsif( $type eq 'hybi' || ( $type eq 'hixie' && $rev == 76 ) )
    {
        # hixie-76 and hybi-00 to hybi-03: two keys hiding numbers, and 8 random bytes sent
        # after the head.
        $self->_generate_keys;
        $h->header( 'Sec-WebSocket-Protocol' => $self->subprotocol->join( ' ' )->scalar ) if( $self->subprotocol->length );
        $h->header( 'Sec-WebSocket-Key1' => $self->_header_value( 'Sec-WebSocket-Key1' ) );
        $h->header( 'Sec-WebSocket-Key2' => $self->_header_value( 'Sec-WebSocket-Key2' ) );
        $body = $self->challenge->scalar;
        $h->header( 'Content-Length' => length( $body ) );
    }
    elsif( $type eq 'hixie' )
    {
        $h->header( 'WebSocket-Protocol' => $self->subprotocol->join( ' ' )->scalar ) if( $self->subprotocol->length );
    }
    else
    {
        return( $self->error( 'Version ' . ( $version->draft // $version ) . ' is not supported' ) );
    }
    return( join( '', "GET ${target} HTTP/1.1", $eol, $h->as_string( $eol ), $eol, $body ) );
}

sub connection { return( shift->_header_accessor( 'Connection', @_ ) ); }

# The cookies of the request (the Cookie header, or the cookies option), as name => value.
# RFC 6265 section 5.4: "name=value" pairs separated by "; ". The first value of a name wins,
# as browsers send the most specific cookie first.
sub cookie_jar
{
    my $self = shift( @_ );
    my $str = $self->{cookies};
    $str = $self->headers->header( 'Cookie' ) if( !defined( $str ) || !length( $str ) );
    my %jar;
    for my $pair ( split( /;\s*/, defined( $str ) ? "$str" : '' ) )
    {
        my( $name, $value ) = split( /=/, $pair, 2 );
        next if( !defined( $name ) || !defined( $value ) );
        $name =~ s/^\s+|\s+$//g;
        $value =~ s/^\s+|\s+$//g;
        $value = $1 if( $value =~ /^"(.*)"$/ );
        next if( !length( $name ) || exists( $jar{ $name } ) );
        $jar{ $name } = $value;
    }
    return( WebSocket::Generic::Hash->new( \%jar ) );
}

sub cookies { return( shift->_set_get_scalar_as_object( 'cookies', @_ ) ); }

sub key { return( shift->_key( key => @_ ) ); }

sub key1 { return( shift->_key( key1 => @_ ) ); }

sub key2 { return( shift->_key( key2 => @_ ) ); }

sub method { return( shift->_set_get_scalar_as_object( 'method', @_ ) ); }

sub number1 { return( shift->_number( 'number1', 'key1', @_ ) ); }

sub number2 { return( shift->_number( 'number2', 'key2', @_ ) ); }

sub origin
{
    my $self = shift( @_ );
    if( @_ )
    {
        my $v = shift( @_ );
        my( $type, $rev ) = $self->_version_info( $self->version );
        # hybi drafts 4 to 10 used Sec-WebSocket-Origin; the others (and RFC 6455) Origin.
        my $name = ( $type eq 'hybi' && $rev >= 4 && $rev <= 10 ) ? 'Sec-WebSocket-Origin' : 'Origin';
        if( defined( $v ) && length( "$v" ) )
        {
            $self->headers->remove_header( $name eq 'Origin' ? 'Sec-WebSocket-Origin' : 'Origin' );
            $self->headers->HTTP::Headers::header( $name => "$v" );
        }
        else
        {
            $self->headers->remove_header( qw( Origin Sec-WebSocket-Origin ) );
        }
    }
    my $o = $self->_header_value( 'Origin' );
    $o = $self->_header_value( 'Sec-WebSocket-Origin' ) if( !defined( $o ) || !length( $o ) );
    return( WebSocket::Generic::Scalar->new( $o ) );
}

sub parse
{
    my $self = shift( @_ );
    return( 1 ) unless( defined( $_[0] ) );
    $self->_append( @_ ) || return( $self->pass_error );
    if( !$self->{_head_done} )
    {
        # Check the request line as soon as it is complete.
        my $buf = $self->{buffer};
        $buf =~ s/^(?:\x0d?\x0a)+//;
        my $eol = index( $buf, "\x0a" );
        return( 1 ) if( $eol < 0 );
        my $line = substr( $buf, 0, $eol );
        if( $line !~ m{^(\w+)[ \t]+(\S+)[ \t]+(HTTP/\d+\.\d+)} )
        {
            return( $self->error({ code => 400, message => "Wrong request line" }) );
        }
        my( $meth, $proto ) = ( $1, $3 );
        unless( $meth eq 'GET' && $proto eq 'HTTP/1.1' )
        {
            return( $self->error({ code => 400, message => "Wrong method or http version" }) );
        }
        my( $n, $head, @err ) = $self->_parse_head( $self->{buffer} );
        # The blank line ending the head has not arrived yet.
        return( 1 ) if( !defined( $n ) );
        return( $self->error({ code => $err[0], message => "Error parsing request data: $head" }) ) if( $n < 0 );
        return( $self->error({ code => 400, message => "Wrong request line" }) ) if( $head->{type} ne 'request' );
        $self->_set_from_head( $head );
        $self->{buffer} = substr( $self->{buffer}, $n );
        $self->{_head_done} = 1;
    }
    return( $self->parse_body );
}

sub parse_body
{
    my $self = shift( @_ );
    my $has_keys = $self->key1->length && $self->key2->length;
    if( $has_keys && !$self->is_done )
    {
        # The 8 bytes of key3 follow the head.
        return( 1 ) if( length( $self->{buffer} // '' ) < 8 );
        $self->challenge( substr( $self->{buffer}, 0, 8, '' ) );
    }
    if( length( $self->{buffer} // '' ) )
    {
        return( $self->error({ code => 400, message => "Excessive unknown data found in request body: " . $self->{buffer} }) );
    }
    $self->is_done(1);
    return( $self ) if( $self->{_parse_postprocessed} );
    $self->{_parse_postprocessed} = 1;

    # Which protocol version the client speaks
    my $v;
    if( $has_keys )
    {
        # The last draft with Sec-WebSocket-Key1 and Sec-WebSocket-Key2
        $v = WebSocket::Version->new( 'draft-ietf-hybi-03' );
    }
    elsif( $self->key->length )
    {
        my $hv = $self->_header_value( 'Sec-WebSocket-Version' );
        if( defined( $hv ) && length( $hv ) )
        {
            $hv =~ s/^\s+|\s+$//g;
            $v = WebSocket::Version->new( $hv ) if( $hv =~ /^\d{1,2}$/ );
            if( !defined( $v ) )
            {
                return( $self->error({ code => 426, message => "Not a valid request: Unsupported protocol version \"$hv\" in the Sec-WebSocket-Version header." }) );
            }
        }
        else
        {
            $v = WebSocket::Version->new( WEBSOCKET_DRAFT_VERSION_DEFAULT );
        }
    }
    else
    {
        $v = WebSocket::Version->new( 'draft-hixie-75' );
    }
    return( $self->pass_error( WebSocket::Version->error ) ) if( !defined( $v ) );
    $self->version( $v );
    if( !$self->_parse_postprocess )
    {
        my $ex = $self->error;
        return( $self->error({ code => ( $ex->code || 400 ), message => 'Not a valid request: ' . $ex->message }) );
    }
    return( $self );
}

sub upgrade { return( shift->_header_accessor( 'Upgrade', @_ ) ); }

# Fills in key1, key2 (with their numbers) and the challenge of a legacy request, where not
# already set.
sub _generate_keys
{
    my $self = shift( @_ );
    unless( $self->key1->length )
    {
        my( $number, $key ) = $self->_generate_key;
        $self->number1( $number );
        $self->key1( $key );
    }
    unless( $self->key2->length )
    {
        my( $number, $key ) = $self->_generate_key;
        $self->number2( $number );
        $self->key2( $key );
    }
    $self->challenge( WebSocket::Engine::random_bytes(8) ) unless( $self->challenge->length );
    return( $self );
}

# One hixie-76 key (section 4.1, steps 17 to 24): a random number times a random count of
# spaces, written in decimal, with random non-digit characters and the spaces inserted.
sub _generate_key
{
    my $self = shift( @_ );
    my $spaces = $self->_random_int(12) + 1;
    my $max = int( 4_294_967_295 / $spaces );
    # A random integer from 0 to $max inclusive
    my $number = unpack( 'N', WebSocket::Engine::random_bytes(4) );
    $number = $number % ( $max + 1 );
    my $key = '' . ( $number * $spaces );
    my $count = $self->_random_int(12) + 1;
    for( 1 .. $count )
    {
        my $pos = $self->_random_int( length( $key ) + 1 );
        # U+0021 to U+002F or U+003A to U+007E
        my $char = $self->_random_int(2)
            ? chr( 0x21 + $self->_random_int( 0x2f - 0x21 + 1 ) )
            : chr( 0x3a + $self->_random_int( 0x7e - 0x3a + 1 ) );
        substr( $key, $pos, 0, $char );
    }
    for( 1 .. $spaces )
    {
        # Never at the start or the end
        my $pos = 1 + $self->_random_int( length( $key ) - 1 );
        substr( $key, $pos, 0, ' ' );
    }
    return( $number, $key );
}

sub _key
{
    my $self = shift( @_ );
    my $name = shift( @_ ) || return( $self->error( "No Sec-WebSocket header name was provided" ) );
    my $hname = 'Sec-WebSocket-' . ucfirst( lc( $name ) );
    return( $self->_header_accessor( $hname, @_ ) );
}

sub _number
{
    my $self = shift( @_ );
    my( $name, $key, $value ) = @_;
    if( defined( $value ) )
    {
        $self->{ $name } = $value;
        return( $self );
    }
    return( $self->{ $name } ) if( defined( $self->{ $name } ) && length( $self->{ $name } ) );
    return( $self->{ $name } = $self->_extract_number( $self->_header_value( 'Sec-WebSocket-' . ucfirst( $key ) ) ) );
}

# parse_chunk on a request: take the parsed message and check it as parse does.
sub _parse_chunk_done
{
    my( $self, $obj ) = @_;
    return( PARSE_DONE ) unless( $obj->isa( 'WebSocket::Request' ) && $obj != $self );
    if( !$self->{_head_done} )
    {
        $self->method( $obj->method->scalar );
        $self->uri( $obj->uri );
        $self->protocol( $obj->protocol->scalar );
        $self->{headers} = $obj->headers;
        $self->{_head_done} = 1;
    }
    $self->{buffer} = $obj->{buffer};
    $obj->{buffer} = '';
    my $rv = $self->parse_body // return( $self->pass_error );
    return( ref( $rv ) ? PARSE_DONE : PARSE_WAITING );
}

sub _parse_postprocess
{
    my $self = shift( @_ );
    my $upgrade = lc( $self->_header_value( 'Upgrade' ) // '' );
    return( $self->error( "No upgrade header or its value is not \"WebSocket\"." ) )
        unless( grep{ $_ eq 'websocket' } split( /\s*,\s*/, $upgrade ) );
    my $connection = $self->_header_value( 'Connection' );
    return( $self->error( "No \"Connection\" header" ) ) unless( defined( $connection ) && length( $connection ) );
    return( $self->error( "Connection header has no \"Upgrade\" value." ) )
        unless( grep{ lc( $_ ) eq 'upgrade' } split( /[ \t]*,[ \t]*/, $connection ) );

    my $origin = $self->_header_value( 'Sec-WebSocket-Origin' );
    $origin = $self->_header_value( 'Origin' ) if( !defined( $origin ) || !length( $origin ) );
    if( defined( $origin ) && length( $origin ) )
    {
        $self->origin( $origin );
        $self->secure(1) if( $origin =~ /^https:/i );
    }
    my $host = $self->_header_value( 'Host' );
    return( $self->error( "No \"Host\" header value found." ) ) unless( defined( $host ) && length( $host ) );

    my( $type, $rev ) = $self->_version_info( $self->version );
    my $hybi4 = ( $type eq 'hybi' && $rev >= 4 );
    if( $hybi4 )
    {
        # RFC 6455 section 4.2.1: the key is the base64 of 16 bytes.
        my $key = $self->_header_value( 'Sec-WebSocket-Key' ) // '';
        $key =~ s/^\s+|\s+$//g;
        unless( $key =~ m{^[A-Za-z0-9+/]{22}==$} && length( MIME::Base64::decode_base64( $key ) ) == 16 )
        {
            return( $self->error( "Invalid Sec-WebSocket-Key header value \"$key\"." ) );
        }
    }

    my $subprotocol = $self->_header_value( 'Sec-WebSocket-Protocol' );
    $subprotocol = $self->_header_value( 'WebSocket-Protocol' ) if( !defined( $subprotocol ) || !length( $subprotocol ) );
    if( defined( $subprotocol ) && length( $subprotocol ) )
    {
        # Comma-separated since hybi-04, space-separated before: both are accepted.
        $self->subprotocol( [ grep{ length( $_ ) } split( /[\s,]+/, $subprotocol ) ] );
    }

    if( $hybi4 )
    {
        my $ext = $self->_header_value( 'Sec-WebSocket-Extensions' );
        if( defined( $ext ) && $ext =~ /\S/ )
        {
            my $ref = WebSocket::Extension->new_from_multi( $ext ) ||
                return( $self->pass_error( WebSocket::Extension->error ) );
            $self->extensions( $ref );
        }
    }
    my $cookie = $self->_header_value( 'Cookie' );
    $self->cookies( $cookie ) if( defined( $cookie ) );
    return( $self );
}

sub _set_from_head
{
    my( $self, $head ) = @_;
    $self->method( $head->{method} );
    $self->uri( URI->new( $head->{uri} ) );
    $self->protocol( $head->{protocol} );
    my @pairs = @{ $head->{headers} || [] };
    $self->{headers} = $self->_new_headers( @pairs );
    return( $self );
}

1;

__END__

=encoding utf-8

=head1 NAME

WebSocket::Request - the client's opening handshake of a WebSocket connection

=head1 SYNOPSIS

    use WebSocket::Request;

    # Build one
    my $req = WebSocket::Request->new(
        host        => 'example.com',
        uri         => '/chat',
        origin      => 'http://example.com',
        subprotocol => [qw( chat superchat )],
    ) || die( WebSocket::Request->error, "\n" );
    my $text = $req->as_string // die( $req->error );
    # GET /chat HTTP/1.1
    # Connection: Upgrade
    # Host: example.com
    # Upgrade: WebSocket
    # Origin: http://example.com
    # Sec-WebSocket-Key: ...
    # Sec-WebSocket-Protocol: chat, superchat
    # Sec-WebSocket-Version: 13
    print $req->key, "\n";    # the key that was generated

    # Read one, possibly in pieces
    my $in = WebSocket::Request->new;
    my $rv = $in->parse( $data ) // die( $in->error );
    if( $in->is_done )
    {
        print $in->uri->path, ' ', $in->subprotocol->join( ' ' )->scalar, "\n";
    }

    # Headers given first, then an optional buffer, then options
    my $req2 = WebSocket::Request->new( [ Host => 'example.com' ], uri => '/' );

=head1 VERSION

    v0.3.0

=head1 DESCRIPTION

An HTTP request that opens a WebSocket connection: L</as_string> writes it for a client, and
L</parse> reads it on a server, checks it, and finds out which protocol version the client
speaks. Besides RFC 6455 (protocol version 13), the older drafts are supported: hybi-04 to
hybi-12, the hixie-76 / hybi-00 to hybi-03 handshake with two keys and an 8-byte challenge,
and hixie-75.

It inherits from L<WebSocket::Common>, whose methods (C<headers>, C<host>, C<subprotocol>,
C<extensions>, C<version>, C<buffer>, C<challenge>, C<checksum>...) are available too. The
HTTP head is parsed by the Rust engine.

=head1 CONSTRUCTOR

=head2 new

    WebSocket::Request->new( %options );
    WebSocket::Request->new( \%options );
    WebSocket::Request->new( $headers, $buffer, %options );
    WebSocket::Request->new( $headers, %options );

C<$headers> is an array reference of name and value pairs or an L<HTTP::Headers> object
(copied into a L<WebSocket::Headers>). The options are the methods' names: C<buffer>,
C<challenge>, C<cookies>, C<extensions>, C<headers>, C<host>, C<key>, C<key1>, C<key2>,
C<max_message_size> (default 20480 bytes), C<method>, C<number1>, C<number2>, C<origin>,
C<protocol>, C<secure>, C<subprotocol>, C<uri> (a path such as C</chat> or a whole URI
such as C<wss://example.com/chat>), C<version> (default C<draft-ietf-hybi-17>), C<debug> and
C<fatal>.

=head1 METHODS

=head2 as_string

    my $text = $req->as_string;          # lines end with "\r\n"
    my $text = $req->as_string( "\n" );

Returns the request: C<GET> with the path and query of L<uri|WebSocket::Common/uri> (or C</>), the headers and,
for the two-key drafts, the 8 bytes of the challenge. It sets C<Upgrade: WebSocket>,
C<Connection: Upgrade>, C<Cookie> when L</cookies> is set, and the origin (the one set, or
C<http://> followed by the host, C<https://> when L<secure|WebSocket::Common/secure>) as
C<Sec-WebSocket-Origin> for the hybi drafts 4 to 10 and as C<Origin> otherwise. Then, by
version:

=over 4

=item hybi-04 and later (RFC 6455)

C<Sec-WebSocket-Key> (the one set with L</key>, or a fresh random one, which is kept so that
L</key> returns it and the server's C<Sec-WebSocket-Accept> can be checked against it),
C<Sec-WebSocket-Version>, C<Sec-WebSocket-Protocol> (comma separated) and
C<Sec-WebSocket-Extensions> when set.

=item hixie-76, hybi-00 to hybi-03

C<Sec-WebSocket-Key1>, C<Sec-WebSocket-Key2> and the challenge (generated when not set),
C<Sec-WebSocket-Protocol> (space separated), C<Content-Length: 8> and the challenge after
the head.

=item hixie-75 and earlier

C<WebSocket-Protocol> when subprotocols are set.

=back

Fails with C<uri is required> or C<Host is required>.

=head2 connection

Sets or gets the C<Connection> header field (a scalar object).

=head2 cookie_jar

The cookies of the request, parsed from its C<Cookie> header (or from L</cookies> when set),
as a L<WebSocket::Generic::Hash> of name to value: C<< $req->cookie_jar->{session} >> or
C<< $req->cookie_jar->session >>. When a name appears more than once, the first value is kept
(browsers send the most specific cookie first). The original distribution returned a
C<Cookie::Jar> object here; that module is not needed for this common use.

=head2 cookies

Sets or gets the C<Cookie> header value to send, as an already formatted string. After a
parse, holds the C<Cookie> header that was received. Returns a scalar object.

=head2 key

Sets or gets the C<Sec-WebSocket-Key> header field; C<undef> removes it. Returns a scalar
object.

=head2 key1

=head2 key2

Set or get the C<Sec-WebSocket-Key1> and C<Sec-WebSocket-Key2> header fields of the
hixie-76 handshake; C<undef> removes them.

=head2 method

Sets or gets the request method, such as C<GET>. Returns a scalar object.

=head2 number1

=head2 number2

With a value, set the number and return the object. Without, return the number set, or the
one hidden in L</key1> (or L</key2>): its digits divided by its number of spaces.

=head2 origin

Sets or gets the origin of the request. The value is stored in the header field the version
uses: C<Sec-WebSocket-Origin> for the hybi drafts 4 to 10, C<Origin> for the others.
Reading returns whichever is present, as a scalar object.

=head2 parse

    my $rv = $req->parse( $bytes );
    my $rv = $req->parse( $filehandle );

Adds data to the request (a string, or what can be read from an object with a C<read>
method) and parses it. Returns the object once the request is complete and valid; C<1> when
C<$bytes> is C<undef>, when the head is not complete yet, or while the 8 bytes of a legacy
challenge are still missing; C<undef> with an error otherwise:

=over 4

=item C<Message is too long> when the data exceeds L<max_message_size|WebSocket::Common/max_message_size>;

=item C<Wrong request line> when the first line is not C<METHOD TARGET HTTP/x.y>;

=item C<Wrong method or http version> unless it is C<GET> and C<HTTP/1.1>;

=item C<Error parsing request data: ...> when the engine finds the head malformed or too large;

=item the errors of L</parse_body>.

=back

Once an error is set, further calls return it again.

=head2 parse_body

Finishes a parse once the head is in: takes the challenge of a legacy request, refuses data
left over (C<Excessive unknown data found in request body: ...>), and finds out the version:
both legacy keys give C<draft-ietf-hybi-03>, a C<Sec-WebSocket-Key> the version of
C<Sec-WebSocket-Version> (C<draft-ietf-hybi-17> when absent), and no key C<draft-hixie-75>.
It then checks the request; its failures are reported as C<Not a valid request: > followed by
one of C<No upgrade header or its value is not "WebSocket".>, C<No "Connection" header>,
C<Connection header has no "Upgrade" value.>, C<No "Host" header value found.>, an invalid
C<Sec-WebSocket-Key>, or an unsupported C<Sec-WebSocket-Version> (with the code 426). It sets
the origin (and L<secure|WebSocket::Common/secure> for an C<https> origin), the subprotocols
(from C<Sec-WebSocket-Protocol> or C<WebSocket-Protocol>, separated by commas or spaces), the
extensions and the cookies. Returns the object, or C<1> when more bytes are needed.

=head2 upgrade

Sets or gets the C<Upgrade> header field (a scalar object).

=head1 SEE ALSO

L<WebSocket::Response>, L<WebSocket::Common>, L<WebSocket::Handshake::Client>,
L<WebSocket::Handshake::Server>, RFC 6455 section 4.1

=head1 COPYRIGHT & LICENSE

This library is free software; you can redistribute it and/or modify it under the same
terms as Perl itself.

=cut
