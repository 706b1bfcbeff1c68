package WebSocket::Connection;
use strict;
use warnings;
use parent qw( WebSocket );
use vars qw( $VERSION );
use Encode ();
use HTTP::Status ();
use Scalar::Util ();
use URI ();
use WebSocket::Handshake::Server;
use WebSocket::Loop;

our $VERSION = 'v0.3.0';

# One client of a WebSocket::Server. The engine owns the socket and reports what happens on
# it; this object performs the server's side of the negotiation when the request arrives,
# calls the user's callbacks, and turns the user's calls into engine commands.

my %OPCODE = ( continuation => 0, text => 1, binary => 2, close => 8, ping => 9, pong => 10 );

# The default on_ping: with it and the default do_pong, the engine answers pings by itself.
my $NO_PING_CB = sub{};

# The callbacks that are not set, shared by every connection instead of stored in each: the
# getters return them, and the code that calls a callback uses them.
my $NOOP = sub{};
my %DEFAULT_CB = (
    ( map{ $_ => $NOOP } qw( on_binary on_disconnect on_drain on_handshake on_pong on_ready on_utf8 ) ),
    on_origin => sub{ 1 },
    on_ping   => $NO_PING_CB,
);

sub _cb_accessor
{
    my $self = shift( @_ );
    my $name = shift( @_ );
    return( $self->_set_get_code( $name, @_ ) ) if( @_ );
    return( $self->{ $name } // $DEFAULT_CB{ $name } );
}

# The fields of a handshake answer that the engine writes itself.
my %ENGINE_HEADER = map{ lc( $_ ) => 1 } qw( Upgrade Connection Sec-WebSocket-Accept Sec-WebSocket-Protocol Sec-WebSocket-Extensions Sec-WebSocket-Version Content-Length );
# Fields of the draft handshakes (hixie-75/76, hybi-00 to 03) that an RFC 6455 answer, the only
# one the engine writes, does not carry: WebSocket::Response leaves them out of its own text too.
my %DRAFT_HEADER = map{ lc( $_ ) => 1 } qw( Sec-WebSocket-Origin Sec-WebSocket-Location WebSocket-Origin WebSocket-Location );

sub init
{
    my $self = shift( @_ );
    # The callbacks' defaults are not stored here (see %DEFAULT_CB), nor are fields whose
    # default is undef: a server holds one of these objects per client.
    $self->{do_pong}       = \&pong;
    $self->{max_recv_size} = 65536;
    $self->{max_send_size} = 65536;
    $self->{nodelay}       = 1;
    $self->{subprotocol}   = [];
    # The handshake object is made when first asked for (see handshake()).
    $self->{_init_params_order} = [qw( debug socket server handshake )];
    $self->SUPER::init( @_ ) || return( $self->pass_error );
    return( $self->error( "socket parameter is required." ) ) if( !$self->{socket} );
    return( $self->error( "server parameter is required." ) ) if( !$self->{server} );
    $self->{handshake}->debug( $self->debug ) if( $self->{handshake} );
    my $sock = $self->{socket};
    if( Scalar::Util::blessed( $sock ) )
    {
        $self->{ip}   = $sock->peerhost if( $sock->can( 'peerhost' ) );
        $self->{port} = $sock->peerport if( $sock->can( 'peerport' ) );
    }
    return( $self );
}

# ---------------------------------------------------------------------------
# Engine plumbing
# ---------------------------------------------------------------------------
sub _cid
{
    my $sock = $_[0]->{socket};
    # Our own socket class is read directly: this is on the path of every message.
    return( $sock->{id} ) if( ref( $sock ) eq 'WebSocket::Connection::Socket' );
    return( Scalar::Util::blessed( $sock ) && $sock->can( 'id' ) ? $sock->id : undef );
}

# The reactor of this process, looked up once per process: it is used for every message.
my( $REACTOR, $REACTOR_PID );
sub _reactor
{
    return( $REACTOR ) if( defined( $REACTOR_PID ) && $REACTOR_PID == $$ );
    $REACTOR_PID = $$;
    return( $REACTOR = WebSocket::Loop->instance->{reactor} );
}

# Applies the connection's settings in the engine; called by the server right after
# accepting, and by the setters once the connection exists.
sub _engine_init
{
    my $self = shift( @_ );
    my $server = $self->{server};
    my %set = (
        max_message_size => $self->{max_recv_size} // 0,
        max_send_size    => 0,
        nodelay          => $self->{nodelay} ? 1 : 0,
    );
    if( Scalar::Util::blessed( $server ) && $server->isa( 'WebSocket::Server' ) )
    {
        $set{ping_interval} = $server->{silence_max} // 0;
        $set{pong_timeout}  = $server->{pong_timeout} // 0;
        my $close = $server->{close_timeout};
        $set{close_timeout} = $close if( defined( $close ) && $close > 0 );
        my $hs = $server->{handshake_timeout};
        $set{handshake_timeout} = $hs if( defined( $hs ) && $hs >= 0 );
        $self->{max_buffered} //= $server->{max_buffered} if( defined( $server->{max_buffered} ) );
        # permessage-deflate, negotiated by the engine when the server lists it
        %set = ( %set, %{ $server->{_deflate} } ) if( $server->{_deflate} );
    }
    $set{max_buffered} = $self->{max_buffered} if( defined( $self->{max_buffered} ) );
    $set{accept_unmasked_frames} = $server->{accept_unmasked_frames} ? 1 : 0
        if( Scalar::Util::blessed( $server ) && exists( $server->{accept_unmasked_frames} ) );
    $set{max_fragments} = $self->{max_fragments_amount} if( defined( $self->{max_fragments_amount} ) );
    $set{auto_pong} = $self->_engine_pongs;
    $self->{_auto_pong} = $set{auto_pong};
    $self->{_initialised} = 1;
    $self->_engine_set( %set );
    return( $self );
}

sub _engine_set
{
    my $self = shift( @_ );
    my $cid = $self->_cid;
    return if( !defined( $cid ) || $self->{disconnected} );
    local $@;
    eval{ $self->_reactor->set( $cid, @_ ); 1 } ||
        $self->_warn( "Unable to apply the connection settings in the engine: $@" );
    return( 1 );
}

sub _engine_event
{
    my( $self, $ev ) = @_;
    my $kind = $ev->[0];
    if( $kind eq 'text' || $kind eq 'binary' )
    {
        # _callback, inlined for messages. A text event's own string, already valid UTF-8 (see
        # WebSocket::_text_decode), is decoded in place rather than copied.
        my $name = 'on_binary';
        if( $kind eq 'text' )
        {
            utf8::decode( $ev->[2] );
            $name = 'on_utf8';
        }
        my $cb = $self->{ $name } || return( $self );
        local $@;
        eval{ $cb->( $self, $ev->[2] ); 1 } || $self->_callback_died( $name );
    }
    elsif( $kind eq 'ping' )
    {
        $self->_on_ping( $ev->[2] );
    }
    elsif( $kind eq 'pong' )
    {
        $self->_callback( 'on_pong', $ev->[2] );
    }
    elsif( $kind eq 'drain' )
    {
        $self->_callback( 'on_drain' );
    }
    elsif( $kind eq 'request' )
    {
        $self->_on_request( $ev->[2] );
    }
    elsif( $kind eq 'open' )
    {
        $self->_on_open( @$ev[2..4] );
    }
    elsif( $kind eq 'close' )
    {
        # The peer's close frame; the engine answers it. An empty close frame is reported with
        # the code 1000, as the original did.
        my( $code, $reason ) = @$ev[2,3];
        $code = 1000 if( !defined( $code ) || $code == 1005 );
        $reason //= '';
        $reason = $self->_text_decode( $reason );
        $self->{disconnecting} = 1;
        $self->_notify_disconnect( $code, $reason );
    }
    elsif( $kind eq 'closed' )
    {
        my( $code, $reason ) = @$ev[2,3];
        $code //= 1006;
        $reason = $self->_text_decode( $reason );
        $self->_notify_disconnect( $code, $reason ) if( $self->{_open} );
        $self->_dropped;
        my $server = $self->{server};
        $server->_forget( $self->_cid ) if( Scalar::Util::blessed( $server ) && $server->can( '_forget' ) );
        if( $server && $server->{_stopping} && !%{ $server->{_conns} } )
        {
            $server->{_running} = 0;
        }
    }
    elsif( $kind eq 'error' )
    {
        my( $code, $msg ) = @$ev[2,3];
        $self->{error} = WebSocket::Exception->new({ code => $code, message => $msg, skip_frames => 1 });
        $self->_warn( "Connection from " . ( $self->{ip} // '' ) . ": $msg" );
        # On an open connection the engine has sent a Close with this code (1002, 1007,
        # 1009...): the connection is ending the way the original's disconnect( $code, $reason )
        # ended it, so on_disconnect hears that code rather than the later TCP close.
        if( $self->{_open} && defined( $code ) && $code >= 1000 && $code <= 4999 )
        {
            $self->{disconnecting} = 1;
            $self->_notify_disconnect( $code, $msg );
        }
    }
    return( $self );
}

sub _dropped
{
    my $self = shift( @_ );
    $self->{disconnected} = 1;
    $self->{disconnecting} = 0;
    $self->{_ready} = 0;
    $self->{socket}->_closed if( Scalar::Util::blessed( $self->{socket} ) && $self->{socket}->can( '_closed' ) );
}

# on_disconnect, at most once per connection.
sub _notify_disconnect
{
    my( $self, $code, $reason ) = @_;
    return if( $self->{_disconnect_notified}++ );
    $self->_callback( 'on_disconnect', $code, $reason );
}

# Calls a callback; a die becomes a warning. Returns the callback's value.
sub _callback
{
    my $self = shift( @_ );
    my $name = shift( @_ );
    my $cb = $self->{ $name } || return;
    my $rv;
    local $@;
    eval{ $rv = $cb->( $self, @_ ); 1 } || return( $self->_callback_died( $name ) );
    return( $rv );
}

sub _callback_died
{
    my( $self, $name ) = @_;
    ( my $event = $name ) =~ s/^on_//;
    $self->_warn( "Error calling the ${event} callback: $@" );
    return;
}

sub _warnings_is_enabled
{
    my $self = shift( @_ );
    my $server = $self->{server};
    return( Scalar::Util::blessed( $server ) && $server->can( '_warnings_is_enabled' ) ? $server->_warnings_is_enabled : warnings::enabled( 'WebSocket::Server' ) );
}

sub _warn
{
    my $self = shift( @_ );
    return if( !$self->_warnings_is_enabled );
    my $msg = join( '', map{ $_ // '' } @_ );
    $msg .= "\n" if( $msg !~ /\n$/ );
    warn( $msg );
}

# See WebSocket::_engine_pongs.
sub _default_on_ping { return( $NO_PING_CB ); }

# Called by the setters of on_ping and do_pong.
sub _update_auto_pong
{
    my $self = shift( @_ );
    return if( !$self->_cid_known );
    my $auto = $self->_engine_pongs;
    return if( ( $self->{_auto_pong} // -1 ) == $auto );
    $self->{_auto_pong} = $auto;
    $self->_engine_set( auto_pong => $auto );
}

sub _on_ping
{
    my( $self, $payload ) = @_;
    # With the default callbacks, the engine has already answered.
    return if( $self->{_auto_pong} );
    my $rv;
    local $@;
    if( !eval{ $rv = $self->on_ping->( $self, $payload ); 1 } )
    {
        $self->error({ code => 1011, message => "Internal error" });
        $self->_warn( "Error calling the ping callback: $@" );
        return( $self->disconnect( 1011, 'Internal error' ) );
    }
    # A defined false value: no pong for this ping, as in the original.
    return if( defined( $rv ) && !$rv );
    # Once the closing handshake has begun, no pong goes out any more (RFC 6455 5.5.2).
    return if( $self->{disconnecting} || $self->{disconnected} );
    my $pong = $self->{do_pong} || return;
    if( !eval{ $pong->( $self, $payload ); 1 } )
    {
        $self->error({ code => 1011, message => "Internal error" });
        $self->_warn( "Error calling the pong handler: $@" );
        return( $self->disconnect( 1011, 'Internal error' ) );
    }
    return;
}

sub _on_open
{
    my( $self, $protocol, $extensions, $headers ) = @_;
    # What the 101 said, permessage-deflate included (the engine negotiated it).
    $self->{_extensions_sent} = $extensions if( defined( $extensions ) && length( $extensions ) );
    $self->{_open} = 1;
    $self->{_ready} = 1;
    # What TLS agreed, kept for after the close (one engine call, on TLS servers only).
    $self->tls_info if( $self->{server} && $self->{server}->is_ssl );
    $self->_compact_handshake;
    $self->_callback( 'on_ready' );
}

# When the handshake objects were made (a user callback received them), an open connection
# keeps them (request, response, their headers and versions: about 10 KiB) as one Storable
# string of about 2 KiB, thawed by handshake() on first use: most servers never look at them
# again, and idle connections are what a server holds most of. Only when nothing else holds
# them: a reference kept by user code keeps the live object, and so does one that cannot be
# serialised.
sub _compact_handshake
{
    my $self = shift( @_ );
    return if( ref( $self->{handshake} ) ne 'WebSocket::Handshake::Server' || Internals::SvREFCNT( %{ $self->{handshake} } ) > 1 );
    my $hs = $self->{handshake};
    for my $part ( @$hs{ qw( request response ) } )
    {
        return if( ref( $part ) && Internals::SvREFCNT( %$part ) > 1 );
    }
    require Storable;
    local $@;
    my $frozen = eval{ Storable::freeze( $hs ) };
    return if( !defined( $frozen ) );
    $self->{_handshake_frozen} = $frozen;
    delete( $self->{handshake} );
    return;
}

# The client's opening handshake, parsed by the engine: negotiate and answer.
sub _on_request
{
    my( $self, $req ) = @_;
    my $server = $self->{server};
    # The engine has parsed and validated the request (RFC 6455 4.2.1); its fields drive the
    # negotiation. The request's text is kept for the Perl objects users may inspect: they are
    # made now only when a callback of the user's will receive them (or they exist already),
    # otherwise on the first call to handshake().
    my @h = @{ $req->{headers} || [] };
    my $raw = join( ' ', $req->{method} // 'GET', $req->{uri} // '/', $req->{protocol} // 'HTTP/1.1' ) . "\x0d\x0a";
    for( my $i = 0; $i < @h; $i += 2 )
    {
        $raw .= "$h[$i]: " . ( $h[$i + 1] // '' ) . "\x0d\x0a";
    }
    $raw .= "\x0d\x0a";
    $self->{_request_raw} = $raw;
    my( $hs, $response );
    my $on_origin = $self->_user_callback( 'on_origin' );
    my $on_handshake = $self->_user_callback( 'on_handshake' );
    if( $self->{handshake} || $on_origin || $on_handshake )
    {
        $hs = $self->{handshake} || WebSocket::Handshake::Server->new( debug => $self->debug );
        if( !$hs || !defined( $hs->parse( $raw ) ) || !$hs->is_done )
        {
            my $err = $hs ? $hs->error : WebSocket::Handshake::Server->error;
            $self->http_error( 400, 'Handshake error' );
            return( $self->pass_error( $err ) ) if( $err );
            return( $self->error({ code => 400, message => 'Handshake error' }) );
        }
        $self->{handshake} = $hs;
        $response = $hs->response;
    }

    # a. The URI the client asked for, with its query
    my $secure = ( $server && $server->can( 'is_ssl' ) && $server->is_ssl ) ? 1 : 0;
    my $host = $req->{host};
    $host = defined( $host ) && length( "$host" ) ? "$host" : undef;
    my $sport = $server && $server->can( 'port' ) ? $server->port : undef;
    if( !defined( $host ) )
    {
        $host = ( $server && $server->can( 'ip' ) ? $server->ip->scalar : undef ) // 'localhost';
        $host = "[$host]" if( $host =~ /:/ );
        $host .= ":$sport" if( defined( $sport ) && $sport != ( $secure ? 443 : 80 ) );
    }
    my $target = $req->{uri} // '/';
    if( $target =~ m{^[a-zA-Z][\w+.-]*://[^/]*(.*)$} )
    {
        $target = length( $1 ) ? $1 : '/';
    }
    $self->request_uri( ( $secure ? 'wss' : 'ws' ) . "://${host}${target}" );

    # b. The origin
    my $orig = $req->{origin};
    $orig = defined( $orig ) && length( "$orig" ) ? "$orig" : undef;
    my $origin;
    if( defined( $orig ) )
    {
        $origin = URI->new( $orig );
        if( $origin->can( 'query' ) )
        {
            $origin->query( undef );
        }
        $origin->fragment( undef );
        $self->origin( $origin );
    }
    # Only a callback of the user's can refuse an origin: the default accepts them all.
    if( $on_origin )
    {
        my( $rv, $ok, $err );
        my $left = alarm(0);
        my $t0 = time();
        {
            local $@;
            local $SIG{ALRM} = sub { die( "WebSocket::Connection origin timeout\n" ) };
            alarm(2);
            $ok = eval{ $rv = $on_origin->( $self, $origin, $hs ); 1 };
            alarm(0);
            $err = $@;
        }
        if( $left )
        {
            my $rest = $left - ( time() - $t0 );
            alarm( $rest > 0 ? $rest : 1 );
        }
        if( !$ok )
        {
            if( $err eq "WebSocket::Connection origin timeout\n" )
            {
                $self->http_error( 408, "Timeout checking for origin" );
                return( $self->error({ code => 408, message => "Timeout checking for origin" }) );
            }
            $self->http_error( 500, "Unexpected server error occurred" );
            return( $self->error({ code => 500, message => "Unexpected error while calling origin callback: $err" }) );
        }
        if( defined( $rv ) && !$rv )
        {
            $self->http_error( 403, "Unacceptable origin \"" . ( $orig // '' ) . "\"" );
            return( $self->error({ code => 403, message => "origin callback did not return a true value." }) );
        }
        return if( $self->{_rejected} );
    }

    # c. The protocol version
    my $versions = $server && $server->can( 'versions' ) ? $server->versions : undef;
    if( $versions && $versions->length )
    {
        my $cv = $req->{version};
        if( !defined( $cv ) || !length( $cv ) )
        {
            $self->http_error( 400, "Missing version header" );
            return( $self->error({ code => 400, message => "Missing version header" }) );
        }
        $cv =~ s/^\s+|\s+$//g;
        my $match = grep{ defined( $_->version ) && "" . $_->version eq $cv } @$versions;
        if( !$match )
        {
            if( $versions->length == 1 )
            {
                $self->http_error( 400, "Protocol version $cv unsupported" );
                return( $self->error({ code => 400, message => "Protocol version $cv unsupported" }) );
            }
            elsif( grep{ $_->type eq 'hybi' && ( $_->revision // 0 ) >= 15 } @$versions )
            {
                $self->http_error( 426, "Unsupported version \"$cv\"" );
                return( $self->error({ code => 426, message => "Unsupported version \"$cv\"" }) );
            }
        }
    }

    # d. Extensions: those the client offers and the server accepts, by name, except those the
    # engine cannot carry out (see WebSocket::Server/extensions)
    my @ext;
    my $server_ext = $server && $server->can( 'extensions' ) ? $server->extensions : undef;
    if( $server_ext && $server_ext->length && defined( $req->{extensions} ) && length( $req->{extensions} ) )
    {
        my %ok = map{ lc( $_->extension ) => 1 } grep{ $self->_extension_negotiable( $_->extension ) } @$server_ext;
        my %seen;
        require WebSocket::Extension;
        my $offered = WebSocket::Extension->new_from_multi( $req->{extensions} ) || [];
        for my $e ( @$offered )
        {
            my $name = $e->extension;
            next if( !defined( $name ) || !$ok{ lc( $name ) } || $seen{ lc( $name ) }++ );
            push( @ext, $e->extension );
        }
        $self->{_extensions_accepted} = [ @ext ] if( @ext );
    }

    # e. Subprotocol: the first the client offers that the server speaks (RFC 6455 4.2.2)
    my %mine = map{ $_ => 1 } @{ $self->subprotocol };
    my( $selected ) = grep{ $mine{ $_ } } @{ $req->{protocols} || [] };
    $self->{subprotocol} = $self->new_array( defined( $selected ) ? [ $selected ] : [] );
    $self->_negotiated_into( $response ) if( $response );

    # f. The user's last word (on_origin may have set the callback)
    $on_handshake = $self->_user_callback( 'on_handshake' );
    if( $on_handshake )
    {
        if( !$hs )
        {
            $hs = $self->handshake // return( $self->pass_error );
            $self->_negotiated_into( $hs->response );
        }
        my( $rv, $ok, $err );
        {
            local $@;
            $ok = eval{ $rv = $on_handshake->( $self, $hs ); 1 };
            $err = $@;
        }
        if( !$ok )
        {
            $self->http_error( 500, 'Internal error' ) if( !$self->{_rejected} );
            return( $self->error({ code => 500, message => "Error calling the handshake callback: $err" }) );
        }
        return if( $self->{_rejected} );
        if( defined( $rv ) && !$rv )
        {
            $self->http_error( 403, "You are forbidden from accessing this websocket." );
            return( $self->error({ code => 403, message => "You are forbidden from accessing this websocket." }) );
        }
    }

    # g. Gone meanwhile?
    if( $self->{disconnected} )
    {
        return( $self->error( "Socket is not connected." ) );
    }

    # h. Answer: the engine writes the 101 response.
    # Fields the user added to the answer (in a callback, or through handshake()) go with it.
    my @headers;
    if( my $hs_now = $self->{handshake} )
    {
        my $res = $hs_now->response;
        my $rh = $res->headers;
        for my $name ( $rh->header_field_names )
        {
            next if( $ENGINE_HEADER{ lc( $name ) } || $DRAFT_HEADER{ lc( $name ) } );
            push( @headers, $name => $_ ) for( $rh->header( $name ) );
        }
        push( @headers, 'Set-Cookie' => "$_" ) for( grep{ defined( $_ ) } @{ $res->cookies } );
    }
    my %opts = ( headers => \@headers );
    $opts{protocol} = $selected if( defined( $selected ) );
    $opts{extensions} = join( ', ', @ext ) if( @ext );
    local $@;
    my $ok = eval{ $self->_reactor->accept( $self->_cid, \%opts ); 1 };
    if( !$ok )
    {
        return( $self->error({ code => 500, message => "Unable to write handshake response to socket: $@" }) );
    }
    $self->{_accepted} = 1;
    return( $self );
}

# ---------------------------------------------------------------------------
# Accessors
# ---------------------------------------------------------------------------
# What the TLS handshake agreed, asked of the engine once it is known and then kept.
sub tls_info
{
    my $self = shift( @_ );
    return( $self->{_tls_info} ) if( $self->{_tls_info} );
    my $cid = $self->_cid;
    return( undef ) if( !defined( $cid ) || $self->{disconnected} );
    return( $self->{_tls_info} = $self->_engine_tls_info( $self->_reactor, $cid ) );
}

sub buffered_amount
{
    my $self = shift( @_ );
    my $cid = $self->_cid;
    return( 0 ) if( !defined( $cid ) || $self->{disconnected} );
    my $n = eval{ $self->_reactor->buffered_amount( $cid ) };
    return( $n // 0 );
}

sub disconnected { return( shift->_set_get_boolean( 'disconnected', @_ ) ); }

sub disconnecting { return( shift->_set_get_boolean( 'disconnecting', @_ ) ); }

sub do_pong { return( shift->_pong_code_accessor( 'do_pong', undef, @_ ) ); }

sub frame
{
    my $self = shift( @_ );
    # Made on first use once the handshake is complete (the engine decodes the frames; this
    # object is for code written for the original, which made it then).
    if( !@_ && !$self->{frame} && $self->{_open} )
    {
        require WebSocket::Frame;
        $self->{frame} = WebSocket::Frame->new( max_payload_size => ( $self->{max_recv_size} // 0 ), debug => $self->debug ) ||
            return( $self->pass_error( WebSocket::Frame->error ) );
    }
    return( $self->_set_get_object_without_init( 'frame', 'WebSocket::Frame', @_ ) );
}

sub handshake
{
    my $self = shift( @_ );
    my $frozen = delete( $self->{_handshake_frozen} );
    if( !@_ && !$self->{handshake} )
    {
        if( defined( $frozen ) )
        {
            $self->{handshake} = Storable::thaw( $frozen );
        }
        else
        {
            # Made now: from the client's request once it came, with what was negotiated.
            my $hs = WebSocket::Handshake::Server->new( debug => $self->debug ) ||
                return( $self->pass_error( WebSocket::Handshake::Server->error ) );
            if( defined( $self->{_request_raw} ) )
            {
                $hs->parse( $self->{_request_raw} ) // return( $self->pass_error( $hs->error ) );
                $self->_negotiated_into( $hs->response ) if( $self->{_accepted} );
            }
            $self->{handshake} = $hs;
        }
    }
    return( $self->_set_get_object( 'handshake', 'WebSocket::Handshake::Server', @_ ) );
}

# A callback the user gave: set on this object, or returned by an accessor that a subclass
# (connection_class) overrides. Undef when only the default would run.
sub _user_callback
{
    my( $self, $name ) = @_;
    return( $self->{ $name } ) if( $self->{ $name } );
    my $m = $self->can( $name );
    return( $m && $m != __PACKAGE__->can( $name ) ? $self->$name : undef );
}

# Writes the negotiated subprotocol and extensions into a handshake response.
sub _negotiated_into
{
    my( $self, $res ) = @_;
    if( defined( $self->{_extensions_sent} ) )
    {
        $res->extensions( $self->{_extensions_sent} );
    }
    elsif( $self->{_extensions_accepted} )
    {
        $res->extensions( [ @{ $self->{_extensions_accepted} } ] );
    }
    $res->subprotocol( [ @{ $self->subprotocol } ] );
    return( $res );
}

# The extensions in force on the connection, as sent in the 101 answer (permessage-deflate
# with its parameters among them): WebSocket::Extension objects, empty before the handshake.
sub extensions
{
    my $self = shift( @_ );
    my $v = $self->{_extensions_sent};
    require WebSocket::Extension;
    my $list = defined( $v ) ? ( WebSocket::Extension->new_from_multi( $v ) || [] ) : [];
    return( $self->new_array( [ @$list ] ) );
}

sub ip { return( shift->_set_get_scalar( 'ip', @_ ) ); }

sub is_ready { return( $_[0]->{_ready} ? 1 : 0 ); }

sub max_buffered
{
    my $self = shift( @_ );
    if( @_ )
    {
        my $v = $self->_set_get_number( 'max_buffered', @_ );
        return( $self->pass_error ) if( !defined( $v ) && defined( $_[0] ) );
        $self->_engine_set( max_buffered => $self->{max_buffered} // 0 ) if( $self->_cid_known );
    }
    return( $self->_set_get_number( 'max_buffered' ) );
}

sub max_fragments_amount
{
    my $self = shift( @_ );
    if( @_ )
    {
        my $v = $self->_set_get_number( 'max_fragments_amount', @_ );
        return( $self->pass_error ) if( !defined( $v ) && defined( $_[0] ) );
        $self->_engine_set( max_fragments => $self->{max_fragments_amount} // 0 ) if( $self->_cid_known );
    }
    return( $self->_set_get_number( 'max_fragments_amount' ) );
}

sub max_recv_size
{
    my $self = shift( @_ );
    if( @_ )
    {
        return( $self->error( "Cannot change max_recv_size; handshake is already complete" ) ) if( $self->{_open} );
        my $v = $self->_set_get_number( 'max_recv_size', @_ );
        return( $self->pass_error ) if( !defined( $v ) && defined( $_[0] ) );
        $self->_engine_set( max_message_size => $self->{max_recv_size} // 0 ) if( $self->_cid_known );
    }
    return( $self->_set_get_number( 'max_recv_size' ) );
}

sub max_send_size { return( shift->_set_get_number( 'max_send_size', @_ ) ); }

sub metadata { return( shift->_set_get_hash_as_mix_object( 'metadata', @_ ) ); }

sub needs_ssl { return( shift->_set_get_boolean( 'needs_ssl', @_ ) ); }

sub nodelay
{
    my $self = shift( @_ );
    if( @_ )
    {
        $self->{nodelay} = shift( @_ ) ? 1 : 0;
        $self->_engine_set( nodelay => $self->{nodelay} ) if( $self->_cid_known );
    }
    return( $self->_set_get_boolean( 'nodelay' ) );
}

# Whether the engine settings were applied once already (later changes go straight to it).
sub _cid_known { return( $_[0]->{_initialised} ? 1 : 0 ); }

sub on
{
    my $self = shift( @_ );
    return( $self->_on( { map{ $_ => 1 } qw( binary disconnect drain handshake origin ping pong ready utf8 ) }, @_ ) );
}

sub on_binary { return( shift->_cb_accessor( 'on_binary', @_ ) ); }

sub on_disconnect { return( shift->_cb_accessor( 'on_disconnect', @_ ) ); }

sub on_drain { return( shift->_cb_accessor( 'on_drain', @_ ) ); }

sub on_handshake { return( shift->_cb_accessor( 'on_handshake', @_ ) ); }

sub on_origin { return( shift->_cb_accessor( 'on_origin', @_ ) ); }

sub on_ping { return( shift->_pong_code_accessor( 'on_ping', $NO_PING_CB, @_ ) ); }

sub on_pong { return( shift->_cb_accessor( 'on_pong', @_ ) ); }

sub on_ready { return( shift->_cb_accessor( 'on_ready', @_ ) ); }

sub on_utf8 { return( shift->_cb_accessor( 'on_utf8', @_ ) ); }

sub origin { return( shift->_set_get_uri( 'origin', @_ ) ); }

sub port { return( shift->_set_get_number( 'port', @_ ) ); }

sub request_uri { return( shift->_set_get_uri( 'request_uri', @_ ) ); }

sub server { return( shift->_set_get_scalar( 'server', @_ ) ); }

sub socket { return( shift->_set_get_scalar( 'socket', @_ ) ); }

sub status_message
{
    my $self = shift( @_ );
    my $code = shift( @_ );
    return( defined( $code ) ? HTTP::Status::status_message( $code ) : undef );
}

sub subprotocol
{
    my $self = shift( @_ );
    if( @_ )
    {
        my @list;
        if( @_ == 1 && ( Scalar::Util::reftype( $_[0] ) // '' ) eq 'ARRAY' )
        {
            @list = @{ $_[0] };
        }
        elsif( @_ == 1 )
        {
            @list = defined( $_[0] ) ? ( "$_[0]" ) : ();
        }
        else
        {
            @list = @_;
        }
        @list = grep{ length( $_ ) } map{ split( /[\s,]+/, ( defined( $_ ) ? "$_" : '' ) ) } @list;
        $self->{subprotocol} = $self->new_array( \@list );
    }
    $self->{subprotocol} = $self->new_array( $self->{subprotocol} || [] )
        if( !Scalar::Util::blessed( $self->{subprotocol} ) );
    return( $self->{subprotocol} );
}

# ---------------------------------------------------------------------------
# Actions
# ---------------------------------------------------------------------------
sub recv { return( $_[0] ); }

sub send
{
    my $self = $_[0];
    my $type = $_[1] // 'text';
    # A connection that cannot send answers that first, whatever the arguments.
    return( $self->_send_bytes( 1, \'' ) ) if( $self->{disconnected} || !$self->{_ready} );
    my $opcode = $OPCODE{ $type };
    return( $self->error( "Error while building message: Unknown frame type \"$type\"." ) ) if( !defined( $opcode ) );
    # A plain byte string is handed to the engine where it is, without a copy (messages can be
    # large); anything else (undef, an object, a string with the UTF-8 flag) is first made a
    # string of bytes of our own.
    my $bytes = \$_[2];
    if( !defined( $$bytes ) || ref( $$bytes ) || utf8::is_utf8( $$bytes ) )
    {
        my $copy = $$bytes // '';
        $copy = "$copy";
        utf8::downgrade( $copy, 1 ) || return( $self->error( "Error while building message: Wide character in the payload; encode it first, or use send_utf8." ) );
        $bytes = \$copy;
    }
    return( $self->_send_bytes( $opcode, $bytes ) );
}

# One frame of $opcode whose payload, a reference to a string of bytes, is checked against the
# limits and queued in the engine. Returns the bytes queued (frame header and payload).
sub _send_bytes
{
    my( $self, $opcode, $bytes ) = @_;
    return( $self->error( "The socket filehandle is gone!" ) ) if( $self->{disconnected} );
    if( !$self->{_ready} )
    {
        $self->_warn( "Tried to send data before finishing handshake\n" );
        return( 0 );
    }
    my $len = length( $$bytes );
    my $max = $self->{max_send_size};
    if( $max && $len > $max && $opcode < 8 )
    {
        return( $self->error({ code => 1009, message => "Error while building message: Payload is too big. Send shorter messages or increase max_payload_size" }) );
    }
    if( $opcode >= 8 && $len > 125 )
    {
        return( $self->error({ code => 1002, message => "Error while building message: A control frame payload cannot exceed 125 bytes." }) );
    }
    # The arguments are checked above, so the engine calls cannot croak; a refusal (the
    # connection is closing, or gone in the engine) is a false return with the reason kept by
    # the reactor. Our own socket object is read directly: this runs for every message.
    my $r = ( $REACTOR_PID // 0 ) == $$ ? $REACTOR : $self->_reactor;
    my $sock = $self->{socket};
    my $cid = ref( $sock ) eq 'WebSocket::Connection::Socket' ? $sock->{id} : $self->_cid;
    my $ok;
    if( !defined( $cid ) )
    {
        return( $self->error( "The socket filehandle is gone!" ) );
    }
    elsif( $opcode == 8 )
    {
        my( $code, $reason ) = $len >= 2 ? unpack( 'na*', $$bytes ) : ( undef, '' );
        $ok = $r->close( $cid, $code, $reason );
        $self->{disconnecting} = 1 if( $ok );
    }
    else
    {
        $ok = $r->send( $cid, $opcode, 1, $$bytes );
    }
    if( !$ok )
    {
        my $e = $r->error;
        return( $self->error( "Error writing ${len} bytes of data on socket to remote ip '" . ( $self->{ip} // '' ) . "': " . ( $e ? $e->[2] : 'refused by the engine' ) ) );
    }
    return( $len + 2 + ( $len > 65535 ? 8 : $len > 125 ? 2 : 0 ) );
}

sub send_binary
{
    my $self = $_[0];
    # The common case in one step (this runs for every message): a ready connection of ours,
    # a plain byte string within max_send_size. Anything else, and a refusal by the engine,
    # takes send's full path, which checks and explains. The reactor last used is tried
    # without comparing $$ (a getpid() call per message): after a fork the parent's refuses
    # in the child, and the full path finds the child's.
    my $sock = $self->{socket};
    if( $self->{_ready} && !$self->{disconnected} && defined( $_[1] ) && !ref( $_[1] )
        && !utf8::is_utf8( $_[1] ) && ref( $sock ) eq 'WebSocket::Connection::Socket' && $REACTOR )
    {
        my $len = length( $_[1] );
        my $max = $self->{max_send_size};
        if( ( !$max || $len <= $max ) && $REACTOR->send( $sock->{id}, 2, 1, $_[1] ) )
        {
            return( $len + 2 + ( $len > 65535 ? 8 : $len > 125 ? 2 : 0 ) );
        }
    }
    return( shift->send( binary => @_ ) );
}

sub send_utf8
{
    my $self = $_[0];
    # The common case in one step, as in send_binary: the engine takes the characters as they
    # are (a string with the UTF-8 flag holds its UTF-8 already) and says how many bytes they
    # made. Within max_send_size for sure: a character without the flag is at most 2 bytes.
    my $sock = $self->{socket};
    if( $self->{_ready} && !$self->{disconnected} && defined( $_[1] ) && !ref( $_[1] )
        && ref( $sock ) eq 'WebSocket::Connection::Socket' && $REACTOR )
    {
        my $max = $self->{max_send_size};
        my $len;
        if( !$max || do{ use bytes; length( $_[1] ) } * ( utf8::is_utf8( $_[1] ) ? 1 : 2 ) <= $max )
        {
            $len = $REACTOR->send_text( $sock->{id}, $_[1] );
            return( $len + 2 + ( $len > 65535 ? 8 : $len > 125 ? 2 : 0 ) ) if( defined( $len ) );
        }
    }
    shift( @_ );
    # Characters to UTF-8 bytes, as WebSocket::_text_encode does, without the extra call.
    my $bytes = defined( $_[0] ) ? "$_[0]" : '';
    utf8::encode( $bytes );
    return( $self->_send_bytes( 1, \$bytes ) );
}

sub ping { return( shift->send( ping => @_ ) ); }

sub pong { return( shift->send( pong => @_ ) ); }

sub disconnect
{
    my $self = shift( @_ );
    my( $code, $reason ) = @_;
    return( $self ) if( $self->{disconnecting} || $self->{disconnected} );
    $self->{disconnecting} = 1;
    $self->_notify_disconnect( $code, $reason );
    my $cid = $self->_cid;
    return( $self ) if( !defined( $cid ) );
    local $@;
    if( $self->{_open} )
    {
        if( defined( $code ) || defined( $reason ) )
        {
            $code ||= 1000;
            $reason = $self->_text_encode( $reason );
        }
        eval{ $self->_reactor->close( $cid, $code, $reason // '' ); 1 } ||
            $self->_warn( "Error closing the connection: $@" );
    }
    else
    {
        # Still in the opening handshake: there is nothing to close cleanly.
        $self->shutdown;
    }
    return( $self );
}

sub shutdown
{
    my $self = shift( @_ );
    return( $self ) if( $self->{disconnected} );
    my $server = $self->{server};
    if( Scalar::Util::blessed( $server ) && $server->can( 'disconnect' ) )
    {
        $server->disconnect( $self );
    }
    else
    {
        my $cid = $self->_cid;
        eval{ $self->_reactor->drop( $cid ) } if( defined( $cid ) );
    }
    $self->_dropped;
    return( $self );
}

# http_error( $code, [ $message ] ), ( $code, %opts | \%opts ), ( %opts | \%opts ),
# ( $code, $status, $message, [ $headers ] )
my %HTTP_ERROR_OPT = map{ $_ => 1 } qw( code status message data headers );
sub http_error
{
    my $self = shift( @_ );
    my( $code, $message, $opts );
    if( @_ && defined( $_[0] ) && !ref( $_[0] ) && $_[0] =~ /^\d{3}$/ )
    {
        $code = shift( @_ );
        if( @_ == 1 && ref( $_[0] ) eq 'HASH' )
        {
            $opts = { %{ $_[0] } };
        }
        elsif( @_ == 1 )
        {
            $message = shift( @_ );
            $opts = {};
        }
        elsif( @_ && !ref( $_[0] ) && !$HTTP_ERROR_OPT{ $_[0] // '' } )
        {
            # ( $code, $status, $message, [ \@headers | HTTP::Headers ] ), as the POD of the
            # original showed it.
            my( $status, $msg, $headers ) = @_;
            $message = $msg;
            $opts = { status => $status, ( defined( $headers ) ? ( headers => $headers ) : () ) };
        }
        else
        {
            $opts = { @_, ( @_ % 2 ? ( undef ) : () ) };
        }
    }
    elsif( @_ == 1 && ref( $_[0] ) eq 'HASH' )
    {
        $opts = { %{ $_[0] } };
    }
    else
    {
        return( $self->error( "No http code provided." ) ) if( @_ % 2 );
        $opts = { @_ };
    }
    $code //= $opts->{code};
    return( $self->error( "You cannot call http_error after the handshake is completed." ) ) if( $self->{_accepted} || $self->{_open} );
    return( $self->error( "No http code provided." ) ) if( !defined( $code ) || $code !~ /^\d{3}$/ );
    my $cid = $self->_cid;
    return( $self->error( "No socket found to print the http error to" ) ) if( !defined( $cid ) || $self->{disconnected} || $self->{_rejected} );
    my $status = $opts->{status} // HTTP::Status::status_message( $code ) // 'Error';
    my $data = $message // $opts->{message} // $opts->{data} // $status;
    require JSON;
    require HTTP::Date;
    my $json = JSON->new->utf8->relaxed->allow_nonref->allow_blessed->convert_blessed->canonical;
    my $body = $json->encode({ code => $code + 0, message => ( ref( $data ) ? $data : "$data" ), status => "$status" });
    my @headers = (
        'Content-Type'              => 'application/json; charset=utf-8',
        'Date'                      => HTTP::Date::time2str( time() ),
        'Expires'                   => HTTP::Date::time2str( time() ),
        'Pragma'                    => 'no-cache',
        'Cache-Control'             => 'no-cache',
        'Content-Language'          => 'en_GB',
        'Strict-Transport-Security' => 'max-age=0',
        'X-Content-Type-Options'    => 'nosniff',
        'X-Frame-Options'           => 'sameorigin',
        'X-XSS-Protection'          => '1; mode=block',
    );
    my $server = $self->{server};
    if( Scalar::Util::blessed( $server ) && $server->can( 'versions' ) && $server->versions->length )
    {
        push( @headers, 'Sec-WebSocket-Version' => join( ', ', map{ $_->version // () } @{ $server->versions } ) );
    }
    my $extra = $opts->{headers};
    if( Scalar::Util::blessed( $extra ) && $extra->isa( 'HTTP::Headers' ) )
    {
        $extra->scan( sub { push( @headers, $_[0] => $_[1] ) } );
    }
    elsif( ref( $extra ) eq 'ARRAY' )
    {
        push( @headers, @$extra );
    }
    elsif( ref( $extra ) eq 'HASH' )
    {
        push( @headers, map{ $_ => $extra->{ $_ } } sort( keys( %$extra ) ) );
    }
    local $@;
    my $ok = eval{ $self->_reactor->reject( $cid, $code, \@headers, $body ); 1 };
    if( !$ok )
    {
        my $e = $@;
        $e =~ s/ at \S+ line \d+\.?\n?$//;
        return( $self->error( "Unable to write to socket: $e" ) );
    }
    $self->{_rejected} = 1;
    # The engine closes the connection once the answer is written.
    my $reason = HTTP::Status::status_message( $code ) // $status;
    my $n = length( "HTTP/1.1 $code $reason\x0d\x0a" ) + length( $body ) + 2 +
        length( "Content-Length: " . length( $body ) . "\x0d\x0a" );
    for( my $i = 0; $i < @headers; $i += 2 )
    {
        $n += length( "$headers[$i]: $headers[$i + 1]\x0d\x0a" );
    }
    return( $n );
}

package WebSocket::Connection::Socket;
use strict;
use warnings;
use WebSocket::Loop;

# What stands for the client's socket, which the engine owns: its engine id and addresses.
sub new
{
    my( $class, %args ) = @_;
    my $self = bless( { %args, open => 1 }, $class );
    Scalar::Util::weaken( $self->{server} ) if( ref( $self->{server} ) );
    return( $self );
}

sub id { return( $_[0]->{id} ); }
sub peerhost { return( $_[0]->{ip} ); }
sub peerport { return( $_[0]->{port} ); }
sub opened { return( $_[0]->{open} ? 1 : 0 ); }
sub connected { return( $_[0]->{open} ? 1 : 0 ); }
sub fileno { return; }
sub _closed { $_[0]->{open} = 0; }

sub sockhost
{
    my $self = shift( @_ );
    my( $ip ) = eval{ WebSocket::Loop->instance->reactor->local( $self->{id} ) };
    return( $ip );
}

sub sockport
{
    my $self = shift( @_ );
    my( undef, $port ) = eval{ WebSocket::Loop->instance->reactor->local( $self->{id} ) };
    return( $port );
}

sub close
{
    my $self = shift( @_ );
    return( 1 ) if( !$self->{open} );
    eval{ WebSocket::Loop->instance->reactor->drop( $self->{id} ) };
    $self->{open} = 0;
    return( 1 );
}

sub shutdown { return( shift->close ); }

1;

__END__

=encoding utf-8

=head1 NAME

WebSocket::Connection - one client of a WebSocket::Server

=head1 SYNOPSIS

    use WebSocket::Server;
    my $server = WebSocket::Server->new(
        listen     => 8080,
        on_connect => sub
        {
            my( $server, $conn ) = @_;
            $conn->max_recv_size( 1 << 20 );
            $conn->on(
                origin     => sub { my( $conn, $origin ) = @_; return( $origin && $origin->host eq 'example.com' ) },
                handshake  => sub
                {
                    my( $conn, $hs ) = @_;
                    my $q = $conn->request_uri->query // '';
                    return( $conn->http_error( 401, 'A token is required' ) ) unless( $q =~ /token=/ );
                    $conn->metadata({ user => 'someone' });
                    return( 1 );
                },
                ready      => sub { $_[0]->send_utf8( 'hello' ) },
                utf8       => sub { my( $conn, $text ) = @_; $conn->send_utf8( "echo: $text" ) },
                binary     => sub { my( $conn, $bytes ) = @_; $conn->send_binary( $bytes ) },
                drain      => sub { my( $conn ) = @_; },   # the send buffer is empty again
                disconnect => sub { my( $conn, $code, $reason ) = @_; },
            );
        },
    );
    $server->start;

=head1 VERSION

    v0.3.0

=head1 DESCRIPTION

L<WebSocket::Server> creates one object of this class for each client that connects (a
subclass can be used instead: see L<WebSocket::Server/connection_class> and
L<WebSocket::Server/on_accept>). The server's C<on_connect> callback is the place to set its
callbacks. The socket belongs to the engine, which reads, parses, answers pings and writes;
this object performs the server's side of the opening handshake and calls your code with
each event of the client.

=head2 The opening handshake

When the client's request has arrived (and passed the engine's checks: method, headers,
key, size limits), the connection:

=over 4

=item 1. sets L</request_uri> (C<ws://>, or C<wss://> on a TLS server, then the Host header,
the path and the query) and L</origin> (the Origin header without query or fragment);

=item 2. calls L</on_origin>; a defined false value refuses the client with
C<403 Unacceptable origin "ORIGIN">; if the callback takes more than 2 seconds:
C<408 Timeout checking for origin>; if it dies: C<500 Unexpected server error occurred>;

=item 3. checks the version the client asks for against the server's
L<WebSocket::Server/versions>: without one, C<400 Missing version header>; when the server
supports a single version and it is another, C<400 Protocol version N unsupported>; when it
supports several, none of them this one and one of them RFC 6455 or a late draft,
C<426 Unsupported version "N"> (with a C<Sec-WebSocket-Version> header listing the server's
versions);

=item 4. accepts the extensions the client offers whose names the server lists in
L<WebSocket::Server/extensions>;

=item 5. selects the subprotocol: the first one offered by the client that the connection's
L</subprotocol> list contains (the server's list, unless changed in C<on_connect>), which the
answer names; L</subprotocol> then holds that one only (or none);

=item 6. calls L</on_handshake>; a defined false value refuses the client with
C<403 You are forbidden from accessing this websocket.>; if it dies: C<500 Internal error>.
The callback may also refuse the client itself with L</http_error>. Headers and cookies it
adds to C<< $hs->response >> go out with the answer;

=item 7. has the engine send the C<101 Switching Protocols> answer. L</on_ready> is called
once it is sent.

=back

A refusal is sent with L</http_error>; the error is also recorded on the connection (see
L<WebSocket::Generic/error>), with the HTTP status as its code.

=head1 CONSTRUCTOR

=head2 new

    my $conn = WebSocket::Connection->new( socket => $socket, server => $server, %options );

Called by the server. C<socket> and C<server> are required (errors:
C<socket parameter is required.> and C<server parameter is required.>). The other options are
the methods of the same name: C<do_pong>, C<handshake>, C<max_buffered>, C<max_fragments_amount>, C<max_recv_size>,
C<max_send_size>, C<metadata>, C<nodelay>, C<on_binary>, C<on_disconnect>, C<on_drain>,
C<on_handshake>, C<on_origin>, C<on_ping>, C<on_pong>, C<on_ready>, C<on_utf8>,
C<subprotocol>, and the inherited C<debug> and C<fatal>.

=head1 METHODS

=head2 on

    $conn->on( utf8 => sub { ... }, disconnect => sub { ... } );

Sets several callbacks at once, by event name: C<binary>, C<disconnect>, C<drain>,
C<handshake>, C<origin>, C<ping>, C<pong>, C<ready>, C<utf8>. Returns the connection. Errors:
C<Invalid event 'NAME'> and C<Expected a code reference for event 'NAME', but got 'VALUE'.>

=head2 on_handshake

Called with C<( $conn, $handshake )> (a L<WebSocket::Handshake::Server> whose C<request> is
the client's request) before the server answers. See L</"The opening handshake">.

=head2 on_origin

Called with C<( $conn, $origin, $handshake )>, C<$origin> being a L<URI> or C<undef> when the
client sent none. The default accepts every origin. See L</"The opening handshake">.

=head2 on_ready

Called with C<( $conn )> once the handshake is complete: from then on the connection can
send.

=head2 on_utf8

Called with C<( $conn, $text )> for each text message, C<$text> being decoded (a Perl
character string). The engine has checked that the message is valid UTF-8.

=head2 on_binary

Called with C<( $conn, $bytes )> for each binary message.

=head2 on_ping

Called with C<( $conn, $payload )> for each ping. As in the original, a defined false return
value means that this ping gets no pong; otherwise L</do_pong> answers it. If it dies, the
connection is closed with 1011. While neither this callback nor L</do_pong> is set, the
engine answers every ping by itself, without calling Perl.

=head2 on_pong

Called with C<( $conn, $payload )> for each pong.

=head2 on_drain

Called with C<( $conn )> when everything queued for sending has been written to the socket:
the moment to send more when you stream a large amount of data (see L</buffered_amount>).
Not in the original distribution.

=head2 on_disconnect

Called with C<( $conn, $code, $reason )> once per connection: when the client's close frame
arrives (an empty close frame gives 1000), when L</disconnect> is called (with its arguments),
or, for a connection lost without a close frame, with 1006. The reason is a character
string.

=head2 do_pong

The code called with C<( $conn, $payload )> to answer a ping (unless L</on_ping> returned a
defined false value). The default, L</pong>, sends a pong with the ping's payload; with it,
and without an L</on_ping> of yours, the engine sends that pong itself. No pong goes out once
the closing handshake has begun.

=head2 send

    my $n = $conn->send( text => $bytes );

Sends one message or control frame. The type is C<text>, C<binary>, C<ping>, C<pong>,
C<close> or C<continuation>, and the data are bytes (see L</send_utf8> for character
strings). Returns the number of bytes queued (frame header and payload), C<0> with the
warning C<Tried to send data before finishing handshake> when the handshake is not complete,
or C<undef> and an error: C<The socket filehandle is gone!> once the connection is closed;
C<Error while building message: Payload is too big. Send shorter messages or increase
max_payload_size> (code 1009) when the data exceed L</max_send_size>;
C<Error writing N bytes of data on socket to remote ip 'IP': ...> when the engine refuses.
The engine writes the frame at once when the socket can take it, and keeps the rest for
later (see L</buffered_amount>).

=head2 send_utf8

Encodes a character string in UTF-8 and sends it as a text message.

=head2 send_binary

Sends bytes as a binary message.

=head2 ping

Sends a ping with the optional payload (at most 125 bytes). Returns as L</send>.

=head2 pong

Sends an unsolicited pong with the optional payload. Returns as L</send>.

=head2 disconnect

    $conn->disconnect( 1000, 'Bye' );

Starts the closing handshake: calls L</on_disconnect> with the arguments, then sends a close
frame with the code (1000 if only a reason is given) and the reason, or an empty close frame
without arguments. The engine drops the connection once the client answers, or after the
close timeout. Before the opening handshake is complete it drops the connection at once.
Does nothing when already disconnecting. Returns the connection.

=head2 shutdown

Drops the connection at once, without closing handshake. Returns the connection.

=head2 http_error

    $conn->http_error( 426 );
    $conn->http_error( 426, "Please upgrade" );
    $conn->http_error( 400, status => "Bad Request", message => "Missing token" );
    $conn->http_error( 400, { status => "Bad Request", message => "Missing token" } );
    $conn->http_error( code => 400, message => "Missing token", headers => [ 'X-Reason' => 'token' ] );
    $conn->http_error({ code => 400, message => "Missing token" });
    $conn->http_error( 401, "Unauthorized", "Log in first", [ 'WWW-Authenticate' => 'Bearer' ] );

Refuses the client during the opening handshake with an HTTP error response, then closes the
connection. The status line carries the real reason phrase of the code (or the C<status>
option, or the second of three or four positional arguments: code, status, message and
headers). The body is JSON: C<{"code":400,"message":"...","status":"Bad Request"}>, the
message being the second argument, the C<message> option, the C<data> option, or the status
text. The C<headers> option (array or hash reference, or L<HTTP::Headers>) adds header fields.
Returns the number of bytes of the response, or C<undef> and an error:
C<You cannot call http_error after the handshake is completed.>, C<No http code provided.>,
C<No socket found to print the http error to> (already closed or refused), or
C<Unable to write to socket: ...>.

=head2 tls_info

    my $tls = $conn->tls_info;
    # { version => 'TLSv1.3', alpn => 'http/1.1', cipher => 'TLS_AES_256_GCM_SHA384' }

What the TLS handshake of this client agreed: a hash reference with C<version> (C<TLSv1.2> or
C<TLSv1.3>), C<alpn> (the ALPN protocol, C<http/1.1>, or C<undef> when the client offered
none) and C<cipher>, the cipher suite; C<undef> on a plain C<ws://> connection. Known from
L</on_ready> on, and kept after the connection closes. Not in the original distribution.

C<cipher> is the suite's IANA name, the one RFC 8446 and the IANA registry use:
C<TLS_AES_128_GCM_SHA256>, C<TLS_AES_256_GCM_SHA384> or C<TLS_CHACHA20_POLY1305_SHA256> with
TLS 1.3, an ECDHE suite such as C<TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384> or
C<TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256> with TLS 1.2. OpenSSL, and so
L<IO::Socket::SSL>'s C<get_cipher>, names the TLS 1.2 suites differently
(C<ECDHE-ECDSA-AES256-GCM-SHA384>); its C<SSL_CIPHER_standard_name> gives the IANA name.

=head2 buffered_amount

The number of bytes queued for this connection that the engine has not yet written to the
socket. Not in the original distribution.

=head2 max_buffered

The most bytes that may wait unsent for this connection (L</buffered_amount>); when a slow
or stalled client lets more pile up, the engine closes the connection instead of growing the
process's memory. 0 means no limit. The default comes from
L<WebSocket::Server/max_buffered>. Not in the original distribution.

=head2 max_recv_size

The largest message accepted from the client, in bytes; a larger one closes the connection
with 1009 before it is buffered. Default: 65536; 0 means unlimited. It can only be set
before the handshake completes (in C<on_connect> or C<on_handshake>); afterwards, the error
is C<Cannot change max_recv_size; handshake is already complete>.

=head2 max_fragments_amount

The most frames one message from the client may be split into; more closes the connection
with 1009. Undefined by default: the engine's default (128) applies; 0 means unlimited. Not
in the original distribution.

=head2 max_send_size

The largest message L</send> accepts, in bytes. Default: 65536; 0 means unlimited.

=head2 nodelay

Boolean, default true: whether TCP_NODELAY is set on the socket, so that small messages go
out at once.

=head2 metadata

A hash of your own attached to the connection (set with a hash reference); its keys are also
reachable as methods: C<< $conn->metadata->user >>.

=head2 ip

The client's IP address.

=head2 port

The client's port.

=head2 request_uri

The L<URI> the client asked for, such as C<ws://localhost:8080/chat?room=1>, set during the
handshake: the Host header, the path and the query; C<wss://> when the server speaks TLS (see
L<WebSocket::Server/SSL_cert_file>).

=head2 origin

The client's origin, a L<URI>, set during the handshake (C<undef> when it sent none).

=head2 subprotocol

Before the handshake, the subprotocols this connection accepts (set from the server's list;
an array reference, a string or a list); after it, the one selected, or none. Returns a
L<WebSocket::Generic::Array>.

=head2 extensions

The extensions in force on the connection, as the server's answer to the handshake listed
them: a L<WebSocket::Generic::Array> of L<WebSocket::Extension> objects, empty before the
handshake completes. C<permessage-deflate> is among them, with the parameters the engine
agreed on (for example C<permessage-deflate; client_max_window_bits=10>), when the server
lists it in L<WebSocket::Server/extensions> and the client offered it; messages of at least
L<WebSocket/compression_threshold> bytes are then sent compressed. Not in the original
distribution.

=head2 is_ready

True once the opening handshake is complete and until the connection closes.

=head2 disconnecting

True once a close frame was sent or received and the connection waits for the end of the
closing handshake.

=head2 disconnected

True once the connection is closed.

=head2 handshake

The L<WebSocket::Handshake::Server>: its C<request> is the client's request, its C<response>
the answer being prepared. The engine parses and checks the request itself, so this object is
made only when needed: before the request arrives (empty), when L</on_origin> or
L</on_handshake> will receive it, or on the first call after the request (from the request's
text, with the negotiated subprotocol and extensions in its response). Once the connection is
open and while no other code holds it, an object that was made is kept serialised (about 2 KiB
instead of 10) and rebuilt, identical, on the next call.

=head2 frame

A L<WebSocket::Frame> set up with L</max_recv_size> once the handshake is complete (made
on first use), for compatibility: the engine decodes the frames. C<undef> before that.

=head2 server

The L<WebSocket::Server>.

=head2 socket

What stands for the client's socket, which belongs to the engine: an object with the methods
C<id> (the engine's connection id), C<peerhost>, C<peerport>, C<sockhost>, C<sockport>,
C<opened>, C<connected>, C<close> and C<shutdown> (both drop the connection at once).

=head2 needs_ssl

Kept for compatibility; false (the engine would do the TLS handshake).

=head2 recv

Kept for compatibility: the engine reads and the server dispatches the events, so this does
nothing and returns the connection.

=head2 status_message

    $conn->status_message( 404 );   # "Not Found"

The reason phrase of an HTTP status code.

=head1 ERRORS

As everywhere in this distribution, a failing method returns C<undef> (an empty list in list
context) and records a L<WebSocket::Exception> that L<WebSocket::Generic/error> returns. An
error reported by the engine for this connection (a protocol violation by the client, a
message over the size limit, a timeout) is recorded there too, with its close code, and
warned about when the warnings of L<WebSocket::Server> are enabled.

=head1 SEE ALSO

L<WebSocket::Server>, L<WebSocket::Handshake::Server>, L<WebSocket::Frame>

=head1 COPYRIGHT & LICENSE

This library is free software; you can redistribute it and/or modify it under the same
terms as Perl itself.

=cut
