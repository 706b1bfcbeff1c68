package WebSocket::Handshake::Client;
use strict;
use warnings;
use parent qw( WebSocket::Handshake );
use vars qw( $VERSION );
use WebSocket::Request;
use WebSocket::Response;

our $VERSION = 'v0.3.0';

# The client side of the opening handshake: the request to send, and the check of the
# server's answer.

sub init
{
    my $self = shift( @_ );
    $self->{_init_params_order} = [qw( request response )];
    $self->SUPER::init( @_ ) || return( $self->pass_error );
    $self->{request}  ||= WebSocket::Request->new || return( $self->pass_error( WebSocket::Request->error ) );
    $self->{response} ||= WebSocket::Response->new || return( $self->pass_error( WebSocket::Response->error ) );
    my $version = $self->version;
    if( defined( $version ) )
    {
        $self->{request}->version( $version );
        $self->{response}->version( $version );
    }
    $self->{request}->debug( $self->debug );
    $self->{response}->debug( $self->debug );
    return( $self );
}

sub as_string
{
    my $self = shift( @_ );
    my $req = $self->request;
    my $data = $req->as_string( @_ );
    return( $self->pass_error( $req->error ) ) if( !defined( $data ) );
    return( $data );
}

sub is_done { return( shift->response->is_done ); }

sub make_frame
{
    my $self = shift( @_ );
    require WebSocket::Frame;
    my $v = $self->_frame_version;
    my $frame = WebSocket::Frame->new( debug => $self->debug, masked => 1, ( defined( $v ) ? ( version => $v ) : () ), @_ ) ||
        return( $self->pass_error( WebSocket::Frame->error ) );
    return( $frame );
}

sub parse
{
    my $self = shift( @_ );
    my $data = shift( @_ );
    return( $self->error( "No data provided to parse" ) ) unless( defined( $data ) && length( $data ) );
    my $req = $self->request;
    my $res = $self->response;
    return( $self ) if( $res->is_done );
    $res->debug( $self->debug );
    $res->parse( $data ) // return( $self->pass_error( $res->error ) );
    return( $self ) unless( $res->is_done );

    my( $type, $rev ) = $req->_version_info( $req->version );
    if( ( $type eq 'hixie' && $rev == 76 ) || ( $type eq 'hybi' && $rev <= 3 ) )
    {
        # hixie-76 and hybi-00 to hybi-03: the server answers the challenge with an MD5 sum.
        my $want = $req->checksum // return( $self->pass_error( $req->error ) );
        my $got  = $res->checksum // '';
        return( $self->error({ code => 1002, message => "Checksum is wrong." }) ) if( $want ne $got );
    }
    elsif( $type eq 'hybi' && $rev >= 4 )
    {
        # RFC 6455 section 4.1: the accept value must be derived from the key we sent.
        my $key = $req->key;
        my $want = '';
        if( $key->length )
        {
            $want = $req->_accept_key( $key->scalar ) // return( $self->pass_error( $req->error ) );
        }
        my $got = $res->_header_value( 'Sec-WebSocket-Accept' ) // '';
        $got =~ s/^\s+|\s+$//g;
        if( !length( $want ) || $got ne $want )
        {
            return( $self->error({ code => 1002, message => "Invalid Sec-WebSocket-Accept header value: expected \"${want}\", got \"${got}\"" }) );
        }
    }
    $self->version( $res->version ) if( !defined( $self->version ) && defined( $res->version ) );
    return( $self );
}

sub uri
{
    my $self = shift( @_ );
    if( @_ )
    {
        my $uri = $self->_set_get_uri( 'uri', @_ );
        if( defined( $uri ) )
        {
            my $req = $self->request;
            $req->debug( $self->debug );
            my $scheme = $uri->scheme // '';
            $req->secure(1) if( $scheme eq 'wss' || $scheme eq 'https' );
            if( $uri->can( 'host' ) )
            {
                my $host = $uri->host;
                my $default = ( $scheme eq 'wss' || $scheme eq 'https' ) ? 443 : 80;
                # An IPv6 address is written in brackets.
                $host = "[$host]" if( defined( $host ) && index( $host, ':' ) >= 0 );
                $host .= ':' . $uri->port if( $uri->port && $uri->port != $default );
                $req->host( $host );
            }
            $req->uri( $uri );
        }
    }
    return( $self->_set_get_uri( 'uri' ) );
}

1;

__END__

=encoding utf-8

=head1 NAME

WebSocket::Handshake::Client - the client side of the WebSocket opening handshake

=head1 SYNOPSIS

    use WebSocket::Handshake::Client;
    my $hs = WebSocket::Handshake::Client->new( uri => 'ws://localhost:8080/chat' )
        || die( WebSocket::Handshake::Client->error, "\n" );
    $hs->request->subprotocol( [qw( chat superchat )] );

    # Send the request...
    my $text = $hs->as_string // die( $hs->error );
    $sock->syswrite( $text );

    # ... and read the answer, in as many pieces as it comes
    until( $hs->is_done )
    {
        sysread( $sock, my $buf, 4096 ) or die( "connection closed\n" );
        $hs->parse( $buf ) // die( $hs->error );
    }
    print "Speaking ", $hs->response->subprotocol->join( ' ' )->scalar, "\n";

    my $frame = $hs->make_frame( buffer => 'Hello', type => 'text' );

=head1 VERSION

    v0.3.0

=head1 DESCRIPTION

A client builds its opening handshake with this class, and checks the server's answer with
it: the status line, the C<Sec-WebSocket-Accept> value (RFC 6455) or the checksum of the
legacy hixie-76 handshake.

=head1 CONSTRUCTOR

=head2 new

    my $hs = WebSocket::Handshake::Client->new(
        uri      => 'wss://example.com/chat',
        request  => $req,          # optional: a WebSocket::Request
        response => $res,          # optional: a WebSocket::Response
        version  => 13,            # optional
        debug    => 0,
    );

The request and the response are created when not given. A C<version> is given to both.

=head1 METHODS

=head2 as_string

The request to send, from L<WebSocket::Request/as_string>: its head and, for the legacy
drafts, the challenge. Returns C<undef> with the request's error on failure.

=head2 is_done

True once the server's response has been parsed completely (L<WebSocket::Response/is_done>).

=head2 make_frame

    my $frame = $hs->make_frame( %frame_options );

A new L<WebSocket::Frame>, masked as a client's frames must be, with the handshake's debug
level and version, and the options given.

=head2 parse

    $hs->parse( $bytes ) // die( $hs->error );

Parses data from the server with L<WebSocket::Response/parse>. Returns the object (check
L</is_done> to know whether the response is complete), or C<undef> with an error:
C<No data provided to parse> without data, the errors of the response's parse, and, once the
response is complete, C<Checksum is wrong.> for a legacy handshake whose answer does not
match the challenge, or C<Invalid Sec-WebSocket-Accept header value: expected "...", got
"..."> when the server's accept value was not computed from the key that was sent. Once the
handshake is done, further data is ignored (it belongs to the frames; the bytes that came
with the response are left in the response's buffer).

=head2 uri

Sets or gets the URI of the server, as a L<URI::ws> or L<URI::wss> object. Setting it also
sets the request's host (with the port when it is not the default one), its URI, and marks
it secure for C<wss>.

=head1 SEE ALSO

L<WebSocket::Handshake>, L<WebSocket::Handshake::Server>, L<WebSocket::Request>,
L<WebSocket::Response>, L<WebSocket::Client>

=head1 COPYRIGHT & LICENSE

This library is free software; you can redistribute it and/or modify it under the same
terms as Perl itself.

=cut
