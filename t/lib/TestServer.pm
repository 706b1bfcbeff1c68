package TestServer;
use strict;
use warnings;
use Exporter qw( import );
use IO::Socket::INET;
use IO::Select;
use MIME::Base64 ();
use Digest::SHA ();
use Time::HiRes ();
use IO::Handle ();
use POSIX ();
use WebSocket;
use WebSocket::Loop;
use WebSocket::Server;

# Helpers for the server tests: a server listening on loopback whose loop the test turns by
# hand (pump), and a raw client on a plain socket that writes and reads the exact bytes.

our @EXPORT = qw( listening_server collecting_server pump pump_until raw_connect raw_request raw_handshake
    read_response send_frame parse_frame read_frame raw_eof accept_for wait_closed server_in_child );

sub listening_server
{
    my %opts = @_;
    my $s = WebSocket::Server->new( port => 0, host => '127.0.0.1', %opts ) || die( WebSocket::Server->error );
    $s->_listen || die( $s->error );
    return( $s );
}

# A listening server whose on_connect pushes each connection onto @$conns (emptied first),
# sets the callbacks of %conn on it with on(), calls $conn{_setup} with it, and accepts it.
sub collecting_server
{
    my( $conns, $sopts, %conn ) = @_;
    my $setup = delete( $conn{_setup} );
    @$conns = ();
    return( listening_server(
        silence_max => 0,
        %{ $sopts || {} },
        on_connect  => sub
        {
            my( $srv, $c ) = @_;
            push( @$conns, $c );
            $c->on( %conn ) if( %conn );
            $setup->( $c ) if( $setup );
            return( 1 );
        },
    ) );
}

# Turn the loop for $secs seconds.
sub pump
{
    my $secs = shift( @_ ) // 0.1;
    my $end = Time::HiRes::time() + $secs;
    my $loop = WebSocket::Loop->instance;
    while( Time::HiRes::time() < $end )
    {
        $loop->run_once( 0.02 );
    }
}

# Turn the loop until $cond->() is true (returns 1) or $secs passed (returns 0).
sub pump_until
{
    my( $cond, $secs ) = @_;
    $secs //= 5;
    my $end = Time::HiRes::time() + $secs;
    my $loop = WebSocket::Loop->instance;
    while( Time::HiRes::time() < $end )
    {
        return( 1 ) if( $cond->() );
        $loop->run_once( 0.02 );
    }
    return( $cond->() ? 1 : 0 );
}

sub raw_connect
{
    my $port = shift( @_ );
    my $sock = IO::Socket::INET->new( PeerAddr => '127.0.0.1', PeerPort => $port, Proto => 'tcp' ) ||
        die( "connect: $!" );
    binmode( $sock );
    $sock->autoflush(1);
    ${*$sock}{rbuf} = '';
    return( $sock );
}

sub accept_for
{
    my $key = shift( @_ );
    return( MIME::Base64::encode_base64( Digest::SHA::sha1( $key . '258EAFA5-E914-47DA-95CA-C5AB0DC85B11' ), '' ) );
}

# A request with sensible defaults; %h replaces or removes (undef) header fields.
sub raw_request
{
    my( $path, %h ) = @_;
    my %def = (
        'Host'                  => 'localhost:8080',
        'Upgrade'               => 'websocket',
        'Connection'            => 'Upgrade',
        'Sec-WebSocket-Key'     => 'dGhlIHNhbXBsZSBub25jZQ==',
        'Sec-WebSocket-Version' => 13,
    );
    my @order = ( qw( Host Upgrade Connection Sec-WebSocket-Key Sec-WebSocket-Version ), grep{ !exists( $def{ $_ } ) } sort( keys( %h ) ) );
    %def = ( %def, %h );
    my $req = "GET ${path} HTTP/1.1\r\n";
    for my $k ( @order )
    {
        next if( !defined( $def{ $k } ) );
        $req .= "$k: $def{ $k }\r\n";
    }
    return( $req . "\r\n" );
}

# Read from the raw socket while turning the loop, until $want->( $buffer ) is true.
sub _read_until
{
    my( $sock, $want, $secs ) = @_;
    $secs //= 5;
    my $sel = IO::Select->new( $sock );
    my $end = Time::HiRes::time() + $secs;
    my $loop = WebSocket::Loop->instance;
    while( Time::HiRes::time() < $end )
    {
        my $r = $want->( ${*$sock}{rbuf} );
        return( $r ) if( $r );
        return if( ${*$sock}{eof} );
        $loop->run_once( 0.01 );
        while( $sel->can_read( 0 ) )
        {
            my $n = sysread( $sock, my $buf, 65536 );
            if( !$n )
            {
                ${*$sock}{eof} = 1;
                last;
            }
            ${*$sock}{rbuf} .= $buf;
        }
    }
    return( $want->( ${*$sock}{rbuf} ) );
}

