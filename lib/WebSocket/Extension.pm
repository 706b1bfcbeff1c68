package WebSocket::Extension;
use strict;
use warnings;
use parent qw( WebSocket::HeaderValue );

our $VERSION = 'v0.3.0';

# The extension name is the main value of the header value.
sub extension { return( shift->value( @_ ) ); }

1;

__END__

=encoding utf-8

=head1 NAME

WebSocket::Extension - a WebSocket extension and its parameters

=head1 SYNOPSIS

    use WebSocket::Extension;
    my $ext = WebSocket::Extension->new( 'permessage-deflate', client_max_window_bits => undef ) ||
        die( WebSocket::Extension->error, "\n" );
    print "$ext\n";                 # permessage-deflate; client_max_window_bits
    print $ext->extension, "\n";    # permessage-deflate

    # Every extension of a Sec-WebSocket-Extensions header
    my $list = WebSocket::Extension->new_from_multi( 'mux; max-channels=4; flow-control, deflate-stream' ) ||
        die( WebSocket::Extension->error, "\n" );
    for my $e ( @$list )
    {
        printf( "%s: %s\n", $e->extension, join( ', ', sort( keys( %{ $e->params } ) ) ) );
    }
    # mux: flow-control, max-channels
    # deflate-stream:

=head1 DESCRIPTION

An entry of the C<Sec-WebSocket-Extensions> header field (RFC 6455 section 9.1): the name
of an extension, such as C<permessage-deflate> (RFC 7692), with its parameters. Header fields
such as these are examples:

    Sec-WebSocket-Extensions: deflate-stream
    Sec-WebSocket-Extensions: mux; max-channels=4; flow-control, deflate-stream
    Sec-WebSocket-Extensions: private-extension

This class is a L<WebSocket::HeaderValue>, with one more method; all its constructors
(C<new>, C<new_from_header>, C<new_from_multi>) return objects of this class when called on
it. L<WebSocket::Server>, L<WebSocket::Client>, L<WebSocket::Request> and
L<WebSocket::Response> hold their extensions as objects of this class.

=head1 METHODS

=head2 extension

    my $name = $ext->extension;
    $ext->extension( 'permessage-deflate' );

Gets or sets the extension name, as a L<WebSocket::Generic::Scalar>. It is another name for
L<WebSocket::HeaderValue/value>.

=head1 SEE ALSO

L<WebSocket::HeaderValue>, L<WebSocket::Server>, L<WebSocket::Client>, RFC 6455 section 9,
RFC 7692

=head1 COPYRIGHT & LICENSE

This library is free software; you can redistribute it and/or modify it under the same
terms as Perl itself.

=cut
