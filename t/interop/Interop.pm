package Interop;
use strict;
use warnings;
use Digest::SHA ();
use Encode ();
use File::Temp ();
use IO::Handle;
use IO::Select;
use IO::Socket::INET;
use JSON::PP ();
use POSIX ();
use Test::More;
our $TODO;
use Time::HiRes ();
use File::Basename ();
use File::Spec ();
use Peer qw( $TEXT $BINARY $BIG_TEXT $BIG_BINARY @MESSAGES $MAX_SIZE digest report );

# Interoperability runs for t/6*-interop-*.t. Both sides of a connection run as child
# processes of the test, each in its own process group: our server or client (forked, our
# modules loaded only in the child) and a peer nobody here wrote (exec'd). Every child
# reports what it saw as JSON lines on its stdout:
#   { "event": "listening", "port": N }                          a server, once it accepts
#   { "conn": 1, "event": "open", "extensions": "..." | null }   the Sec-WebSocket-Extensions
#                                                                 of the 101 answer
#   { "conn": 1, "event": "message", "type": "text"|"binary", "length": BYTES, "sha256": HEX }
#   { "conn": 1, "event": "close", "rcvd": [code, reason] | null, "clean": true|false }
#       a peer (Python, Node) adds "wire": { "read": BYTES, "written": BYTES }: what its
#       connection read and wrote above TLS, which shows whether messages went compressed
#   { "event": "done" }                                          a client, at the end
#   { "event": "error", "message": "..." }
# The script of a client (peer or ours) against ws://127.0.0.1:PORT/ (or wss://localhost:PORT/):
#   conn 1: send the four messages of @MESSAGES, read four echoes, close with 1000 'bye';
#   conn 2: send the text 'close me'; the server closes with 4001 'server says bye'.
# A server echoes every message except 'close me', and reports the Close frame it received
# (ours reports what on_disconnect was given). The test process only waits, with deadlines,
# and compares; every child is killed when the test ends.

# This directory: the peer scripts and t/interop/node_modules are here.
our $DIR = File::Basename::dirname( File::Spec->rel2abs( __FILE__ ) );

my $JSON = JSON::PP->new->canonical;
my $PARENT = $$;
my @CHILDREN;
my $DEADLINE_SECONDS = 240;

END
{
    if( $$ == $PARENT )
    {
        my $rc = $?;
        stop( $_ ) for( @CHILDREN );
        $? = $rc;
    }
}

# The whole test file is bounded: whatever hangs, the children are killed and the test dies.
$SIG{ALRM} = sub
{
    stop( $_ ) for( @CHILDREN );
    die( "interop test timed out after $DEADLINE_SECONDS seconds\n" );
};
alarm( $DEADLINE_SECONDS );

sub required { return( $ENV{WEBSOCKET_INTEROP_REQUIRED} ? 1 : 0 ); }

# need( 'Python websockets', $ok, 'pip install websockets' ): skip the whole file when a peer
# is missing, or fail when WEBSOCKET_INTEROP_REQUIRED is set (CI, where .ci/install-peers ran).
sub need
{
    my( $what, $ok, $how ) = @_;
    return( 1 ) if( $ok );
    my $why = "$what is not installed (install it with $how, or run .ci/install-peers)";
    plan( skip_all => $why ) if( !required() );
    plan( tests => 1 );
    fail( "$why; WEBSOCKET_INTEROP_REQUIRED is set, so a missing peer is a failure" );
    exit( 1 );
}

# True when the command runs and exits 0, quietly.
sub runs
{
    my @cmd = @_;
    my $pid = fork() // return( 0 );
    if( !$pid )
    {
        open( STDIN, '<', '/dev/null' );
        open( STDOUT, '>', '/dev/null' );
        open( STDERR, '>', '/dev/null' );
        exec( @cmd ) or POSIX::_exit( 127 );
    }
    waitpid( $pid, 0 );
    return( $? == 0 ? 1 : 0 );
}

# The first line a command prints, as the peer's version to show in the test output (CI
# logs then say which peers ran).
sub announce
{
    my( $what, @cmd ) = @_;
    my $out = '';
    my $pid = open( my $fh, '-|' );
    if( defined( $pid ) && !$pid )
    {
        open( STDERR, '>', '/dev/null' );
        exec( @cmd ) || POSIX::_exit( 127 );
    }
    elsif( $pid )
    {
        $out = <$fh> // '';
        close( $fh );
    }
    chomp( $out );
    diag( "interop peer: $what " . ( length( $out ) ? $out : '(version unknown)' ) );
}

