package WebSocket::Handshake;
use strict;
use warnings;
use parent qw( WebSocket );
use vars qw( $VERSION );
use Scalar::Util ();

our $VERSION = 'v0.3.0';

# What both sides of the opening handshake hold: a request, a response, the URI and the
# protocol version.

sub init
{
    my $self = shift( @_ );
    $self->{request}  = undef unless( defined( $self->{request} ) );
    $self->{response} = undef unless( defined( $self->{response} ) );
    $self->{uri}      = undef unless( defined( $self->{uri} ) );
    # Never the module's own version
    $self->{version}  = undef unless( ref( $self->{version} ) );
    $self->SUPER::init( @_ ) || return( $self->pass_error );
    return( $self );
}

sub request { return( shift->_set_get_object( 'request', 'WebSocket::Request', @_ ) ); }

sub response { return( shift->_set_get_object( 'response', 'WebSocket::Response', @_ ) ); }

sub uri { return( shift->_set_get_uri( 'uri', @_ ) ); }

sub version
{
    my $self = shift( @_ );
    if( @_ )
    {
        my $v = shift( @_ );
        # Built here rather than with the generic accessor: a hixie version object is false in
        # boolean context.
        if( defined( $v ) && !( Scalar::Util::blessed( $v ) && $v->isa( 'WebSocket::Version' ) ) )
        {
            require WebSocket::Version;
            my $o = WebSocket::Version->new( ref( $v ) eq 'ARRAY' ? @$v : "$v" );
            return( $self->pass_error( WebSocket::Version->error ) ) if( !defined( $o ) );
            $v = $o;
        }
        $self->{version} = $v;
    }
    return( $self->{version} );
}

# The version frames are made for: the one set, or else the one of the request.
sub _frame_version
{
    my $self = shift( @_ );
    my $v = $self->version;
    return( $v ) if( defined( $v ) );
    return( $self->{request} ? $self->{request}->version : undef );
}

1;

__END__

=encoding utf-8

=head1 NAME

WebSocket::Handshake - base class of the client and server opening handshakes

=head1 SYNOPSIS

    use WebSocket::Handshake::Client;
    my $hs = WebSocket::Handshake::Client->new( uri => 'ws://example.com/chat' )
        || die( WebSocket::Handshake::Client->error, "\n" );
    my $req = $hs->request;      # a WebSocket::Request
    my $res = $hs->response;     # a WebSocket::Response

=head1 VERSION

    v0.3.0

=head1 DESCRIPTION

The common part of L<WebSocket::Handshake::Client> and L<WebSocket::Handshake::Server>: the
L<request|WebSocket::Request> and the L<response|WebSocket::Response> of the opening
handshake, the URI, and the protocol version. It is not used on its own.

=head1 CONSTRUCTOR

=head2 new

    my $hs = WebSocket::Handshake->new( request => $req, response => $res, version => 13 );

The options are the methods' names.

=head1 METHODS

=head2 request

Sets or gets the L<WebSocket::Request>. An empty one is created when none is set.

=head2 response

Sets or gets the L<WebSocket::Response>. An empty one is created when none is set.

=head2 uri

Sets or gets the URI, returned as a L<URI> object (L<URI::ws> or L<URI::wss> for WebSocket
URIs).

=head2 version

Sets or gets the protocol version used, as a L<WebSocket::Version> object; a number (13) or
a draft name (C<draft-ietf-hybi-17>) is turned into one. C<undef> until set.

=head1 SEE ALSO

L<WebSocket::Handshake::Client>, L<WebSocket::Handshake::Server>

=head1 COPYRIGHT & LICENSE

This library is free software; you can redistribute it and/or modify it under the same
terms as Perl itself.

=cut
