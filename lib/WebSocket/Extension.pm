package WebSocket::Extension;
use strict;
use warnings;
use parent qw( WebSocket::HeaderValue );

our $VERSION = 'v0.3.0';

sub extension { return( shift->value( @_ ) ); }

1;

__END__

=encoding utf-8

=head1 NAME

WebSocket::Extension - one WebSocket extension with its parameters

=head1 SYNOPSIS

    use WebSocket::Extension;
    my $ext = WebSocket::Extension->new( 'permessage-deflate', client_max_window_bits => undef );
    print "$ext\n";                 # permessage-deflate; client_max_window_bits

    my $list = WebSocket::Extension->new_from_multi( 'mux; max-channels=4; flow-control, deflate-stream' );
    for my $e ( @$list )
    {
        printf( "%s %s\n", $e->extension, join( ',', sort( keys( %{ $e->params } ) ) ) );
    }

=head1 DESCRIPTION

An entry of the C<Sec-WebSocket-Extensions> header (RFC 6455 section 9.1): an extension name
such as C<permessage-deflate>, and its parameters. It is a L<WebSocket::HeaderValue> with one
more method; L<WebSocket::Server>, L<WebSocket::Client>, L<WebSocket::Request> and
L<WebSocket::Response> hold their extensions as objects of this class.

=head1 METHODS

=head2 extension( [$name] )

The extension name, as a L<WebSocket::Generic::Scalar>: another name for
L<WebSocket::HeaderValue/value>.

All the constructors and methods of L<WebSocket::HeaderValue> are available.

=head1 SEE ALSO

L<WebSocket::HeaderValue>, RFC 6455 section 9, RFC 7692

=cut
