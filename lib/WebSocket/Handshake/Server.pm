package WebSocket::Handshake::Server;
use strict;
use warnings;
use parent qw( WebSocket::Handshake );
use vars qw( $VERSION );
use WebSocket::Request;
use WebSocket::Response;

our $VERSION = 'v0.3.0';

# The server side of the opening handshake: reading the client's request and writing the
# answer.

sub init
{
    my $self = shift( @_ );
    $self->{_init_params_order} = [qw( request response )];
    $self->SUPER::init( @_ ) || return( $self->pass_error );
    $self->{request}  ||= WebSocket::Request->new( debug => $self->debug ) || return( $self->pass_error( WebSocket::Request->error ) );
    $self->{response} ||= WebSocket::Response->new( debug => $self->debug ) || return( $self->pass_error( WebSocket::Response->error ) );
    return( $self );
}

sub as_string
{
    my $self = shift( @_ );
    my $res = $self->response;
    my $data = $res->as_string( @_ );
    return( $self->pass_error( $res->error ) ) if( !defined( $data ) );
    return( $data );
}

sub is_done { return( shift->request->is_done ); }

sub make_frame
{
    my $self = shift( @_ );
    require WebSocket::Frame;
    my $v = $self->_frame_version;
    my $frame = WebSocket::Frame->new( debug => $self->debug, ( defined( $v ) ? ( version => $v ) : () ), @_ ) ||
        return( $self->pass_error( WebSocket::Frame->error ) );
    return( $frame );
}

sub parse
{
    my $self = shift( @_ );
    my $data = shift( @_ );
    return( $self->error( "No data to parse was provided." ) ) unless( defined( $data ) && length( $data ) );
    my $req = $self->request;
    my $res = $self->response;
    return( $self ) if( $req->is_done );
    $req->debug( $self->debug );
    $req->parse( $data ) // return( $self->pass_error( $req->error ) );
    return( $self ) unless( $req->is_done );

    # Prepare the answer from what the client asked
    my $v = $req->version;
    $res->version( $v );
    $res->secure( $req->secure );
    $res->uri( $req->uri );
    $res->host( $req->host->scalar );
    my $origin = $req->origin;
    $res->origin( $origin->scalar ) if( $origin->length );
    my( $type, $rev ) = $req->_version_info( $v );
    if( ( $type eq 'hixie' && $rev == 76 ) || ( $type eq 'hybi' && $rev <= 3 ) )
    {
        $res->checksum( undef );
        $res->number1( $req->number1 );
        $res->number2( $req->number2 );
        $res->challenge( $req->challenge->scalar );
    }
    elsif( $type eq 'hybi' && $rev >= 4 )
    {
        $res->key( $req->key->scalar );
    }
    $self->version( $v ) if( !defined( $self->version ) );
    return( $self );
}

1;

__END__

=encoding utf-8

=head1 NAME

WebSocket::Handshake::Server - the server side of the WebSocket opening handshake

=head1 SYNOPSIS

    use WebSocket::Handshake::Server;
    my $hs = WebSocket::Handshake::Server->new
        || die( WebSocket::Handshake::Server->error, "\n" );

    until( $hs->is_done )
    {
        sysread( $client, my $buf, 4096 ) or die( "connection closed\n" );
        $hs->parse( $buf ) // die( $hs->error );
    }
    my $req = $hs->request;
    print $req->uri->path, ' ', $req->subprotocol->join( ' ' )->scalar, "\n";

    # Select one subprotocol and answer
    $hs->response->subprotocol( 'chat' ) if( $req->subprotocol->exists( 'chat' ) );
    $client->syswrite( $hs->as_string // die( $hs->error ) );

=head1 VERSION

    v0.3.0

=head1 DESCRIPTION

A server reads a client's opening handshake with this class and writes its answer: the
C<101 Switching Protocols> response of RFC 6455 with its C<Sec-WebSocket-Accept>, or the
answer of a legacy draft.

=head1 CONSTRUCTOR

=head2 new

    my $hs = WebSocket::Handshake::Server->new( request => $req, response => $res, debug => 0 );

The request and the response are created when not given.

=head1 METHODS

=head2 as_string

The response to send, from L<WebSocket::Response/as_string>. Returns C<undef> with the
response's error on failure.

=head2 is_done

True once the client's request has been parsed completely and found valid
(L<WebSocket::Request/is_done>).

=head2 make_frame

    my $frame = $hs->make_frame( %frame_options );

A new L<WebSocket::Frame> (unmasked, as a server's frames are) with the handshake's debug
level and version, and the options given.

=head2 parse

    $hs->parse( $bytes ) // die( $hs->error );

Parses data from the client with L<WebSocket::Request/parse>; it can come in pieces.
Returns the object (check L</is_done>), or C<undef> with an error: C<No data to parse was
provided.> without data, or the request's error. Once the request is complete, the response
is prepared: it takes the request's version, host, URI, origin and security, and either the
key (RFC 6455 and hybi-04 and later, for C<Sec-WebSocket-Accept>) or the numbers and
challenge of a legacy request (for the checksum). The subprotocol and the extensions of the
answer are left to the caller, who selects them among those the client offered.

=head1 SEE ALSO

L<WebSocket::Handshake>, L<WebSocket::Handshake::Client>, L<WebSocket::Request>,
L<WebSocket::Response>, L<WebSocket::Server>

=head1 COPYRIGHT & LICENSE

This library is free software; you can redistribute it and/or modify it under the same
terms as Perl itself.

=cut
