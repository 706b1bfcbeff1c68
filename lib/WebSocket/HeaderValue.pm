package WebSocket::HeaderValue;
use strict;
use warnings;
use parent qw( WebSocket::Generic );
use Scalar::Util ();
use overload (
    '""'     => sub { my $s = $_[0]->as_string; defined( $s ) ? $s : '' },
    # An object is true once built, even when its text cannot be made (as_string fails).
    'bool'   => sub { 1 },
    fallback => 1,
);

our $VERSION = 'v0.3.0';

# RFC 7230 section 3.2.6: token; RFC 7231 section 3.1.1.1: media type (type "/" subtype);
# the characters allowed in a quoted-string (tab, visible ASCII, space, obs-text); and the
# characters to escape inside one.
our $TOKEN_REGEXP = qr/^[!#\$%&'*+.^_`|~0-9A-Za-z-]+$/;
our $TYPE_REGEXP  = qr{^[!#\$%&'*+.^_`|~0-9A-Za-z-]+/[!#\$%&'*+.^_`|~0-9A-Za-z-]+$};
our $TEXT_REGEXP  = qr/^[\t\x20-\x7e\x80-\xff]*$/;
our $QUOTE_REGEXP = qr/([\\"])/;

# Options of the constructor that are not parameters of the header value.
my %OPTIONS = map{ $_ => 1 } qw( debug fatal quiet original params );

# new( $value, %params_and_options ) or new( $value, \%params_and_options ); the inherited
# WebSocket::Generic::new calls this init and turns a failure into undef plus a class error.
sub init
{
    my $self  = shift( @_ );
    my $value = shift( @_ );
    $self->{_exception_class} = 'WebSocket::Exception';
    $self->{value}    = undef;
    $self->{params}   = {};
    $self->{original} = '';
    my $opts = $self->_get_args_as_hash( @_ );
    return( $self->error( 'Odd number of parameters provided to ' . ref( $self ) . '->new' ) ) if( !defined( $opts ) );
    for my $k ( qw( fatal debug quiet ) )
    {
        $self->{ $k } = delete( $opts->{ $k } ) if( CORE::exists( $opts->{ $k } ) );
    }
    return( $self->error( 'No value provided.' ) ) if( !defined( $value ) || !length( "$value" ) );
    $self->{value} = "$value";
    if( CORE::exists( $opts->{params} ) )
    {
        $self->params( delete( $opts->{params} ) ) // return( $self->pass_error );
    }
    my $original = delete( $opts->{original} );
    # Every other pair is a parameter: new( 'foo', bar => 2 ) is "foo; bar=2".
    for my $name ( keys( %$opts ) )
    {
        $self->{params}->{ lc( $name ) } = _param_value( $opts->{ $name } );
    }
    $self->{original} = "$original" if( defined( $original ) );
    return( $self );
}

sub new_from_header
{
    my $that  = shift( @_ );
    # Objects of the class it was called on: WebSocket::Extension->new_from_header gives
    # WebSocket::Extension objects.
    my $class = ref( $that ) || $that;
    my $str   = shift( @_ );
    my $sep   = shift( @_ );
    $sep = ';' if( !defined( $sep ) || !length( $sep ) );
    return( $that->error( 'Header value is required' ) ) if( !defined( $str ) || "$str" !~ /\S/ );
    my( $first, @parts ) = map{ _trim( $_ ) } _split_unquoted( "$str", $sep );
    my %params;
    for my $part ( @parts )
    {
        next if( !length( $part ) );
        my( $name, $val ) = split( /[ \t]*=[ \t]*/, $part, 2 );
        # A parameter is a token name, alone or followed by a token or a quoted string. Any
        # other part is not a parameter and is left out.
        next if( $name !~ $TOKEN_REGEXP );
        if( defined( $val ) )
        {
            if( $val =~ /^"((?:[^"\\]|\\.)*)"$/s )
            {
                ( $val = $1 ) =~ s/\\(.)/$1/gs;
            }
            elsif( $val !~ $TOKEN_REGEXP )
            {
                next;
            }
        }
        $params{ lc( $name ) } = $val;
    }
    my $self = $class->new( _unquote( $first ), ( ref( $that ) ? ( debug => $that->{debug} ) : () ) );
    return( $that->pass_error( $class->error ) ) if( !defined( $self ) );
    $self->{params} = \%params;
    return( $self );
}

sub new_from_multi
{
    my $that  = shift( @_ );
    my $class = ref( $that ) || $that;
    my $str   = shift( @_ );
    my $sep   = shift( @_ );
    return( $that->error( 'Header value is required' ) ) if( !defined( $str ) || "$str" !~ /\S/ );
    my @objs;
    for my $part ( _split_unquoted( "$str", ',' ) )
    {
        next if( $part !~ /\S/ );
        my $o = $that->new_from_header( $part, $sep );
        return( $that->pass_error( $class->error ) ) if( !defined( $o ) );
        push( @objs, $o );
    }
    return( $that->new_array( \@objs ) );
}

sub as_string
{
    my $self = shift( @_ );
    return( $self->{original} ) if( defined( $self->{original} ) && length( $self->{original} ) );
    my $value = $self->{value};
    # The main value is a token (permessage-deflate, Upgrade) or a media type (text/html).
    if( !defined( $value ) || ( $value !~ $TOKEN_REGEXP && $value !~ $TYPE_REGEXP ) )
    {
        return( $self->error( 'Invalid value "' . ( defined( $value ) ? $value : '' ) . '"' ) );
    }
    my $str = $value;
    for my $name ( sort( keys( %{ $self->{params} } ) ) )
    {
        return( $self->error( "Invalid parameter name: \"$name\"" ) ) if( $name !~ $TOKEN_REGEXP );
        my $v = $self->{params}->{ $name };
        # A parameter without value, such as client_max_window_bits
        if( !defined( $v ) )
        {
            $str .= "; $name";
            next;
        }
        my $q = $self->qstring( $v );
        return( $self->pass_error ) if( !defined( $q ) );
        $str .= "; $name=$q";
    }
    $self->{original} = $str;
    return( $str );
}

sub original { return( shift->_set_get_scalar_as_object( 'original', @_ ) ); }

sub params
{
    my $self = shift( @_ );
    if( scalar( @_ ) == 1 )
    {
        my $p = shift( @_ );
        $p = {} if( !defined( $p ) );
        return( $self->error( 'params expects a hash reference or name => value pairs' ) ) if( ( Scalar::Util::reftype( $p ) // '' ) ne 'HASH' );
        $self->{params} = { map{ ( lc( $_ ) => _param_value( $p->{ $_ } ) ) } keys( %$p ) };
        $self->reset;
    }
    elsif( @_ )
    {
        return( $self->error( 'params expects a hash reference or name => value pairs' ) ) if( scalar( @_ ) % 2 );
        my %p = @_;
        $self->{params}->{ lc( $_ ) } = _param_value( $p{ $_ } ) for( keys( %p ) );
        $self->reset;
    }
    # The hash object is the parameters themselves: $hv->params->{name} = 'x' changes them
    # (call reset afterwards so that the text is built again).
    return( bless( $self->{params}, 'WebSocket::Generic::Hash' ) );
}

sub qstring
{
    my $self = shift( @_ );
    my $str  = shift( @_ );
    $str = '' if( !defined( $str ) );
    $str = "$str";
    # A token needs no quotes.
    return( $str ) if( $str =~ $TOKEN_REGEXP );
    return( $self->error( 'Invalid parameter value' ) ) if( $str !~ $TEXT_REGEXP );
    $str =~ s/$QUOTE_REGEXP/\\$1/g;
    return( '"' . $str . '"' );
}

sub reset
{
    my $self = shift( @_ );
    $self->{original} = '';
    return( $self );
}

sub value
{
    my $self = shift( @_ );
    if( @_ )
    {
        my $v = shift( @_ );
        return( $self->error( 'No value provided.' ) ) if( !defined( $v ) || !length( "$v" ) );
        $self->{value} = "$v";
        $self->reset;
    }
    return( $self->new_scalar( $self->{value} ) );
}

# A parameter value as stored: undef (no value) or a string.
sub _param_value
{
    my $v = shift( @_ );
    return( $v ) if( !defined( $v ) || !ref( $v ) );
    return( "$v" );
}

sub _trim
{
    my $s = shift( @_ );
    $s =~ s/^[ \t\r\n]+|[ \t\r\n]+$//g;
    return( $s );
}

sub _unquote
{
    my $v = shift( @_ );
    if( defined( $v ) && $v =~ /^"((?:[^"\\]|\\.)*)"$/s )
    {
        ( $v = $1 ) =~ s/\\(.)/$1/gs;
    }
    return( $v );
}

# Splits $str on $sep, except where $sep is escaped with a backslash or inside a quoted
# string.
sub _split_unquoted
{
    my( $str, $sep ) = @_;
    my @parts;
    my $cur = '';
    my $in_quote = 0;
    my $len = length( $str );
    my $slen = length( $sep );
    for( my $i = 0; $i < $len; $i++ )
    {
        my $c = substr( $str, $i, 1 );
        if( $c eq '\\' && $i + 1 < $len )
        {
            $cur .= $c . substr( $str, ++$i, 1 );
            next;
        }
        if( $c eq '"' )
        {
            $in_quote = !$in_quote;
        }
        elsif( !$in_quote && substr( $str, $i, $slen ) eq $sep )
        {
            push( @parts, $cur );
            $cur = '';
            $i += $slen - 1;
            next;
        }
        $cur .= $c;
    }
    push( @parts, $cur );
    return( @parts );
}

1;

__END__

=encoding utf-8

=head1 NAME

WebSocket::HeaderValue - a header value with its parameters

=head1 SYNOPSIS

    use WebSocket::HeaderValue;
    my $hv = WebSocket::HeaderValue->new( 'foo', bar => 2 ) ||
        die( WebSocket::HeaderValue->error, "\n" );
    print "X-Thing: $hv\n";                 # X-Thing: foo; bar=2

    my $offer = WebSocket::HeaderValue->new_from_header(
        'permessage-deflate; client_max_window_bits; server_max_window_bits=10'
    ) || die( WebSocket::HeaderValue->error, "\n" );
    print $offer->value, "\n";                                  # permessage-deflate
    print $offer->params->{server_max_window_bits}, "\n";       # 10
    print exists( $offer->params->{client_max_window_bits} ) ? "yes\n" : "no\n";   # yes

    my $list = WebSocket::HeaderValue->new_from_multi( 'mux; max-channels=4; flow-control, deflate-stream' );
    print $list->length, "\n";                                  # 2

=head1 DESCRIPTION

Many HTTP header fields hold a main value followed by parameters, each written
C<; name=value>, where the value is a token or a quoted string, and some parameters have no
value at all (C<client_max_window_bits> in a permessage-deflate offer). A field may also hold
several such values separated by commas. An object of this class is one of them: it is built
from its parts or parsed from the header text, and it stringifies to the header text.

Parameter names are case-insensitive and kept in lower case. When the object builds its
text, the parameters come in the order of their names, and a value that is not a token is
written as a quoted string.

L<WebSocket::Extension> is the subclass used for the C<Sec-WebSocket-Extensions> field.

=head1 CONSTRUCTORS

=head2 new

    my $hv = WebSocket::HeaderValue->new( $value );
    my $hv = WebSocket::HeaderValue->new( $value, name => $param_value, ... );
    my $hv = WebSocket::HeaderValue->new( $value, { name => $param_value, ... } );

Takes the main value, then, optionally, parameters as name/value pairs (or a hash
reference of them); a parameter whose value is C<undef> is written without value. A few
names are options rather than parameters: C<params> (a hash reference of parameters),
C<original> (the text to return as it is from L</as_string>), C<debug>, C<fatal> and
C<quiet>.

Returns the object, or C<undef> with the error C<No value provided.> when the value is
missing or empty; that error is then available from C<< WebSocket::HeaderValue->error >>.

=head2 new_from_header

    my $hv = WebSocket::HeaderValue->new_from_header( 'foo; bar=2; baz="a b"' );
    my $hv = WebSocket::HeaderValue->new_from_header( 'foo| bar=2', '|' );

Parses the text of one header value. The first part is the main value; each following part,
after the separator (C<;> unless another is given), is a parameter: a token name alone, or
followed by C<=> and a token or a quoted string (which is unquoted). A separator inside a
quoted string or escaped with a backslash does not split. Parts that are not parameters are
left out.

It returns an object of the class it is called on, so
C<< WebSocket::Extension->new_from_header >> returns a L<WebSocket::Extension>. On an empty
string, it returns C<undef> with the error C<Header value is required>.

=head2 new_from_multi

    my $all = WebSocket::HeaderValue->new_from_multi( 'a; x=1, b, c; y="1,2"' );

Splits the text on the commas that are outside quoted strings and parses each part with
L</new_from_header> (an optional second argument is the parameter separator it is given).
Returns a L<WebSocket::Generic::Array> of objects of the invoking class, or C<undef> with
the error C<Header value is required> on an empty string.

=head1 METHODS

=head2 as_string

Returns the header text. When the object has a cached text (see L</original>), that is the
result; otherwise the text is built from the value and the parameters, and cached.

It returns C<undef> and sets an error when the text cannot be built: C<Invalid value "...">
when the main value is neither a token nor a media type, C<Invalid parameter name: "...">
when a parameter name is not a token, and C<Invalid parameter value> when a parameter value
contains a character that no quoted string may hold. The object stringifies through this
method (to an empty string when it fails).

=head2 original

Gets or sets the cached text, as a L<WebSocket::Generic::Scalar>. It is empty until the
text is built or given to L</new> with the C<original> option.

=head2 params

    my $p = $hv->params;                        # a WebSocket::Generic::Hash
    print $p->{bar}, $p->bar, "\n";
    $hv->params( bar => 3, baz => undef );      # set some
    $hv->params( { only => 1 } );               # replace them all

Returns the parameters as a L<WebSocket::Generic::Hash>, whose keys are also reachable as
methods. With name/value pairs, sets those parameters; with a hash reference, replaces all of
them. Either form forgets the cached text. Changing the hash directly does not: call
L</reset> afterwards.

=head2 qstring

    print $hv->qstring( 'token' ), "\n";        # token
    print $hv->qstring( 'two words' ), "\n";    # "two words"

Returns the string as a parameter value: unchanged when it is a token, otherwise between
double quotes with C<\> and C<"> escaped. Returns C<undef> with the error
C<Invalid parameter value> when the string has control characters (other than tab) or
characters above C<\xFF>.

=head2 reset

Forgets the cached text, so that the next L</as_string> builds it again from the value and
the parameters. Returns the object, so that calls can be chained.

=head2 value

Gets or sets the main value (C<foo> in C<foo; bar=2>), as a L<WebSocket::Generic::Scalar>.
Setting it forgets the cached text; an empty value is refused with C<No value provided.>

=head1 SEE ALSO

L<WebSocket::Extension>, L<WebSocket::Headers>, RFC 7230 section 3.2.6

=head1 COPYRIGHT & LICENSE

This library is free software; you can redistribute it and/or modify it under the same
terms as Perl itself.

=cut
