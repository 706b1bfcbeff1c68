package WebSocket::Server;
use strict;
use warnings;
use warnings::register;
use parent qw( WebSocket );
use vars qw( $VERSION );
use POSIX ();
use Scalar::Util ();
use WebSocket::Loop;
use WebSocket::Version;
use WebSocket::Extension;

our $VERSION = 'v0.3.0';

# A peer that goes away while we write must not kill the process.
$SIG{PIPE} = 'IGNORE';

# The server side: a listener in the process's engine reactor, and the loop that dispatches
# the reactor's events to the connection objects and to the user's callbacks. Accepting,
# reading, parsing, answering pings, writing and the timeouts all happen in the engine; this
# class only decides (callbacks, negotiation) and keeps the registry of connections.

sub init
{
    my $self = shift( @_ );
    $self->{connection_class} = 'WebSocket::Connection';
    $self->{extensions}       = undef;
    $self->{host}             = undef;
    $self->{legacy}           = 0;
    $self->{listen}           = undef;
    $self->{on_accept}        = sub{};
    $self->{on_connect}       = sub{};
    $self->{on_shutdown}      = sub{};
    $self->{on_tick}          = sub{};
    $self->{on_listening}     = sub{};
    $self->{workers}          = 1;
    $self->{port}             = 8080;
    $self->{silence_max}      = 20;
    $self->{subprotocol}      = [];
    $self->{tick_period}      = 0;
    $self->{is_ssl}           = 0;
    $self->{pong_timeout}     = 0;
    $self->{close_timeout}    = 5;
    $self->{handshake_timeout} = 10;
    $self->{max_buffered}     = undef;
    $self->{accept_unmasked_frames} = 1;
    $self->{SSL_cert_file}    = undef;
    $self->{SSL_key_file}     = undef;
    $self->{SSL_version}      = undef;
    $self->{_watch_r}         = {};
    $self->{_watch_w}         = {};
    $self->{_conns}           = {};
    # The package's version is not the protocol version.
    $self->{version}          = undef;
    $self->SUPER::init( @_ ) || return( $self->pass_error );
    if( !defined( $self->{version} ) )
    {
        $self->version( WebSocket::Version->new( 'draft-ietf-hybi-17' ) ) // return( $self->pass_error );
    }
    $self->{silence_checkinterval} //= ( $self->{silence_max} // 0 ) / 2;
    return( $self );
}

# Warnings are issued when the category of this class is enabled where the server was created
# or started.
sub new
{
    my $that = shift( @_ );
    my $self = $that->SUPER::new( @_ ) || return;
    $self->{_warnings} = warnings::enabled() ? 1 : 0;
    return( $self );
}

sub _warnings_is_enabled { return( $_[0]->{_warnings} ); }