# The HTTP response: ( $code, $reason, \%headers (lower case names), $body, $raw_head )
sub read_response
{
    my( $sock, $secs ) = @_;
    my $head = _read_until( $sock, sub { $_[0] =~ /\r\n\r\n/ ? 1 : 0 }, $secs ) or return;
    my $i = index( ${*$sock}{rbuf}, "\r\n\r\n" );
    my $raw = substr( ${*$sock}{rbuf}, 0, $i + 4, '' );
    my( $line, @lines ) = split( /\r\n/, $raw );
    my( $code, $reason ) = $line =~ m{^HTTP/1\.1 (\d{3}) ?(.*)$};
    my %h;
    for( @lines )
    {
        my( $k, $v ) = /^([^:]+):\s*(.*)$/ or next;
        $h{ lc( $k ) } = exists( $h{ lc( $k ) } ) ? "$h{ lc( $k ) }, $v" : $v;
    }
    my $body = '';
    if( my $len = $h{'content-length'} )
    {
        _read_until( $sock, sub { length( $_[0] ) >= $len }, $secs );
        $body = substr( ${*$sock}{rbuf}, 0, $len, '' );
    }
    return( $code, $reason, \%h, $body, $raw );
}

sub raw_handshake
{
    my( $port, $path, %h ) = @_;
    my $sock = raw_connect( $port );
    syswrite( $sock, raw_request( $path // '/', %h ) );
    my( $code, $reason, $headers, $body ) = read_response( $sock );
    return( $sock, $code, $headers, $body );
}

# A frame from the client: masked unless told otherwise.
sub send_frame
{
    my( $sock, $opcode, $payload, %o ) = @_;
    my $fin = $o{fin} // 1;
    my $masked = exists( $o{masked} ) ? $o{masked} : 1;
    my $bytes = WebSocket::Engine::encode_frame( $opcode, $fin, $o{rsv} // 0, $masked ? 1 : 0, undef, $payload // "" );
    return( syswrite( $sock, $bytes ) );
}

# One frame off the front of $buf: [ bytes used, opcode, payload (unmasked), fin, rsv ], or
# nothing while it is incomplete.
sub parse_frame
{
    my $b = shift( @_ );
    return if( length( $b ) < 2 );
    my( $b0, $b1 ) = unpack( 'CC', $b );
    my $len = $b1 & 0x7f;
    my $off = 2;
    if( $len == 126 )
    {
        return if( length( $b ) < 4 );
        $len = unpack( 'n', substr( $b, 2, 2 ) );
        $off = 4;
    }
    elsif( $len == 127 )
    {
        return if( length( $b ) < 10 );
        $len = unpack( 'Q>', substr( $b, 2, 8 ) );
        $off = 10;
    }
    my $mask;
    if( $b1 & 0x80 )
    {
        return if( length( $b ) < $off + 4 );
        $mask = substr( $b, $off, 4 );
        $off += 4;
    }
    return if( length( $b ) < $off + $len );
    my $payload = substr( $b, $off, $len );
    $payload ^= substr( $mask x ( int( $len / 4 ) + 1 ), 0, $len ) if( defined( $mask ) );
    return( [ $off + $len, $b0 & 0x0f, $payload, ( $b0 & 0x80 ) ? 1 : 0, ( $b0 >> 4 ) & 7 ] );
}

# One frame from the server: ( $opcode, $payload, $fin, $rsv ), or empty at EOF or timeout.
sub read_frame
{
    my( $sock, $secs ) = @_;
    my $f = _read_until( $sock, \&parse_frame, $secs ) or return;
    substr( ${*$sock}{rbuf}, 0, $f->[0], '' );
    return( @$f[1..4] );
}

# True once the server has closed the socket (everything before is discarded).
sub raw_eof
{
    my( $sock, $secs ) = @_;
    _read_until( $sock, sub { ${*$sock}{eof} ? 1 : 0 }, $secs );
    return( ${*$sock}{eof} ? 1 : 0 );
}

# A WebSocket::Server in a forked child, for a test that talks to it from this process.
# $options->( $report ) returns the server's options (host 127.0.0.1, port 0 and silence_max 0
# unless they say otherwise); $report->( LINE ) sends a line to the test. The child reports
# "port N" once listening (then calls the options' own on_listening, if any), "ok" or
# "error MESSAGE" when start returns, and exits (status 0 when start succeeded) without END
# blocks or destructors, which are the parent's. $alarm: seconds the child may live (30).
# Returns ( $pid, $port, $reader ); $port is undef when the child did not get to listen.
sub server_in_child
{
    my( $options, $alarm ) = @_;
    pipe( my $rd, my $wr ) || die( "pipe: $!" );
    $wr->autoflush( 1 );
    my $pid = fork() // die( "fork: $!" );
    if( !$pid )
    {
        close( $rd );
        alarm( $alarm // 30 );
        my $report = sub { print( $wr @_, "\n" ) };
        my %opt = $options->( $report );
        my $then = delete( $opt{on_listening} );
        my $s = WebSocket::Server->new(
            host         => '127.0.0.1',
            port         => 0,
            silence_max  => 0,
            %opt,
            on_listening => sub { $report->( 'port ', $_[0]->port ); $then->( @_ ) if( $then ) },
        ) || do{ $report->( 'error ', WebSocket::Server->error ); POSIX::_exit( 2 ) };
        my $ok = $s->start;
        $report->( $ok ? 'ok' : 'error ' . $s->error );
        POSIX::_exit( $ok ? 0 : 1 );
    }
    close( $wr );
    my( $port ) = ( <$rd> // '' ) =~ /^port (\d+)$/;
    return( $pid, $port, $rd );
}

1;
