package WebSocket::Headers;
use strict;
use warnings;
use HTTP::Headers ();
use Scalar::Util ();
use WebSocket::Generic ();
use WebSocket::Exception ();
our @ISA = qw( HTTP::Headers WebSocket::Generic );

our $VERSION = 'v0.3.0';

# The object is an HTTP::Headers hash: field names are its keys. Our own state lives under
# keys starting with '::', which HTTP::Headers leaves out of the fields.

sub new
{
    my $class = shift( @_ );
    return( HTTP::Headers::new( $class, @_ ) );
}

sub header
{
    my $self = shift( @_ );
    my @rv;
    if( @_ <= 1 )
    {
        my $field = shift( @_ );
        local $@;
        @rv = eval{ HTTP::Headers::header( $self, $field ) };
        return( $self->error( "Error getting header value(s): $@" ) ) if( $@ );
    }
    else
    {
        my @args = @_;
        for my $i ( grep{ $_ % 2 } 0 .. $#args )
        {
            my $v = $args[$i];
            if( Scalar::Util::blessed( $v ) && $v->isa( 'WebSocket::Generic::Array' ) )
            {
                $args[$i] = [ map{ ( Scalar::Util::blessed( $_ ) && overload::Method( $_, '""' ) ) ? "$_" : $_ } @$v ];
            }
            elsif( Scalar::Util::blessed( $v ) && overload::Method( $v, '""' ) )
            {
                $args[$i] = "$v";
            }
        }
        local $@;
        @rv = eval{ HTTP::Headers::header( $self, @args ) };
        return( $self->error( "Error setting header value(s): $@" ) ) if( $@ );
    }
    @rv = map{ ref( $_ ) eq 'ARRAY' ? WebSocket::Generic::Array->new( $_ ) : WebSocket::Generic::Scalar->new( $_ ) } @rv;
    return( @rv ) if( wantarray() );
    return( WebSocket::Generic::Scalar->new( undef ) ) if( !@rv );
    return( $rv[0] ) if( @rv == 1 );
    return( join( ', ', map{ "$_" } @rv ) );
}

# Case-insensitive, and '_' stands for '-' (Sec_WebSocket_Key finds Sec-WebSocket-Key).
sub exists
{
    my( $self, $name ) = @_;
    return( 0 ) if( !defined( $name ) || !length( $name ) );
    ( my $key = lc( $name ) ) =~ tr/_/-/;
    return( CORE::exists( $self->{ $key } ) ? 1 : 0 );
}

sub error
{
    my $self = shift( @_ );
    if( @_ )
    {
        my $ex = ( @_ == 1 && Scalar::Util::blessed( $_[0] ) && $_[0]->isa( 'WebSocket::Exception' ) )
            ? $_[0]
            : WebSocket::Exception->new( { skip_frames => 1, ( @_ == 1 && ref( $_[0] ) eq 'HASH' ) ? %{ $_[0] } : ( message => join( '', map{ $_ // '' } @_ ) ) } );
        $self->{'::error'} = $ex if( ref( $self ) );
        ( ref( $self ) || $self )->_set_class_error( $ex );
        die( $ex ) if( ref( $self ) && $self->{'::fatal'} );
        return;
    }
    return( $self->{'::error'} ) if( ref( $self ) );
    no strict 'refs';
    return( ${ $self . '::ERROR' } );
}

sub pass_error
{
    my $self = shift( @_ );
    return( $self->error( $_[0] ) ) if( @_ && Scalar::Util::blessed( $_[0] ) && $_[0]->isa( 'WebSocket::Exception' ) );
    die( $self->{'::error'} ) if( ref( $self ) && $self->{'::fatal'} && $self->{'::error'} );
    return;
}

sub fatal
{
    my $self = shift( @_ );
    $self->{'::fatal'} = shift( @_ ) if( @_ );
    return( $self->{'::fatal'} );
}

sub debug
{
    my $self = shift( @_ );
    $self->{'::debug'} = shift( @_ ) if( @_ );
    return( $self->{'::debug'} // 0 );
}

sub clone
{
    my $self = shift( @_ );
    my $new = HTTP::Headers::clone( $self );
    return( bless( $new, ref( $self ) ) );
}

1;

__END__

=encoding utf-8

=head1 NAME

WebSocket::Headers - HTTP header fields whose values are objects

=head1 SYNOPSIS

    use WebSocket::Headers;
    my $h = WebSocket::Headers->new(
        Upgrade    => 'websocket',
        Connection => 'keep-alive, Upgrade',
    );
    if( $h->header( 'upgrade' )->lc eq 'websocket' ) { ... }
    my $tokens = $h->header( 'connection' )->split( qr/\s*,\s*/ );
    print $h->header( 'X-Missing' )->defined ? 'set' : 'unset', "\n";   # unset
    print "has a key\n" if( $h->exists( 'sec_websocket_key' ) );
    print $h->as_string( "\r\n" );

=head1 DESCRIPTION

An L<HTTP::Headers> whose C<header> method returns objects, so that calls can be chained on
the value: a single value is a L<WebSocket::Generic::Scalar>, and a missing field gives a
scalar object holding C<undef> rather than C<undef> itself, so C<< ->length >>,
C<< ->defined >> or C<< ->lc >> always work.

Everything else is inherited from L<HTTP::Headers>: C<as_string>, C<authorization>,
C<authorization_basic>, C<clear>, C<content_length>, C<flatten>, C<header_field_names>,
C<proxy_authenticate>, C<proxy_authorization>, C<proxy_authorization_basic>, C<push_header>,
C<remove_header>, C<remove_content_headers>, C<scan>, C<server>, C<user_agent> and the rest.

=head1 METHODS

=head2 new( @field_value_pairs )

As L<HTTP::Headers/new>.

=head2 header( $field ), header( $field => $value, ... )

With one field name: in list context, one object per value of the field; in scalar context,
the value object when there is one value, the values joined with C<", "> (a plain string)
when there are several, and a scalar object holding C<undef> when there is none.

With pairs: sets the fields, as L<HTTP::Headers/header>. Values may be
L<WebSocket::Generic::Array> objects (their items become the field's values) or objects that
stringify. Returns the previous values, in the same form as the getter.

=head2 exists( $field )

True when the field is present. The name is matched without regard to case, and C<_> may be
written for C<->.

=head2 clone

A copy of the headers, in this class.

=head2 error, pass_error, fatal, debug

The error model of L<WebSocket::Generic>, kept outside the header fields.

=head1 SEE ALSO

L<HTTP::Headers>, L<WebSocket::Request>, L<WebSocket::Response>

=cut
