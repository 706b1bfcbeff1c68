package WebSocket::Client;
use strict;
use warnings;
use warnings::register;
use parent qw( WebSocket );
use vars qw( $VERSION );
use WebSocket qw( :ws );
use Encode ();
use Scalar::Util ();
use Time::HiRes ();
use WebSocket::Frame;
use WebSocket::Handshake::Client;
use WebSocket::Loop;
use WebSocket::Request;
use WebSocket::Response;

our $VERSION = 'v0.3.0';

# How long disconnect() waits for the close handshake to finish (the original gave it 3
# seconds with an alarm), and how long connect() waits for the handshake when no timeout is set.
our $CLOSE_WAIT   = 3;
our $CONNECT_WAIT = 30;

# A client connection driven by the process's engine reactor (WebSocket::Loop). connect()
# asks the reactor to open the connection and runs the loop until the engine reports the
# opening handshake verified; messages then reach the callbacks while listen() or start()
# runs the loop. Nothing is forked.

my $NOOP = sub{};
my $TRUE = sub{ 1 };
# Opcodes of the types send() accepts (WebSocket::Frame's table).
my %OPCODE = ( continuation => 0, text => 1, binary => 2, close => 8, ping => 9, pong => 10 );

sub init
{
    my $self = shift( @_ );
    my $uri;
    # new( $uri ), new( $uri, \%opts ), new( $uri, %opts ), new( uri => $uri, ... ), new( \%opts )
    if( @_ && ref( $_[0] ) ne 'HASH' && ( ( @_ == 2 && ref( $_[1] ) eq 'HASH' ) || ( @_ % 2 ) ) )
    {
        $uri = shift( @_ );
    }
    $self->{cookie}               = undef;
    $self->{do_pong}              = \&pong;
    $self->{extensions}           = undef;
    $self->{extensions_required}  = 0;
    $self->{ip}                   = undef;
    $self->{SSL_ca_file}          = undef;
    $self->{SSL_verify_mode}      = undef;
    $self->{SSL_version}          = undef;
    $self->{max_fragments_amount} = undef;
    $self->{max_payload_size}     = undef;
    $self->{$_}                   = $NOOP for( qw( on_binary on_connect on_disconnect on_drain on_error on_ping on_pong on_recv on_send on_utf8 ) );
    $self->{on_handshake}         = $TRUE;
    $self->{origin}               = undef;
    $self->{socket}               = undef;
    $self->{subprotocol}          = [];
    $self->{timeout}              = undef;
    # Never the module's own version: undef until set (the handshake then speaks version 13).
    $self->{version}              = undef;
    $self->{_state}               = 'idle';
    $self->{_pending}             = [];
    $self->{_exception_class}     = 'WebSocket::Exception';
    my $opts = $self->_get_args_as_hash( @_ );
    return( $self->error( "Odd number of parameters provided to " . ref( $self ) . "->new" ) ) if( !defined( $opts ) );
    $opts->{uri} = $uri if( defined( $uri ) && !exists( $opts->{uri} ) );
    $self->SUPER::init( $opts ) || return( $self->pass_error );
    $self->{disconnecting} = 0;
    $self->{disconnected}  = 0;
    $self->{connected}     = 0;
    my $u = $self->uri;
    return( $self->error( "No websocket uri was provided to connect to." ) ) if( !defined( $u ) || !length( "$u" ) );
    $self->_build_handshake || return( $self->pass_error );
    my $frame = WebSocket::Frame->new(
        debug => $self->debug,
        ( $self->_is_set( 'max_payload_size' ) ? ( max_payload_size => $self->{max_payload_size} ) : () ),
        ( $self->_is_set( 'max_fragments_amount' ) ? ( max_fragments_amount => $self->{max_fragments_amount} ) : () ),
        ( defined( $self->{version} ) ? ( version => $self->{version} ) : () ),
    ) || return( $self->pass_error( WebSocket::Frame->error ) );
    $self->{frame_buffer} = $frame;
    return( $self );
}

# ---------------------------------------------------------------------------
# Connection
# ---------------------------------------------------------------------------

