package WebSocket::Headers;
use strict;
use warnings;
use HTTP::Headers ();
use Scalar::Util ();
use WebSocket::Generic ();
use WebSocket::Exception ();
our @ISA = qw( HTTP::Headers WebSocket::Generic );

our $VERSION = 'v0.3.0';

# The object is an HTTP::Headers hash whose keys are the lower-cased field names. Our own
# state (error, fatal, debug, quiet) lives under keys that start with '::', which
# HTTP::Headers leaves out of the fields, so that it never shows up as a header.

sub new
{
    my $class = shift( @_ );
    # HTTP::Headers::new calls $self->header( @pairs ), that is our setter below.
    return( HTTP::Headers::new( $class, @_ ) );
}

sub header
{
    my $self = shift( @_ );
    my @args = @_;
    my $setting = ( scalar( @args ) > 1 ) ? 1 : 0;
    if( $setting )
    {
        for( my $i = 1; $i < scalar( @args ); $i += 2 )
        {
            $args[$i] = _plain( $args[$i] );
        }
    }
    my @rv;
    local $@;
    eval
    {
        @rv = HTTP::Headers::header( $self, @args );
        1;
    } || return( $self->error( 'Error ' . ( $setting ? 'setting' : 'getting' ) . " header value(s): $@" ) );
    # Every value becomes an object, so that calls can be chained on it; no value at all is a
    # scalar object holding undef, so that ->length, ->defined, ->match... always work.
    @rv = map{ ref( $_ ) eq 'ARRAY' ? WebSocket::Generic::Array->new( $_ ) : WebSocket::Generic::Scalar->new( $_ ) } @rv;
    @rv = ( WebSocket::Generic::Scalar->new( undef ) ) if( !scalar( @rv ) );
    return( @rv ) if( wantarray() );
    return( $rv[0] ) if( scalar( @rv ) == 1 );
    return( join( ', ', map{ "$_" } @rv ) );
}

# A value to hand to HTTP::Headers: array objects become plain array references (of
# strings), and objects that stringify become their string.
sub _plain
{
    my $v = shift( @_ );
    return( $v ) if( !Scalar::Util::blessed( $v ) );
    if( $v->isa( 'WebSocket::Generic::Array' ) || ( Scalar::Util::reftype( $v ) eq 'ARRAY' && !overload::Method( $v, '""' ) ) )
    {
        return( [ map{ ( Scalar::Util::blessed( $_ ) && overload::Method( $_, '""' ) ) ? "$_" : $_ } @$v ] );
    }
    return( "$v" ) if( overload::Method( $v, '""' ) );
    return( $v );
}

# Case-insensitive, and '_' may stand for '-', as HTTP::Headers itself does for field names:
# exists( 'sec_websocket_key' ) finds Sec-WebSocket-Key.
sub exists
{
    my $self = shift( @_ );
    my $name = shift( @_ );
    return( 0 ) if( !defined( $name ) || !length( $name ) );
    my $key = lc( "$name" );
    # Keys starting with ':' are private state, not fields.
    return( 0 ) if( $key =~ /^:/ );
    $key =~ tr/_/-/;
    return( CORE::exists( $self->{ $key } ) ? 1 : 0 );
}

sub clone
{
    my $self = shift( @_ );
    my $new = HTTP::Headers::clone( $self );
    return( bless( $new, ref( $self ) ) );
}

# The error model of WebSocket::Generic, with its state kept outside the header fields.

sub error
{
    my $self = shift( @_ );
    if( @_ )
    {
        my $ex;
        if( scalar( @_ ) == 1 && Scalar::Util::blessed( $_[0] ) && $_[0]->isa( 'WebSocket::Exception' ) )
        {
            $ex = $_[0];
        }
        elsif( scalar( @_ ) == 1 && ref( $_[0] ) eq 'HASH' )
        {
            $ex = WebSocket::Exception->new( { skip_frames => 1, %{ $_[0] } } );
        }
        else
        {
            $ex = WebSocket::Exception->new( { skip_frames => 1, message => join( '', map{ defined( $_ ) ? "$_" : '' } @_ ) } );
        }
        $self->{'::error'} = $ex if( ref( $self ) );
        ( ref( $self ) || $self )->_set_class_error( $ex );
        die( $ex ) if( ref( $self ) && $self->{'::fatal'} );
        warn( "$ex\n" ) if( ref( $self ) && $self->{'::debug'} && !$self->{'::quiet'} );
        return;
    }
    return( $self->{'::error'} ) if( ref( $self ) );
    no strict 'refs';
    return( ${"${self}::ERROR"} );
}

