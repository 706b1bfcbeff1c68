package WebSocket::Generic::Hash;
use strict;
use warnings;
use Scalar::Util ();

our $VERSION = 'v0.3.0';
our $AUTOLOAD;

# A blessed hash reference whose keys are also reachable as methods:
# $meta->{user_id} and $meta->user_id read the same value; $meta->user_id(42) sets it.

sub new
{
    my $class = shift( @_ );
    $class = ref( $class ) || $class;
    my $ref = ( @_ == 1 && Scalar::Util::reftype( $_[0] ) && Scalar::Util::reftype( $_[0] ) eq 'HASH' ) ? { %{ $_[0] } } : { @_ };
    return( bless( $ref, $class ) );
}

sub keys { return( CORE::keys( %{ $_[0] } ) ); }
sub values { return( CORE::values( %{ $_[0] } ) ); }
sub exists { return( CORE::exists( $_[0]->{ $_[1] } ) ? 1 : 0 ); }
sub delete { return( CORE::delete( $_[0]->{ $_[1] } ) ); }
sub length { return( scalar( CORE::keys( %{ $_[0] } ) ) ); }
sub as_hash { return( { %{ $_[0] } } ); }
sub TO_JSON { return( { %{ $_[0] } } ); }

sub AUTOLOAD
{
    my $self = shift( @_ );
    my $name = $AUTOLOAD;
    $name =~ s/.*:://;
    return if( $name eq 'DESTROY' );
    die( "Can't locate object method \"$name\" via package \"" . __PACKAGE__ . "\"\n" ) if( !ref( $self ) );
    $self->{ $name } = shift( @_ ) if( @_ );
    return( $self->{ $name } );
}

sub DESTROY { }

1;

__END__

=encoding utf-8

=head1 NAME

WebSocket::Generic::Hash - a hash whose keys are also methods

=head1 SYNOPSIS

    my $meta = $conn->metadata;          # a WebSocket::Generic::Hash
    $meta->{user_id} = 42;
    print $meta->user_id, "\n";          # 42
    $meta->room( 'lobby' );

=head1 DESCRIPTION

A blessed hash reference. Any key can be read with C<< $h->{key} >> or C<< $h->key >>, and set
with C<< $h->key( $value ) >>. Keys named like the methods below are reachable as hash keys
only.

=head1 METHODS

=head2 new( \%hash | %hash )

=head2 keys, values

The keys or values, as a list.

=head2 exists( $key ), delete( $key )

As Perl's C<exists> and C<delete>.

=head2 length

The number of keys.

=head2 as_hash, TO_JSON

A plain hash reference with a copy of the content.

=cut
