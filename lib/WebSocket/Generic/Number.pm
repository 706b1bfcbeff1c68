package WebSocket::Generic::Number;
use strict;
use warnings;
use overload (
    '0+'     => sub { ${$_[0]} },
    '""'     => sub { defined( ${$_[0]} ) ? ${$_[0]} . '' : '' },
    'bool'   => sub { ${$_[0]} ? 1 : 0 },
    fallback => 1,
);

our $VERSION = 'v0.3.0';

sub new
{
    my $class = shift( @_ );
    $class = ref( $class ) || $class;
    my $v = shift( @_ );
    $v = $v + 0 if( defined( $v ) && ref( $v ) );
    return( bless( \$v, $class ) );
}

sub scalar { return( ${$_[0]} ); }
sub as_string { return( defined( ${$_[0]} ) ? ${$_[0]} . '' : undef ); }
sub value { return( ${$_[0]} ); }
sub TO_JSON { return( ${$_[0]} ); }

1;

__END__

=encoding utf-8

=head1 NAME

WebSocket::Generic::Number - a number object returned by WebSocket accessors

=head1 SYNOPSIS

    my $max = $frame->max_payload_size;   # a WebSocket::Generic::Number
    print $max + 1, "\n";                 # numifies
    print "limit is $max\n";              # stringifies

=head1 DESCRIPTION

Accessors that returned a L<Module::Generic::Number> in the original distribution return one
of these. It numifies and stringifies to its value; all numeric operators work on it.

=head1 METHODS

=head2 new( $number )

=head2 scalar, value

The plain number.

=head2 as_string

The number as a string.

=head2 TO_JSON

The plain number, for JSON encoders.

=cut