sub connect
{
    my $self = shift( @_ );
    # Already open (or opening): nothing to do.
    return( $self ) if( defined( $self->{_cid} ) && ( $self->{_state} eq 'open' || $self->{_state} eq 'opening' ) );
    my $uri = $self->uri || return( $self->error( "No uri is set to connect to websocket server." ) );
    my $scheme = lc( $uri->scheme // '' );
    my $host = $uri->can( 'host' ) ? $uri->host : undef;
    return( $self->error( "No host found in uri \"$uri\"." ) ) if( !defined( $host ) || !length( $host ) );
    my $port = ( $uri->can( 'port' ) && $uri->port ) ? $uri->port : ( $scheme eq 'wss' ? 443 : 80 );
    my $tls;
    if( $scheme eq 'wss' )
    {
        # TLS in the engine (rustls): the server's certificate is verified for the URI's host
        # against the system's CA store, or SSL_ca_file; SSL_verify_mode 0 turns that off.
        $tls = { server_name => $host };
        my $mode = $self->{SSL_verify_mode};
        $tls->{verify} = 0 if( defined( $mode ) && !$mode );
        my( $tls_version ) = $self->_tls_version( $self->{SSL_version} )
            or return( $self->error({ code => WS_TLS_HANDSHAKE_FAIL, message => "Failed to connect using ssl to remote host '$host' on port '$port': " . $self->error->message }) );
        $tls->{version} = $tls_version if( defined( $tls_version ) );
        my $ca = $self->{SSL_ca_file};
        if( defined( $ca ) && length( $ca ) )
        {
            my $fh;
            if( !open( $fh, '<:raw', $ca ) )
            {
                return( $self->error({ code => WS_TLS_HANDSHAKE_FAIL, message => "Failed to connect using ssl to remote host '$host' on port '$port': cannot read SSL_ca_file ${ca}: $!" }) );
            }
            local $/;
            $tls->{ca_pem} = scalar( <$fh> ) // '';
        }
    }
    elsif( $scheme ne 'ws' )
    {
        return( $self->error( "Unsupported uri scheme \"$scheme\": use ws:// or wss://." ) );
    }
    my $version = $self->version;
    if( defined( $version ) && ( ( $version->version // 0 ) != 13 ) )
    {
        return( $self->error( "Version " . $version->draft . " is not supported by this client: only RFC 6455 (version 13) is." ) );
    }

    # A new connection: forget the state of a previous one.
    @$self{qw( disconnecting disconnected connected )} = ( 0, 0, 0 );
    $self->{_pending}  = [];
    $self->{_hs}       = undef;
    $self->{_hs_done}  = 0;
    $self->{_discard}  = 0;
    $self->{_notified} = 0;
    $self->{_conn_error} = 0;
    $self->{error}     = undef;
    $self->{ip}        = undef;

    my $loop = $self->_loop || return( $self->pass_error );
    my $r = $loop->reactor;
    my $def_port = $tls ? 443 : 80;
    my $host_header = index( $host, ':' ) >= 0 ? "[$host]" : $host;
    $host_header .= ":$port" if( $port != $def_port );
    my $origin = $self->origin;
    $origin = ( defined( $origin ) && length( "$origin" ) ) ? "$origin" : "http://${host_header}";
    my $cookie = $self->cookie;
    my @headers;
    push( @headers, Cookie => "$cookie" ) if( defined( $cookie->scalar ) && length( "$cookie" ) );
    my $ext = $self->_extensions_header;
    return( $self->pass_error ) if( $self->{_ext_invalid} );
    my $cid = eval
    {
        $r->connect( $host, $port, {
            path        => ( $uri->path_query || '/' ),
            host_header => $host_header,
            origin      => $origin,
            protocols   => [ $self->subprotocol->list ],
            ( defined( $ext ) && length( $ext ) ? ( extensions => $ext ) : () ),
            headers     => \@headers,
            ( $tls ? ( tls => $tls ) : () ),
        });
    };
    if( !defined( $cid ) )
    {
        my $msg = $@ ? WebSocket::Frame::_clean_croak( $@ ) : _reactor_message( $r );
        return( $self->error( $tls ? { code => WS_TLS_HANDSHAKE_FAIL, message => "Failed to connect using ssl to remote host '$host' on port '$port': $msg" } : "Failed to connect to remote host '$host' on port '$port': $msg" ) );
    }
    $self->{_cid}   = $cid;
    $self->{_state} = 'connecting';
    $self->{_peer}  = [ $host, $port ];
    $self->{_tls}   = $tls ? 1 : 0;
    delete( $self->{_tls_info} );
    $self->{_had_conn} = 1;
    $loop->add_conn( $cid, $self );
    $self->_apply_limits;
    # The engine put its own permessage-deflate offer in the request: the request object says
    # what goes out.
    if( $self->{_deflate} && ( $r->pending_handshake( $cid ) // '' ) =~ /^Sec-WebSocket-Extensions:[ \t]*([^\r\n]*)/mi )
    {
        $self->handshake->request->extensions( "$1" );
    }
    # on_send hears the handshake request too, as in the original: the engine has built it and
    # writes it once the TCP connection is up.
    $self->_notify_send( $r->pending_handshake( $cid ) ) if( ( $self->{on_send} || $NOOP ) != $NOOP );

    # The engine does the TCP connection and the handshake together: on_connect is called now
    # that the connection is under way, before the handshake.
    local $@;
    if( !eval{ $self->_cb( 'on_connect' )->( $self ); 1 } )
    {
        my $e = $@;
        $self->_abandon;
        return( $self->error( "Connect callback triggered an error: $e" ) );
    }

    my $wait = $self->timeout;
    $wait = defined( $wait ) ? ( 0 + $wait ) : $CONNECT_WAIT;
    my $deadline = Time::HiRes::time() + $wait;
    while( $self->{_state} eq 'connecting' )
    {
        my $left = $deadline - Time::HiRes::time();
        last if( $left <= 0 );
        $loop->run_once( $left );
    }
    if( $self->{_state} eq 'connecting' )
    {
        $self->_abandon;
        return( $self->_connect_failed( undef, "no answer to the WebSocket handshake within ${wait} seconds" ) );
    }
    if( $self->{_state} ne 'opening' )
    {
        # error or closed before the handshake completed
        my $f = $self->{_failure} || [ undef, 'the connection was closed during the handshake' ];
        $self->_abandon;
        return( $self->_connect_failed( @$f ) );
    }

    # The engine has verified the answer (status, Sec-WebSocket-Accept, subprotocol and
    # extensions). Record it, then apply the checks and the callback of the original.
    my( $proto, $exts, $hdrs ) = @{ $self->{_hs} };
    $self->{_hs_done} = 1;
    my @ip = eval{ $r->peer( $cid ) };
    $self->ip( $ip[0] ) if( defined( $ip[0] ) );
    my $hs = $self->handshake;
    my $res = WebSocket::Response->new( 101, 'Switching Protocols', [ @{ $hdrs || [] } ], debug => $self->debug );
    if( $res )
    {
        $res->subprotocol( $proto ) if( defined( $proto ) && length( $proto ) );
        $res->extensions( $exts ) if( defined( $exts ) && length( $exts ) );
        $res->is_done(1);
        $hs->response( $res );
    }
    my $failure;
    # extensions_required: every extension offered must be in the answer (the engine has
    # already failed the connection with 1010 when permessage-deflate was missing).
    if( $self->{extensions_required} && @{ $self->{_offered} || [] } )
    {
        require WebSocket::Extension;
        my %got = map{ lc( $_->extension ) => 1 } @{ ( defined( $exts ) && length( $exts ) ? WebSocket::Extension->new_from_multi( $exts ) : undef ) || [] };
        my @missing = grep{ !$got{ $_ } } @{ $self->{_offered} };
        $failure = { code => WS_EXTENSIONS_NOT_AVAILABLE, message => "The server did not accept the extension(s) " . join( ', ', @missing ) . ", and extensions_required is set." } if( @missing );
    }
    if( !$failure && $self->subprotocol->length )
    {
        if( defined( $proto ) && length( $proto ) )
        {
            my %ok = map{ $_ => 1 } $self->subprotocol->list;
            my @got = grep{ length( $_ ) } split( /\s*,\s*/, $proto );
            if( !grep{ $ok{ $_ } } @got )
            {
                $failure = { code => WS_NOT_ACCEPTABLE, message => "Protocol mismatch. Supported client protocols are: '" . $self->subprotocol->join( "', '" )->scalar . "', but got '" . join( "', '", @got ) . "'." };
            }
        }
        else
        {
            $failure = { code => WS_NOT_ACCEPTABLE, message => "Handshake did not return any protocol" };
        }
    }
    if( !$failure )
    {
        my $ok;
        if( !eval{ $ok = $self->_cb( 'on_handshake' )->( $self, $hs ); 1 } )
        {
            warn( "Error calling the handshake callback: $@" ) if( $self->_warnings_is_enabled );
            $failure = { code => WS_INTERNAL_SERVER_ERROR, message => 'Internal error' };
        }
        elsif( !$ok )
        {
            $failure = { code => WS_NOT_ACCEPTABLE, message => 'Handshake rejected' };
        }
    }
    if( $failure )
    {
        # The connection is open: close it properly, with the reason.
        # What the server sent meanwhile is not delivered.
        $self->{_state} = 'open';
        $self->{connected} = 1;
        $self->{_pending} = [];
        $self->{_discard} = 1;
        $self->disconnect( $failure->{code}, $failure->{message} );
        return( $self->error( $failure ) );
    }
    $self->{_state} = 'open';
    $self->connected(1);
    $self->tls_info if( $self->{_tls} );    # kept for after the close
    # Messages that came with the handshake answer are delivered now.
    while( @{ $self->{_pending} } )
    {
        $self->_dispatch( shift( @{ $self->{_pending} } ) );
    }
    return( $self );
}

sub listen
{
    my $self = shift( @_ );
    my $cond = @_ ? shift( @_ ) : undef;
    return( $self->error( "Callback provided is not an anonymous ubsroutine or a reference to a subroutine." ) )
        if( defined( $cond ) && ref( $cond ) ne 'CODE' );
    return( $self->error( "The socket is gone!" ) ) if( !$self->{_had_conn} );
    my $loop = $self->_loop || return( $self->pass_error );
    my $timeout = $self->timeout;
    $timeout = 0 + $timeout if( defined( $timeout ) );
    while( $self->_is_live && ( !$cond || $cond->() ) )
    {
        $loop->run_once( $timeout );
    }
    return( $self );
}

sub start { return( shift->listen ); }

# One turn of the event loop without waiting: what has arrived is delivered.
sub recv
{
    my $self = shift( @_ );
    return( $self->error( "The socket is gone!" ) ) if( !$self->{_had_conn} );
    my $loop = $self->_loop || return( $self->pass_error );
    $loop->run_once(0) if( $self->_is_live );
    return( $self );
}

sub disconnect
{
    my( $self, $code, $reason ) = @_;
    return( $self ) if( $self->{disconnecting} );
    $self->{disconnecting} = 1;
    $self->{_notified} = 1;
    local $@;
    if( !eval{ $self->_cb( 'on_disconnect' )->( $self, $code, $reason ); 1 } )
    {
        warn( "Error calling disconnect callback: $@" ) if( $self->_warnings_is_enabled );
    }
    my $cid = $self->{_cid};
    if( defined( $cid ) && ( $self->{_state} eq 'open' || $self->{_state} eq 'opening' ) )
    {
        my $r = $self->_loop->reactor;
        $reason = '' if( !defined( $reason ) );
        $reason = $self->_text_encode( $reason ) if( utf8::is_utf8( $reason ) );
        # As the original: a code without a reason, or a reason without a code, closes with 1000.
        my $c = ( defined( $code ) || length( $reason ) ) ? ( $code || WS_OK ) : undef;
        eval{ $r->close( $cid, $c, $reason ); 1 } || eval{ $r->drop( $cid ) };
        $self->{_state} = 'closing';
        $self->{connected} = 0;
        # Let the close handshake finish, unless we are inside one of this connection's own
        # callbacks: the loop that called it goes on until the connection is closed.
        if( !$self->{_dispatching} )
        {
            my $deadline = Time::HiRes::time() + $CLOSE_WAIT;
            my $loop = $self->_loop;
            while( $self->_is_live )
            {
                my $left = $deadline - Time::HiRes::time();
                if( $left <= 0 )
                {
                    $self->shutdown;
                    last;
                }
                $loop->run_once( $left );
            }
        }
    }
    elsif( defined( $cid ) && $self->{_state} eq 'connecting' )
    {
        $self->_abandon;
    }
    $self->{connected} = 0;
    return( $self );
}

sub shutdown
{
    my $self = shift( @_ );
    return( $self ) if( $self->{disconnected} );
    my $cid = $self->{_cid};
    if( defined( $cid ) && $self->{_state} ne 'closed' )
    {
        my $loop = $self->_loop;
        eval{ $loop->reactor->drop( $cid ) } if( $loop );
        $loop->remove_conn( $cid ) if( $loop );
    }
    $self->{_state} = 'closed' if( defined( $cid ) );
    $self->{disconnected} = 1;
    $self->{connected} = 0;
    return( $self );
}

# ---------------------------------------------------------------------------
# Sending
# ---------------------------------------------------------------------------

sub send
{
    my $self = shift( @_ );
    my( $type, $data ) = @_ == 1 ? ( 'text', $_[0] ) : @_;
    $type = '' if( !defined( $type ) );
    return( $self->error( "Message of type \"$type\" is unsupported." ) ) if( !WebSocket::Frame->supported_types( $type ) );
    if( !$self->{_hs_done} )
    {
        warn( "Tried to send data before finishing handshake\n" ) if( $self->_warnings_is_enabled );
        return(0);
    }
    my( $opcode, $fin, $payload, $max );
    if( Scalar::Util::blessed( $data ) && $data->isa( 'WebSocket::Frame' ) )
    {
        $opcode  = $data->opcode;
        $fin     = $data->fin ? 1 : 0;
        $payload = $data->buffer->scalar;
        $max     = $data->max_payload_size;
    }
    else
    {
        $opcode  = $OPCODE{ lc( $type ) };
        $fin     = 1;
        $payload = defined( $data ) ? ( ref( $data ) ? "$data" : $data ) : '';
        # Characters go out as their UTF-8 bytes.
        $payload = $self->_text_encode( $payload ) if( utf8::is_utf8( $payload ) );
        $max     = $self->frame_buffer->max_payload_size;
    }
    $payload = '' if( !defined( $payload ) );
    my $len = length( $payload );
    if( $max && $len > $max )
    {
        return( $self->error({ code => WS_MESSAGE_TOO_LARGE, message => "Payload is too big. Send shorter messages or increase max_payload_size" }) );
    }
    # What goes on the wire: header, mask, payload.
    my $bytes = 2 + 4 + $len + ( $len > 65535 ? 8 : $len > 125 ? 2 : 0 );
    $self->_notify_send( $payload );
    my $cid = $self->{_cid};
    return( $self->error( "No socket found to send data to!" ) ) if( !defined( $cid ) || $self->{_state} eq 'closed' || $self->{disconnected} );
    my $r = $self->_loop->reactor;
    local $@;
    my $rv = eval{ $r->send( $cid, $opcode, $fin, $payload ) };
    if( !defined( $rv ) )
    {
        my $msg = $@ ? WebSocket::Frame::_clean_croak( $@ ) : _reactor_message( $r );
        return( $self->error( "Unable to send ${bytes} bytes of data on socket: $msg" ) );
    }
    return( $bytes );
}

sub send_binary { return( shift->send( binary => @_ ) ); }

sub send_utf8
{
    my $self = shift( @_ );
    my $text = shift( @_ );
    return( $self->send( text => $self->_text_encode( $text ) ) );
}

# Unlike the original (where ping() sent a text message "ping"), no argument sends an empty
# ping.
sub ping { my $self = shift( @_ ); return( $self->send( 'ping', @_ ? $_[0] : '' ) ); }

sub pong { my $self = shift( @_ ); return( $self->send( 'pong', @_ ? $_[0] : '' ) ); }

# What the TLS handshake agreed, asked of the engine once it is known and then kept.
sub tls_info
{
    my $self = shift( @_ );
    return( $self->{_tls_info} ) if( $self->{_tls_info} );
    my $cid = $self->{_cid};
    return( undef ) if( !defined( $cid ) || !$self->{_tls} || $self->{_state} eq 'closed' );
    return( $self->{_tls_info} = $self->_engine_tls_info( $self->_loop->reactor, $cid ) );
}

sub buffered_amount
{
    my $self = shift( @_ );
    my $cid = $self->{_cid};
    return(0) if( !defined( $cid ) || $self->{_state} eq 'closed' );
    my $n = eval{ $self->_loop->reactor->buffered_amount( $cid ) };
    return( $n // 0 );
}

# ---------------------------------------------------------------------------
# Accessors
# ---------------------------------------------------------------------------

sub connected { return( shift->_set_get_boolean( 'connected', @_ ) ); }

sub cookie { return( shift->_set_get_scalar_as_object( 'cookie', @_ ) ); }

sub extensions_required { return( shift->_set_get_boolean( 'extensions_required', @_ ) ); }

sub SSL_ca_file { return( shift->_set_get_scalar( 'SSL_ca_file', @_ ) ); }

sub SSL_verify_mode { return( shift->_set_get_scalar( 'SSL_verify_mode', @_ ) ); }

sub SSL_version { return( shift->_set_get_scalar( 'SSL_version', @_ ) ); }

sub disconnected { return( shift->_set_get_boolean( 'disconnected', @_ ) ); }

sub disconnecting { return( shift->_set_get_boolean( 'disconnecting', @_ ) ); }

sub do_pong { return( shift->_pong_code_accessor( 'do_pong', undef, @_ ) ); }

# A string ("permessage-deflate; client_max_window_bits"), a WebSocket::Extension object, or
# an array reference of them. Returned as it was given.
sub extensions
{
    my $self = shift( @_ );
    if( @_ )
    {
        my $v = @_ == 1 ? shift( @_ ) : [ @_ ];
        $self->{extensions} = $v;
        if( my $hs = $self->{handshake} )
        {
            my $str = $self->_extensions_header;
            $hs->request->extensions( defined( $str ) && length( $str ) ? $str : [] ) // return( $self->pass_error( $hs->request->error ) );
        }
    }
    return( $self->{extensions} );
}

sub frame_buffer { return( shift->_set_get_object_without_init( 'frame_buffer', 'WebSocket::Frame', @_ ) ); }

sub handshake { return( shift->_set_get_object_without_init( 'handshake', 'WebSocket::Handshake::Client', @_ ) ); }

sub ip { return( shift->_set_get_scalar_as_object( 'ip', @_ ) ); }

sub max_fragments_amount
{
    my $self = shift( @_ );
    if( @_ )
    {
        my $rv = $self->_set_get_number( 'max_fragments_amount', @_ );
        return( $self->pass_error ) if( !defined( $rv ) && defined( $_[0] ) );
        if( my $fb = $self->{frame_buffer} )
        {
            $fb->max_fragments_amount( $self->{max_fragments_amount} ) // return( $self->pass_error( $fb->error ) );
        }
        $self->_apply_limits;
    }
    return( $self->_set_get_number( 'max_fragments_amount' ) );
}

sub max_payload_size
{
    my $self = shift( @_ );
    if( @_ )
    {
        my $rv = $self->_set_get_number( 'max_payload_size', @_ );
        return( $self->pass_error ) if( !defined( $rv ) && defined( $_[0] ) );
        if( my $fb = $self->{frame_buffer} )
        {
            $fb->max_payload_size( $self->{max_payload_size} ) // return( $self->pass_error( $fb->error ) );
        }
        $self->_apply_limits;
    }
    return( $self->_set_get_number( 'max_payload_size' ) );
}

sub on
{
    my $self = shift( @_ );
    return( $self->_on( { map{ $_ => 1 } qw( binary connect disconnect drain error handshake ping pong recv send utf8 ) }, @_ ) );
}

sub on_binary { return( shift->_set_get_code( 'on_binary', @_ ) ); }

sub on_connect { return( shift->_set_get_code( 'on_connect', @_ ) ); }

sub on_disconnect { return( shift->_set_get_code( 'on_disconnect', @_ ) ); }

sub on_drain { return( shift->_set_get_code( 'on_drain', @_ ) ); }

sub on_error { return( shift->_set_get_code( 'on_error', @_ ) ); }

sub on_handshake { return( shift->_set_get_code( 'on_handshake', @_ ) ); }

sub on_ping { return( shift->_pong_code_accessor( 'on_ping', undef, @_ ) ); }

sub on_pong { return( shift->_set_get_code( 'on_pong', @_ ) ); }

sub on_recv { return( shift->_set_get_code( 'on_recv', @_ ) ); }

sub on_send { return( shift->_set_get_code( 'on_send', @_ ) ); }

sub on_utf8 { return( shift->_set_get_code( 'on_utf8', @_ ) ); }

sub origin
{
    my $self = shift( @_ );
    if( @_ )
    {
        $self->_set_get_scalar_as_object( 'origin', @_ );
        my $o = $self->{origin};
        $self->{handshake}->request->origin( defined( $o ) ? "$o" : undef ) if( $self->{handshake} );
    }
    return( $self->_set_get_scalar_as_object( 'origin' ) );
}

# The engine owns the socket: there is no Perl socket. Kept for compatibility; it returns
# what was set, which is undef unless the caller stored something.
sub socket { return( shift->_set_get_scalar( 'socket', @_ ) ); }

sub subprotocol
{
    my $self = shift( @_ );
    if( @_ )
    {
        my $v;
        if( @_ == 1 && ( Scalar::Util::reftype( $_[0] ) // '' ) eq 'ARRAY' )
        {
            $v = [ @{ $_[0] } ];
        }
        elsif( @_ == 1 )
        {
            $v = defined( $_[0] ) ? [ split( /[[:blank:]\h]+/, "$_[0]" ) ] : [];
        }
        else
        {
            $v = [ @_ ];
        }
        $v = [ grep{ defined( $_ ) && length( $_ ) } map{ defined( $_ ) ? "$_" : undef } @$v ];
        $self->_set_get_array_as_object( 'subprotocol', $v );
        $self->{handshake}->request->subprotocol( $v ) if( $self->{handshake} );
    }
    return( $self->_set_get_array_as_object( 'subprotocol' ) );
}

sub timeout { return( shift->_set_get_number( 'timeout', @_ ) ); }

sub uri { return( shift->_set_get_uri( 'uri', @_ ) ); }

sub version
{
    my $self = shift( @_ );
    if( @_ )
    {
        my $v = shift( @_ );
        if( defined( $v ) && !ref( $v ) && !length( $v ) )
        {
            $v = undef;
        }
        elsif( defined( $v ) && !( Scalar::Util::blessed( $v ) && $v->isa( 'WebSocket::Version' ) ) )
        {
            WebSocket::Generic::_load_class( 'WebSocket::Version' );
            # Not ||: a version object of the hixie drafts is false.
            my $o = WebSocket::Version->new( "$v" );
            return( $self->pass_error( WebSocket::Version->error ) ) if( !defined( $o ) );
            $v = $o;
        }
        $self->{version} = $v;
    }
    return( $self->{version} );
}

# ---------------------------------------------------------------------------
# Engine events (called by WebSocket::Loop)
# ---------------------------------------------------------------------------

sub _engine_event
{
    my( $self, $ev ) = @_;
    my $kind = $ev->[0];
    my $state = $self->{_state};
    if( $state eq 'connecting' )
    {
        if( $kind eq 'open' )
        {
            $self->{_hs} = [ @$ev[2..4] ];
            $self->{_state} = 'opening';
        }
        elsif( $kind eq 'error' )
        {
            $self->{_failure} ||= [ $ev->[2], $ev->[3] ];
            $self->{_state} = 'failed';
        }
        elsif( $kind eq 'closed' )
        {
            $self->{_failure} ||= [ $ev->[2], ( defined( $ev->[3] ) && length( $ev->[3] ) ) ? $ev->[3] : 'the connection was closed during the handshake' ];
            $self->{_state} = 'failed';
            $self->{_gone} = 1;
        }
        return;
    }
    return if( $state eq 'failed' || $state eq 'idle' );
    return if( $self->{_discard} && $kind ne 'closed' );
    # Until connect() has finished with the handshake, and while earlier events wait for
    # listen(), keep the order.
    if( $state eq 'opening' || @{ $self->{_pending} } )
    {
        push( @{ $self->{_pending} }, $ev );
        return;
    }
    return( $self->_dispatch( $ev ) );
}

sub _dispatch
{
    my( $self, $ev ) = @_;
    my $kind = $ev->[0];
    local $self->{_dispatching} = 1;
    local $@;
    if( $kind eq 'text' || $kind eq 'binary' )
    {
        my $is_text = $kind eq 'text' ? 1 : 0;
        my $payload = $ev->[2];
        my $text;
        $text = $self->_text_decode( $payload ) if( $is_text );
        if( ( $self->{on_recv} || $NOOP ) != $NOOP )
        {
            my $frame = $self->_message_frame( $is_text ? 1 : 2, $payload );
            if( !eval{ $self->_cb( 'on_recv' )->( $frame, $is_text ? $text : $payload ); 1 } )
            {
                return( $self->_callback_died( "Error with callback \"on_recv\" to process incoming binary or text data: $@" ) );
            }
        }
        if( $is_text )
        {
            if( !eval{ $self->_cb( 'on_utf8' )->( $self, $text ); 1 } )
            {
                return( $self->_callback_died( "Error with callback to process text message: $@" ) );
            }
        }
        else
        {
            if( !eval{ $self->_cb( 'on_binary' )->( $self, $payload ); 1 } )
            {
                return( $self->_callback_died( "Error with callback to process binary message: $@" ) );
            }
        }
    }
    elsif( $kind eq 'ping' )
    {
        # With the default callbacks, the engine has already answered.
        return if( $self->{_auto_pong} );
        my $rv;
        if( !eval{ $rv = $self->_cb( 'on_ping' )->( $self, $ev->[2] ); 1 } )
        {
            return( $self->_callback_died( "Error with callback to process ping received from server: $@" ) );
        }
        # As in the original: a defined false value from on_ping means no pong; otherwise
        # do_pong answers (the default sends a pong with the ping's payload). Not once the
        # closing handshake has begun (RFC 6455 5.5.2).
        my $dp = $self->{do_pong};
        if( !( defined( $rv ) && !$rv ) && $dp && !$self->{disconnecting} )
        {
            if( !eval{ $dp->( $self, $ev->[2] ); 1 } )
            {
                return( $self->_callback_died( "Error with callback to execute a pong to server in response to ping received: $@" ) );
            }
        }
    }
    elsif( $kind eq 'pong' )
    {
        if( !eval{ $self->_cb( 'on_pong' )->( $self, $ev->[2] ); 1 } )
        {
            warn( "Error with callback to process pong received from the server: $@" ) if( $self->_warnings_is_enabled );
        }
    }
    elsif( $kind eq 'close' )
    {
        # The server's Close frame; the engine answers it. A reply to our own is nothing new.
        if( !$self->{disconnecting} )
        {
            $self->_lost if( ( $ev->[2] // 0 ) == WS_CLOSED_ABNORMALLY );
            $self->{disconnecting} = 1;
            $self->{_notified} = 1;
            $self->{connected} = 0;
            $self->{_state} = 'closing';
            if( !eval{ $self->_cb( 'on_disconnect' )->( $self, $ev->[2], $self->_text_decode( $ev->[3] ) ); 1 } )
            {
                warn( "Error calling disconnect callback: $@" ) if( $self->_warnings_is_enabled );
            }
        }
    }
    elsif( $kind eq 'error' )
    {
        my( $code, $msg ) = @$ev[2,3];
        my $ex = $self->_record_error({ code => $code, message => $msg });
        if( !eval{ $self->_cb( 'on_error' )->( $self, $ex ); 1 } )
        {
            warn( "Error calling the error callback: $@" ) if( $self->_warnings_is_enabled );
        }
        # A close code: the engine is closing the connection with it (a protocol error of the
        # server, a message too large...). As the original did, this is our disconnection.
        if( defined( $code ) && $code >= 1000 && $code < 5000 && !$self->{disconnecting} )
        {
            $self->{disconnecting} = 1;
            $self->{_notified} = 1;
            $self->{connected} = 0;
            $self->{_state} = 'closing' if( $self->{_state} eq 'open' );
            if( !eval{ $self->_cb( 'on_disconnect' )->( $self, $code, $msg ); 1 } )
            {
                warn( "Error calling disconnect callback: $@" ) if( $self->_warnings_is_enabled );
            }
        }
    }
    elsif( $kind eq 'closed' )
    {
        my( $code, $reason ) = @$ev[2,3];
        $self->{_state} = 'closed';
        $self->{connected} = 0;
        if( !$self->{_notified} )
        {
            # Gone without a Close frame (RFC 6455 7.1.5: 1006).
            $self->{_notified} = 1;
            $self->{disconnecting} = 1;
            $self->_lost if( ( $code // 0 ) == WS_CLOSED_ABNORMALLY );
            if( !eval{ $self->_cb( 'on_disconnect' )->( $self, $code, $self->_text_decode( $reason ) ); 1 } )
            {
                warn( "Error calling disconnect callback: $@" ) if( $self->_warnings_is_enabled );
            }
        }
        $self->{disconnected} = 1;
    }
    elsif( $kind eq 'drain' )
    {
        if( !eval{ $self->_cb( 'on_drain' )->( $self ); 1 } )
        {
            warn( "Error calling the drain callback: $@" ) if( $self->_warnings_is_enabled );
        }
    }
    return;
}

# The connection was lost without a closing handshake: the original's error for a read of
# zero bytes, unless the engine has reported a more precise one.
sub _lost
{
    my $self = shift( @_ );
    $self->_record_error({ code => 500, message => 'Reading from socket returned zero byte' }) if( !$self->{_conn_error} );
    return;
}

# A callback died: as the original, the error becomes {1011, "Internal error"} and the
# connection is closed with it.
sub _callback_died
{
    my( $self, $warning ) = @_;
    warn( $warning ) if( $self->_warnings_is_enabled );
    $self->_record_error({ code => WS_INTERNAL_SERVER_ERROR, message => 'Internal error' });
    $self->disconnect( WS_INTERNAL_SERVER_ERROR, 'Internal error' ) if( !$self->{disconnecting} );
    return;
}

# An error met while dispatching events: recorded, never thrown (even with fatal), so that
# the loop goes on with the other events.
sub _record_error
{
    my( $self, $err ) = @_;
    local $self->{fatal} = 0;
    local $self->{debug} = 0;
    $self->error( $err );
    $self->{_conn_error} = 1;
    return( $self->{error} );
}

# The frame handed to on_recv: a WebSocket::Frame for the message, copied from a prototype
# (cheaper than new() for every message).
sub _message_frame
{
    my( $self, $opcode, $payload ) = @_;
    my $proto = $self->{_frame_proto}->{ $opcode } ||= do
    {
        my $f = WebSocket::Frame->new( type => ( $opcode == 1 ? 'text' : 'binary' ), debug => $self->debug,
            max_payload_size => $self->frame_buffer->max_payload_size,
            max_fragments_amount => $self->frame_buffer->max_fragments_amount ) || return;
        $f->{fin} = 1;
        $f->{masked} = 0;
        $f;
    };
    my $frame = bless( { %$proto, buffer => $payload, rsv => [ 0, 0, 0 ], _assembler => undef }, ref( $proto ) );
    return( $frame );
}

sub _connect_failed
{
    my( $self, $code, $msg ) = @_;
    my( $host, $port ) = @{ $self->{_peer} || [ '', '' ] };
    $msg = 'unknown error' if( !defined( $msg ) || !length( $msg ) );
    my $what = $self->{_tls} ? 'Failed to connect using ssl to remote host' : 'Failed to connect to remote host';
    my $ex = $self->_record_error({ ( defined( $code ) ? ( code => $code ) : () ), message => "$what '$host' on port '$port': $msg" });
    local $@;
    if( !eval{ $self->_cb( 'on_error' )->( $self, $ex ); 1 } )
    {
        warn( "Error calling the error callback: $@" ) if( $self->_warnings_is_enabled );
    }
    return( $self->error( $ex ) );
}

# Gives up a connection that is not open: dropped at once, and forgotten by the loop.
sub _abandon
{
    my $self = shift( @_ );
    my $cid = $self->{_cid};
    if( defined( $cid ) )
    {
        my $loop = $self->_loop;
        if( $loop )
        {
            eval{ $loop->reactor->drop( $cid ) } unless( $self->{_gone} );
            $loop->remove_conn( $cid );
        }
    }
    $self->{_state} = 'closed';
    $self->{connected} = 0;
    $self->{disconnected} = 1;
    $self->{_gone} = 0;
    $self->{_failure} = undef;
    $self->{_pending} = [];
    return;
}

sub _cb { return( $_[0]->{ $_[1] } || ( $_[1] eq 'on_handshake' ? $TRUE : $NOOP ) ); }

sub _is_live
{
    my $self = shift( @_ );
    return( defined( $self->{_cid} ) && $self->{_state} ne 'closed' && $self->{_state} ne 'idle' && !$self->{disconnected} ? 1 : 0 );
}

sub _apply_limits
{
    my $self = shift( @_ );
    my $cid = $self->{_cid};
    return if( !defined( $cid ) || ( $self->{_state} // '' ) eq 'closed' );
    my $fb = $self->{frame_buffer} || return;
    my $r = $self->_loop->reactor;
    $self->{_auto_pong} = $self->_engine_pongs;
    eval{ $r->set( $cid, max_message_size => ( 0 + $fb->max_payload_size ), max_fragments => ( 0 + $fb->max_fragments_amount ), auto_pong => $self->{_auto_pong} ) };
    # permessage-deflate: the engine builds the offer from these (before the request goes out)
    # and checks the answer.
    if( my $d = $self->{_deflate} )
    {
        eval{ $r->set( $cid, %$d, deflate_required => ( $self->{extensions_required} ? 1 : 0 ) ) };
    }
    return;
}

# Calls on_send with what is about to go out; a die becomes a warning.
sub _notify_send
{
    my( $self, $bytes ) = @_;
    return if( ( $self->{on_send} || $NOOP ) == $NOOP || !defined( $bytes ) );
    local $@;
    if( !eval{ $self->_cb( 'on_send' )->( $self, $bytes ); 1 } )
    {
        warn( "Error calling the send callback: $@" ) if( $self->_warnings_is_enabled );
    }
    return;
}

# See WebSocket::_engine_pongs.
sub _default_on_ping { return( $NOOP ); }

# Called by the setters of on_ping and do_pong.
sub _update_auto_pong
{
    my $self = shift( @_ );
    my $cid = $self->{_cid};
    return if( !defined( $cid ) || !$self->_is_live );
    my $auto = $self->_engine_pongs;
    return if( ( $self->{_auto_pong} // -1 ) == $auto );
    $self->{_auto_pong} = $auto;
    eval{ $self->_loop->reactor->set( $cid, auto_pong => $auto ) };
    return;
}

sub _build_handshake
{
    my $self = shift( @_ );
    my $uri = $self->uri;
    local $@;
    my $hs = eval
    {
        my $cookie = $self->{cookie};
        my @headers;
        push( @headers, Cookie => "$cookie" ) if( defined( $cookie ) && length( "$cookie" ) );
        my $origin = $self->{origin};
        my $req = WebSocket::Request->new(
            debug   => $self->debug,
            headers => \@headers,
            uri     => $uri,
            ( defined( $origin ) && length( "$origin" ) ? ( origin => "$origin" ) : () ),
        ) || return( $self->pass_error( WebSocket::Request->error ) );
        $req->subprotocol( [ $self->subprotocol->list ] ) if( $self->subprotocol->length );
        my $ext = $self->_extensions_header;
        if( defined( $ext ) && length( $ext ) )
        {
            $req->extensions( $ext ) // return( $self->pass_error( $req->error ) );
        }
        WebSocket::Handshake::Client->new(
            uri     => $uri,
            debug   => $self->debug,
            request => $req,
            ( defined( $self->{version} ) ? ( version => $self->{version} ) : () ),
        ) || return( $self->pass_error( WebSocket::Handshake::Client->error ) );
    };
    return( $self->error( "Unable to instantiate a WebSocket::Handshake::Client object: $@" ) ) if( $@ );
    return if( !$hs );
    $self->{handshake} = $hs;
    return( $hs );
}

sub _extensions_header
{
    my $self = shift( @_ );
    my $v = $self->{extensions};
    @$self{qw( _deflate _ext_invalid _offered )} = ( undef, 0, [] );
    return if( !defined( $v ) );
    my @list = ( Scalar::Util::reftype( $v ) // '' ) eq 'ARRAY' && !overload::Method( $v, '""' ) ? @$v : ( $v );
    my $s = join( ', ', grep{ length( $_ ) } map{ defined( $_ ) ? ( Scalar::Util::blessed( $_ ) && $_->can( 'as_string' ) ? $_->as_string : "$_" ) : '' } @list );
    return( $s ) if( !length( $s ) );
    # Extensions the engine cannot carry out are not offered: a server accepting one would
    # send frames this client must refuse.
    require WebSocket::Extension;
    my $parsed = WebSocket::Extension->new_from_multi( $s ) || return( $s );
    # permessage-deflate is offered by the engine itself, from these settings.
    my $deflate = $self->_deflate_options( $parsed, $self->compression_threshold );
    $self->{_ext_invalid} = defined( $deflate ) ? 0 : 1;
    return if( !defined( $deflate ) );
    $self->{_deflate} = %$deflate ? $deflate : undef;
    $self->{_offered} = [ map{ lc( $_->extension ) } grep{ $self->_extension_negotiable( $_->extension ) || lc( $_->extension ) eq 'permessage-deflate' } @$parsed ];
    my @keep = grep{ $self->_extension_negotiable( $_->extension ) } @$parsed;
    my @dropped = grep{ lc( $_ ) ne 'permessage-deflate' && !$self->_extension_negotiable( $_ ) } map{ $_->extension } @$parsed;
    if( @dropped && !$self->{_extension_warned}++ && $self->_warnings_is_enabled )
    {
        warn( "Not offering " . join( ', ', @dropped ) . ": not implemented by this version of the engine\n" );
    }
    return( join( ', ', map{ $_->as_string } @keep ) );
}

sub _is_set
{
    my( $self, $key ) = @_;
    return( defined( $self->{ $key } ) && length( "$self->{ $key }" ) ? 1 : 0 );
}

sub _loop
{
    my $self = shift( @_ );
    local $@;
    my $loop = eval{ WebSocket::Loop->instance };
    return( $self->error( "Unable to start the event loop: " . WebSocket::Frame::_clean_croak( $@ ) ) ) if( !$loop );
    return( $loop );
}

sub _reactor_message
{
    my $r = shift( @_ );
    my $err = eval{ $r->error };
    return( 'unknown error' ) if( !$err );
    return( ref( $err ) eq 'ARRAY' ? ( $err->[2] // 'unknown error' ) : "$err" );
}

sub _warnings_is_enabled
{
    local $@;
    my $on = eval{ warnings::enabled( 'WebSocket::Client' ) };
    return( $on ? 1 : 0 );
}

1;

__END__

=encoding utf-8

=head1 NAME

WebSocket::Client - WebSocket client on the engine's event loop

=head1 SYNOPSIS

    use WebSocket::Client;
    my $ws;
    $ws = WebSocket::Client->new( 'ws://localhost:8080/chat?room=perl', {
        origin        => 'http://localhost',
        subprotocol   => [qw( chat )],
        on_connect    => sub { my( $client ) = @_; ... },
        on_handshake  => sub { my( $client, $handshake ) = @_; return(1) },
        on_utf8       => sub { my( $client, $text ) = @_; print "got: $text\n" },
        on_binary     => sub { my( $client, $bytes ) = @_; ... },
        on_disconnect => sub { my( $client, $code, $reason ) = @_; ... },
    }) || die( WebSocket::Client->error );
    $ws->connect || die( $ws->error );
    $ws->send_utf8( "Hello \x{263a}" ) || die( $ws->error );
    # Deliver messages to the callbacks until the connection is closed:
    $ws->start;

=head1 VERSION

    v0.3.0

=head1 DESCRIPTION

A WebSocket (RFC 6455) client with the interface of the client of the CPAN C<WebSocket>
distribution. The connection itself, the opening handshake, framing, masking, UTF-8
validation, automatic pongs and the closing handshake are handled by the engine's reactor,
shared by every client and server of the process through L<WebSocket::Loop>.

L</connect> returns once the server's handshake answer has been received and verified. No
background process is forked (the original did): received messages reach the callbacks in
the calling process while L</start> or L</listen> runs the event loop, or while anything else
runs it (another client's C<listen>, a L<WebSocket::Server> in the same process, or a program
calling C<< WebSocket::Loop->instance->run_once >> from its own event loop, which
L<WebSocket::Loop::AnyEvent>, L<WebSocket::Loop::IOAsync> and L<WebSocket::Loop::Mojo> do for
those loops).

Errors follow the distribution's model: a method that fails returns C<undef> (an empty list
in list context) and sets an exception available with C<error>; with C<< fatal => 1 >> it
dies with it instead. Errors met while events are being delivered (a connection lost, a
protocol error of the server) are recorded in C<error> without dying, and reported to
L</on_error> and L</on_disconnect>.

Warnings are in the C<WebSocket::Client> category: C<< use warnings qw( WebSocket::Client ) >>
or C<< no warnings 'WebSocket::Client' >>.

C<wss://> URIs are served by the engine's TLS (rustls, TLS 1.2 and 1.3, ALPN C<http/1.1>): the
server's certificate is verified against the system's CA store, or L</SSL_ca_file>, for the
URI's host (a name or an IP address), unless L</SSL_verify_mode> is 0. C<permessage-deflate>
(RFC 7692) is offered and carried out by the engine when L</extensions> names it.

=head1 CONSTRUCTOR

=head2 new

    my $ws = WebSocket::Client->new( $uri, %options );
    my $ws = WebSocket::Client->new( $uri, \%options );
    my $ws = WebSocket::Client->new( uri => $uri, %options );
    my $ws = WebSocket::Client->new({ uri => $uri, %options });

The URI is required (C<No websocket uri was provided to connect to.>). The options are the
methods of the same name: C<compression_threshold>, C<cookie>, C<debug>, C<do_pong>,
C<extensions>, C<extensions_required>, C<fatal>, C<max_fragments_amount>,
C<max_payload_size>, C<on_binary>, C<on_connect>, C<on_disconnect>, C<on_drain>,
C<on_error>, C<on_handshake>, C<on_ping>, C<on_pong>, C<on_recv>, C<on_send>, C<on_utf8>,
C<origin>, C<SSL_ca_file>, C<SSL_verify_mode>, C<SSL_version>, C<subprotocol>, C<timeout>, C<uri>,
C<version>. An unknown option makes C<new> fail with
C<Unknown method NAME in class WebSocket::Client>.

The constructor builds the L</handshake> object (a L<WebSocket::Handshake::Client> whose
request holds the cookie, origin, subprotocols and extensions) and the L</frame_buffer>.

=head1 METHODS

=head2 connect

Opens the connection and performs the opening handshake. The host and port come from the
URI (port 80 by default, 443 for C<wss://>); with C<wss://> the engine first does a TLS
handshake (TLS 1.2 or 1.3, through rustls; SNI and the certificate check for the URI's host,
which may be an IP address), verifying the server's certificate against the system's CA store
or L</SSL_ca_file>, unless L</SSL_verify_mode> is 0. The request target is the URI's path and query; the C<Host> header
carries the port when it is not 80; C<Origin> is the L</origin> or else C<http://HOST[:PORT]>;
the L</cookie> is sent as a C<Cookie> header, the L</subprotocol>s as
C<Sec-WebSocket-Protocol> and the L</extensions> as C<Sec-WebSocket-Extensions>.

L</on_connect> is called as soon as the connection is under way, before the handshake. The
engine checks the answer: status 101, C<Upgrade> and C<Connection>, the
C<Sec-WebSocket-Accept> value computed from the key it sent, a subprotocol that was offered,
extensions that were offered. When subprotocols were offered, the answer must select one of
them (C<Protocol mismatch. Supported client protocols are: 'a', 'b', but got 'x'.> or
C<Handshake did not return any protocol>, code 1003). Then L</on_handshake> must return true
(otherwise C<Handshake rejected>, code 1003; if it dies, C<Internal error>, code 1011). In
those three cases the connection is closed with that code and reason (L</on_disconnect> is
called) and C<connect> returns C<undef>.

C<connect> waits at most L</timeout> seconds for all this (30 seconds when no timeout is set).
It returns the object once connected, or C<undef> with an error:

=over 4

=item C<Failed to connect to remote host 'HOST' on port 'PORT': REASON> when the connection is
refused or lost, or when the server's answer is not an acceptable handshake (the reason then
says why, for example a 403 status or a wrong C<Sec-WebSocket-Accept>), or C<...: no answer to
the WebSocket handshake within N seconds>. L</on_error> is called with the exception, except
when the reactor refused the request at once.

=item C<Failed to connect using ssl to remote host 'HOST' on port 'PORT': REASON> for a
C<wss://> URI, with the code 1015 when the TLS handshake failed, and a reason that names the
cause: C<TLS handshake failed: invalid peer certificate: unknown issuer (...)>,
C<...: certificate expired: ...>, C<...: certificate not valid for name "HOST"; ...>,
C<TLS handshake failed: received fatal alert: ...>; or
C<cannot read SSL_ca_file FILE: REASON>.

=item C<Failed to connect to remote host 'HOST' on port 'PORT': ...> with the code 1010 when
C<permessage-deflate> was offered and the server's answer to it is not valid (RFC 7692), or,
with L</extensions_required>, when the server did not accept every extension offered.

=item C<Unknown permessage-deflate parameter "NAME" ...> or
C<Invalid permessage-deflate parameter NAME=VALUE: a window size is 8 to 15.>

=item C<Connect callback triggered an error: EXCEPTION> when L</on_connect> died.

=item C<Version DRAFT is not supported by this client: only RFC 6455 (version 13) is.>

=back

Messages the server sent together with its handshake answer are delivered to the callbacks
just before C<connect> returns. Calling C<connect> on a connected client does nothing; after
the connection has closed, it connects again.

=head2 listen

    $ws->listen;                          # until the connection is closed
    $ws->listen( sub { !$done } );        # or until the condition returns false

Runs the event loop, delivering events to the callbacks, while the connection is open and
the condition (checked before each turn) returns true. Each turn waits at most L</timeout>
seconds for something to happen (indefinitely when no timeout is set), so set a timeout when
the condition may change for reasons other than network events. Returns the object, or
C<undef> with C<Callback provided is not an anonymous ubsroutine or a reference to a
subroutine.> (sic) for a condition that is not code, or C<The socket is gone!> on a client that
was never connected.

=head2 start

L</listen> without a condition: delivers events until the connection is closed, then returns
the object.

=head2 recv

Runs one turn of the event loop without waiting: the events that have arrived are delivered
to the callbacks. Returns the object, or C<undef> with C<The socket is gone!> on a client that
was never connected. (The original read the socket here; the engine now does the reading.)

=head2 send

    my $n = $ws->send( $text );
    my $n = $ws->send( $type, $data );           # text, binary, ping, pong, close, continuation
    my $n = $ws->send( text => $frame );         # a WebSocket::Frame

One argument sends a text message. The type must be one of
L<WebSocket::Frame/supported_types>, otherwise the error is
C<Message of type "TYPE" is unsupported.>. A character string is sent as its UTF-8 bytes; a
byte string is sent as it is. A L<WebSocket::Frame> given as data is sent with its own
opcode, C<fin> flag and payload (the engine masks it).

Returns the number of bytes queued on the wire for the frame (header, mask and payload;
always true). Before the handshake is finished it returns C<0> and warns
C<Tried to send data before finishing handshake>. Otherwise it returns C<undef> with an
error: C<Payload is too big. Send shorter messages or increase max_payload_size> (code 1009)
when the payload exceeds the L</max_payload_size> limit of the frame buffer (64 KiB unless
set; C<0> removes the limit), C<No socket found to send data to!> once the connection is
closed, or C<Unable to send N bytes of data on socket: REASON>.

L</on_send> is called before the data is queued.

=head2 send_binary

C<< $ws->send( binary => $bytes ) >>.

=head2 send_utf8

C<< $ws->send( text => $bytes ) >> with the text encoded as UTF-8 (noncharacters such as U+FFFE are kept, as RFC 3629 allows): the text is a character string.

=head2 ping

    $ws->ping( $payload );

Sends a ping, with the payload given or an empty one (the original sent a text message
C<ping> when called without argument). Returns as L</send>. The answer reaches L</on_pong>.

=head2 pong

Sends a pong, as L</ping>. Pings of the server are answered by the engine automatically; an
unsolicited pong is a one-way heartbeat.

=head2 disconnect

    $ws->disconnect;
    $ws->disconnect( $code, $reason );

Closes the connection: calls L</on_disconnect> with the code and reason given (a die there
becomes a warning), sends a Close frame (with C<$code>, or 1000 when only a reason is given;
without code nor reason, a Close frame without status), and waits up to 3 seconds for the
closing handshake to finish, after which the connection is dropped. Called from one of this
client's callbacks, it does not wait: the loop that delivered the event goes on until the
connection is closed. Does nothing when already disconnecting. Works on a client that never
connected (the callback is still called). Returns the object.

=head2 shutdown

Drops the connection at once, without closing handshake, and marks the client disconnected.
Returns the object.

=head2 tls_info

    my $tls = $client->tls_info;
    # { version => 'TLSv1.3', alpn => 'http/1.1', cipher => 'TLS_AES_256_GCM_SHA384' }

What the TLS handshake agreed with a C<wss://> server: a hash reference with C<version>
(C<TLSv1.2> or C<TLSv1.3>), C<alpn> (C<http/1.1>, or C<undef> when the server chose none) and
C<cipher>, the cipher suite; C<undef> for C<ws://> and before L</connect> succeeded. Kept
after the connection closes. Not in the original distribution.

C<cipher> is the suite's IANA name, as RFC 8446 and the IANA registry write it:
C<TLS_AES_128_GCM_SHA256>, C<TLS_AES_256_GCM_SHA384> or C<TLS_CHACHA20_POLY1305_SHA256> with
TLS 1.3; with TLS 1.2 an ECDHE suite for the server's key, such as
C<TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256> or C<TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256>.
These are not OpenSSL's names for the TLS 1.2 suites (C<ECDHE-RSA-AES128-GCM-SHA256>, as
L<IO::Socket::SSL>'s C<get_cipher> gives them).

=head2 buffered_amount

The number of bytes queued by the engine and not yet written to the socket (0 when not
connected). See L</on_drain>.

=head2 compression_threshold

Inherited from L<WebSocket>.

=head2 connected

True between a successful L</connect> and the start of the closing handshake.

=head2 cookie

A C<Cookie> header value to send with the handshake, for example C<sid=42; lang=en>.
Returns a L<WebSocket::Generic::Scalar>.

=head2 disconnected

True once the connection is closed.

=head2 disconnecting

True once the closing handshake has started (from either side).

=head2 do_pong

The code called, as C<< $code->( $client, $payload ) >>, to answer a ping of the server,
unless L</on_ping> returned a defined false value. The default, L</pong>, sends a pong with
the ping's payload; with it, and without an L</on_ping> of yours, the engine sends that pong
itself without calling Perl. No pong goes out once the closing handshake has begun. A die in
it closes the connection with 1011.

=head2 extensions

The extensions to offer, as a header value (C<permessage-deflate; client_max_window_bits>), a
L<WebSocket::Extension> object, or an array reference of them. Sent in the handshake's
C<Sec-WebSocket-Extensions> header (the original documented this option but refused it).
Returns the value as it was given. The extensions the server accepted are in
C<< $ws->handshake->response->extensions >>.

C<permessage-deflate> (RFC 7692) is done by the engine: it puts its own offer in the request
(after your other extensions), checks the server's answer, then compresses the messages of at
least L</compression_threshold> bytes it sends and inflates those it receives (the
L</max_payload_size> applies to the inflated size: a deflate bomb closes the connection with
1009). Its parameters here are the client's settings: C<server_no_context_takeover> and
C<server_max_window_bits=N> are requested from the server; C<client_no_context_takeover>
makes the client reset its compressor after every message; C<client_max_window_bits=N> (8 to
15, offered without a value for 15) caps the window the client compresses with. The older
C<deflate-frame> family is not implemented and is left out of the offer, with a warning once.
Other extensions are offered by name: the engine passes their frames on unchanged.

=head2 extensions_required

Boolean, default false: when true, L</connect> fails with the code 1010 (the RFC 6455 code
for a client that expected an extension) unless the server accepted every extension of
L</extensions>. Not in the original distribution.

=head2 SSL_ca_file

For C<wss://>: a PEM file of the certificate authorities to verify the server's certificate
against, instead of the system's CA store. Named after the L<IO::Socket::SSL> option the
original passed through.

=head2 SSL_verify_mode

For C<wss://>: 0 (C<SSL_VERIFY_NONE> of L<IO::Socket::SSL>) accepts any certificate, which
protects against nothing but passive eavesdropping: use it for tests only. Any true value, or
C<undef> (the default), verifies the server's certificate and its name.

=head2 SSL_version

For C<wss://>: the TLS versions the client offers, written as for L<IO::Socket::SSL>
(C<TLSv1_3>, C<SSLv23:!TLSv1_2>...; see L<WebSocket::Server/SSL_version>). The engine speaks
TLS 1.2 and 1.3, both by default. A string that names an unknown version, or allows neither,
makes L</connect> fail with code 1015 and C<Failed to connect using ssl to remote host 'HOST'
on port 'PORT': Unknown TLS version ...> or C<...: SSL_version "..." allows neither TLS 1.2
nor TLS 1.3, the versions the engine speaks>; a server that speaks none of those offered makes
the handshake fail (1015). Not in the original distribution.

=head2 frame_buffer

A L<WebSocket::Frame> that holds the client's message limits (C<max_payload_size>,
C<max_fragments_amount>), kept for compatibility: the engine does the parsing.

=head2 handshake

The L<WebSocket::Handshake::Client>. After L</connect>, its C<response> holds the server's
answer (status 101, headers, selected subprotocol and extensions). The request actually sent
is built by the engine (with its own key), so the request object describes it but is not the
bytes that went out.

=head2 ip

The address of the server once connected (the original returned the local address).

=head2 max_fragments_amount

The largest number of fragments a received message may have; beyond it, the connection is
closed. Default: 128 (L<WebSocket::Frame>'s). C<0> means no limit. Applied to the frame buffer
and to the connection, also when changed while connected.

=head2 max_payload_size

The largest message size, in bytes, received or sent. A received message over the limit
closes the connection with 1009; L</send> refuses one. Default: 65536 (L<WebSocket::Frame>'s).
C<0> means no limit. Applied to the frame buffer and to the connection, also when changed
while connected.

=head2 on

    $ws->on( utf8 => sub { ... }, disconnect => sub { ... } );

Sets several callbacks by event name: C<binary connect disconnect drain error handshake ping
pong recv send utf8>. Errors: C<Invalid event 'NAME'>, C<Expected a code reference for event
'NAME', but got 'VALUE'.>. Returns the object.

=head2 on_binary

C<< $code->( $client, $bytes ) >> for every binary message. A die closes the connection with
1011 (C<Internal error>) and is warned.

=head2 on_connect

C<< $code->( $client ) >> once the connection has been started, before the handshake. If it
dies, L</connect> fails with C<Connect callback triggered an error: ...>.

=head2 on_disconnect

C<< $code->( $client, $code, $reason ) >> once, when the connection ends: when L</disconnect>
is called (with its arguments), when the server's Close frame arrives (with its code and
reason), when the engine closes the connection because of an error (with the close code it
sends, such as 1002 for a protocol error of the server or 1009 for a message too large, and
the error message), or when the connection is lost (code 1006; the error is then
C<Reading from socket returned zero byte>, code 500, as in the original). A reason received
from the server is decoded from UTF-8 into a character string, as text messages are. A die
becomes a warning.

=head2 on_drain

New: C<< $code->( $client ) >> when the engine's send buffer has been written out completely
after having held data (see L</buffered_amount>). A die becomes a warning.

=head2 on_error

C<< $code->( $client, $exception ) >> when the connection or its handshake fails (see
L</connect>), and when the engine reports an error on an open connection (a protocol error of
the server, a message too large, ...), before the connection closes. A die becomes a warning.

=head2 on_handshake

C<< $code->( $client, $handshake ) >> once the server's answer has been verified; it must
return true, otherwise the handshake is rejected (see L</connect>).

=head2 on_ping

C<< $code->( $client, $payload ) >> for every ping of the server. As in the original, a
defined false return value means that this ping gets no pong; otherwise L</do_pong> answers
it. A die closes the connection with 1011.

=head2 on_pong

C<< $code->( $client, $payload ) >> for every pong. A die becomes a warning.

=head2 on_recv

C<< $code->( $frame, $payload ) >> for every text or binary message, before L</on_utf8> or
L</on_binary>. As in the original, the first argument is a frame, not the client: a
L<WebSocket::Frame> describing the message (C<opcode>, C<is_text>, C<is_binary>, C<fin>, its
C<buffer> holding the payload). The payload is the decoded text for a text message, the bytes
for a binary one. A die closes the connection with 1011.

=head2 on_send

C<< $code->( $client, $payload ) >> before each L</send>, with the payload bytes about to be
sent (the original passed the serialised frame; the engine now builds it), and once during
L</connect> with the text of the handshake request the engine is about to write, as the
original did. A die becomes a warning.

=head2 on_utf8

C<< $code->( $client, $text ) >> for every text message, with the text decoded once into a
character string (the engine has checked that it is valid UTF-8). A die closes the connection
with 1011.

=head2 origin

The C<Origin> to send. Default: C<http://HOST[:PORT]> of the URI. Returns a
L<WebSocket::Generic::Scalar>.

=head2 socket

Returns C<undef>: the engine owns the socket and there is no Perl filehandle for it. To
integrate with another event loop, use the reactor's file descriptor (see
L<WebSocket::Loop>). Setting a value stores it and has no other effect.

=head2 subprotocol

The subprotocols to offer: an array reference, a list, or a string of names separated by
spaces. Returns a L<WebSocket::Generic::Array>. Also set on the handshake's request.

=head2 timeout

Seconds: how long L</connect> waits for the handshake, and how long each turn of L</listen>
waits for events. Returns a L<WebSocket::Generic::Number>, or C<undef> when unset.

=head2 uri

The server's URI, a L<URI::ws> object.

=head2 version

The protocol version, as a L<WebSocket::Version> (a number such as C<13> or a draft name
such as C<draft-ietf-hybi-17> is turned into one). C<undef> when not set; the client then
speaks RFC 6455 (version 13), the only version L</connect> accepts.

=head1 SEE ALSO

L<WebSocket>, L<WebSocket::Server>, L<WebSocket::Loop>, L<WebSocket::Frame>,
L<WebSocket::Handshake::Client>, L<WebSocket::Version>

=head1 COPYRIGHT & LICENSE

This library is free software; you can redistribute it and/or modify it under the same terms
as Perl itself.

=cut