sub _warn
{
    my $self = shift( @_ );
    return if( !$self->_warnings_is_enabled );
    my $msg = join( '', map{ $_ // '' } @_ );
    $msg .= "\n" if( $msg !~ /\n$/ );
    warn( $msg );
}

# ---------------------------------------------------------------------------
# Accessors
# ---------------------------------------------------------------------------
sub close_timeout { return( shift->_set_get_number( 'close_timeout', @_ ) ); }

sub connection_class { return( shift->_set_get_scalar( 'connection_class', @_ ) ); }

sub connections
{
    my $self = shift( @_ );
    my @conns = map{ $self->{_conns}->{ $_ } } sort{ $a <=> $b } keys( %{ $self->{_conns} } );
    @conns = grep{ $_->is_ready } @conns;
    return( @conns ) if( wantarray() || $self->{legacy} );
    return( $self->new_array( \@conns ) );
}

sub extensions
{
    my $self = shift( @_ );
    if( @_ )
    {
        my $v = @_ == 1 ? shift( @_ ) : [ @_ ];
        # A string is a header value: "permessage-deflate; server_no_context_takeover" is one
        # extension with a parameter (not an extension of that name), and
        # "permessage-deflate, x-foo; a=1" two; in a list too.
        if( defined( $v ) && ( !ref( $v ) || ref( $v ) eq 'ARRAY' ) )
        {
            require WebSocket::Extension;
            my @items;
            for my $item ( ref( $v ) eq 'ARRAY' ? @$v : ( $v ) )
            {
                if( defined( $item ) && !ref( $item ) && $item =~ /[;,]/ )
                {
                    my $list = WebSocket::Extension->new_from_multi( $item ) || return( $self->pass_error( WebSocket::Extension->error ) );
                    push( @items, @$list );
                }
                else
                {
                    push( @items, $item );
                }
            }
            $v = \@items;
        }
        return( $self->_set_get_object_array_object( 'extensions', 'WebSocket::Extension', $v ) );
    }
    return( $self->_set_get_object_array_object( 'extensions', 'WebSocket::Extension' ) );
}

sub handshake_timeout { return( shift->_set_get_number( 'handshake_timeout', @_ ) ); }

sub host { return( shift->_set_get_scalar( 'host', @_ ) ); }

sub ip { return( shift->_set_get_scalar_as_object( 'ip', @_ ) ); }

sub is_ssl { return( shift->_set_get_boolean( 'is_ssl', @_ ) ); }

sub SSL_cert_file { return( shift->_set_get_scalar( 'SSL_cert_file', @_ ) ); }

sub SSL_key_file { return( shift->_set_get_scalar( 'SSL_key_file', @_ ) ); }

sub SSL_version { return( shift->_set_get_scalar( 'SSL_version', @_ ) ); }

sub legacy { return( shift->_set_get_boolean( 'legacy', @_ ) ); }

# A port number, or an IO::Socket that is already listening.
sub listen
{
    my $self = shift( @_ );
    if( @_ )
    {
        my $v = shift( @_ );
        if( defined( $v ) && !ref( $v ) )
        {
            return( $self->error( "Invalid value for listen: \"$v\" is neither a port number nor a listening socket." ) )
                if( $v !~ /^\d+$/ );
            $self->port( $v );
            $v = undef;
        }
        $self->{listen} = $v;
    }
    return( $self->{listen} );
}

sub max_buffered { return( shift->_set_get_number( 'max_buffered', @_ ) ); }

sub accept_unmasked_frames { return( shift->_set_get_boolean( 'accept_unmasked_frames', @_ ) ); }

sub on
{
    my $self = shift( @_ );
    return( $self->_on( { map{ $_ => 1 } qw( accept connect listening shutdown tick ) }, @_ ) );
}

sub on_accept { return( shift->_set_get_code( 'on_accept', @_ ) ); }

sub on_connect { return( shift->_set_get_code( 'on_connect', @_ ) ); }

sub on_listening { return( shift->_set_get_code( 'on_listening', @_ ) ); }

sub on_shutdown { return( shift->_set_get_code( 'on_shutdown', @_ ) ); }

sub on_tick { return( shift->_set_get_code( 'on_tick', @_ ) ); }

sub pong_timeout { return( shift->_set_get_number( 'pong_timeout', @_ ) ); }

sub port { return( shift->_set_get_number( 'port', @_ ) ); }

sub silence_checkinterval { return( shift->_set_get_number( 'silence_checkinterval', @_ ) ); }

sub silence_max { return( shift->_set_get_number( 'silence_max', @_ ) ); }

sub socket { return( shift->listen( @_ ) ); }

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

sub workers
{
    my $self = shift( @_ );
    if( @_ )
    {
        my $n = shift( @_ );
        return( $self->error( "Invalid value for workers: \"" . ( $n // 'undef' ) . "\" is not a whole number of 1 or more." ) )
            if( !defined( $n ) || $n !~ /^\d+$/ || $n < 1 );
        $self->{workers} = int( $n );
    }
    return( $self->{workers} );
}

sub tick_period { return( shift->_set_get_number( 'tick_period', @_ ) ); }

# version( "13, 8" | $version_object | [ ... ] ): the supported versions; the getter returns
# the first of them, versions() the whole list.
sub version
{
    my $self = shift( @_ );
    if( @_ )
    {
        my $v = @_ == 1 ? shift( @_ ) : [ @_ ];
        my @items;
        if( ref( $v ) eq 'ARRAY' || ( Scalar::Util::blessed( $v ) && $v->isa( 'WebSocket::Generic::Array' ) ) )
        {
            @items = @$v;
        }
        elsif( Scalar::Util::blessed( $v ) && $v->isa( 'WebSocket::Version' ) )
        {
            @items = ( $v );
        }
        elsif( defined( $v ) )
        {
            @items = grep{ length( $_ ) } split( /\s*,\s*/, "$v" );
            s/^\s+|\s+$//g for( @items );
        }
        my @objs;
        for my $item ( @items )
        {
            if( Scalar::Util::blessed( $item ) && $item->isa( 'WebSocket::Version' ) )
            {
                push( @objs, $item );
                next;
            }
            my $o = WebSocket::Version->new( "$item", debug => $self->debug );
            return( $self->pass_error( WebSocket::Version->error ) ) if( !defined( $o ) );
            push( @objs, $o );
        }
        $self->{versions} = $self->new_array( \@objs );
        $self->{version} = $objs[0];
    }
    return( $self->{version} );
}

sub versions
{
    my $self = shift( @_ );
    if( @_ )
    {
        my $v = @_ == 1 ? shift( @_ ) : [ @_ ];
        $v = [ $v ] if( ref( $v ) ne 'ARRAY' && !( Scalar::Util::blessed( $v ) && $v->isa( 'WebSocket::Generic::Array' ) ) );
        $self->version( [ @$v ] ) // return( $self->pass_error );
    }
    $self->{versions} = $self->new_array if( !defined( $self->{versions} ) );
    return( $self->{versions} );
}

# ---------------------------------------------------------------------------
# Watched filehandles
# ---------------------------------------------------------------------------
sub watch_readable { return( shift->_watch( 'readable', @_ ) ); }

sub watch_writable { return( shift->_watch( 'writable', @_ ) ); }

sub unwatch_readable { return( shift->_unwatch( 'readable', @_ ) ); }

sub unwatch_writable { return( shift->_unwatch( 'writable', @_ ) ); }

sub watched_readable { return( shift->_watched( 'readable', @_ ) ); }

sub watched_writable { return( shift->_watched( 'writable', @_ ) ); }

sub _watch
{
    my $self = shift( @_ );
    my $dir = shift( @_ );
    my @pairs = ( @_ == 1 && ref( $_[0] ) eq 'ARRAY' ) ? @{ $_[0] } : @_;
    return( $self->error( "watch_${dir} expects an even number of arguments" ) ) if( @pairs % 2 );
    for( my $i = 1; $i < @pairs; $i += 2 )
    {
        return( $self->error( "watch_${dir} expects the second value of each pair to be a code reference, but element $i was not" ) )
            if( ref( $pairs[ $i ] ) ne 'CODE' );
    }
    my $map = $self->{ $dir eq 'readable' ? '_watch_r' : '_watch_w' };
    while( my( $fh, $cb ) = splice( @pairs, 0, 2 ) )
    {
        my $fd = ref( $fh ) ? fileno( $fh ) : $fh;
        if( !defined( $fd ) )
        {
            $self->_warn( "watch_${dir} was given filehandle $fh which is not opened; ignoring!" );
            next;
        }
        if( exists( $map->{ $fd } ) )
        {
            $self->_warn( "watch_${dir} was given filehandle $fh which is already being watched; ignoring!" );
            next;
        }
        $map->{ $fd } = [ $fh, $cb ];
        $self->_loop_watch( $dir, $fd ) if( $self->{_running} );
    }
    return( $self );
}

sub _unwatch
{
    my $self = shift( @_ );
    my $dir = shift( @_ );
    my $map = $self->{ $dir eq 'readable' ? '_watch_r' : '_watch_w' };
    for my $fh ( @_ )
    {
        my $fd = ref( $fh ) ? fileno( $fh ) : $fh;
        # A filehandle closed before being unwatched has no descriptor any more: find it.
        if( !defined( $fd ) )
        {
            ( $fd ) = grep{ $map->{ $_ }->[0] == $fh } keys( %$map );
        }
        next if( !defined( $fd ) || !delete( $map->{ $fd } ) );
        $self->_loop_unwatch( $dir, $fd ) if( $self->{_running} );
    }
    return( $self );
}

sub _watched
{
    my $self = shift( @_ );
    my $dir = shift( @_ );
    my $map = $self->{ $dir eq 'readable' ? '_watch_r' : '_watch_w' };
    if( @_ )
    {
        my $fh = shift( @_ );
        my $fd = ref( $fh ) ? fileno( $fh ) : $fh;
        return if( !defined( $fd ) || !exists( $map->{ $fd } ) );
        return( $map->{ $fd }->[1] );
    }
    return( map{ @{ $map->{ $_ } } } sort{ $a <=> $b } keys( %$map ) );
}

sub _loop_watch
{
    my( $self, $dir, $fd ) = @_;
    my $entry = $self->{ $dir eq 'readable' ? '_watch_r' : '_watch_w' }->{ $fd } || return;
    Scalar::Util::weaken( my $weak = $self );
    $self->_loop->watch( $entry->[0], $dir => sub
    {
        return if( !$weak );
        my $e = $weak->{ $dir eq 'readable' ? '_watch_r' : '_watch_w' }->{ $fd } || return;
        local $@;
        eval{ $e->[1]->( $weak, $e->[0] ); 1 } ||
            $weak->_warn( "Error calling the watch_${dir} callback for filehandle $e->[0]: $@" );
    });
}

sub _loop_unwatch
{
    my( $self, $dir, $fd ) = @_;
    $self->_loop->watch( $fd, $dir => undef );
}

# ---------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------
sub _loop { return( WebSocket::Loop->instance ); }

sub _reactor { return( WebSocket::Loop->instance->reactor ); }

sub start
{
    my $self = shift( @_ );
    $self->{_warnings} = warnings::enabled() ? 1 : 0;
    return( $self->_start_workers ) if( ( $self->{workers} // 1 ) > 1 && !$self->{_worker} );
    $self->_listen || return( $self->pass_error );
    # A worker's own socket: the engine listens on its duplicate, and once the worker stops
    # listening no connection must queue on it.
    if( delete( $self->{_close_listen} ) )
    {
        close( $self->{listen} );
        $self->{listen} = undef;
    }
    $self->_listening;
    $self->shutdown if( delete( $self->{_stop_requested} ) );
    $self->_run;
    $self->_stop_listening;
    if( my $err = delete( $self->{_start_error} ) )
    {
        return( $self->error( $err ) );
    }
    return( $self );
}

# Accept connections without running the loop: for programs whose own event loop (AnyEvent,
# IO::Async, Mojo::IOLoop) drives WebSocket::Loop through its fileno and next_deadline.
sub start_listening
{
    my $self = shift( @_ );
    $self->{_warnings} = warnings::enabled() ? 1 : 0;
    return( $self->error( "start_listening serves in this process only: use start with workers > 1." ) )
        if( ( $self->{workers} // 1 ) > 1 && !$self->{_worker} );
    $self->_listen || return( $self->pass_error );
    $self->_listening;
    return( $self );
}

# The on_listening callback: the port is bound and connections are being queued.
sub _listening
{
    my $self = shift( @_ );
    local $@;
    $self->_warn( "Error calling the listening callback: $@" ) if( !eval{ $self->on_listening->( $self ); 1 } );
    return( $self );
}

# workers > 1: the parent opens one listening socket per worker (SO_REUSEPORT, all on the
# same port; or the caller's socket, shared), forks the workers, which each run start() with
# their socket, and supervises them until they have all exited. The parent never creates
# (nor uses) an engine reactor for this.
sub _start_workers
{
    my $self = shift( @_ );
    return( $self->error( "The server is already running." ) ) if( $self->{_running} );
    my $n = $self->{workers};
    my $given = $self->{listen};
    my @socks;
    if( Scalar::Util::blessed( $given ) && $given->isa( 'IO::Socket' ) )
    {
        if( !defined( fileno( $given ) ) || !$given->opened )
        {
            return( $self->error( "Failed to start websocket server; the TCP server provided via 'listen' is invalid. (is the listening socket is closed? are you trying to reuse a server that has already shut down?)" ) );
        }
        $self->port( $given->sockport );
        $self->ip( $given->sockhost );
    }
    else
    {
        require IO::Socket::IP;
        my $want = $self->{port} // 8080;
        my $host = $self->{host} // '0.0.0.0';
        my $port = $want;
        for( 1..$n )
        {
            my $s = IO::Socket::IP->new(
                LocalHost => $host,
                LocalPort => $port,
                Listen    => 128,
                ReuseAddr => 1,
                ReusePort => 1,
                Proto     => 'tcp',
            );
            if( !$s )
            {
                my $msg = $@ || $! || 'unknown error';
                $msg =~ s/ at \S+ line \d+\.?\n?$//;
                close( $_ ) for( @socks );
                return( $self->error( "Failed to listen on port $want: $msg" ) );
            }
            $port = $s->sockport;
            push( @socks, $s );
        }
        $self->port( $port );
        $self->ip( $host );
    }
    my( %alive, %killed );
    my @failed;
    $self->{_workers_alive} = \%alive;
    $self->{_supervising} = 1;
    $self->{_running} = 1;
    $self->{_stopping} = 0;
    $self->{_pid} = $$;
    my $fwd = sub { $self->shutdown };
    my $mine = sub { !defined( $_[0] ) || !length( $_[0] ) || $_[0] eq 'DEFAULT' };
    local $SIG{TERM} = $mine->( $SIG{TERM} ) ? $fwd : $SIG{TERM};
    local $SIG{INT}  = $mine->( $SIG{INT} ) ? $fwd : $SIG{INT};
    STDOUT->flush;
    STDERR->flush;
    # SIGTERM and SIGINT are blocked across each fork: a worker must not run the parent's
    # handler, nor miss a stop, before it has its own handler.
    my $stop_sigs = POSIX::SigSet->new( POSIX::SIGTERM(), POSIX::SIGINT() );
    my $old_mask = POSIX::SigSet->new;
    for my $i ( 0..$n - 1 )
    {
        POSIX::sigprocmask( POSIX::SIG_BLOCK(), $stop_sigs, $old_mask );
        my $pid = fork();
        if( defined( $pid ) && !$pid )
        {
            $self->_run_worker( $old_mask, $socks[ $i ], @socks );
        }
        POSIX::sigprocmask( POSIX::SIG_SETMASK(), $old_mask );
        if( !defined( $pid ) )
        {
            push( @failed, "fork: $!" );
            last;
        }
        $alive{ $pid } = $i + 1;
    }
    # SIGCHLD interrupts the supervisor's wait (unless the program handles it itself).
    local $SIG{CHLD} = ( $mine->( $SIG{CHLD} ) || $SIG{CHLD} eq 'IGNORE' ) ? sub {} : $SIG{CHLD};
    # The workers hold their listening sockets; ours would queue connections nobody accepts.
    close( $_ ) for( @socks );
    @socks = ();
    if( @failed )
    {
        $self->shutdown;
    }
    else
    {
        $self->_listening;
    }
    while( %alive )
    {
        for my $pid ( sort{ $a <=> $b } keys( %alive ) )
        {
            my $r = waitpid( $pid, POSIX::WNOHANG() );
            next if( $r == 0 );
            my $st = $?;
            delete( $alive{ $pid } );
            my $why;
            if( $r < 0 )
            {
                $why = "worker $pid vanished";
            }
            elsif( $killed{ $pid } )
            {
                # Already reported as not stopping in time.
            }
            elsif( $st & 127 )
            {
                $why = "worker $pid was killed by signal " . ( $st & 127 );
            }
            elsif( $st >> 8 )
            {
                $why = "worker $pid exited with status " . ( $st >> 8 );
            }
            push( @failed, $why ) if( defined( $why ) );
            # A worker that stops while the others serve: all stop (see workers in the POD).
            $self->shutdown if( !$self->{_stopping} );
        }
        if( %alive && $self->{_stopping} && time() >= $self->{_stop_deadline} )
        {
            kill( 'KILL', keys( %alive ) );
            $killed{ $_ } = 1 for( keys( %alive ) );
            push( @failed, "worker $_ did not stop within close_timeout; killed" ) for( sort{ $a <=> $b } keys( %alive ) );
            $self->{_stop_deadline} = time() + 3600;
        }
        # A worker's exit (SIGCHLD) or a stop signal ends the wait early; while stopping, the
        # deadline is checked often.
        select( undef, undef, undef, $self->{_stopping} ? 0.05 : 0.5 ) if( %alive );
    }
    $self->{_supervising} = 0;
    $self->{_running} = 0;
    $self->{_stopping} = 0;
    delete( $self->{_workers_alive} );
    return( $self->error( "Worker failure: " . join( '; ', @failed ) ) ) if( @failed );
    return( $self );
}

# In a forked worker: serve on $sock with the normal loop, then exit (never returns).
sub _run_worker
{
    my( $self, $mask, $sock, @all ) = @_;
    my $ok = eval
    {
        $self->{_worker} = 1;
        $self->{_supervising} = 0;
        $self->{_running} = 0;
        delete( $self->{_workers_alive} );
        if( defined( $sock ) )
        {
            # The sockets of the other workers are theirs.
            close( $_ ) for( grep{ $_ != $sock } @all );
            $self->{listen} = $sock;
            $self->{_close_listen} = 1;
        }
        # A signal before start() is running (the parent may stop us right after the fork)
        # is kept for start() to act on once it listens.
        $SIG{TERM} = $SIG{INT} = sub
        {
            if( !$self->{_running} )
            {
                $self->{_stop_requested} = 1;
            }
            elsif( !$self->{_stopping} )
            {
                $self->shutdown;
            }
        };
        POSIX::sigprocmask( POSIX::SIG_SETMASK(), $mask );
        $self->{on_listening} = sub{};
        my $r = $self->start;
        if( !$r )
        {
            my $e = $self->error;
            print( STDERR "WebSocket::Server worker $$: ", ( defined( $e ) ? "$e" : 'failed' ), "\n" );
        }
        $r ? 1 : 0;
    };
    if( !defined( $ok ) )
    {
        print( STDERR "WebSocket::Server worker $$: $@" );
    }
    STDOUT->flush;
    STDERR->flush;
    POSIX::_exit( $ok ? 0 : 1 );
}

# Opens the listener and registers everything with the loop; start() then runs the loop.
sub _listen
{
    my $self = shift( @_ );
    return( $self->error( "The server is already running." ) ) if( $self->{_running} );
    my $loop = $self->_loop;
    my $r = $loop->reactor;
    my $sock = $self->{listen};
    my( $lid, $port, $ip );
    # TLS: the engine does it (rustls), with the certificate and key of the options, or those an
    # IO::Socket::SSL listener was made with (the engine accepts on its descriptor).
    my $tls = $self->_tls_pems;
    return( $self->pass_error ) if( !defined( $tls ) );
    if( !$self->{_extension_warned}++ )
    {
        my @no = grep{ lc( $_ ) ne 'permessage-deflate' && !$self->_extension_negotiable( $_ ) } map{ $_->extension } @{ $self->extensions };
        $self->_warn( "Extension(s) " . join( ', ', @no ) . " not implemented by this version of the engine: declined in every handshake" ) if( @no );
    }
    # permessage-deflate: the engine negotiates it in every handshake with these settings.
    my $deflate = $self->_deflate_options( [ @{ $self->extensions } ], $self->compression_threshold ) // return( $self->pass_error );
    $self->{_deflate} = %$deflate ? $deflate : undef;
    if( Scalar::Util::blessed( $sock ) && $sock->isa( 'IO::Socket' ) )
    {
        $sock->clearerr if( $sock->can( 'clearerr' ) );
        my $fd = fileno( $sock );
        if( !defined( $fd ) || !$sock->opened || $sock->error )
        {
            return( $self->error( "Failed to start websocket server; the TCP server provided via 'listen' is invalid. (is the listening socket is closed? are you trying to reuse a server that has already shut down?)" ) );
        }
        # The reactor makes its own duplicate of the descriptor: the caller keeps theirs.
        $lid = eval{ $r->listen_fd( $fd ) };
        if( !defined( $lid ) )
        {
            return( $self->error( "Failed to start websocket server; the TCP server provided via 'listen' is invalid. (is the listening socket is closed? are you trying to reuse a server that has already shut down?)" ) );
        }
        $port = $sock->sockport;
        $ip = $sock->sockhost;
    }
    else
    {
        my $want = $self->{port} // 8080;
        my $host = $self->{host} // '0.0.0.0';
        ( $lid, $port ) = eval{ $r->listen( $host, $want, 128 ) };
        if( !defined( $lid ) )
        {
            my $msg = $@ || $self->_reactor_error( $r ) || 'unknown error';
            $msg =~ s/ at \S+ line \d+\.?\n?$//;
            return( $self->error( "Failed to listen on port $want: $msg" ) );
        }
        $ip = $host;
    }
    if( @$tls && !$r->listener_tls( $lid, @$tls ) )
    {
        my $msg = $self->_reactor_error( $r ) || 'unknown error';
        $r->unlisten( $lid );
        return( $self->error( "Failed to start websocket server; TLS: $msg" ) );
    }
    $self->is_ssl( @$tls ? 1 : 0 );
    $self->{_lid} = $lid;
    $self->port( $port ) if( defined( $port ) );
    $self->ip( $ip );
    my $class = $self->connection_class || 'WebSocket::Connection';
    if( !$class->can( 'new' ) )
    {
        ( my $file = "$class.pm" ) =~ s{::}{/}g;
        local $@;
        if( !eval{ require $file; 1 } )
        {
            $r->unlisten( $lid );
            delete( $self->{_lid} );
            return( $self->error( "Unable to load connection class $class: $@" ) );
        }
    }
    $self->{_conns} = {};
    $self->{_running} = 1;
    $self->{_stopping} = 0;
    $self->{_pid} = $$;
    $loop->add_listener( $lid, $self );
    $self->_loop_watch( 'readable', $_ ) for( keys( %{ $self->{_watch_r} } ) );
    $self->_loop_watch( 'writable', $_ ) for( keys( %{ $self->{_watch_w} } ) );
    my $tick = $self->{tick_period} // 0;
    if( $tick > 0 )
    {
        Scalar::Util::weaken( my $weak = $self );
        $self->{_tick_timer} = $loop->add_timer( $tick, $tick, sub
        {
            return if( !$weak || !$weak->{_running} || $weak->{_stopping} );
            local $@;
            if( !eval{ $weak->on_tick->( $weak ); 1 } )
            {
                $weak->{_start_error} = "Error calling the tick callback: $@";
                $weak->_abort;
            }
        });
    }
    return( $self );
}

sub _reactor_error
{
    my( $self, $r ) = @_;
    my $e = eval{ $r->error };
    return( ref( $e ) eq 'ARRAY' ? $e->[2] : $e );
}

# The certificate chain and key (PEM text) the listener serves TLS with: from SSL_cert_file
# and SSL_key_file, or from the IO::Socket::SSL listener given as listen (the arguments it was
# made with); [] for plain TCP; undef with an error when a file cannot be read.
sub _tls_pems
{
    my $self = shift( @_ );
    my $sock = $self->{listen};
    my( $cert, $key, $version ) = @$self{qw( SSL_cert_file SSL_key_file SSL_version )};
    if( Scalar::Util::blessed( $sock ) && $sock->isa( 'IO::Socket::SSL' ) )
    {
        my $args = ${*$sock}{_SSL_arguments} || {};
        $cert //= $args->{SSL_cert_file};
        $key //= $args->{SSL_key_file};
        $version //= $args->{SSL_version};
        if( !defined( $cert ) || ref( $cert ) )
        {
            return( $self->error( "Failed to start websocket server; the IO::Socket::SSL listener has no SSL_cert_file the engine can read (certificates given as objects or per host name are not supported): give SSL_cert_file and SSL_key_file to WebSocket::Server." ) );
        }
        # A listener that asks its clients for certificates must not quietly stop asking.
        if( ( $args->{SSL_verify_mode} // 0 ) & 1 )
        {
            return( $self->error( "Failed to start websocket server; the IO::Socket::SSL listener asks clients for certificates (SSL_verify_mode), which the engine's TLS does not do: authenticate clients another way, or terminate TLS in front of this server." ) );
        }
    }
    return( [] ) if( !defined( $cert ) && !defined( $key ) );
    return( $self->error( "Failed to start websocket server; SSL_cert_file is set but not SSL_key_file." ) ) if( !defined( $key ) );
    return( $self->error( "Failed to start websocket server; SSL_key_file is set but not SSL_cert_file." ) ) if( !defined( $cert ) );
    my @pem;
    for my $file ( $cert, $key )
    {
        my $fh;
        if( !open( $fh, '<:raw', $file ) )
        {
            return( $self->error( "Failed to start websocket server; cannot read ${file}: $!" ) );
        }
        local $/;
        push( @pem, scalar( <$fh> ) // '' );
    }
    my( $v ) = $self->_tls_version( $version ) or return( $self->error( "Failed to start websocket server; " . $self->error->message ) );
    return( [ @pem, $v ] );
}

sub _run
{
    my $self = shift( @_ );
    my $loop = $self->_loop;
    # A timeout of a second at most: a signal handler that calls shutdown takes effect soon.
    while( $self->{_running} )
    {
        $loop->run_once( 1 );
        if( $self->{_stopping} )
        {
            last if( !%{ $self->{_conns} } );
            if( time() >= $self->{_stop_deadline} )
            {
                $self->_drop( $_ ) for( values( %{ $self->{_conns} } ) );
                last;
            }
        }
    }
    return( $self );
}

# Stops a running start() at once: the listener closes and every connection is dropped.
sub _abort
{
    my $self = shift( @_ );
    $self->_unlisten;
    $self->_drop( $_ ) for( values( %{ $self->{_conns} } ) );
    $self->{_running} = 0;
}

sub _unlisten
{
    my $self = shift( @_ );
    my $lid = delete( $self->{_lid} );
    return if( !defined( $lid ) );
    my $loop = $self->_loop;
    $loop->remove_listener( $lid );
    eval{ $loop->reactor->unlisten( $lid ) };
}

sub _stop_listening
{
    my $self = shift( @_ );
    my $loop = $self->_loop;
    $self->_unlisten;
    $loop->cancel_timer( delete( $self->{_tick_timer} ) ) if( defined( $self->{_tick_timer} ) );
    $self->_loop_unwatch( 'readable', $_ ) for( keys( %{ $self->{_watch_r} } ) );
    $self->_loop_unwatch( 'writable', $_ ) for( keys( %{ $self->{_watch_w} } ) );
    $self->_drop( $_ ) for( values( %{ $self->{_conns} } ) );
    $self->{_running} = 0;
    $self->{_stopping} = 0;
    return( $self );
}

# Called by the loop for each connection accepted on our listener.
sub _engine_accept
{
    my( $self, $cid, $lid, $ip, $port ) = @_;
    my $loop = $self->_loop;
    my $r = $loop->reactor;
    if( !$self->{_running} || $self->{_stopping} )
    {
        $r->drop( $cid );
        return;
    }
    require WebSocket::Connection;
    my $sock = WebSocket::Connection::Socket->new( id => $cid, ip => $ip, port => $port, server => $self );
    my $conn;
    local $@;
    my $rv;
    if( !eval{ $rv = $self->on_accept->({ socket => $sock, server => $self, subprotocol => $self->subprotocol }); 1 } )
    {
        $r->drop( $cid );
        $self->{_start_error} = "Error calling the accept callback: $@";
        $self->_abort;
        return;
    }
    if( Scalar::Util::blessed( $rv ) && !grep{ !$rv->can( $_ ) } qw( error is_ready new recv send _engine_event ) )
    {
        $conn = $rv;
    }
    else
    {
        my $class = $self->connection_class || 'WebSocket::Connection';
        $conn = $class->new(
            socket      => $sock,
            server      => $self,
            subprotocol => [ @{ $self->subprotocol } ],
            # Not stored in each connection unless set: a server holds many.
            ( $self->debug ? ( debug => $self->debug ) : () ),
        );
        if( !$conn )
        {
            $self->_warn( "Error creating a connection object of class $class: ", $class->error );
            $r->drop( $cid );
            return;
        }
    }
    $self->{_conns}->{ $cid } = $conn;
    $loop->add_conn( $cid, $conn );
    $conn->_engine_init if( $conn->can( '_engine_init' ) );
    if( !eval{ $rv = $self->on_connect->( $self, $conn ); 1 } )
    {
        $self->{_start_error} = "Error calling the connect callback: $@";
        $self->_abort;
        return;
    }
    # A defined but false value refuses this client, and only this one.
    if( defined( $rv ) && !$rv )
    {
        $self->_drop( $conn );
    }
    return;
}

# Forget a connection and drop it in the engine.
sub _drop
{
    my( $self, $conn ) = @_;
    return if( !$conn );
    my $cid = $conn->can( '_cid' ) ? $conn->_cid : undef;
    return if( !defined( $cid ) );
    my $entry = delete( $self->{_conns}->{ $cid } );
    my $loop = $self->_loop;
    $loop->remove_conn( $cid );
    eval{ $loop->reactor->drop( $cid ) };
    # A client that was connected hears of its end once, as if its connection was lost.
    $conn->_notify_disconnect( 1006, '' ) if( $conn->{_open} && $conn->can( '_notify_disconnect' ) );
    $conn->_dropped if( $conn->can( '_dropped' ) );
    return( $entry );
}

# Called by a connection once the engine reported it closed.
sub _forget
{
    my( $self, $cid ) = @_;
    return( delete( $self->{_conns}->{ $cid } ) );
}

# disconnect( $connection | $socket | $id ): closes that client at once.
sub disconnect
{
    my $self = shift( @_ );
    my $what = shift( @_ );
    return( $self->error( "No client connection was provided to disconnect." ) ) if( !defined( $what ) );
    my $cid;
    if( Scalar::Util::blessed( $what ) && $what->can( '_cid' ) )
    {
        $cid = $what->_cid;
    }
    elsif( Scalar::Util::blessed( $what ) && $what->isa( 'WebSocket::Connection::Socket' ) )
    {
        $cid = $what->id;
    }
    elsif( !ref( $what ) && $what =~ /^\d+$/ )
    {
        $cid = $what;
    }
    return if( !defined( $cid ) );
    my $conn = $self->{_conns}->{ $cid };
    if( !$conn )
    {
        # Not (or no longer) registered: drop it in the engine all the same.
        eval{ $self->_reactor->drop( $cid ) };
        return;
    }
    return( $self->_drop( $conn ) );
}

sub shutdown
{
    my $self = shift( @_ );
    # The supervising parent of workers: each worker does the clean shutdown itself.
    if( $self->{_supervising} && ( $self->{_pid} // 0 ) == $$ )
    {
        return( $self ) if( $self->{_stopping} );
        $self->{_stopping} = 1;
        my $t = $self->{close_timeout} // 5;
        $self->{_stop_deadline} = time() + ( $t > 0 ? $t : 0 ) + 5;
        kill( 'TERM', keys( %{ $self->{_workers_alive} // {} } ) );
        return( $self );
    }
    local $@;
    if( !eval{ $self->on_shutdown->( $self ); 1 } )
    {
        $self->_warn( "Error calling the shutdown callback: $@" );
        return( $self->error({ code => 1011, message => "Internal error" }) );
    }
    return( $self->error( "Cannot find the socket object!" ) ) if( !defined( $self->{_lid} ) );
    $self->_unlisten;
    for my $conn ( values( %{ $self->{_conns} } ) )
    {
        if( $conn->is_ready )
        {
            $conn->disconnect( 1001 );
        }
        else
        {
            $self->_drop( $conn );
        }
    }
    $self->{_stopping} = 1;
    # No tick once stopping (the timer's callback ignores them): cancelled now, so that a loop
    # driving the server from outside start() is not woken for nothing.
    $self->_loop->cancel_timer( delete( $self->{_tick_timer} ) ) if( defined( $self->{_tick_timer} ) );
    my $t = $self->{close_timeout} // 5;
    $self->{_stop_deadline} = time() + ( $t > 0 ? $t : 0 ) + 1;
    # Nothing left to wait for: the loop stops at once.
    $self->{_running} = 0 if( !%{ $self->{_conns} } );
    return( $self );
}

sub stop { return( shift->shutdown( @_ ) ); }

sub DESTROY
{
    my $self = shift( @_ );
    return if( ( $self->{_pid} // 0 ) != $$ || ${^GLOBAL_PHASE} eq 'DESTRUCT' );
    $self->_unlisten if( defined( $self->{_lid} ) );
}

1;

__END__

=encoding utf-8

=head1 NAME

WebSocket::Server - a WebSocket server on the engine's event loop

=head1 SYNOPSIS

    use WebSocket::Server;
    my $server = WebSocket::Server->new(
        listen      => 8080,
        subprotocol => [qw( chat json )],
        tick_period => 5,
        on_tick     => sub
        {
            my( $server ) = @_;
            $_->send_utf8( scalar( localtime ) ) for( $server->connections );
        },
        on_connect  => sub
        {
            my( $server, $conn ) = @_;
            $conn->on(
                handshake  => sub
                {
                    my( $conn, $hs ) = @_;
                    # Refuse clients without a token
                    return( 0 ) unless( $hs->request->uri->query =~ /token=/ );
                    return( 1 );
                },
                ready      => sub { $_[0]->send_utf8( 'welcome' ) },
                utf8       => sub { my( $conn, $text ) = @_; $conn->send_utf8( $text ) },
                binary     => sub { my( $conn, $bytes ) = @_; $conn->send_binary( $bytes ) },
                disconnect => sub { my( $conn, $code, $reason ) = @_; },
            );
        },
    ) || die( WebSocket::Server->error, "\n" );
    $server->start || die( $server->error, "\n" );

=head1 VERSION

    v0.3.0

=head1 DESCRIPTION

A WebSocket server that serves many clients in one process. The sockets belong to the Rust
engine of this distribution (see L<WebSocket::Loop>): it accepts the connections, reads and
parses the opening handshakes and the frames, answers pings, writes, and enforces the time
and size limits. This class decides what is negotiation and policy (origin, version,
subprotocol, extensions, the callbacks) and calls your code with the events of each client,
through the L<WebSocket::Connection> object that represents it.

Its interface is that of the C<WebSocket::Server> of the C<WebSocket> distribution v0.2.x,
itself modelled on L<Net::WebSocket::Server>: code written for those runs unchanged.

Everything happens in the thread that calls L</start>: callbacks may call any method of the
server or of a connection, including L</shutdown>.

Beyond the original: C<wss://> served by the engine's TLS (L</SSL_cert_file>,
L</SSL_key_file>), permessage-deflate (L</extensions>), several worker processes on one port
(L</workers>), a host event loop driving the server instead of L</start> (L</start_listening>
with L<WebSocket::Loop::AnyEvent>, L<WebSocket::Loop::IOAsync> or L<WebSocket::Loop::Mojo>),
and limits on what one client may cost (L</handshake_timeout>, L</max_buffered>,
L</pong_timeout>, L<WebSocket::Connection/max_recv_size>). To authenticate the users of a web
page, see L<WebSocket/"SECURITY CONSIDERATIONS"> and F<examples/secure-chat/>.

=head1 CONSTRUCTOR

=head2 new

    my $server = WebSocket::Server->new( %options ) || die( WebSocket::Server->error );

Each option is the method of the same name (see L</METHODS>): C<close_timeout>,
C<accept_unmasked_frames>, C<connection_class>, C<extensions>, C<handshake_timeout>, C<host>, C<legacy>, C<listen>, C<max_buffered>,
C<on_accept>, C<on_connect>, C<on_listening>, C<on_shutdown>, C<on_tick>, C<pong_timeout>, C<port>,
C<silence_checkinterval>, C<silence_max>, C<SSL_cert_file>, C<SSL_key_file>, C<SSL_version>, C<subprotocol>,
C<tick_period>, C<version>, C<versions>, C<watch_readable>, C<watch_writable>, C<workers>, and the
inherited C<compression_threshold>, C<debug> and C<fatal>.
An unknown option makes C<new> return C<undef>, with the reason in
C<< WebSocket::Server->error >>.

=head1 METHODS

=head2 start

Starts listening and serves clients until L</shutdown> (or L</stop>) is called, normally from
a callback or a signal handler. Returns the server once it has stopped, or C<undef> and an
error:

=over 4

=item C<Failed to listen on port PORT: REASON> when the port cannot be bound;

=item C<Failed to start websocket server; cannot read FILE: REASON>,
C<Failed to start websocket server; SSL_cert_file is set but not SSL_key_file.> (or the
reverse), or C<Failed to start websocket server; TLS: REASON> when the certificate or the key
cannot be used (no certificate in the file, a key that does not match it...);

=item C<Unknown permessage-deflate parameter "NAME" ...> or
C<Invalid permessage-deflate parameter NAME=VALUE: a window size is 8 to 15.> for a
permessage-deflate element of L</extensions> that RFC 7692 does not allow;

=item C<< Failed to start websocket server; the TCP server provided via 'listen' is invalid. (is the listening socket is closed? are you trying to reuse a server that has already shut down?) >>
when L</listen> holds a socket that is closed or in error;

=item C<Error calling the accept callback: ...>, C<Error calling the connect callback: ...> or
C<Error calling the tick callback: ...> when one of these callbacks died (the server then
stops and drops its clients).

=item C<Worker failure: REASONS> with L</workers> above 1, when a worker did not end
well; REASONS, separated by C<; >, are each C<worker PID was killed by signal N>,
C<worker PID exited with status N> (a worker whose own C<start> failed, for example because
of a bad certificate, writes the error to its STDERR and exits with 1),
C<worker PID did not stop within close_timeout; killed> or C<fork: REASON>.

=back

The loop waits in the engine at most a second at a time, so a signal handler that calls
L</shutdown> takes effect promptly. The server can be created in a child process after
C<fork>: each process has its own engine loop.
With L</workers> above 1, C<start> forks the worker processes and supervises them
instead of serving (see L</workers>).

=head2 shutdown

Calls L</on_shutdown>, stops accepting, sends a close frame with code 1001 (going away) to
every connected client and drops those still in their opening handshake. L</start> returns
once every client has closed, or after L</close_timeout> seconds at most. Returns the server.
Errors: C<Cannot find the socket object!> when the server is not listening; when
C<on_shutdown> dies, a warning and the error C<Internal error> (code 1011).
In the parent that supervises L</workers>, it does none of this itself: it sends SIGTERM to
every worker (each then shuts down as described here) and returns the server at once.

=head2 start_listening

Opens the listening socket and starts accepting connections, like L</start>, but returns at
once instead of running the loop: for a program whose own event loop drives the process's
L<WebSocket::Loop>. Watch C<< WebSocket::Loop->instance->fileno >> for readability and arm a
timer for C<< WebSocket::Loop->instance->next_deadline >> seconds; when either fires, call
C<< WebSocket::Loop->instance->run_once( 0 ) >>. L<WebSocket::Loop::AnyEvent>,
L<WebSocket::Loop::IOAsync> and L<WebSocket::Loop::Mojo> do that for those loops.
L</shutdown> stops the server. Returns the object, or C<undef> and an error as L</start> does.
With L</workers> above 1 it fails with
C<start_listening serves in this process only: use start with workers E<gt> 1.>

=head2 stop

The same as L</shutdown>.

=head2 connections

The clients whose opening handshake is complete. A list in list context or when L</legacy>
is true, otherwise a L<WebSocket::Generic::Array> object.

=head2 disconnect

    $server->disconnect( $conn );

Closes that client's connection at once, without a closing handshake (use
L<WebSocket::Connection/disconnect> for a clean close). Accepts the connection object, its
L<WebSocket::Connection/socket>, or the engine's connection id. Returns the connection object
that was removed from the registry, or C<undef> if there was none.

=head2 on

    $server->on( connect => sub { ... }, tick => sub { ... } );

Sets several callbacks at once; the names are those of the C<on_*> methods without the
prefix: C<accept>, C<connect>, C<listening>, C<shutdown>, C<tick>. Returns the server. Errors:
C<Invalid event 'NAME'> and C<Expected a code reference for event 'NAME', but got 'VALUE'.>

=head2 on_accept

The code called when a client connects, before anything was read from it, with a hash
reference C<< { socket => $socket, server => $server, subprotocol => $array } >>. If it
returns an object able to C<error>, C<is_ready>, C<new>, C<recv>, C<send> and
C<_engine_event> (normally an object of a subclass of L<WebSocket::Connection> built with
these arguments), that object represents the client; otherwise one is created from
L</connection_class>. If it dies, L</start> returns with the error
C<Error calling the accept callback: ...>. Setting it returns the server.

=head2 on_connect

The code called with C<( $server, $connection )> for each new client, before its opening
handshake: the place to set the connection's callbacks. A defined but false return value
refuses that client: its connection is dropped. If it dies, L</start> returns with the error
C<Error calling the connect callback: ...>. Setting it returns the server.

=head2 on_shutdown

The code called with C<( $server )> when L</shutdown> begins, before the clients are
disconnected. Setting it returns the server.

=head2 on_listening

The code called with C<( $server )> once the server listens: L</port> then holds the port
actually bound, which is what you need with a port of 0. With L</workers> above 1 it is
called in the parent, once the workers have been forked (their sockets already queue
connections), and not in the workers. If it dies, a warning is issued and the server goes on.
Setting it returns the server.

=head2 on_tick

The code called with C<( $server )> every L</tick_period> seconds. If it dies, L</start>
returns with the error C<Error calling the tick callback: ...>. Setting it returns the
server.

=head2 workers

    my $server = WebSocket::Server->new( port => 8080, workers => 4, on_connect => sub { ... } );
    $server->start;    # returns once all 4 workers have exited

The number of processes that serve the port: 1 (the default) serves in the calling
process, as described everywhere else in this document. With N above 1, L</start> forks N
worker processes and the calling process becomes their supervisor: it serves no client
itself. A whole number of 1 or more; anything else makes C<new> (or the setter) fail with
C<Invalid value for workers: "VALUE" is not a whole number of 1 or more.> Read when L</start>
begins. L</start_listening> refuses it (the calling process would serve nothing).

How it works. Before forking, the parent opens one listening socket per worker on the same
host and port with C<SO_REUSEPORT> (the first one picks the port when L</port> is 0; the
others bind that one), so L</port> and L</on_listening> in the parent report the real port.
Each worker keeps its own socket and closes the others', and the parent closes all of its
copies; the kernel then spreads new connections over the workers' sockets (by a hash of the
addresses and ports: evenly over many clients, not turn by turn). Each worker creates its own
engine loop (see L<WebSocket::Loop>, one per process) and runs the normal L</start> with the
same options and callbacks. The parent never creates an engine loop for this, but it does not
matter if it already has one: the workers do not use it. C<SO_REUSEPORT> is tested on Linux;
a system without it makes L</start> fail with C<Failed to listen on port PORT: REASON>.

With L</listen> holding an already listening socket, no socket is opened: all the workers
accept on that one socket and it stays yours; an L<IO::Socket::SSL> listener is served with
TLS by every worker, as in a single process. The load is then not shared out: every worker
is woken by a new connection, and the first to run accepts all those waiting, so under load
one worker tends to get most of them (measured in F<bench/>: 50 connections split 50+0 in
most rounds). Give L</host> and L</port> instead, and let the server open one socket per
worker, unless you need the shared socket.

How many. The engine does the protocol work of a process on one core, so more workers than
cores gains nothing; the number of cores (or one less, to leave room for other work) is a
good start. A server whose callbacks wait on other things (a database...) may want more.

What is shared and what is not. Each worker has a copy of the server as it was when
L</start> began, and its own connections: L</connections> in a worker lists only the clients
of that worker, a message sent with it reaches only those, and state your callbacks keep in
Perl variables is per worker. To broadcast to every client of every worker, use your own
means between processes (a pipe to each worker watched with L</watch_readable>, a message
broker...). The callbacks run in the workers: L</on_connect>, L</on_accept>, L</on_tick>
and L</on_shutdown> (once in each worker, when it shuts down); only L</on_listening> runs in
the parent.

Signals and shutdown. While L</start> supervises, SIGTERM and SIGINT make the parent call
L</shutdown> (unless your program has its own handler for them, which should then call
L</shutdown> itself), and a SIGCHLD handler wakes it up when a worker ends (unless your
program has its own: one that reaps children would take the workers' exit statuses, and
L</start> would then report them as vanished). A stop that comes while the workers are still
starting is not lost: they stop as soon as they listen. L</shutdown> in the parent sends
SIGTERM to every worker and returns;
each worker then does the normal shutdown (close 1001 to its clients, at most
L</close_timeout> seconds), and L</start> returns once all have exited: the server, or
C<undef> with C<Worker failure: ...> (see L</start>). A worker still there
L</close_timeout> + 5 seconds after the shutdown began is killed with SIGKILL and named in
the error. In a worker, SIGTERM and SIGINT call that worker's L</shutdown> (a Ctrl-C in a
terminal reaches the parent and the workers alike: each stops once).

A worker that ends while the others serve (killed, dead with an error, or stopped by its
own L</shutdown> from one of your callbacks) is not replaced: the parent shuts all the
others down, as for SIGTERM, and L</start> returns, with the error naming the worker unless
it exited with status 0. Restarting is left to what runs your program (systemd, a loop in a
shell...), which then sees the server stop as a whole rather than serve on with fewer
workers.

=head2 tick_period

Seconds between two calls of L</on_tick>; 0 (the default) disables them. Read when
L</start> begins.

=head2 listen

The port to listen on (a number), or an IO::Socket that is already listening, for example
one created by your program before it forks workers. The engine listens on a duplicate of its
descriptor; the socket stays yours. Returns the socket, or C<undef> when a port was given.
Also available as L</socket>.

An L<IO::Socket::SSL> listening socket, as the original accepted, is served with TLS by the
engine, with the certificate and key files it was created with (its C<SSL_cert_file> and
C<SSL_key_file> arguments; L</SSL_cert_file> and L</SSL_key_file>, when set, take
precedence) and the TLS versions its C<SSL_version> allows (see L</SSL_version>).
IO::Socket::SSL itself then does nothing more: the engine accepts on the descriptor and does
the TLS handshakes, with rustls' cipher suites (AEAD with forward secrecy only), whatever the
socket's C<SSL_cipher_list>. Refused, rather than served with less than was asked:

=over 4

=item a socket created with certificates given as objects or per host name: C<Failed to start
websocket server; the IO::Socket::SSL listener has no SSL_cert_file the engine can read ...>;

=item a socket that asks clients for certificates (C<SSL_verify_mode> with
C<SSL_VERIFY_PEER>): C<Failed to start websocket server; the IO::Socket::SSL listener asks
clients for certificates (SSL_verify_mode), which the engine's TLS does not do: ...>.

=back

=head2 socket

The same as L</listen>.

=head2 port

The port to listen on when L</listen> holds no socket. Default: 8080; 0 means any free
port. Once L</start> has begun, the port actually bound.

=head2 host

The local address to listen on when L</listen> holds no socket. Default: C<0.0.0.0>, every
IPv4 interface. Not in the original distribution.

=head2 ip

The local address of the listener, set by L</start>.

=head2 is_ssl

True once L</start> has begun when the server speaks TLS (C<wss://>): L</SSL_cert_file> and
L</SSL_key_file> were given, or L</listen> is an L<IO::Socket::SSL> socket. The connections'
C<request_uri> then starts with C<wss://>.

=head2 SSL_cert_file

The certificate chain for C<wss://>: a PEM file with the server's certificate first, then any
intermediate certificates. Together with L</SSL_key_file>, it makes the server speak TLS 1.2
and 1.3 (through rustls, inside the engine; ALPN C<http/1.1>). The files are read when
L</start> begins. The TLS handshake of each client is bounded by L</handshake_timeout>, together
with its WebSocket handshake; a client whose TLS handshake fails (a plain C<ws://> client, an
old TLS version...) is dropped, and the others are not affected. Named after the
L<IO::Socket::SSL> option. Not in the original distribution, which reached TLS only through an
IO::Socket::SSL socket given to L</listen>.

TLS costs about 9 KiB of memory per connection in the engine, on top of a plain one.

=head2 SSL_key_file

The private key of L</SSL_cert_file>: a PEM file (PKCS#8, PKCS#1 RSA or SEC1 EC; RSA, ECDSA
or Ed25519 keys).

=head2 SSL_version

    SSL_version => 'TLSv1_3'                  # TLS 1.3 only
    SSL_version => 'SSLv23:!TLSv1:!TLSv1_1'   # 1.2 and 1.3 (what the engine does anyway)

The TLS versions the server accepts, written as for L<IO::Socket::SSL>: names separated by
C<:>, each C<SSLv23> (all), C<TLSv1>, C<TLSv1_1>, C<TLSv1_2> or C<TLSv1_3>, and C<!NAME> to
take one away (a list that starts with C<!NAME> starts from all). The engine speaks TLS 1.2
and 1.3 only, so the string chooses 1.2, 1.3 or both (the default). L</start> fails with
C<Failed to start websocket server; Unknown TLS version "NAME" in SSL_version "..."> or
C<Failed to start websocket server; SSL_version "..." allows neither TLS 1.2 nor TLS 1.3, the
versions the engine speaks>. Read when L</start> begins; taken from an IO::Socket::SSL
listener's own C<SSL_version> when not set. Not in the original distribution.

=head2 connection_class

The class of the connection objects. Default: L<WebSocket::Connection>. It is loaded by
L</start>; its C<new> is called with C<socket>, C<server>, C<subprotocol> and C<debug>.

=head2 legacy

Boolean: when true, L</connections> returns a list even in scalar context.

=head2 subprotocol

The subprotocols the server speaks, in order of preference for nothing (the client's order
wins): set with an array reference, a space or comma separated string, or a list. Returns a
L<WebSocket::Generic::Array>. During the opening handshake the server selects the first
subprotocol offered by the client that is in this list, and answers with that one (RFC 6455
section 4.2.2); when there is no match, the answer names no subprotocol.

=head2 extensions

The extensions the server accepts, as L<WebSocket::Extension> objects (set with strings,
objects, an array reference of either, or one header value listing several, such as
C<"permessage-deflate, x-bar; level=2">). Returns a L<WebSocket::Generic::Array>.

C<permessage-deflate> (RFC 7692) is done by the engine: it negotiates it in each handshake,
compresses the messages it sends and inflates those it receives. Its parameters in this
list are the server's settings:

=over 4

=item C<server_no_context_takeover>

always answer with it: the server resets its compressor after every message (its
compression state is not kept between messages);

=item C<client_no_context_takeover>

always answer with it: clients must reset theirs, so the server's inflater is not kept
between messages either;

=item C<server_max_window_bits=N>

compress with a window of at most 2**N bytes (8 to 15; 8 is used as 9);

=item C<client_max_window_bits=N>

ask clients that offer the parameter to compress with a window of at most 2**N bytes.

=back

Offers are accepted in the client's order of preference; an offer the engine cannot honour
is declined (the client then sends plain frames). Whole messages of at least
L</compression_threshold> bytes are sent compressed, smaller ones plain. The message limit
(C<max_recv_size>) applies to the inflated size: a message that would inflate beyond it closes
the connection with 1009 before more than the limit is allocated. Memory per connection
(zlib-rs, level 6): with context takeover, the default, the compressor keeps about 371 KiB
(245 KiB with C<server_max_window_bits=9>) once it has compressed a message, and the inflater
about 47 KiB once it has inflated one; with C<server_no_context_takeover> and
C<client_no_context_takeover>, neither is kept between messages, so an idle connection costs
nothing more. See
L<WebSocket::Connection/extensions> for what was negotiated on a connection.

Other extensions are accepted by name when the client offers them, as the original did: the
engine passes their frames on unchanged. The older C<deflate-frame> family
(C<x-webkit-deflate-frame>...) is not implemented: it is declined, and L</start> warns once
that it is.

=head2 version

Sets the supported protocol versions (a comma separated string such as C<"13, 8">, a
L<WebSocket::Version>, or an array reference of either) and returns the first of them.
Default: C<draft-ietf-hybi-17>, which is version 13 (RFC 6455).

=head2 versions

The supported versions, a L<WebSocket::Generic::Array> of L<WebSocket::Version> objects. A
client asking for another version is refused with the status 400 or 426 (see
L<WebSocket::Connection/"The opening handshake">).

=head2 silence_max

Seconds of silence from a client after which the engine sends it a ping, to keep the
connection alive through proxies and notice dead peers. Default: 20; 0 disables the pings.

=head2 silence_checkinterval

Kept for compatibility: in the original, the interval between two checks for silent clients
(half of L</silence_max> by default). The engine tracks each connection's silence itself.

=head2 pong_timeout

Seconds the engine waits for the answer to a keep-alive ping before it closes the connection
as dead. Default: 0, never (as the original). Not in the original distribution.

=head2 max_buffered

The default of L<WebSocket::Connection/max_buffered> for the connections of this server:
the most bytes a client may leave unsent before the engine closes its connection. Undefined
by default: the engine's default applies. Not in the original distribution.

=head2 accept_unmasked_frames

Whether frames that a client sends without masking are accepted. RFC 6455 section 5.1 says a
server must close such a connection, and with this option false it does, with code 1002.
Default: true, as the original distribution and L<Net::WebSocket::Server> accepted them. Not in
the original distribution.

=head2 close_timeout

Seconds L</start> waits, after L</shutdown>, for the clients to answer the close frame before
it drops them. Default: 5. Not in the original distribution.

=head2 handshake_timeout

Seconds a client has, from the moment its TCP connection is accepted, to complete its
opening handshake (send a whole request and be answered); a client that takes longer, one
that connects and says nothing or sends its request a byte at a time, is dropped. Default:
10; 0 means no limit. Not in the original distribution.

=head2 watch_readable

    $server->watch_readable( $fh => sub { my( $server, $fh ) = @_; ... }, ... );

Calls the code whenever the filehandle is readable, while the server runs: as long as data
is waiting, at every turn of the loop (the level-triggered meaning of L<IO::Select>). Takes
pairs of filehandle and code, as a list or an array reference. Returns the server. Errors:
C<watch_readable expects an even number of arguments> and C<watch_readable expects the second
value of each pair to be a code reference, but element N was not>. A filehandle that is
already watched is ignored with a warning.

=head2 watch_writable

The same for writability, with C<watch_writable> in the messages.

=head2 unwatch_readable

    $server->unwatch_readable( @filehandles );

Stops watching these filehandles. Returns the server.

=head2 unwatch_writable

The same for writability.

=head2 watched_readable

With a filehandle, its callback or C<undef>. Without, the flat list of every watched
filehandle and its callback: C<( $fh1, $cb1, $fh2, $cb2, ... )>.

=head2 watched_writable

The same for writability.

=head2 compression_threshold

Inherited from L<WebSocket>: messages of at least this many bytes (default 10240) are sent
compressed on connections where C<permessage-deflate> was negotiated. Read when L</start>
begins.

=head1 WARNINGS

This module registers the warnings category C<WebSocket::Server>. Warnings (a callback that
died, a send before the handshake, an engine error on a connection) are issued when that
category is enabled in the code that created the server or called L</start>: with
C<use warnings> or C<< use warnings 'WebSocket::Server' >>, and not under
C<< no warnings 'WebSocket::Server' >>.

Loading this module sets C<$SIG{PIPE}> to C<IGNORE>.

=head1 SEE ALSO

L<WebSocket::Connection>, L<WebSocket::Client>, L<WebSocket::Loop>, L<WebSocket>

=head1 COPYRIGHT & LICENSE

This library is free software; you can redistribute it and/or modify it under the same
terms as Perl itself.

=cut
