package TestClient;
use strict;
use warnings;
use IO::Socket::INET;
use POSIX ();
use Digest::SHA ();
use MIME::Base64 ();
use Exporter 'import';

# Servers for the client tests, on the loopback interface only:
#  - TestClient::Server: a WebSocket server built directly on the process's engine reactor,
#    in the same process as the client (its events come through WebSocket::Loop);
#  - raw_server(): a forked child that answers crafted bytes with IO::Socket::INET, for the
#    error cases the engine would never produce.

our @EXPORT_OK = qw( raw_server free_port read_request accept_value ws_frame read_frame );

sub free_port
{
    my $s = IO::Socket::INET->new( Listen => 1, LocalAddr => '127.0.0.1', LocalPort => 0, Proto => 'tcp', ReuseAddr => 1 ) || die( "listen: $!" );
    my $port = $s->sockport;
    close( $s );
    return( $port );
}

# raw_server( sub { my( $sock, $request_text, \%headers ) = @_; ... }, connections => 1 )
# Forks a child that accepts the connections, reads each request head and calls the handler.
# Returns ( $port, $pid ). The child leaves with POSIX::_exit, so that nothing of the parent
# (the engine reactor) is destroyed from the child.
sub raw_server
{
    my( $handler, %opt ) = @_;
    my $n = $opt{connections} || 1;
    my $srv = IO::Socket::INET->new( Listen => 5, LocalAddr => '127.0.0.1', LocalPort => 0, Proto => 'tcp', ReuseAddr => 1 ) ||
        die( "listen: $!" );
    my $port = $srv->sockport;
    my $pid = fork();
    die( "fork: $!" ) if( !defined( $pid ) );
    if( !$pid )
    {
        alarm( 20 );
        for( 1 .. $n )
        {
            my $sock = $srv->accept || last;
            binmode( $sock );
            my( $text, $h ) = read_request( $sock );
            eval{ $handler->( $sock, $text, $h ); 1 } || print( STDERR "raw server handler: $@" );
            close( $sock );
        }
        POSIX::_exit(0);
    }
    close( $srv );
    return( $port, $pid );
}

sub read_request
{
    my $sock = shift( @_ );
    my $buf = '';
    while( index( $buf, "\r\n\r\n" ) < 0 )
    {
        my $n = sysread( $sock, $buf, 4096, length( $buf ) );
        last if( !$n );
    }
    my %h;
    for my $line ( split( /\r\n/, $buf ) )
    {
        $h{ lc( $1 ) } = $2 if( $line =~ /^([^:\s]+):\s*(.*)$/ );
    }
    return( $buf, \%h );
}

sub accept_value
{
    my $key = shift( @_ );
    return( MIME::Base64::encode_base64( Digest::SHA::sha1( $key . '258EAFA5-E914-47DA-95CA-C5AB0DC85B11' ), '' ) );
}

# An unmasked server frame.
sub ws_frame
{
    my( $opcode, $payload, $fin ) = @_;
    $fin = 1 if( !defined( $fin ) );
    my $len = length( $payload );
    my $head = chr( ( $fin ? 0x80 : 0 ) | $opcode );
    if( $len < 126 ) { $head .= chr( $len ); }
    elsif( $len < 65536 ) { $head .= chr( 126 ) . pack( 'n', $len ); }
    else { $head .= chr( 127 ) . pack( 'Q>', $len ); }
    return( $head . $payload );
}

# Reads one (masked) client frame: ( $opcode, $payload ), or () at EOF.
sub read_frame
{
    my $sock = shift( @_ );
    my $read = sub
    {
        my $want = shift( @_ );
        my $buf = '';
        while( length( $buf ) < $want )
        {
            my $n = sysread( $sock, $buf, $want - length( $buf ), length( $buf ) );
            return if( !$n );
        }
        return( $buf );
    };
    my $h = $read->(2) // return;
    my( $b0, $b1 ) = unpack( 'CC', $h );
    my $len = $b1 & 0x7f;
    $len = unpack( 'n', $read->(2) ) if( $len == 126 );
    $len = unpack( 'Q>', $read->(8) ) if( $len == 127 );
    my $mask = ( $b1 & 0x80 ) ? $read->(4) : undef;
    my $payload = $len ? $read->( $len ) : '';
    return if( !defined( $payload ) );
    if( defined( $mask ) )
    {
        my $m = substr( $mask x ( int( $len / 4 ) + 1 ), 0, $len );
        $payload ^= $m;
    }
    return( $b0 & 0x0f, $payload );
}