sub pass_error
{
    my $self = shift( @_ );
    if( @_ && defined( $_[0] ) )
    {
        my $ex = shift( @_ );
        $ex = $ex->error if( Scalar::Util::blessed( $ex ) && !$ex->isa( 'WebSocket::Exception' ) && $ex->can( 'error' ) );
        if( defined( $ex ) )
        {
            $self->{'::error'} = $ex if( ref( $self ) );
            ( ref( $self ) || $self )->_set_class_error( $ex );
        }
    }
    die( $self->{'::error'} ) if( ref( $self ) && $self->{'::fatal'} && $self->{'::error'} );
    return;
}

sub fatal { return( shift->_private( 'fatal', @_ ) ); }

sub quiet { return( shift->_private( 'quiet', @_ ) ); }

sub debug
{
    my $self = shift( @_ );
    $self->{'::debug'} = shift( @_ ) if( @_ );
    return( $self->{'::debug'} // 0 );
}

sub message
{
    my $self = shift( @_ );
    my $level = ( @_ && defined( $_[0] ) && $_[0] =~ /^\d+$/ ) ? shift( @_ ) : 1;
    return( 1 ) unless( ref( $self ) && ( $self->{'::debug'} // 0 ) >= $level );
    my( $pkg, $file, $line ) = caller;
    print( STDERR "## ${pkg}[$line]: ", join( '', map{ ref( $_ ) eq 'CODE' ? $_->() : ( $_ // '' ) } @_ ), "\n" );
    return( 1 );
}

sub _private
{
    my $self = shift( @_ );
    my $key = '::' . shift( @_ );
    $self->{ $key } = shift( @_ ) if( @_ );
    return( $self->{ $key } );
}

1;

__END__

=encoding utf-8

=head1 NAME

WebSocket::Headers - HTTP header fields whose values can be chained on

=head1 SYNOPSIS

    use WebSocket::Headers;
    my $h = WebSocket::Headers->new(
        Upgrade    => 'websocket',
        Connection => 'keep-alive, Upgrade',
    ) || die( WebSocket::Headers->error, "\n" );

    die( "not a websocket upgrade\n" ) if( $h->header( 'upgrade' )->lc ne 'websocket' );
    my $tokens = $h->header( 'connection' )->split( qr/\s*,\s*/ );
    print $tokens->length, "\n";                                        # 2

    # A missing field still gives an object
    print $h->header( 'X-Missing' )->defined ? 'set' : 'unset', "\n";   # unset

    $h->header( 'Sec-WebSocket-Protocol' => 'chat', 'Sec-WebSocket-Version' => 13 );
    print "has a key\n" if( $h->exists( 'sec_websocket_key' ) );
    print $h->as_string( "\r\n" );

=head1 DESCRIPTION

This class is an L<HTTP::Headers> (it is its first parent class) whose L</header> method
hands back objects instead of plain strings: a L<WebSocket::Generic::Scalar> for a single
value and a L<WebSocket::Generic::Array> for a list of values. A field that is not there
gives a scalar object holding C<undef>, so that a chain such as
C<< $h->header( 'upgrade' )->lc >> never dies on a missing field.

It also inherits from L<WebSocket::Generic> for its error model: a failure returns C<undef>
(an empty list in list context) and records a L<WebSocket::Exception>, which L</error>
returns. That state is kept out of the header fields.

L<WebSocket::Request> and L<WebSocket::Response> keep their header fields in an object of
this class.

=head1 CONSTRUCTOR

=head2 new

    my $h = WebSocket::Headers->new( $field1 => $value1, $field2 => $value2, ... );

Builds the object from field/value pairs, exactly as L<HTTP::Headers/new> does; values may
be the objects L</header> accepts.

=head1 METHODS

=head2 header

    my $value  = $h->header( $field );        # get
    my @values = $h->header( $field );
    $h->header( $field => $value, ... );      # set

With one field name, gets the value of that field. In list context, it returns one object
per value; in scalar context, the value object when the field has one value, or the values
joined with C<", "> (a plain string) when it has several. When the field is absent, the
result is a L<WebSocket::Generic::Scalar> holding C<undef>, in both contexts.

With field/value pairs, sets those fields, as L<HTTP::Headers/header> does; the field name
is case-insensitive and C<_> may be written for C<->. A value may be a plain string, an
array reference (several values), a L<WebSocket::Generic::Array> (turned into a plain
array reference) or any object that stringifies (a L<WebSocket::Generic::Scalar>, a
L<WebSocket::Extension>...), which is stored as its string. It returns the previous value(s)
of the last field, in the same form as the getter.

When L<HTTP::Headers> refuses the call (an empty or illegal field name, no argument at all),
it returns C<undef> and sets an error whose message starts with
C<Error setting header value(s): > or C<Error getting header value(s): > followed by the
reason.

=head2 exists

    print "has a key\n" if( $h->exists( 'Sec-WebSocket-Key' ) );
    print "has a key\n" if( $h->exists( 'SEC_WEBSOCKET_KEY' ) );

Returns true (1) when the field is present, false (0) otherwise. The name is matched without
regard to case, and an underscore may be written for a dash.

=head2 clone

Returns a copy of the header fields, as an object of the same class.

=head2 as_string

    print $h->as_string;            # lines end with "\n"
    print $h->as_string( "\r\n" );

The fields formatted as a MIME header, in the recommended order; the optional argument is
the end of line to use. Inherited from L<HTTP::Headers>.

=head2 authorization, proxy_authorization

Get or set the C<Authorization> and C<Proxy-Authorization> fields. Inherited.

=head2 authorization_basic, proxy_authorization_basic

    $h->authorization_basic( $user, $password );
    my( $user, $password ) = $h->authorization_basic;

Get or set those fields with the I<Basic> scheme. Inherited.

=head2 proxy_authenticate

Gets or sets the C<Proxy-Authenticate> field. Inherited.

=head2 clear

Removes every field. Inherited.

=head2 content_length

Gets or sets the C<Content-Length> field. Inherited.

=head2 flatten

Returns the fields as a list of name/value pairs. Inherited.

=head2 header_field_names

Returns the names of the fields present (their number in scalar context). Inherited.

=head2 push_header

    $h->push_header( 'Sec-WebSocket-Protocol' => 'chat' );
    $h->push_header( 'Sec-WebSocket-Protocol' => [ qw( v2.chat v1.chat ) ] );

Adds a value (or several, from an array reference) to a field, keeping the values it had.
Inherited.

=head2 remove_header

Removes the named fields and returns their values (their number in scalar context).
Inherited.

=head2 remove_content_headers

Removes the fields that describe a message body (C<Content-*>, C<Allow>, C<Expires>,
C<Last-Modified>) and returns them in a new L<HTTP::Headers> object. Inherited.

=head2 scan

    $h->scan( sub { my( $name, $value ) = @_; ... } );

Calls the code with each field name and value, once per value. Inherited.

=head2 server, user_agent

Get or set the C<Server> and C<User-Agent> fields. Inherited.

=head2 error

With arguments, records an error (see L<WebSocket::Generic/error>) and returns C<undef>, or
an empty list in list context; called with no argument, returns the last
L<WebSocket::Exception>, or C<undef>.

=head2 pass_error

Takes the error of another object, or an exception, as this object's error, and returns
C<undef> or an empty list.

=head2 fatal

When set to a true value, errors C<die> with the exception object instead of returning
C<undef>.

=head2 debug

Gets or sets the debug level (0 by default).

=head2 quiet

When true, errors are not echoed on STDERR even with a non-zero debug level.

=head2 message

Prints a debugging message on STDERR when the debug level is at least the level given as
first argument. See L<WebSocket::Generic/message>.

=head1 SEE ALSO

L<HTTP::Headers>, L<WebSocket::Generic>, L<WebSocket::Request>, L<WebSocket::Response>,
L<WebSocket::HeaderValue>

=head1 COPYRIGHT & LICENSE

This library is free software; you can redistribute it and/or modify it under the same
terms as Perl itself.

=cut
