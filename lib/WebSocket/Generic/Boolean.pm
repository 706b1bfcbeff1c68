package WebSocket::Generic::Boolean;
use strict;
use warnings;
use overload (
    'bool'   => sub { ${$_[0]} },
    '0+'     => sub { ${$_[0]} },
    '""'     => sub { ${$_[0]} },
    fallback => 1,
);

our $VERSION = 'v0.3.0';

my $TRUE  = do { my $v = 1; bless( \$v, __PACKAGE__ ) };
my $FALSE = do { my $v = 0; bless( \$v, __PACKAGE__ ) };

sub new { return( $_[1] ? $TRUE : $FALSE ); }
sub true { return( $TRUE ); }
sub false { return( $FALSE ); }
sub TO_JSON { return( ${$_[0]} ? \1 : \0 ); }

1;

__END__

=encoding utf-8

=head1 NAME

WebSocket::Generic::Boolean - true and false objects returned by WebSocket accessors

=head1 SYNOPSIS

    print "ready\n" if( $conn->is_ready );
    print $handshake->is_done + 0, "\n";   # 1 or 0

=head1 DESCRIPTION

Boolean accessors return one of two shared objects that are true or false in boolean
context and C<1> or C<0> as numbers and strings.

=head1 METHODS

=head2 new( $value )

The true object when C<$value> is true, otherwise the false one.

=head2 true, false

The two objects.

=head2 TO_JSON

C<\1> or C<\0>, which JSON encoders write as C<true> and C<false>.

=cut