sub which
{
    my $name = shift( @_ );
    for my $dir ( split( /:/, $ENV{PATH} // '' ) )
    {
        return( "$dir/$name" ) if( length( $dir ) && -f "$dir/$name" && -x _ );
    }
    return( undef );
}

sub node_modules_have
{
    my @mods = @_;
    return( 0 ) if( !which( 'node' ) );
    return( runs( 'node', '-e', join( ';', map{ "require('$DIR/node_modules/$_')" } @mods ) ) );
}


sub expected_messages { return( [ map{ digest( @$_ ) } @MESSAGES ] ); }


# spawn( name => 'python client', cmd => [ ... ] ) or spawn( name => ..., code => sub{ ... } ):
# a child in its own process group whose stdout comes back through a pipe; its stderr is kept
# in a file and shown when a check fails. A code child reports with Interop::report().
sub spawn
{
    my %a = @_;
    pipe( my $r, my $w ) || die( "pipe: $!" );
    my $err = File::Temp->new( TEMPLATE => 'interop-XXXXXX', TMPDIR => 1 );
    my $pid = fork() // die( "fork: $!" );
    if( !$pid )
    {
        close( $r );
        setpgrp( 0, 0 );
        open( STDIN, '<', '/dev/null' );
        open( STDOUT, '>&', $w ) || POSIX::_exit( 126 );
        open( STDERR, '>&', $err ) || POSIX::_exit( 126 );
        STDOUT->autoflush( 1 );
        STDERR->autoflush( 1 );
        if( $a{code} )
        {
            alarm( 0 );
            local $SIG{ALRM} = 'DEFAULT';
            my $ok = eval{ $a{code}->(); 1 };
            report( event => 'error', message => "$@" ) if( !$ok );
            POSIX::_exit( $ok ? 0 : 1 );
        }
        exec( @{ $a{cmd} } ) || print( STDERR "cannot run @{ $a{cmd} }: $!\n" );
        POSIX::_exit( 127 );
    }
    close( $w );
    my $p = { %a, pid => $pid, fh => $r, buf => '', events => [], stderr => $err, eof => 0 };
    push( @CHILDREN, $p );
    return( $p );
}

# Reads what the children print until $until->() is true, every child has closed its
# stdout, or $timeout seconds have passed. Returns the last value of $until->().
sub wait_for
{
    my( $procs, $until, $timeout ) = @_;
    my $deadline = Time::HiRes::time() + $timeout;
    while( !$until->() )
    {
        my @open = grep{ !$_->{eof} } @$procs;
        last if( !@open );
        my $left = $deadline - Time::HiRes::time();
        last if( $left <= 0 );
        my @ready = IO::Select->new( map{ $_->{fh} } @open )->can_read( $left );
        for my $fh ( @ready )
        {
            my( $p ) = grep{ $_->{fh} == $fh } @open;
            my $n = sysread( $fh, my $buf, 65536 );
            if( !$n )
            {
                $p->{eof} = 1;
                next;
            }
            $p->{buf} .= $buf;
            while( $p->{buf} =~ s/\A([^\n]*)\n// )
            {
                my $line = $1;
                my $ev = eval{ $JSON->decode( $line ) };
                push( @{ $p->{events} }, ref( $ev ) eq 'HASH' ? $ev : { event => 'output', text => $line } );
            }
        }
    }
    return( $until->() );
}

sub events
{
    my( $p, %match ) = @_;
    return( grep{ my $e = $_; !grep{ ( $e->{ $_ } // '' ) ne $match{ $_ } } keys( %match ) } @{ $p->{events} } );
}

# Ends a child and its process group: TERM, then KILL after a grace period.
sub stop
{
    my $p = shift( @_ );
    return if( $p->{reaped} );
    kill( 'TERM', -$p->{pid} );
    kill( 'TERM', $p->{pid} );
    my $until = Time::HiRes::time() + 3;
    while( Time::HiRes::time() < $until )
    {
        if( waitpid( $p->{pid}, POSIX::WNOHANG() ) > 0 )
        {
            $p->{reaped} = 1;
            last;
        }
        Time::HiRes::sleep( 0.05 );
    }
    kill( 'KILL', -$p->{pid} );
    if( !$p->{reaped} )
    {
        kill( 'KILL', $p->{pid} );
        waitpid( $p->{pid}, 0 );
        $p->{reaped} = 1;
    }
    close( $p->{fh} ) if( $p->{fh} );
    $p->{fh} = undef;
    $p->{eof} = 1;
}

# What a child printed: its events and its stderr, for the diagnostics of a failed check.
sub transcript
{
    my $p = shift( @_ );
    my $out = join( '', map{ "  $p->{name} | " . $JSON->encode( $_ ) . "\n" } @{ $p->{events} } );
    my $fh = $p->{stderr};
    if( $fh && seek( $fh, 0, 0 ) )
    {
        local $/;
        my $err = <$fh> // '';
        $err = substr( $err, -4000 ) if( length( $err ) > 4000 );
        $out .= join( '', map{ "  $p->{name} stderr | $_\n" } split( /\n/, $err ) );
    }
    return( $out );
}

# The port a server announced: our report line, or the echo example's
# "listening on ws://HOST:PORT/" (or wss://).
sub listening_port
{
    my $p = shift( @_ );
    for my $e ( @{ $p->{events} } )
    {
        return( $e->{port} ) if( ( $e->{event} // '' ) eq 'listening' && $e->{port} );
        return( $1 ) if( ( $e->{event} // '' ) eq 'output' && $e->{text} =~ m{^listening on wss?://\S+:(\d+)/} );
    }
    return;
}

sub messages_of
{
    my( $p, $conn ) = @_;
    return( [ map{ { type => $_->{type}, length => $_->{length}, sha256 => $_->{sha256} } } events( $p, conn => $conn, event => 'message' ) ] );
}

sub close_of
{
    my( $p, $conn ) = @_;
    my( $ev ) = events( $p, conn => $conn, event => 'close' );
    return( $ev );
}

# ---------------------------------------------------------------------------
# Our side, run in a forked child. Our modules are loaded there only, after the fork.
# ---------------------------------------------------------------------------

# A value as JSON can carry it: numbers and strings, even if given as objects that stringify.
sub _plain
{
    my $v = shift( @_ );
    return( undef ) if( !defined( $v ) );
    return( "$v" =~ /^\d+$/ ? 0 + "$v" : "$v" );
}

sub _describe
{
    my( $type, $data ) = @_;
    return( %{ digest( $type, $data ) } );
}

# The extensions as one header value, or undef: from a list of WebSocket::Extension objects.
sub _extensions_value
{
    my $list = shift( @_ );
    my @ext = map{ $_->as_string } @{ $list || [] };
    return( @ext ? join( ', ', @ext ) : undef );
}

# Our server: WebSocket::Server on a listening socket bound to 127.0.0.1 (port 0: the kernel
# picks), echoing as the script above says. %opt goes to WebSocket::Server->new (SSL_cert_file,
# SSL_key_file, extensions, compression_threshold...). With listen_ssl => { SSL_cert_file => ...,
# SSL_key_file => ... } the listening socket is an IO::Socket::SSL one made with those instead
# (the server takes the certificate and key from it).
sub our_server
{
    my %opt = @_;
    my $ssl = delete( $opt{listen_ssl} );
    return( sub
    {
        require WebSocket::Server;
        my %listen = ( LocalAddr => '127.0.0.1', LocalPort => 0, Listen => 16, Proto => 'tcp', ReuseAddr => 1 );
        my $sock;
        if( $ssl )
        {
            require IO::Socket::SSL;
            $sock = IO::Socket::SSL->new( %listen, SSL_server => 1, %$ssl )
                || die( "Cannot listen with TLS on 127.0.0.1: $IO::Socket::SSL::SSL_ERROR $!\n" );
        }
        else
        {
            $sock = IO::Socket::INET->new( %listen ) || die( "Cannot listen on 127.0.0.1: $!\n" );
        }
        my $n = 0;
        my $server = WebSocket::Server->new(
            %opt,
            listen     => $sock,
            on_connect => sub
            {
                my( $server, $conn ) = @_;
                my $id = ++$n;
                $conn->max_recv_size( $MAX_SIZE );
                $conn->max_send_size( $MAX_SIZE );
                $conn->on(
                    ready => sub
                    {
                        my $c = shift( @_ );
                        report( conn => $id, event => 'open', extensions => _extensions_value( $c->extensions ) );
                    },
                    utf8 => sub
                    {
                        my( $c, $msg ) = @_;
                        report( conn => $id, event => 'message', _describe( text => $msg ) );
                        if( $msg eq 'close me' )
                        {
                            $c->disconnect( 4001, 'server says bye' );
                        }
                        else
                        {
                            defined( $c->send_utf8( $msg ) ) || report( conn => $id, event => 'error', message => 'send_utf8: ' . ( $c->error // 'undef' ) );
                        }
                    },
                    binary => sub
                    {
                        my( $c, $msg ) = @_;
                        report( conn => $id, event => 'message', _describe( binary => $msg ) );
                        defined( $c->send_binary( $msg ) ) || report( conn => $id, event => 'error', message => 'send_binary: ' . ( $c->error // 'undef' ) );
                    },
                    disconnect => sub
                    {
                        my( $c, $code, $reason ) = @_;
                        report( conn => $id, event => 'close', rcvd => [ _plain( $code ), _plain( $reason ) ] );
                    },
                );
                return( 1 );
            },
        ) || die( 'WebSocket::Server->new: ' . WebSocket::Server->error . "\n" );
        report( event => 'listening', port => $sock->sockport );
        $server->start || die( 'start: ' . $server->error . "\n" );
    });
}

# Our client: WebSocket::Client against $url, following the client script above. %opt goes
# to WebSocket::Client->new (SSL_ca_file, extensions, compression_threshold...).
sub our_client
{
    my( $url, %opt ) = @_;
    return( sub
    {
        require WebSocket::Client;
        my $got = 0;
        my $client = WebSocket::Client->new( $url,
            %opt,
            max_payload_size => $MAX_SIZE,
            on_utf8          => sub{ $got++; report( conn => 1, event => 'message', _describe( text => $_[1] ) ) },
            on_binary        => sub{ $got++; report( conn => 1, event => 'message', _describe( binary => $_[1] ) ) },
        ) || die( 'WebSocket::Client->new: ' . WebSocket::Client->error . "\n" );
        $client->connect || die( 'connect: ' . $client->error . "\n" );
        report( conn => 1, event => 'open', extensions => _extensions_value( $client->handshake->response->extensions ) );
        for my $m ( @MESSAGES )
        {
            my $rv = $m->[0] eq 'text' ? $client->send_utf8( $m->[1] ) : $client->send_binary( $m->[1] );
            defined( $rv ) || die( "send_$m->[0]: " . $client->error . "\n" );
        }
        $client->listen( sub{ $got < @MESSAGES } );
        my $t0 = Time::HiRes::time();
        $client->disconnect( 1000, 'bye' );
        # The API tells no more than this about our own close: the handshake is over when the
        # connection is gone before the close timeout (3 seconds) would have dropped it.
        $client->listen( sub{ 1 } );
        my $took = Time::HiRes::time() - $t0;
        report( conn => 1, event => 'close', rcvd => undef, seconds => sprintf( '%.3f', $took ),
            clean => ( $client->disconnected && $took < 2.5 ) ? JSON::PP::true : JSON::PP::false );

        my $closed;
        my $c2 = WebSocket::Client->new( $url,
            %opt,
            on_disconnect => sub{ my( $c, $code, $reason ) = @_; $closed //= [ _plain( $code ), _plain( $reason ) ] },
        ) || die( 'WebSocket::Client->new: ' . WebSocket::Client->error . "\n" );
        $c2->connect || die( 'connect: ' . $c2->error . "\n" );
        report( conn => 2, event => 'open', extensions => _extensions_value( $c2->handshake->response->extensions ) );
        defined( $c2->send_utf8( 'close me' ) ) || die( 'send_utf8: ' . $c2->error . "\n" );
        $c2->listen( sub{ !$closed } );
        $c2->listen( sub{ 1 } );
        report( conn => 2, event => 'close', rcvd => $closed, clean => $c2->disconnected ? JSON::PP::true : JSON::PP::false );
        report( event => 'done' );
    });
}

# ---------------------------------------------------------------------------
# One run: a server, a client, the checks. ours => 'server' or 'client' says which side is
# ours; the checks that only a peer can answer are made on the other side. url => sub{ URL of
# the port } (default ws://127.0.0.1:PORT/). expect => { extensions => qr/.../ or '' for none,
# compressed => 0|1 } adds the checks of the TLS and deflate runs: each side's report of the
# Sec-WebSocket-Extensions of both connections (the same value on both sides), and the bytes the
# peer's first connection read and wrote (far below the messages' bytes when they went
# compressed both ways, above them when not).
# ---------------------------------------------------------------------------

sub exchange
{
    my %a = @_;
    my $ours = $a{ours} // '';
    my $label = $a{label};
    # Known defects of a peer, by the checks they fail: client_close, server_close.
    my $todo = $a{todo} || {};
    subtest( $label => sub
    {
        my $srv = spawn( name => $a{server_name}, %{ $a{server} } );
        my $port = wait_for( [ $srv ], sub{ listening_port( $srv ) }, 30 );
        if( !ok( $port, "$a{server_name} listens" ) )
        {
            diag( transcript( $srv ) );
            stop( $srv );
            return;
        }
        my $url = $a{url} ? $a{url}->( $port ) : "ws://127.0.0.1:$port/";
        note( "$a{client_name} connects to $url" );
        my $client = $a{client}->( $url );
        my $cli = spawn( name => $a{client_name}, %$client );
        wait_for( [ $srv, $cli ], sub{ events( $cli, event => 'done' ) || $cli->{eof} }, 60 );
        # The server's report of the second close may follow the client's last line.
        wait_for( [ $srv ], sub{ close_of( $srv, 2 ) }, 5 );
        stop( $_ ) for( $cli, $srv );

        my $failed = 0;
        my $check = sub{ $_[0] || $failed++ };
        my $want = expected_messages();
        $check->( ok( scalar( events( $cli, event => 'done' ) ), "$a{client_name} ran its script to the end" ) );
        for my $p ( $srv, $cli )
        {
            # A peer server reports the defect of a peer client's Close reply as an error.
            local $TODO = $p == $srv ? $todo->{server_close} : undef;
            $check->( ok( !events( $p, event => 'error' ), "$p->{name} reports no error" ) || $TODO );
        }
        $check->( is_deeply( messages_of( $srv, 1 ), $want,
            "$a{server_name} received the text (non-ASCII), the binary (256 byte values) and the two messages over 64 KiB, intact" ) );
        $check->( is_deeply( messages_of( $cli, 1 ), $want, "$a{client_name} received them all echoed back, intact" ) );

        # Connection 1: the client closes with 1000 'bye'.
        my $s1 = close_of( $srv, 1 ) || {};
        $check->( is_deeply( $s1->{rcvd}, [ 1000, 'bye' ], "$a{server_name} saw the client's close: 1000 'bye'" ) );
        my $c1 = close_of( $cli, 1 ) || {};
        {
            local $TODO = $todo->{client_close};
            $check->( ok( $c1->{clean}, "$a{client_name} completed the close handshake it started" ) || $TODO );
            if( $ours ne 'client' )
            {
                $check->( is( ( $c1->{rcvd} || [] )->[0], 1000, "$a{client_name} got a Close frame back with the code echoed (1000)" ) || $TODO );
            }
        }

        # Connection 2: the server closes with 4001 'server says bye'.
        my $c2 = close_of( $cli, 2 ) || {};
        $check->( is_deeply( $c2->{rcvd}, [ 4001, 'server says bye' ], "$a{client_name} saw the server's close: 4001 'server says bye'" ) );
        $check->( ok( $c2->{clean}, "$a{client_name} saw the connection closed cleanly" ) );
        if( $ours ne 'server' )
        {
            local $TODO = $todo->{server_close};
            my $s2 = close_of( $srv, 2 ) || {};
            $check->( is( ( $s2->{rcvd} || [] )->[0], 4001, "$a{server_name} got a Close frame back with the code echoed (4001)" ) || $TODO );
            $check->( ok( $s2->{clean}, "$a{server_name} saw the close handshake complete" ) || $TODO );
        }
        $check->( expect_checks( $a{expect}, $srv, $cli ) ) if( $a{expect} );
        diag( transcript( $srv ), transcript( $cli ) ) if( $failed );
    });
}

# A Sec-WebSocket-Extensions value as compared between the sides: lower case, without blanks,
# the parameters of each extension in sorted order (their order means nothing, RFC 7692 section
# 5, and our client's handshake->response lists them in an order of its own).
sub _norm
{
    my $v = shift( @_ );
    return( undef ) if( !defined( $v ) );
    $v = lc( $v );
    $v =~ s/\s+//g;
    return( join( ',', map{ my( $name, @p ) = split( /;/, $_ ); join( ';', $name, sort( @p ) ) } split( /,/, $v ) ) );
}

# The checks of expect (see exchange); true when they all passed.
sub expect_checks
{
    my( $x, $srv, $cli ) = @_;
    my $ok = 1;
    if( exists( $x->{extensions} ) )
    {
        my $want = $x->{extensions};
        for my $conn ( 1, 2 )
        {
            my %got;
            for my $p ( $srv, $cli )
            {
                my( $ev ) = events( $p, conn => $conn, event => 'open' );
                my $v = $ev ? $ev->{extensions} : undef;
                $got{ $p } = $v;
                if( ref( $want ) )
                {
                    $ok = 0 if( !ok( defined( $v ) && $v =~ $want, "connection $conn: $p->{name} reports the negotiated extensions " . ( defined( $v ) ? "\"$v\"" : '(none)' ) . ", as expected" ) );
                }
                else
                {
                    $ok = 0 if( !ok( $ev && !defined( $v ), "connection $conn: $p->{name} reports that no extension was negotiated" . ( defined( $v ) ? " (got \"$v\")" : '' ) ) );
                }
            }
            $ok = 0 if( !is( _norm( $got{ $srv } ), _norm( $got{ $cli } ), "connection $conn: the server's and the client's reports of the negotiated extensions agree" ) );
        }
    }
    if( exists( $x->{compressed} ) )
    {
        my $total = 0;
        $total += $_->{length} for( @{ expected_messages() } );
        my( $p ) = grep{ my $c = close_of( $_, 1 ); $c && $c->{wire} } $srv, $cli;
        return( 0 ) if( !ok( $p, 'the peer reports the bytes its first connection read and wrote' ) );
        my( $r, $w ) = @{ close_of( $p, 1 )->{wire} }{qw( read written )};
        if( $x->{compressed} )
        {
            $ok = 0 if( !ok( $r < $total / 4 && $w < $total / 4, "the messages went compressed both ways: $p->{name} read $r bytes and wrote $w, for $total bytes of messages each way" ) );
        }
        else
        {
            $ok = 0 if( !ok( $r > $total && $w > $total, "the messages went uncompressed both ways: $p->{name} read $r bytes and wrote $w, for $total bytes of messages each way" ) );
        }
    }
    return( $ok );
}

# Our server with a peer client ($cmd gets the URL as its last argument), and our client
# with a peer server. %x: ours => { options of WebSocket::Server->new or WebSocket::Client->new },
# url => sub{ URL of the port }, expect => { ... } (see exchange), label => 'more of the label'.
sub our_server_with
{
    my( $peer, $cmd, %x ) = @_;
    exchange( label => "our server, $peer client" . ( $x{label} ? ", $x{label}" : '' ), ours => 'server',
        server_name => 'our server', server => { code => our_server( %{ $x{ours} || {} } ) },
        client_name => "$peer client", client => sub{ { cmd => [ @$cmd, $_[0] ] } },
        url => $x{url}, expect => $x{expect} );
}

sub our_client_with
{
    my( $peer, $cmd, %x ) = @_;
    exchange( label => "our client, $peer server" . ( $x{label} ? ", $x{label}" : '' ), ours => 'client',
        server_name => "$peer server", server => { cmd => $cmd },
        client_name => 'our client', client => sub{ my $url = shift( @_ ); return( { code => our_client( $url, %{ $x{ours} || {} } ) } ) },
        url => $x{url}, expect => $x{expect} );
}

# A client that must refuse the server's certificate: the server (a spawn argument hash) listens,
# $client->( $url ) gives the spawn arguments of the client, which must stop without running its
# script, for a reason (its error reports and stderr) matching $why. Shows that the client really
# verifies what the test CA lets it accept.
sub refused
{
    my %a = @_;
    subtest( $a{label} => sub
    {
        my $srv = spawn( name => $a{server_name}, %{ $a{server} } );
        my $port = wait_for( [ $srv ], sub{ listening_port( $srv ) }, 30 );
        if( !ok( $port, "$a{server_name} listens" ) )
        {
            diag( transcript( $srv ) );
            stop( $srv );
            return;
        }
        my $cli = spawn( name => $a{client_name}, %{ $a{client}->( $a{url}->( $port ) ) } );
        wait_for( [ $cli ], sub{ events( $cli, event => 'done' ) || events( $cli, event => 'error' ) }, 30 );
        # The client's error may be followed by its exit.
        wait_for( [ $cli ], sub{ 0 }, 2 ) if( !events( $cli, event => 'done' ) );
        stop( $_ ) for( $cli, $srv );
        my $said = transcript( $cli );
        my $failed = 0;
        ok( !events( $cli, event => 'done' ) && !events( $cli, conn => 1, event => 'message' ), "$a{client_name} exchanged no message" ) || $failed++;
        like( $said, $a{why}, "$a{client_name} refused the certificate" ) || $failed++;
        my( $err ) = events( $cli, event => 'error' );
        note( "$a{client_name}: $err->{message}" ) if( $err );
        ok( !events( $srv, conn => 1, event => 'message' ), "$a{server_name} received no message" ) || $failed++;
        diag( transcript( $srv ), $said ) if( $failed );
    });
}

# A peer against a peer: the check of the peer scripts themselves (cross-check.pl).
sub peers
{
    my( $client_name, $client_cmd, $server_name, $server_cmd, %todo ) = @_;
    exchange( label => "$client_name client, $server_name server", todo => \%todo,
        server_name => "$server_name server", server => { cmd => $server_cmd },
        client_name => "$client_name client", client => sub{ { cmd => [ @$client_cmd, $_[0] ] } } );
}

# Skips (or fails, when required) unless Chromium, Node.js and playwright-core are there, and
# reports their versions; returns the path of Chromium.
sub need_chromium
{
    my $chromium = $ENV{CHROMIUM} || '/usr/bin/chromium';
    need( "Chromium ($chromium)", -x $chromium, 'apt-get install chromium' );
    need( 'Node.js (node)', which( 'node' ), 'apt-get install nodejs npm' );
    need( 'playwright-core (t/interop/node_modules)', node_modules_have( 'playwright-core' ), 'npm ci in t/interop' );
    announce( 'Chromium', $chromium, '--version' );
    announce( 'playwright-core', 'node', '-e', "console.log(require('$DIR/node_modules/playwright-core/package.json').version)" );
    return( $chromium );
}

# A headless Chromium page (chromium_driver.js, chromium.html) against an echo server: the four
# messages come back intact, and the close the page starts with 1000 'bye' is clean. $server is
# the command of the server, or the arguments of spawn (code => our_server( ... )). %x:
#   url        => sub{ URL of the port } (default ws://127.0.0.1:PORT/)
#   spki       => the base64 SHA-256 of the server key's SPKI, which Chromium is told to accept
#   extensions => qr/.../: the page's WebSocket.extensions must match, and so must what our
#                 server reports for the connection (when it is ours: it reports 'open')
#   refused    => 1: the page must fail to connect (a certificate Chromium does not accept)
#   relay      => 'compressed' or 'uncompressed': the page connects through relay(), and the
#                 bytes each way must be far fewer than the messages' (or more)
sub chromium_with
{
    my( $server_name, $server, %x ) = @_;
    my $label = "headless Chromium page, $server_name" . ( $x{label} ? ", $x{label}" : '' );
    subtest( $label => sub
    {
        my $srv = spawn( name => $server_name, ( ref( $server ) eq 'HASH' ? %$server : ( cmd => $server ) ) );
        my $port = wait_for( [ $srv ], sub{ listening_port( $srv ) }, 30 );
        if( !ok( $port, "$server_name listens" ) )
        {
            diag( transcript( $srv ) );
            stop( $srv );
            return;
        }
        my $relay;
        if( $x{relay} )
        {
            # The page connects through a relay that counts the bytes each way.
            $relay = spawn( name => 'relay', code => relay( $port ) );
            my( $ev ) = wait_for( [ $relay ], sub{ events( $relay, event => 'relay' ) }, 30 );
            if( !ok( $ev, 'the relay listens' ) )
            {
                diag( transcript( $relay ) );
                stop( $_ ) for( $relay, $srv );
                return;
            }
            $port = $ev->{port};
        }
        my $url = $x{url} ? $x{url}->( $port ) : "ws://127.0.0.1:$port/";
        note( "the page connects to $url" );
        my $page = spawn( name => 'Chromium page', cmd => [ 'node', "$DIR/chromium_driver.js", ( $x{spki} ? ( '--spki', $x{spki} ) : () ), $url ] );
        wait_for( [ $srv, $page ], sub{ events( $page, event => 'done' ) || $page->{eof} }, 100 );
        # Our server's report of the close may follow the page's last line.
        wait_for( [ $srv ], sub{ close_of( $srv, 1 ) }, 5 ) if( $x{extensions} && !$x{refused} );
        wait_for( [ $relay ], sub{ events( $relay, event => 'wire' ) }, 5 ) if( $relay );
        stop( $_ ) for( $page, $srv, $relay || () );

        my $failed = 0;
        my $check = sub{ $_[0] || $failed++ };
        my( $done ) = events( $page, event => 'done' );
        $check->( ok( $done, 'the page ran to its end' ) );
        note( "browser: $done->{browser}" ) if( $done );
        my $close = close_of( $page, 1 ) || {};
        if( $x{refused} )
        {
            $check->( is_deeply( messages_of( $page, 1 ), [], 'the page received no message' ) );
            $check->( is( ( $close->{rcvd} || [] )->[0], 1006, 'the connection failed: CloseEvent.code is 1006' ) );
            $check->( ok( defined( $close->{clean} ) && !$close->{clean}, 'CloseEvent.wasClean is false' ) );
            $check->( ok( !events( $srv, event => 'message' ), "$server_name received no message" ) );
            diag( transcript( $srv ), transcript( $page ) ) if( $failed );
            return;
        }
        $check->( ok( !events( $page, event => 'error' ), 'the page reports no error' ) );
        $check->( is_deeply( messages_of( $page, 1 ), expected_messages(),
            'the page received the text (non-ASCII), the binary (256 byte values) and the two messages over 64 KiB, echoed intact' ) );
        $check->( is( ( $close->{rcvd} || [] )->[0], 1000, 'CloseEvent.code is 1000' ) );
        $check->( ok( $close->{clean}, 'CloseEvent.wasClean is true' ) );
        if( my $want = $x{extensions} )
        {
            my( $open ) = events( $page, conn => 1, event => 'open' );
            my $v = $open ? $open->{extensions} : undef;
            $check->( ok( defined( $v ) && $v =~ $want, 'the page\'s WebSocket.extensions is ' . ( defined( $v ) ? "\"$v\"" : '(none)' ) . ', as expected' ) );
            if( my( $ours ) = events( $srv, conn => 1, event => 'open' ) )
            {
                my $o = $ours->{extensions};
                $check->( ok( defined( $o ) && $o =~ $want, "$server_name reports the connection's extensions " . ( defined( $o ) ? "\"$o\"" : '(none)' ) . ', as expected' ) );
                $check->( is( _norm( $o ), _norm( $v ), "$server_name and the page agree on them" ) );
                $check->( is_deeply( messages_of( $srv, 1 ), expected_messages(), "$server_name received the four messages intact" ) );
                $check->( is_deeply( ( close_of( $srv, 1 ) || {} )->{rcvd}, [ 1000, 'bye' ], "$server_name saw the page's close: 1000 'bye'" ) );
            }
        }
        if( $relay )
        {
            my $total = 0;
            $total += $_->{length} for( @{ expected_messages() } );
            my( $w ) = events( $relay, event => 'wire', conn => 1 );
            $w ||= { up => 'no count', down => 'no count' };
            my $cmp = $x{relay} eq 'compressed' ? sub{ $_[0] =~ /^\d+$/ && $_[0] < $total / 4 } : sub{ $_[0] =~ /^\d+$/ && $_[0] > $total };
            $check->( ok( $cmp->( $w->{up} ) && $cmp->( $w->{down} ),
                "the messages went $x{relay} both ways: $w->{up} bytes from the page to the server and $w->{down} back, for $total bytes of messages each way" ) );
            diag( transcript( $relay ) ) if( $failed );
        }
        diag( transcript( $srv ), transcript( $page ) ) if( $failed );
    });
}

# A tiny HTTP server for the pages of the Chromium tests, to run with spawn( code => ... ):
# GET of a path of %$files (the query string ignored) answers its content, one request per
# connection; anything else 404. $files->{PATH} = [ FILE or \CONTENT, CONTENT-TYPE ]. Reports
# { "event": "listening", "port": N } once it listens.
sub static_http
{
    my $files = shift( @_ );
    return( sub
    {
        my $l = IO::Socket::INET->new( LocalAddr => '127.0.0.1', LocalPort => 0, Listen => 16, ReuseAddr => 1 ) || die( "listen: $!\n" );
        report( event => 'listening', port => $l->sockport );
        while( my $c = $l->accept )
        {
            my $req = '';
            while( $req !~ /\r?\n\r?\n/ )
            {
                my $got = sysread( $c, $req, 8192, length( $req ) );
                last if( !$got );
            }
            my( $path ) = $req =~ m{^GET\s+(/[^\s?]*)};
            my $f = $files->{ $path // '' };
            my( $status, $type, $body ) = ( '404 Not Found', 'text/plain', "not found\n" );
            if( $f && ref( $f->[0] ) )
            {
                ( $status, $type, $body ) = ( '200 OK', $f->[1], ${ $f->[0] } );
            }
            elsif( $f && open( my $fh, '<:raw', $f->[0] ) )
            {
                local $/;
                ( $status, $type, $body ) = ( '200 OK', $f->[1], scalar( <$fh> ) );
            }
            print( $c "HTTP/1.1 $status\r\nContent-Type: $type\r\nContent-Length: " . length( $body ) .
                   "\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n$body" );
            close( $c );
        }
    });
}

# A TCP relay between a client and a server on 127.0.0.1:$port that counts the bytes going
# each way, for a client (Chromium) that cannot count them itself. Reports
# { "event": "relay", "port": N } once it listens, and for each connection once both sides have
# closed { "event": "wire", "conn": N, "up": BYTES client to server, "down": BYTES back }.
sub relay
{
    my $port = shift( @_ );
    return( sub
    {
        my $l = IO::Socket::INET->new( LocalAddr => '127.0.0.1', LocalPort => 0, Listen => 8, Proto => 'tcp', ReuseAddr => 1 )
            || die( "relay: cannot listen: $!\n" );
        report( event => 'relay', port => $l->sockport );
        my $sel = IO::Select->new( $l );
        my( %peer, %conn, %count );
        my $n = 0;
        while( 1 )
        {
            for my $fh ( $sel->can_read( 60 ) )
            {
                if( $fh == $l )
                {
                    my $c = $l->accept || next;
                    my $s = IO::Socket::INET->new( PeerAddr => '127.0.0.1', PeerPort => $port, Proto => 'tcp' ) || die( "relay: cannot connect to $port: $!\n" );
                    my $id = ++$n;
                    @peer{ $c, $s } = ( $s, $c );
                    @conn{ $c, $s } = ( [ $id, 'up' ], [ $id, 'down' ] );
                    $count{ $id } = { up => 0, down => 0, open => 2 };
                    $sel->add( $c, $s );
                    next;
                }
                my( $id, $dir ) = @{ $conn{ $fh } };
                my $got = sysread( $fh, my $buf, 65536 );
                if( $got )
                {
                    $count{ $id }->{ $dir } += $got;
                    my $off = 0;
                    while( $off < $got )
                    {
                        my $w = syswrite( $peer{ $fh }, $buf, $got - $off, $off );
                        last if( !$w );
                        $off += $w;
                    }
                    next;
                }
                # EOF (or an error) on one side: pass it on as a half close.
                $sel->remove( $fh );
                shutdown( $peer{ $fh }, 1 );
                if( --$count{ $id }->{open} == 0 )
                {
                    report( event => 'wire', conn => $id, up => $count{ $id }->{up}, down => $count{ $id }->{down} );
                    close( $_ ) for( $fh, $peer{ $fh } );
                }
            }
        }
    });
}

# The pin of a certificate for Chromium's --ignore-certificate-errors-spki-list: the base64
# SHA-256 of the DER SubjectPublicKeyInfo of the key in $key_file (computed with openssl).
sub spki_hash
{
    my $key_file = shift( @_ );
    require MIME::Base64;
    my $pid = open( my $fh, '-|' ) // die( "fork: $!" );
    if( !$pid )
    {
        open( STDERR, '>', '/dev/null' );
        exec( 'openssl', 'pkey', '-in', $key_file, '-pubout', '-outform', 'DER' ) || POSIX::_exit( 127 );
    }
    binmode( $fh );
    local $/;
    my $der = <$fh> // '';
    close( $fh );
    die( "openssl pkey could not read $key_file\n" ) if( !length( $der ) );
    return( MIME::Base64::encode_base64( Digest::SHA::sha256( $der ), '' ) );
}

1;
