package WebSocket::Generic::Scalar;
use strict;
use warnings;
use overload (
    '""'     => sub { defined( ${$_[0]} ) ? ${$_[0]} : '' },
    'bool'   => sub { defined( ${$_[0]} ) && length( ${$_[0]} ) && ${$_[0]} ne '0' ? 1 : 0 },
    'eq'     => sub { my( $a, $b, $swap ) = @_; "$a" eq ( defined( $b ) ? "$b" : '' ) },
    'ne'     => sub { my( $a, $b, $swap ) = @_; "$a" ne ( defined( $b ) ? "$b" : '' ) },
    fallback => 1,
);

our $VERSION = 'v0.3.0';

sub new
{
    my $class = shift( @_ );
    $class = ref( $class ) || $class;
    my $v = shift( @_ );
    $v = $$v if( ref( $v ) eq 'SCALAR' );
    $v = "$v" if( ref( $v ) );
    return( bless( \$v, $class ) );
}

sub scalar { return( ${$_[0]} ); }
sub as_string { return( ${$_[0]} ); }
sub defined { return( defined( ${$_[0]} ) ? 1 : 0 ); }
sub length { return( defined( ${$_[0]} ) ? CORE::length( ${$_[0]} ) : 0 ); }
sub is_empty { return( !defined( ${$_[0]} ) || !CORE::length( ${$_[0]} ) ? 1 : 0 ); }
sub empty { ${$_[0]} = ''; return( $_[0] ); }
sub reset { return( $_[0]->empty ); }
sub lc { return( $_[0]->new( CORE::lc( ${$_[0]} // '' ) ) ); }
sub uc { return( $_[0]->new( CORE::uc( ${$_[0]} // '' ) ) ); }
sub lcfirst { return( $_[0]->new( CORE::lcfirst( ${$_[0]} // '' ) ) ); }
sub ucfirst { return( $_[0]->new( CORE::ucfirst( ${$_[0]} // '' ) ) ); }
sub trim { my $s = ${$_[0]} // ''; $s =~ s/^\s+|\s+$//g; return( $_[0]->new( $s ) ); }
sub append { my $self = shift( @_ ); ${$self} = ( ${$self} // '' ) . join( '', map{ $_ // '' } @_ ); return( $self ); }
sub prepend { my $self = shift( @_ ); ${$self} = join( '', map{ $_ // '' } @_ ) . ( ${$self} // '' ); return( $self ); }
sub index { my( $self, $str, $pos ) = @_; return( CORE::index( ${$self} // '', $str, $pos // 0 ) ); }
sub substr
{
    my $self = shift( @_ );
    my( $off, $len, $repl ) = @_;
    my $s = ${$self} // '';
    return( $self->new( @_ > 2 ? CORE::substr( $s, $off, $len, $repl ) : @_ > 1 ? CORE::substr( $s, $off, $len ) : CORE::substr( $s, $off ) ) );
}
sub match
{
    my( $self, $re ) = @_;
    $re = qr/\Q$re\E/ if( ref( $re ) ne 'Regexp' );
    return( ( ${$self} // '' ) =~ $re ? 1 : 0 );
}
sub replace
{
    my( $self, $re, $with ) = @_;
    $re = qr/\Q$re\E/ if( ref( $re ) ne 'Regexp' );
    my $s = ${$self} // '';
    my $n = ( $s =~ s/$re/$with/g );
    ${$self} = $s;
    return( $n || 0 );
}
sub split
{
    my( $self, $re, $limit ) = @_;
    require WebSocket::Generic::Array;
    $re = qr/\Q$re\E/ if( defined( $re ) && ref( $re ) ne 'Regexp' );
    $re //= qr/\s+/;
    return( WebSocket::Generic::Array->new( [ CORE::split( $re, ${$self} // '', $limit // 0 ) ] ) );
}
sub unpack { my( $self, $tmpl ) = @_; my @r = CORE::unpack( $tmpl, ${$self} // '' ); return( wantarray() ? @r : $r[0] ); }
sub TO_JSON { return( ${$_[0]} ); }

1;

__END__

=encoding utf-8

=head1 NAME

WebSocket::Generic::Scalar - a string object returned by WebSocket accessors

=head1 SYNOPSIS

    my $host = $req->host;           # a WebSocket::Generic::Scalar
    print "$host\n";                 # stringifies to its value
    if( $req->upgrade->lc eq 'websocket' ) { ... }
    my $parts = $req->connection->split( qr/\s*,\s*/ );

=head1 DESCRIPTION

Accessors that returned a L<Module::Generic::Scalar> in the original distribution return one
of these. It stringifies to its value (the empty string when undefined) and is true when its
value is a non-empty string other than C<0>.

=head1 METHODS

=head2 new( $value )

=head2 scalar, as_string

The plain value (possibly C<undef>).

=head2 defined, length, is_empty

Whether the value is defined; its length (0 when undefined); whether it is undefined or empty.

=head2 empty, reset

Set the value to the empty string; returns the object.

=head2 lc, uc, lcfirst, ucfirst, trim

A new object with the value transformed.

=head2 append( @strings ), prepend( @strings )

Modify the value in place; return the object.

=head2 index( $substring, [$position] )

As Perl's C<index>.

=head2 substr( $offset, [$length, [$replacement]] )

A new object with the part of the value, as Perl's C<substr>.

=head2 match( $regexp | $string )

True when the value matches.

=head2 replace( $regexp | $string, $replacement )

Replaces every match in place; returns the number of replacements.

=head2 split( [$regexp | $string, [$limit]] )

A L<WebSocket::Generic::Array> of the parts (whitespace by default).

=head2 unpack( $template )

As Perl's C<unpack> on the value.

=head2 TO_JSON

The plain value, for JSON encoders.

=cut
