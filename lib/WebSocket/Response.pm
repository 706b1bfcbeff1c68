package WebSocket::Response;
use strict;
use warnings;
use parent qw( WebSocket::Common );
use vars qw( $VERSION );
use WebSocket::Common qw( :all );
use HTTP::Status ();
use Scalar::Util ();
use URI ();
use WebSocket::Extension;
use WebSocket::Headers;
use WebSocket::Version;
# RFC 6455 section 1.3 (since hybi-04): appended to the client's key to compute the accept value
use constant GUID => '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
use constant HTTP_SWITCHING_PROTOCOLS => 101;

our $VERSION = 'v0.3.0';

# The server's opening handshake: built by as_string, read by parse.

sub init
{
    my $self = shift( @_ );
    my( $code, $status );
    # new( $code, $status, $headers, [ $buffer ], %opts | \%opts )
    # (a second argument naming a method is an option: new( 426, versions => [ 13, 8 ] ))
    if( @_ >= 3 && _is_status_code( $_[0] ) && !$self->_is_option_name( $_[1] ) &&
        ( ref( $_[2] ) eq 'ARRAY' || ( Scalar::Util::blessed( $_[2] ) && ( $_[2]->isa( 'HTTP::Headers' ) || $_[2]->isa( 'WebSocket::Generic::Array' ) ) ) ) )
    {
        my $headers;
        ( $code, $status, $headers ) = splice( @_, 0, 3 );
        $self->{headers} = Scalar::Util::blessed( $headers ) && $headers->isa( 'HTTP::Headers' )
            ? bless( $headers->clone => 'WebSocket::Headers' )
            : $self->_new_headers( @$headers );
        if( @_ && !ref( $_[0] ) && ( ( @_ % 2 ) || ( @_ == 2 && ref( $_[1] ) eq 'HASH' ) ) )
        {
            $self->{buffer} = shift( @_ );
        }
    }
    # new( $code, [ $status ], %opts ): a first argument that is a status code (three digits)
    # is the code. Anything else is an option name, so that a misspelt option is reported
    # instead of becoming the code.
    elsif( @_ && _is_status_code( $_[0] ) )
    {
        $code = shift( @_ );
        if( @_ && !ref( $_[0] ) && ( ( @_ % 2 ) || ( @_ == 2 && ref( $_[1] ) eq 'HASH' ) ) )
        {
            $status = shift( @_ );
        }
    }
    $self->{code}    = $code || HTTP_SWITCHING_PROTOCOLS;
    $self->{status}  = $status;
    $self->{cookies} = [];
    $self->SUPER::init( @_ ) || return( $self->pass_error );
    return( $self );
}

sub as_string
{
    my $self = shift( @_ );
    my $eol  = shift( @_ ) || "\x0d\x0a";
    my $code = $self->code // HTTP_SWITCHING_PROTOCOLS;
    # The body first: it may add a Content-Length header.
    my $body = $self->body_as_string // return( $self->pass_error );
    my $headers = $self->headers_as_string( $eol ) // return( $self->pass_error );
    return( "HTTP/1.1 ${code} " . $self->_reason_phrase . $eol . $headers . $eol . $body );
}

