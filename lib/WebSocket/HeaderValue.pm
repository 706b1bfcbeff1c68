package WebSocket::HeaderValue;
use strict;
use warnings;
use parent qw( WebSocket::Generic );
use Scalar::Util ();
use overload (
    '""'     => sub { my $s = $_[0]->as_string; defined( $s ) ? $s : '' },
    'bool'   => sub { 1 },
    fallback => 1,
);

our $VERSION = 'v0.3.0';

# RFC 7230 token and TEXT (visible characters, space, tab, obs-text).
our $TOKEN_REGEXP = qr/^[!#\$%&'*+.^_`|~0-9A-Za-z-]+$/;
our $TYPE_REGEXP  = qr{^[!#\$%&'*+.^_`|~0-9A-Za-z-]+/[!#\$%&'*+.^_`|~0-9A-Za-z-]+$};
our $TEXT_REGEXP  = qr/^[\t\x20-\x7e\x80-\xff]*$/;
our $QUOTE_REGEXP = qr/([\\"])/;

# new( $value, %params_or_options )
sub new
{
    my $that  = shift( @_ );
    my $class = ref( $that ) || $that;
    my $value = shift( @_ );
    my $self  = bless( { _exception_class => 'WebSocket::Exception' }, $class );
    if( !defined( $value ) || !length( "$value" ) )
    {
        $self->error( 'No value provided.' );
        $class->_set_class_error( $self->{error} );
        return;
    }
    my $opts = $self->_get_args_as_hash( @_ );
    if( !defined( $opts ) )
    {
        $self->error( "Odd number of parameters provided to ${class}->new" );
        $class->_set_class_error( $self->{error} );
        return;
    }
    $self->{value} = "$value";
    $self->{params} = {};
    for my $k ( qw( fatal debug quiet ) )
    {
        $self->{ $k } = delete( $opts->{ $k } ) if( exists( $opts->{ $k } ) );
    }
    if( exists( $opts->{params} ) )
    {
        my $p = delete( $opts->{params} );
        if( ( Scalar::Util::reftype( $p ) // '' ) ne 'HASH' )
        {
            $self->error( 'params must be a hash reference' );
            $class->_set_class_error( $self->{error} );
            return;
        }
        $self->{params}->{ lc( $_ ) } = $p->{ $_ } for( keys( %$p ) );
    }
    my $original = delete( $opts->{original} );
    # Every other pair is a parameter of the value: new( 'foo', bar => 2 ) is "foo; bar=2".
    $self->{params}->{ lc( $_ ) } = $opts->{ $_ } for( keys( %$opts ) );
    $self->{original} = $original if( defined( $original ) );
    return( $self );
}

# Split $str on $sep where $sep is neither escaped nor inside a quoted string.
sub _split_unquoted
{
    my( $str, $sep ) = @_;
    my @parts;
    my $cur = '';
    my $in_quote = 0;
    my $len = length( $str );
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
        elsif( !$in_quote && substr( $str, $i, length( $sep ) ) eq $sep )
        {
            push( @parts, $cur );
            $cur = '';
            $i += length( $sep ) - 1;
            next;
        }
        $cur .= $c;
    }
    push( @parts, $cur );
    return( @parts );
}

sub _unquote
{
    my $v = shift( @_ );
    return( $v ) if( !defined( $v ) );
    if( $v =~ /^"(.*)"$/s )
    {
        $v = $1;
        $v =~ s/\\(.)/$1/gs;
    }
    return( $v );
}

sub new_from_header
{
    my $that  = shift( @_ );
    my $class = ref( $that ) || $that;
    my( $str, $sep ) = @_;
    $sep = ';' if( !defined( $sep ) || !length( $sep ) );
    if( !defined( $str ) || $str !~ /\S/ )
    {
        return( $class->error( 'Header value is required' ) );
    }
    my( $value, @params ) = map{ s/^\s+|\s+$//gr } _split_unquoted( $str, $sep );
    my %params;
    for my $p ( @params )
    {
        next if( !length( $p ) );
        my( $name, $v ) = split( /\s*=\s*/, $p, 2 );
        # Parameter names are tokens; a part that is not one is not a parameter (dropped).
        next if( !defined( $name ) || $name !~ $TOKEN_REGEXP );
        $params{ lc( $name ) } = _unquote( $v );
    }
    my $self = $class->new( _unquote( $value ), params => \%params ) || return( $class->pass_error( $class->error ) );
    $self->{original} = $str =~ s/^\s+|\s+$//gr;
    return( $self );
}

sub new_from_multi
{
    my $that  = shift( @_ );
    my $class = ref( $that ) || $that;
    my( $str, $sep ) = @_;
    if( !defined( $str ) || $str !~ /\S/ )
    {
        return( $class->error( 'Header value is required' ) );
    }
    my @objs;
    for my $part ( _split_unquoted( $str, ',' ) )
    {
        next if( $part !~ /\S/ );
        my $o = $class->new_from_header( $part, $sep ) || return( $class->pass_error( $class->error ) );
        push( @objs, $o );
    }
    return( WebSocket::Generic::Array->new( \@objs ) );
}

sub as_string
{
    my $self = shift( @_ );
    return( $self->{original} ) if( defined( $self->{original} ) && length( $self->{original} ) );
    my $value = $self->{value};
    # A value is a token (permessage-deflate, foo) or a media type (text/html).
    if( !defined( $value ) || ( $value !~ $TOKEN_REGEXP && $value !~ $TYPE_REGEXP ) )
    {
        return( $self->error( 'Invalid value "' . ( $value // '' ) . '"' ) );
    }
    my $str = $value;
    for my $name ( sort( keys( %{ $self->{params} } ) ) )
    {
        return( $self->error( "Invalid parameter name: \"$name\"" ) ) if( $name !~ $TOKEN_REGEXP );
        my $v = $self->{params}->{ $name };
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
    if( @_ == 1 && ( Scalar::Util::reftype( $_[0] ) // '' ) eq 'HASH' )
    {
        my $p = shift( @_ );
        $self->{params} = { map{ ( lc( $_ ) => $p->{ $_ } ) } keys( %$p ) };
        $self->reset;
    }
    elsif( @_ >= 2 && !( @_ % 2 ) )
    {
        my %p = @_;
        $self->{params}->{ lc( $_ ) } = $p{ $_ } for( keys( %p ) );
        $self->reset;
    }
    elsif( @_ )
    {
        return( $self->error( 'params expects a hash reference or name => value pairs' ) );
    }
    # The hash object shares the parameters, so $hv->params->{name} = ... also updates them.
    return( bless( $self->{params}, 'WebSocket::Generic::Hash' ) );
}

sub qstring
{
    my( $self, $str ) = @_;
    $str = '' if( !defined( $str ) );
    return( $str ) if( $str =~ $TOKEN_REGEXP );
    return( $self->error( 'Invalid parameter value' ) ) if( $str !~ $TEXT_REGEXP );
    $str =~ s/$QUOTE_REGEXP/\\$1/g;
    return( qq{"$str"} );
}

sub reset
{
    my $self = shift( @_ );
    delete( $self->{original} );
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
    return( WebSocket::Generic::Scalar->new( $self->{value} ) );
}

1;

__END__

=encoding utf-8

=head1 NAME

WebSocket::HeaderValue - an HTTP header value with parameters

=head1 SYNOPSIS

    use WebSocket::HeaderValue;
    my $hv = WebSocket::HeaderValue->new( 'foo', bar => 2 );
    print "$hv\n";                                   # foo; bar=2

    my $ext = WebSocket::HeaderValue->new_from_header( 'permessage-deflate; client_max_window_bits; server_max_window_bits=10' );
    print $ext->value, "\n";                         # permessage-deflate
    print $ext->params->{server_max_window_bits}, "\n";   # 10

    my $all = WebSocket::HeaderValue->new_from_multi( 'mux; max-channels=4; flow-control, deflate-stream' );
    print $all->length, "\n";                        # 2

=head1 DESCRIPTION

A header value as RFC 7230 writes them: a main value followed by C<; name=value> parameters,
where a value is a token or a quoted string, and a parameter may have no value at all (as
C<client_max_window_bits> in a permessage-deflate offer). Several such values can share one
header line, separated by commas. The object stringifies to the header text.

=head1 CONSTRUCTORS

=head2 new( $value, [%params] )

Takes the main value and, optionally, parameters as name/value pairs (names are lower-cased;
C<undef> makes a parameter without value). The options C<params> (a hash reference of
parameters), C<original> (the header text to return as is), C<debug> and C<fatal> are
recognised. Fails with C<No value provided.> when the value is empty.

=head2 new_from_header( $string, [$separator] )

Parses one header value. The separator between the value and its parameters is C<;> by
default; separators inside quoted strings or escaped with a backslash do not count. Quoted
parameter values are unquoted. Parts that are not C<name> or C<name=value> with a token name
are ignored. Fails with C<Header value is required> on an empty string. Called on a subclass
(L<WebSocket::Extension>), it builds objects of that subclass.

=head2 new_from_multi( $string, [$separator] )

Splits a header line on commas (outside quoted strings) and parses each part with
C<new_from_header>. Returns a L<WebSocket::Generic::Array> of objects.

=head1 METHODS

=head2 as_string

The header text: the original text when the object was parsed and not changed since,
otherwise the value followed by the parameters sorted by name. Values that are not tokens are
quoted. Fails with C<Invalid value "..."> when the main value is neither a token nor a media
type, and with C<Invalid parameter name: "..."> for a name that is not a token.

=head2 original( [$string] )

The cached header text, as a L<WebSocket::Generic::Scalar>.

=head2 params( [\%params | name => value, ...] )

Replaces all parameters (hash reference) or sets some (pairs); returns the parameters as a
L<WebSocket::Generic::Hash>, reachable as C<< $p->{name} >> or C<< $p->name >>.

=head2 qstring( $string )

C<$string> as a header parameter value: unchanged when it is a token, otherwise in double
quotes with C<\> and C<"> escaped. Fails with C<Invalid parameter value> when it contains
control characters.

=head2 reset

Forgets the cached header text, so that L</as_string> builds it again. Returns the object.

=head2 value( [$value] )

The main value, as a L<WebSocket::Generic::Scalar>.

=head1 SEE ALSO

L<WebSocket::Extension>, L<WebSocket::Headers>

=cut