sub handshake_ok
{
    my( $h, @extra ) = @_;
    return( join( "\r\n", 'HTTP/1.1 101 Switching Protocols', 'Upgrade: websocket', 'Connection: Upgrade',
        'Sec-WebSocket-Accept: ' . accept_value( $h->{'sec-websocket-key'} // '' ), @extra ) . "\r\n\r\n" );
}

package TestClient::Server;
use strict;
use warnings;
use WebSocket::Loop;

# An echo server on the engine reactor. Text commands let a test make the server act:
#   "close CODE REASON"  close with that code and reason
#   "ping PAYLOAD"       send a ping
#   "frag N"             send a text message in N fragments
#   "big N"              send a binary message of N bytes
#   "drop"               drop the connection without a close frame
# Everything else is echoed back with its type. Every event is logged in ->{log}.
sub new
{
    my( $class, %opt ) = @_;
    my $loop = WebSocket::Loop->instance;
    my $r = $loop->reactor;
    my( $lid, $port ) = $r->listen( '127.0.0.1', 0, 16 );
    die( "listen failed: " . join( ' ', @{ $r->error || [] } ) ) if( !defined( $lid ) );
    my $self = bless( { %opt, lid => $lid, port => $port, loop => $loop, r => $r, log => [], requests => {}, cids => [] }, $class );
    $loop->add_listener( $lid, $self );
    return( $self );
}

sub port { return( $_[0]->{port} ); }

sub url { return( "ws://127.0.0.1:$_[0]->{port}" . ( $_[1] // '/' ) ); }

sub log { return( @{ $_[0]->{log} } ); }

sub events { my( $self, $kind ) = @_; return( grep{ $_->[0] eq $kind } @{ $self->{log} } ); }

sub last_request { my $self = shift( @_ ); return( $self->{requests}->{ $self->{cids}->[-1] // '' } ); }

sub _engine_accept
{
    my( $self, $cid, $lid, $ip, $port ) = @_;
    push( @{ $self->{cids} }, $cid );
    $self->{loop}->add_conn( $cid, $self );
    # No limits on the server side: the tests are about the client's.
    eval{ $self->{r}->set( $cid, max_message_size => 0, max_fragments => 0 ) };
    push( @{ $self->{log} }, [ 'accept', $cid, $ip, $port ] );
}

sub _engine_event
{
    my( $self, $ev ) = @_;
    my( $kind, $cid ) = @$ev;
    my $r = $self->{r};
    push( @{ $self->{log} }, [ @$ev ] );
    if( $kind eq 'request' )
    {
        my $req = $ev->[2];
        $self->{requests}->{ $cid } = $req;
        if( $self->{on_request} )
        {
            $self->{on_request}->( $self, $cid, $req );
        }
        else
        {
            my %acc;
            my @offered = @{ $req->{protocols} || [] };
            my %ours = map{ $_ => 1 } @{ $self->{protocols} || [] };
            my( $p ) = grep{ $ours{ $_ } } @offered;
            $acc{protocol} = $p if( defined( $p ) );
            $r->accept( $cid, \%acc );
        }
    }
    elsif( $kind eq 'text' || $kind eq 'binary' )
    {
        my $data = $ev->[2];
        return( $self->{on_message}->( $self, $cid, $kind, $data ) ) if( $self->{on_message} );
        if( $kind eq 'text' && $data =~ /^close (\d+) ?(.*)$/s )
        {
            $r->close( $cid, $1, $2 );
        }
        elsif( $kind eq 'text' && $data =~ /^ping ?(.*)$/s )
        {
            $r->send( $cid, 9, 1, $1 );
        }
        elsif( $kind eq 'text' && $data =~ /^frag (\d+)$/ )
        {
            my $n = $1;
            for my $i ( 1 .. $n )
            {
                $r->send( $cid, ( $i == 1 ? 1 : 0 ), ( $i == $n ? 1 : 0 ), "f$i;" );
            }
        }
        elsif( $kind eq 'text' && $data =~ /^big (\d+)$/ )
        {
            $r->send( $cid, 2, 1, 'x' x $1 );
        }
        elsif( $kind eq 'text' && $data eq 'drop' )
        {
            $r->drop( $cid );
        }
        else
        {
            $r->send( $cid, ( $kind eq 'text' ? 1 : 2 ), 1, $data );
        }
    }
}

# Run the loop until CODE returns true or $secs have passed. Returns CODE's last result.
sub wait_for
{
    my( $self, $code, $secs ) = @_;
    $secs //= 5;
    require Time::HiRes;
    my $end = Time::HiRes::time() + $secs;
    my $ok;
    until( ( $ok = $code->() ) || Time::HiRes::time() > $end )
    {
        $self->{loop}->run_once( 0.05 );
    }
    return( $ok );
}

sub close_listener
{
    my $self = shift( @_ );
    $self->{loop}->remove_listener( $self->{lid} );
    eval{ $self->{r}->unlisten( $self->{lid} ) };
}

1;
