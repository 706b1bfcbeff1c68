package WebSocket::Generic::Array;
use strict;
use warnings;
use Scalar::Util ();

our $VERSION = 'v0.3.0';

# A blessed array reference: it dereferences as an array (@$array, $array->[0]) and has
# the list methods that code written for Module::Generic::Array uses.

sub new
{
    my $class = shift( @_ );
    $class = ref( $class ) || $class;
    my $ref = @_ == 1 && ( ref( $_[0] ) eq 'ARRAY' || ( Scalar::Util::blessed( $_[0] ) && $_[0]->isa( __PACKAGE__ ) ) )
        ? [ @{ $_[0] } ]
        : [ @_ ];
    return( bless( $ref, $class ) );
}

sub list { return( @{ $_[0] } ); }
sub as_array { return( [ @{ $_[0] } ] ); }
sub length { require WebSocket::Generic::Number; return( WebSocket::Generic::Number->new( scalar( @{ $_[0] } ) ) ); }
sub size { return( $#{ $_[0] } ); }
sub is_empty { return( @{ $_[0] } ? 0 : 1 ); }
sub empty { @{ $_[0] } = (); return( $_[0] ); }
sub reset { return( $_[0]->empty ); }
sub get { return( $_[0]->[ $_[1] ] ); }
sub set { my $self = shift( @_ ); @$self = ( @_ == 1 && ref( $_[0] ) eq 'ARRAY' ) ? @{ $_[0] } : @_; return( $self ); }
sub first { return( $_[0]->[0] ); }
sub second { return( $_[0]->[1] ); }
sub third { return( $_[0]->[2] ); }
sub last { return( $_[0]->[-1] ); }
sub push { my $self = shift( @_ ); CORE::push( @$self, @_ ); return( $self ); }
sub unshift { my $self = shift( @_ ); CORE::unshift( @$self, @_ ); return( $self ); }
sub pop { return( CORE::pop( @{ $_[0] } ) ); }
sub shift { return( CORE::shift( @{ $_[0] } ) ); }
sub join
{
    my( $self, $sep ) = @_;
    require WebSocket::Generic::Scalar;
    return( WebSocket::Generic::Scalar->new( CORE::join( $sep // '', map{ defined( $_ ) ? "$_" : '' } @$self ) ) );
}
sub grep
{
    my( $self, $cond ) = @_;
    my @r = ref( $cond ) eq 'CODE'
        ? CORE::grep( { local $_ = $_; $cond->( $_ ) } @$self )
        : CORE::grep( { defined( $_ ) && ( ref( $cond ) eq 'Regexp' ? $_ =~ $cond : "$_" eq $cond ) } @$self );
    return( $self->new( \@r ) );
}
sub map { my( $self, $code ) = @_; return( $self->new( [ CORE::map( { $code->( $_ ) } @$self ) ] ) ); }
sub foreach { my( $self, $code ) = @_; for( @$self ) { $code->( $_ ); } return( $self ); }
sub for { my( $self, $code ) = @_; for my $i ( 0 .. $#$self ) { $code->( $i, $self->[$i] ); } return( $self ); }
sub exists
{
    my( $self, $what ) = @_;
    return( ( CORE::grep{ defined( $_ ) && "$_" eq ( $what // '' ) } @$self ) ? 1 : 0 );
}
sub index
{
    my( $self, $what ) = @_;
    for my $i ( 0 .. $#$self ) { return( $i ) if( defined( $self->[$i] ) && "$self->[$i]" eq $what ); }
    return( -1 );
}
sub unique { my $self = CORE::shift( @_ ); my %seen; return( $self->new( [ CORE::grep{ !$seen{ defined( $_ ) ? "$_" : '' }++ } @$self ] ) ); }
sub sort { my( $self, $code ) = @_; return( $self->new( [ $code ? CORE::sort{ $code->( $a, $b ) } @$self : CORE::sort( @$self ) ] ) ); }
sub reverse { return( $_[0]->new( [ CORE::reverse( @{ $_[0] } ) ] ) ); }
sub intersection
{
    my( $self, $other ) = @_;
    my %in = CORE::map{ ( defined( $_ ) ? "$_" : '' ) => 1 } @{ $other || [] };
    return( $self->new( [ CORE::grep{ $in{ defined( $_ ) ? "$_" : '' } } @$self ] ) );
}
sub as_hash { my $self = CORE::shift( @_ ); my $i = 0; return( { CORE::map{ ( "$_" => $i++ ) } @$self } ); }
sub TO_JSON { return( [ @{ $_[0] } ] ); }

1;

__END__

=encoding utf-8

=head1 NAME

WebSocket::Generic::Array - an array object returned by WebSocket accessors

=head1 SYNOPSIS

    my $protos = $req->subprotocol;        # a WebSocket::Generic::Array
    print $protos->join( ' ' )->scalar, "\n";
    print scalar( @$protos ), " == ", $protos->length, "\n";
    for my $p ( @$protos ) { ... }

=head1 DESCRIPTION

Accessors that returned a L<Module::Generic::Array> in the original distribution return one
of these. It is a blessed array reference, so it dereferences like any array, and it has the
list methods below.

=head1 METHODS

=head2 new( \@items | @items )

=head2 list

The items as a list.

=head2 as_array

A plain array reference with a copy of the items.

=head2 length

The number of items, as a L<WebSocket::Generic::Number>.

=head2 size

The index of the last item (-1 when empty).

=head2 is_empty, empty, reset

Whether there are no items; remove all items (returns the object).

=head2 get( $index ), set( @items )

One item; replace all the items (returns the object).

=head2 first, second, third, last

The item at that position, or C<undef>.

=head2 push( @items ), unshift( @items )

Add items at the end or the start; return the object.

=head2 pop, shift

Remove and return the last or the first item.

=head2 join( $separator )

The items joined, as a L<WebSocket::Generic::Scalar> (so C<< ->join(' ')->scalar >> gives
the plain string).

=head2 grep( CODE | $regexp | $string )

A new array of the items for which the code returns true, which match the regular
expression, or which equal the string.

=head2 map( CODE )

A new array of the code's results, called with each item.

=head2 foreach( CODE ), for( CODE )

Call the code with each item (C<for> passes the index and the item); return the object.

=head2 exists( $value ), index( $value )

Whether an item equals the value as a string; the position of the first such item or -1.

=head2 unique, sort( [CODE] ), reverse

New arrays: without duplicates (first occurrence kept), sorted (by the code when given,
called with the two items), or reversed.

=head2 intersection( \@other )

A new array of the items that are also in C<@other>, in this array's order.

=head2 as_hash

A hash reference mapping each item to its position.

=head2 TO_JSON

A plain array reference, for JSON encoders.

=cut