sub body_as_string
{
    my $self = shift( @_ );
    my( $type, $rev ) = $self->_version_info( $self->version );
    my $code = $self->code // HTTP_SWITCHING_PROTOCOLS;
    # The answer to the challenge of hixie-76 and hybi-00 to hybi-03 (not on errors)
    if( $code == HTTP_SWITCHING_PROTOCOLS &&
        ( ( $type eq 'hybi' && $rev < 4 ) || ( $type eq 'hixie' && $rev == 76 ) ) )
    {
        my $sum = $self->checksum // return( $self->pass_error );
        return( $sum );
    }
    elsif( $self->is_error( $code ) && length( $self->{buffer} // '' ) )
    {
        $self->headers->header( 'Content-Length' => length( $self->{buffer} ) );
        return( $self->{buffer} );
    }
    return( '' );
}

sub code { return( shift->_set_get_number( 'code', @_ ) ); }

sub cookies { return( shift->_set_get_array_as_object( 'cookies', @_ ) ); }

sub header { return( shift->headers->header( @_ ) ); }

sub headers_as_string
{
    my $self = shift( @_ );
    my $eol  = shift( @_ ) || "\x0d\x0a";
    my $version = $self->version;
    if( !defined( $version ) )
    {
        $version = $self->version( WEBSOCKET_DRAFT_VERSION_DEFAULT ) // return( $self->pass_error );
    }
    my( $type, $rev ) = $self->_version_info( $version );
    my $code = $self->code // HTTP_SWITCHING_PROTOCOLS;
    my $hybi4 = ( $type eq 'hybi' && $rev >= 4 );
    # hixie-76 and hybi-00 to hybi-03 share one handshake; hixie-75 and earlier have another.
    my $legacy = ( ( $type eq 'hixie' && $rev == 76 ) || ( $type eq 'hybi' && $rev >= 0 && $rev <= 3 ) );
    my $hixie75 = ( $type eq 'hixie' && $rev != 76 );
    my $h = $self->headers;
    # The value of Upgrade became lower case with hybi-04.
    $h->header( Upgrade => ( $hybi4 ? 'websocket' : 'WebSocket' ), Connection => 'Upgrade' );

    if( $hybi4 )
    {
        my $list = join( ',', grep{ defined( $_ ) && length( $_ ) } map{ $_->as_string } @{ $self->versions } );
        $h->header( 'Sec-WebSocket-Version' => $list ) if( !$h->HTTP::Headers::header( 'Sec-WebSocket-Version' ) && length( $list ) );
    }

    if( $legacy || $hixie75 )
    {
        my $host = $self->host;
        return( $self->error( "host value is required." ) ) unless( $host->length );
        my $uri = $self->uri;
        my $resource = ( defined( $uri ) && $uri->can( 'path_query' ) ? $uri->path_query : '' ) || '/';
        my $location = ( $self->secure ? 'wss' : 'ws' ) . '://' . $host . $resource;
        my $origin = $self->origin;
        $origin = ( $self->secure ? 'https' : 'http' ) . '://' . $host unless( $origin->length );
        $h->remove_header( qw( Sec-WebSocket-Origin WebSocket-Origin Sec-WebSocket-Location WebSocket-Location ) );
        my $prefix = $legacy ? 'Sec-WebSocket-' : 'WebSocket-';
        $h->header( "${prefix}Origin" => "$origin", "${prefix}Location" => $location );
    }
    else
    {
        $h->remove_header( qw( Sec-WebSocket-Origin WebSocket-Origin Sec-WebSocket-Location WebSocket-Location ) );
    }

    if( $code == HTTP_SWITCHING_PROTOCOLS && $hybi4 )
    {
        my $key = $self->key;
        return( $self->error( "key value is required." ) ) unless( $key->length );
        my $accept = $self->_accept_key( $key->scalar ) // return( $self->pass_error );
        $h->header( 'Sec-WebSocket-Accept' => $accept );
    }
    else
    {
        $h->remove_header( 'Sec-WebSocket-Accept' );
    }

    # hybi-04 and hybi-05 had the server send a nonce of its own.
    if( $code == HTTP_SWITCHING_PROTOCOLS && $hybi4 && $rev <= 5 )
    {
        $h->header( 'Sec-WebSocket-Nonce' => $self->_generate_16bit_nonce );
    }
    else
    {
        $h->remove_header( 'Sec-WebSocket-Nonce' );
    }

    if( $self->subprotocol->length )
    {
        if( $hixie75 )
        {
            $h->header( 'WebSocket-Protocol' => $self->subprotocol->join( ' ' )->scalar );
        }
        else
        {
            # Comma separated since hybi-04, space separated before.
            $h->header( 'Sec-WebSocket-Protocol' => $self->subprotocol->join( $hybi4 ? ', ' : ' ' )->scalar );
        }
    }

    if( $self->extensions->length )
    {
        $h->header( 'Sec-WebSocket-Extensions' => $self->extensions->join( ', ' )->scalar );
    }

    if( $self->cookies->length )
    {
        # One Set-Cookie field per cookie (RFC 6265 section 3)
        $h->remove_header( 'Set-Cookie' );
        $h->push_header( 'Set-Cookie' => "$_" ) for( grep{ defined( $_ ) } @{ $self->cookies } );
    }
    return( $h->as_string( $eol ) );
}

# A response carries no Host field: the host is kept as an attribute, used to build the
# location of the legacy handshakes.
sub host { return( shift->_set_get_scalar_as_object( 'host', @_ ) ); }

sub key { return( shift->_set_get_scalar_as_object( 'key', @_ ) ); }

sub key1 { return( shift->_set_get_scalar_as_object( 'key1', @_ ) ); }

sub key2 { return( shift->_set_get_scalar_as_object( 'key2', @_ ) ); }

sub location
{
    my $self = shift( @_ );
    $self->_header_accessor( 'Location', @_ ) if( @_ );
    for my $name ( qw( Location Sec-WebSocket-Location WebSocket-Location ) )
    {
        my $v = $self->_header_value( $name );
        return( WebSocket::Generic::Scalar->new( $v ) ) if( defined( $v ) && length( $v ) );
    }
    return( WebSocket::Generic::Scalar->new( undef ) );
}

sub number1 { return( shift->_number( 'number1', 'key1', @_ ) ); }

sub number2 { return( shift->_number( 'number2', 'key2', @_ ) ); }

sub origin
{
    my $self = shift( @_ );
    $self->_header_accessor( 'Sec-WebSocket-Origin', @_ ) if( @_ );
    my $v = $self->_header_value( 'Sec-WebSocket-Origin' );
    $v = $self->_header_value( 'WebSocket-Origin' ) if( !defined( $v ) || !length( $v ) );
    return( WebSocket::Generic::Scalar->new( $v ) );
}

sub parse
{
    my $self = shift( @_ );
    return( 1 ) unless( defined( $_[0] ) );
    $self->_append( @_ ) || return( $self->pass_error );
    if( !$self->{_head_done} )
    {
        my $buf = $self->{buffer};
        # Decide on the status line once it is complete, or as soon as it cannot be one.
        if( $buf !~ m{^HTTP/1\.1[ \t]+101 } &&
            ( index( $buf, "\x0a" ) >= 0 || !$self->_may_become_status_line( $buf ) ) )
        {
            my $bad = length( $buf ) > 80 ? substr( $buf, 0, 77 ) . '...' : $buf;
            $bad =~ s/(?:\x0d?\x0a)+$//s;
            return( $self->error({ code => 400, message => "Wrong response line. Got \"${bad}\", but expected something starting with \"HTTP/1.1 101 \"" }) );
        }
        my( $n, $head, @err ) = $self->_parse_head( $buf );
        return( 1 ) if( !defined( $n ) );
        return( $self->error({ code => $err[0], message => "Error parsing response data: $head" }) ) if( $n < 0 );
        $self->_set_from_head( $head );
        $self->{buffer} = substr( $self->{buffer}, $n );
        $self->{_head_done} = 1;
    }
    return( $self->parse_body );
}

sub parse_body
{
    my $self = shift( @_ );
    return( $self ) if( $self->{_parse_postprocessed} );
    my $accept  = $self->_header_value( 'Sec-WebSocket-Accept' );
    my $origin  = $self->_header_value( 'Sec-WebSocket-Origin' );
    my $version = $self->_header_value( 'Sec-WebSocket-Version' );
    if( defined( $version ) && length( $version ) )
    {
        $self->version( $version ) // return( $self->pass_error );
    }
    elsif( defined( $accept ) && length( $accept ) )
    {
        $self->version( 'draft-ietf-hybi-17' ) // return( $self->pass_error );
    }
    elsif( defined( $origin ) && length( $origin ) )
    {
        # The last draft with Sec-WebSocket-Origin in the response; the 16 bytes of the
        # checksum follow the head.
        $self->version( 'draft-ietf-hybi-03' ) // return( $self->pass_error );
        return( 1 ) if( length( $self->{buffer} // '' ) < 16 );
        $self->checksum( substr( $self->{buffer}, 0, 16, '' ) );
    }
    else
    {
        $self->version( 'draft-hixie-75' ) // return( $self->pass_error );
    }
    $self->is_done(1);
    $self->{_parse_postprocessed} = 1;

    my( $type, $rev ) = $self->_version_info( $self->version );
    my $location_name;
    if( $type eq 'hixie' && $rev != 76 )
    {
        $location_name = 'WebSocket-Location';
    }
    elsif( ( $type eq 'hixie' && $rev == 76 ) || ( $type eq 'hybi' && $rev <= 3 ) )
    {
        $location_name = 'Sec-WebSocket-Location';
    }

    if( defined( $location_name ) )
    {
        my $location = $self->_header_value( $location_name );
        return( $self->error( "No \"${location_name}\" header found." ) ) unless( defined( $location ) && length( $location ) );
        my $uri = URI->new( $location );
        $self->secure(1) if( ( $uri->scheme // '' ) eq 'wss' );
        $self->host( $uri->can( 'host' ) ? $uri->host : undef );
        $self->uri( $uri );
        my $proto = $self->_header_value( $location_name eq 'WebSocket-Location' ? 'WebSocket-Protocol' : 'Sec-WebSocket-Protocol' );
        $self->subprotocol( [ split( /[ \t]+/, $proto // '' ) ] );
    }
    else
    {
        my $proto = $self->_header_value( 'Sec-WebSocket-Protocol' );
        $self->subprotocol( [ split( /[ \t]*,[ \t]*/, $proto // '' ) ] );
    }

    my $ext = $self->_header_value( 'Sec-WebSocket-Extensions' );
    if( defined( $ext ) && $ext =~ /\S/ )
    {
        my $ref = WebSocket::Extension->new_from_multi( $ext ) ||
            return( $self->pass_error( WebSocket::Extension->error ) );
        $self->extensions( $ref );
    }
    return( $self );
}

sub status { return( shift->_set_get_scalar_as_object( 'status', @_ ) ); }

# A response may list several versions (hybi-04 and later); this is the first.
sub version
{
    my $self = shift( @_ );
    if( @_ )
    {
        my $v = shift( @_ );
        $self->versions( $self->_version_list( $v ) ) // return( $self->pass_error );
        return( $self->{versions}->first );
    }
    return( $self->{versions} ? $self->{versions}->first : undef );
}

sub versions
{
    my $self = shift( @_ );
    if( @_ )
    {
        my $v = @_ == 1 ? shift( @_ ) : [ @_ ];
        my @list;
        for my $item ( @{ $self->_version_list( $v ) } )
        {
            my $o = $self->_to_version( $item );
            return( $self->pass_error ) if( !defined( $o ) );
            push( @list, $o );
        }
        $self->{versions} = WebSocket::Generic::Array->new( \@list );
    }
    $self->{versions} = WebSocket::Generic::Array->new if( !Scalar::Util::blessed( $self->{versions} ) );
    return( $self->{versions} );
}

# An HTTP status code given as the first argument of new: three digits (RFC 9110 15).
sub _is_status_code
{
    my $v = shift( @_ );
    return( defined( $v ) && !ref( $v ) && $v =~ /^[0-9]{3}\z/ ? 1 : 0 );
}

sub _is_option_name
{
    my( $self, $name ) = @_;
    return( defined( $name ) && !ref( $name ) && $name =~ /^[a-zA-Z]\w*$/ && $self->can( $name ) ? 1 : 0 );
}

# Is $buf the beginning of "HTTP/1.1 101 ", with any run of blanks after the protocol?
sub _may_become_status_line
{
    my( $self, $buf ) = @_;
    return( 1 ) if( $buf =~ m{^HTTP/1\.1[ \t]+(?:1(?:0(?:1)?)?)?$} );
    my $want = 'HTTP/1.1';
    return( substr( $want, 0, length( $buf ) ) eq $buf ? 1 : 0 ) if( length( $buf ) <= length( $want ) );
    return( 0 );
}

# number1 / number2: the number set, or else the one hidden in key1 / key2; a number object
# (as the original's accessors returned), or undef when there is neither. Setting undef or
# '' forgets the number set, so that the key's is used again.
sub _number
{
    my $self = shift( @_ );
    my( $name, $key ) = ( shift( @_ ), shift( @_ ) );
    if( @_ )
    {
        my $v = shift( @_ );
        $v = "$v" if( ref( $v ) );
        if( defined( $v ) && length( $v ) )
        {
            return( $self->error( "Value provided for $name (\"$v\") is not a number." ) ) if( $v !~ /^\s*\d+\s*$/ );
            $self->{ $name } = $v + 0;
        }
        else
        {
            $self->{ $name } = undef;
        }
    }
    my $n = ( defined( $self->{ $name } ) && length( $self->{ $name } ) ) ? $self->{ $name } : $self->_extract_number( $self->{ $key } );
    return( defined( $n ) ? WebSocket::Generic::Number->new( $n ) : undef );
}

# parse_chunk on a response: take the parsed message and finish it as parse does.
sub _parse_chunk_done
{
    my( $self, $obj ) = @_;
    return( PARSE_DONE ) unless( $obj->isa( 'WebSocket::Response' ) && $obj != $self );
    if( !$self->{_head_done} )
    {
        $self->protocol( $obj->protocol->scalar );
        $self->code( $obj->code );
        $self->status( $obj->status->scalar );
        $self->{headers} = $obj->headers;
        $self->{_head_done} = 1;
    }
    $self->{buffer} = ( $self->{buffer} // '' ) . ( $obj->{buffer} // '' );
    $obj->{buffer} = '';
    my $rv = $self->parse_body // return( $self->pass_error );
    return( ref( $rv ) ? PARSE_DONE : PARSE_WAITING );
}

sub _reason_phrase
{
    my $self = shift( @_ );
    my $status = $self->{status};
    return( "$status" ) if( defined( $status ) && length( "$status" ) );
    my $code = $self->code // HTTP_SWITCHING_PROTOCOLS;
    if( $code == HTTP_SWITCHING_PROTOCOLS )
    {
        my( $type, $rev ) = $self->_version_info( $self->version );
        # The phrases the legacy drafts wrote in their examples
        return( 'Web Socket Protocol Handshake' ) if( $type eq 'hixie' && $rev != 76 );
        return( 'WebSocket Protocol Handshake' ) if( ( $type eq 'hixie' && $rev == 76 ) || ( $type eq 'hybi' && $rev <= 3 ) );
        return( 'Switching Protocols' );
    }
    return( HTTP::Status::status_message( $code ) // 'Unknown' );
}

sub _set_from_head
{
    my( $self, $head ) = @_;
    $self->protocol( $head->{protocol} );
    $self->code( $head->{code} );
    $self->status( $head->{status} );
    $self->{headers} = $self->_new_headers( @{ $head->{headers} || [] } );
    return( $self );
}

# Versions as a list for versions(): "13, 8", 13, a draft name, a version object, or an
# array of these.
sub _version_list
{
    my( $self, $v ) = @_;
    return( [] ) if( !defined( $v ) );
    return( [ $v ] ) if( Scalar::Util::blessed( $v ) && $v->isa( 'WebSocket::Version' ) );
    if( ( Scalar::Util::reftype( $v ) // '' ) eq 'ARRAY' )
    {
        return( [ map{ @{ $self->_version_list( $_ ) } } @$v ] );
    }
    return( [ grep{ length( $_ ) } split( /[ \t]*,[ \t]*/, "$v" ) ] );
}

1;

__END__

=encoding utf-8

=head1 NAME

WebSocket::Response - the server's opening handshake of a WebSocket connection

=head1 SYNOPSIS

    use WebSocket::Response;

    # Answer a request (RFC 6455)
    my $res = WebSocket::Response->new(
        key         => $req->key,
        subprotocol => 'chat',
    ) || die( WebSocket::Response->error, "\n" );
    my $text = $res->as_string // die( $res->error );
    # HTTP/1.1 101 Switching Protocols
    # Connection: Upgrade
    # Upgrade: websocket
    # Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=
    # Sec-WebSocket-Protocol: chat
    # Sec-WebSocket-Version: 13

    # A hixie-76 answer
    my $old = WebSocket::Response->new(
        version   => 'draft-hixie-76',
        host      => 'example.com',
        uri       => '/demo',
        origin    => 'http://example.com',
        number1   => 777_007_543,
        number2   => 114_997_259,
        challenge => "\x47\x30\x22\x2D\x5A\x3F\x47\x58",
    );

    # Read the answer of a server
    my $in = WebSocket::Response->new;
    my $rv = $in->parse( $bytes ) // die( $in->error );
    print $in->code, ' ', $in->header( 'Sec-WebSocket-Accept' ), "\n" if( $in->is_done );

=head1 VERSION

    v0.3.0

=head1 DESCRIPTION

The HTTP response of a server accepting (or refusing) a WebSocket connection: L</as_string>
writes it, L</parse> reads it on the client side. It inherits from L<WebSocket::Common>.

=head1 CONSTANTS

=head2 GUID

C<258EAFA5-E914-47DA-95CA-C5AB0DC85B11>, the string that RFC 6455 appends to the client's
key before hashing it into C<Sec-WebSocket-Accept>.

=head2 HTTP_SWITCHING_PROTOCOLS

101.

=head1 CONSTRUCTOR

=head2 new

    WebSocket::Response->new( %options );
    WebSocket::Response->new( $code, $status, $headers, $buffer, %options );
    WebSocket::Response->new( $code, $status, $headers, %options );
    WebSocket::Response->new( $code, [ $status ], %options );

Positional arguments come first: a status code, its reason phrase, the headers (an array
reference of pairs or an L<HTTP::Headers> object) and a body. A first argument of three
digits is the code; any other first argument is the name of an option, so that a misspelt
option is an error (C<Unknown method NAME in class WebSocket::Response>) rather than a code. The options are the methods' names: C<buffer>,
C<challenge>, C<code> (default 101), C<cookies>, C<extensions>, C<headers>, C<host>, C<key>,
C<key1>, C<key2>, C<max_message_size>, C<number1>, C<number2>, C<origin>, C<protocol>,
C<secure>, C<status>, C<subprotocol>, C<uri>, C<version>, C<versions>, C<debug> and
C<fatal>.

=head1 METHODS

=head2 as_string

    my $text = $res->as_string;          # lines end with "\r\n"

Returns the response: the status line C<HTTP/1.1 CODE REASON>, the headers of
L</headers_as_string>, a blank line and the body of L</body_as_string>. The reason is
L</status> when set; otherwise C<Switching Protocols> for 101 (C<WebSocket Protocol
Handshake> for the hixie-76 / hybi-00 to hybi-03 handshake, and C<Web Socket Protocol
Handshake> for hixie-75), and the standard phrase of L<HTTP::Status> for other codes.
Returns C<undef> with the error of the method that failed.

=head2 body_as_string

The body of the response: for a 101 answer to a hixie-76 or hybi-00 to hybi-03 request, the
16-byte L<checksum|WebSocket::Common/checksum>; for an error code with a non-empty
L<buffer|WebSocket::Common/buffer>, that buffer (and a C<Content-Length> header is set);
otherwise the empty string.

=head2 code

Sets or gets the status code (default 101). Returns a number object.

=head2 cookies

Sets or gets the cookies to send, as a L<WebSocket::Generic::Array> of C<Set-Cookie>
values. Each becomes a C<Set-Cookie> header field of its own.

=head2 header

A shortcut for C<< $res->headers->header( @args ) >>.

=head2 headers_as_string

    my $text = $res->headers_as_string( "\r\n" );

Sets the header fields the version requires and returns them as text:

=over 4

=item * C<Upgrade> (C<websocket> from hybi-04 on, C<WebSocket> before) and C<Connection: Upgrade>;

=item * hybi-04 and later: C<Sec-WebSocket-Version> with the L</versions>, joined with commas,
unless already set; and for a 101, C<Sec-WebSocket-Accept> computed by the engine from
L</key> (fails with C<key value is required.> without one), plus a C<Sec-WebSocket-Nonce>
for hybi-04 and hybi-05;

=item * hixie-76 and hybi-00 to hybi-03: C<Sec-WebSocket-Origin> and
C<Sec-WebSocket-Location>; hixie-75: C<WebSocket-Origin> and C<WebSocket-Location>. The
location is built from L</host>, L<uri|WebSocket::Common/uri> and
L<secure|WebSocket::Common/secure>; fails with C<host value is required.> without a host;

=item * C<Sec-WebSocket-Protocol> (C<WebSocket-Protocol> for hixie-75) with the
L<subprotocols|WebSocket::Common/subprotocol>: a server answering a RFC 6455 client sets the
single one it selected;

=item * C<Sec-WebSocket-Extensions> with the L<extensions|WebSocket::Common/extensions>;

=item * one C<Set-Cookie> per cookie.

=back

=head2 host

Sets or gets the host the server answers for. Used to build the location of the legacy
handshakes and not sent as a header. Returns a scalar object.

=head2 key

Sets or gets the client's C<Sec-WebSocket-Key> this response answers (RFC 6455 and hybi-04
and later). Returns a scalar object.

=head2 key1

=head2 key2

Set or get the client's hixie-76 keys, from which L</number1> and L</number2> are computed
when not set.

=head2 location

Sets the C<Location> header field, and gets the location of the response: the C<Location>,
C<Sec-WebSocket-Location> or C<WebSocket-Location> field, whichever is present. Returns a
scalar object.

=head2 number1

=head2 number2

Set or get the numbers of the client's hixie-76 keys, which enter the
L<checksum|WebSocket::Common/checksum>. Without a number set, each is computed from
L</key1> or L</key2>. Returns a L<WebSocket::Generic::Number>, or C<undef> when there is
neither; setting C<undef> forgets the number set. A value that is not a non-negative integer
is refused with the error C<Value provided for number1 ("...") is not a number.>

=head2 origin

Sets or gets the origin the response allows (the C<Sec-WebSocket-Origin> field, or
C<WebSocket-Origin> when reading). Sent for the legacy handshakes only.

=head2 parse

    my $rv = $res->parse( $bytes );

Adds data (a string, or what can be read from an object with a C<read> method) and parses
it. Returns the object once the response is complete; C<1> when C<$bytes> is C<undef>, the
head is incomplete, or the 16 bytes of a legacy checksum are still missing; C<undef> with an
error otherwise. The data must start with C<HTTP/1.1 101 >, otherwise the error is
C<Wrong response line. Got "...", but expected something starting with "HTTP/1.1 101 ">,
where the line shown is the data received without its final line break, cut to 77
characters followed by C<...> when longer than 80. C<Message is too long> is reported first
when the data exceeds L<max_message_size|WebSocket::Common/max_message_size>; a malformed head
gives C<Error parsing response data: ...>. The bytes that follow the head (and the checksum)
stay in the L<buffer|WebSocket::Common/buffer>: they are the first frames.

=head2 parse_body

Finishes a parse once the head is in. The version comes from C<Sec-WebSocket-Version>, else
C<draft-ietf-hybi-17> when C<Sec-WebSocket-Accept> is present, else C<draft-ietf-hybi-03>
(and the 16-byte checksum is read) when C<Sec-WebSocket-Origin> is present, else
C<draft-hixie-75>. The legacy handshakes need their location field
(C<No "Sec-WebSocket-Location" header found.>, C<No "WebSocket-Location" header found.>),
from which L<secure|WebSocket::Common/secure>, L</host> and L<uri|WebSocket::Common/uri> are
set. The subprotocols and extensions are read from their fields. Returns the object, or C<1>
when more bytes are needed.

=head2 status

Sets or gets the reason phrase. Returns a scalar object.

=head2 version

Sets or gets the protocol version: the first of L</versions>. Accepts a version object, a
number, a draft name, or a comma-separated list of them.

=head2 versions

Sets or gets the protocol versions the server supports, as a L<WebSocket::Generic::Array> of
L<WebSocket::Version> objects; they are listed in C<Sec-WebSocket-Version>.

=head1 SEE ALSO

L<WebSocket::Request>, L<WebSocket::Common>, L<WebSocket::Handshake::Server>, RFC 6455
section 4.2.2

=head1 COPYRIGHT & LICENSE

This library is free software; you can redistribute it and/or modify it under the same
terms as Perl itself.

=cut
