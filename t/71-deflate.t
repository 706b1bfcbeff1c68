use strict;
use warnings;
use lib 't/lib';
use Test::More;
use Compress::Raw::Zlib ();
use Encode ();
use POSIX ();
use Time::HiRes ();
use TestServer;
use TestClient ();
use WebSocket qw( :ws );
use WebSocket::Client;
use WebSocket::Extension;
use WebSocket::Loop;
use WebSocket::Server;

# permessage-deflate (RFC 7692) through the engine: what our client and our server negotiate
# for each parameter, round trips above and below compression_threshold, what goes on the
# wire (raw sockets against our server, a raw server against our client), context takeover
# and window sizes, the limits on inflating (deflate bombs), and the errors.

alarm( 120 );
$SIG{ALRM} = sub { die( "timeout\n" ) };
my @warnings;
$SIG{__WARN__} = sub { push( @warnings, $_[0] ) };

my @conns;
my @kids;
END { local $?; kill( 'KILL', @kids ) if( @kids ); waitpid( $_, 0 ) for( @kids ); }

# Raw DEFLATE as RFC 7692 7.2.1 has a sender produce it: sync flush, the 00 00 ff ff tail
# removed. A deflater object keeps its context from one message to the next.
sub deflater
{
    my $bits = shift( @_ ) // Compress::Raw::Zlib::MAX_WBITS();
    my( $d, $st ) = Compress::Raw::Zlib::Deflate->new( -WindowBits => -$bits, -AppendOutput => 1, -Level => 9 );
    die( "deflate: $st" ) if( !$d );
    return( $d );
}

sub deflate_msg
{
    my( $data, $d ) = @_;
    $d //= deflater();
    my $out = '';
    $d->deflate( $data, $out ) == Compress::Raw::Zlib::Z_OK() || die( 'deflate failed' );
    $d->flush( $out, Compress::Raw::Zlib::Z_SYNC_FLUSH() ) == Compress::Raw::Zlib::Z_OK() || die( 'flush failed' );
    die( 'no sync flush tail' ) if( substr( $out, -4 ) ne "\x00\x00\xff\xff" );
    substr( $out, -4 ) = '';
    return( $out );
}

sub inflater
{
    my $bits = shift( @_ ) // Compress::Raw::Zlib::MAX_WBITS();
    my( $i, $st ) = Compress::Raw::Zlib::Inflate->new( -WindowBits => -$bits, -AppendOutput => 1 );
    die( "inflate: $st" ) if( !$i );
    return( $i );
}

# RFC 7692 7.2.2: append 00 00 ff ff and inflate; undef when the data does not inflate.
sub inflate_msg
{
    my( $data, $i ) = @_;
    $i //= inflater();
    my $in = $data . "\x00\x00\xff\xff";
    my $out = '';
    my $st = $i->inflate( $in, $out );
    return( ( $st == Compress::Raw::Zlib::Z_OK() || $st == Compress::Raw::Zlib::Z_STREAM_END() ) ? $out : undef );
}

# A server of ours with $ext, echoing; %conn as collecting_server takes it.
sub deflate_server
{
    my( $sopts, %conn ) = @_;
    return( collecting_server( \@conns, { extensions => 'permessage-deflate', %{ $sopts || {} } },
        utf8   => sub { $_[0]->send_utf8( $_[1] ) },
        binary => sub { $_[0]->send_binary( $_[1] ) },
        %conn ) );
}

sub raw_deflate_handshake
{
    my( $port, $offer ) = @_;
    my( $sock, $code, $h ) = raw_handshake( $port, '/', 'Sec-WebSocket-Extensions' => $offer // 'permessage-deflate' );
    is( $code, 101, 'the handshake: 101 Switching Protocols' );
    ok( pump_until( sub { @conns && $conns[-1]->is_ready } ), 'ready' );
    return( $sock, $h );
}

# { extension name => { parameters } } of a header value or a list of extension objects.
sub ext_map
{
    my $v = shift( @_ );
    return( {} ) if( !defined( $v ) || ( !ref( $v ) && !length( $v ) ) );
    my $list = ref( $v ) ? [ @$v ] : WebSocket::Extension->new_from_multi( $v );
    return( { map{ ( lc( $_->extension ) => { %{ $_->params || {} } } ) } @$list } );
}

# Compressible text and binary; and bytes that do not compress.
my $text = join( ' ', map{ "word$_ \x{e9}t\x{e9} \x{263a}" } 1 .. 3000 );
my $bin = join( '', map{ pack( 'N', $_ % 97 ) x 3 } 1 .. 5000 );
my $noise = pack( 'N*', map{ ( $_ * 2654435761 + 12345 ) % 4294967296 } 1 .. 6000 );

subtest 'RFC 7692 5, 7.1: negotiation between our client and our server' => sub
{
    my @cases = (
        # [ what, server extensions, client extensions, offer, answer ]
        [ 'defaults', 'permessage-deflate', 'permessage-deflate',
            { 'permessage-deflate' => { client_max_window_bits => undef } }, { 'permessage-deflate' => {} } ],
        [ '7.1.1.1 server_no_context_takeover set on the server', 'permessage-deflate; server_no_context_takeover', 'permessage-deflate',
            undef, { 'permessage-deflate' => { server_no_context_takeover => undef } } ],
        [ '7.1.1.1 server_no_context_takeover asked by the client', 'permessage-deflate', 'permessage-deflate; server_no_context_takeover',
            { 'permessage-deflate' => { client_max_window_bits => undef, server_no_context_takeover => undef } },
            { 'permessage-deflate' => { server_no_context_takeover => undef } } ],
        [ '7.1.1.2 client_no_context_takeover set on the server', 'permessage-deflate; client_no_context_takeover', 'permessage-deflate',
            undef, { 'permessage-deflate' => { client_no_context_takeover => undef } } ],
        [ '7.1.1.2 client_no_context_takeover promised by the client', 'permessage-deflate', 'permessage-deflate; client_no_context_takeover',
            { 'permessage-deflate' => { client_max_window_bits => undef, client_no_context_takeover => undef } },
            { 'permessage-deflate' => { client_no_context_takeover => undef } } ],
        [ '7.1.2.1 server_max_window_bits=10 on the server', 'permessage-deflate; server_max_window_bits=10', 'permessage-deflate',
            undef, { 'permessage-deflate' => { server_max_window_bits => 10 } } ],
        [ '7.1.2.1 server_max_window_bits=12 asked, the server answers its smaller 10', 'permessage-deflate; server_max_window_bits=10', 'permessage-deflate; server_max_window_bits=12',
            { 'permessage-deflate' => { client_max_window_bits => undef, server_max_window_bits => 12 } },
            { 'permessage-deflate' => { server_max_window_bits => 10 } } ],
        [ '7.1.2.2 client_max_window_bits=9 on the server, valueless in the offer', 'permessage-deflate; client_max_window_bits=9', 'permessage-deflate; client_max_window_bits',
            { 'permessage-deflate' => { client_max_window_bits => undef } },
            { 'permessage-deflate' => { client_max_window_bits => 9 } } ],
        [ '7.1.2.2 client_max_window_bits=9 offered by the client', 'permessage-deflate', 'permessage-deflate; client_max_window_bits=9',
            { 'permessage-deflate' => { client_max_window_bits => 9 } },
            { 'permessage-deflate' => { client_max_window_bits => 9 } } ],
        [ 'every parameter on the server', 'permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=11; client_max_window_bits=10', 'permessage-deflate',
            undef, { 'permessage-deflate' => { server_no_context_takeover => undef, client_no_context_takeover => undef, server_max_window_bits => 11, client_max_window_bits => 10 } } ],
        [ 'server extensions as a list with an object', [ WebSocket::Extension->new( 'permessage-deflate', server_max_window_bits => 9 ), 'x-other' ], 'permessage-deflate',
            undef, { 'permessage-deflate' => { server_max_window_bits => 9 } } ],
        [ 'client extensions as a list with an object', 'permessage-deflate', [ 'x-other', WebSocket::Extension->new( 'permessage-deflate', server_no_context_takeover => undef ) ],
            { 'x-other' => {}, 'permessage-deflate' => { client_max_window_bits => undef, server_no_context_takeover => undef } },
            { 'permessage-deflate' => { server_no_context_takeover => undef } } ],
        [ 'a server without permessage-deflate declines', 'x-other', 'permessage-deflate',
            undef, {} ],
        [ 'a client that does not offer it', 'permessage-deflate', undef,
            {}, {} ],
    );
    for my $case ( @cases )
    {
        my( $what, $sext, $cext, $offer, $answer ) = @$case;
        my( @got, @bin );
        my $s = deflate_server( { extensions => $sext }, _setup => sub { $_[0]->max_recv_size( 1 << 20 ); $_[0]->max_send_size( 1 << 20 ) } );
        my $c = WebSocket::Client->new( 'ws://127.0.0.1:' . $s->port . '/', {
            timeout          => 5,
            max_payload_size => 1 << 20,
            ( defined( $cext ) ? ( extensions => $cext ) : () ),
            on_utf8          => sub { push( @got, $_[1] ) },
            on_binary        => sub { push( @bin, $_[1] ) },
        } ) || die( WebSocket::Client->error );
        ok( $c->connect, "$what: connect" ) || diag( $c->error );
        ok( pump_until( sub { @conns && $conns[0]->is_ready } ), '... ready' );
        my( $sent ) = $c->handshake->request->as_string =~ /^Sec-WebSocket-Extensions:[ \t]*([^\r\n]*)/mi;
        is_deeply( ext_map( $sent ), $offer, '... the offer: ' . ( $sent // 'none' ) ) if( defined( $offer ) );
        my $resp = $c->handshake->response->headers->header( 'Sec-WebSocket-Extensions' );
        $resp = undef if( defined( $resp ) && !length( "$resp" ) );
        my $want = { %$answer };
        $want->{'x-other'} = {} if( !ref( $sext ) && $sext =~ /x-other/ && $cext && $cext =~ /x-other/ );
        is_deeply( ext_map( defined( $resp ) ? "$resp" : undef ), $want, '... the answer the client saw: ' . ( $resp // 'none' ) );
        is_deeply( ext_map( $conns[0]->extensions ), $want, '... $conn->extensions on the server' );
        $c->send_utf8( $text );
        $c->send_binary( $bin );
        ok( pump_until( sub { @got && @bin } ), '... round trip of a text and a binary message' );
        ok( ( $got[0] // '' ) eq $text, '... the text, intact' );
        ok( ( $bin[0] // '' ) eq $bin, '... the bytes, intact' );
        $c->disconnect;
        $s->_stop_listening;
    }
};

subtest 'round trips above and below compression_threshold, both directions' => sub
{
    my( @got, @bin );
    my $s = deflate_server( {}, _setup => sub { $_[0]->max_recv_size( 4 << 20 ); $_[0]->max_send_size( 4 << 20 ) } );
    my $c = WebSocket::Client->new( 'ws://127.0.0.1:' . $s->port . '/', {
        timeout => 5, max_payload_size => 4 << 20, extensions => 'permessage-deflate',
        on_utf8 => sub { push( @got, $_[1] ) }, on_binary => sub { push( @bin, $_[1] ) },
    } ) || die;
    ok( $c->connect, 'connect' ) || diag( $c->error );
    is( $c->compression_threshold, 10240, 'the client\'s threshold: 10240 by default' );
    is( $s->compression_threshold, 10240, 'the server\'s too' );
    my @texts = ( '', 'short', substr( $text, 0, 10239 ), substr( $text, 0, 10240 ), $text, $text x 50 );
    my @bins = ( "\x00", substr( $bin, 0, 10239 ), substr( $bin, 0, 10240 ), $bin, $noise, $bin x 50 );
    $c->send_utf8( $_ ) for( @texts );
    $c->send_binary( $_ ) for( @bins );
    ok( pump_until( sub { @got == @texts && @bin == @bins }, 10 ), 'every echo came back' );
    for my $i ( 0 .. $#texts )
    {
        ok( defined( $got[ $i ] ) && $got[ $i ] eq $texts[ $i ], sprintf( 'text of %d characters', length( $texts[ $i ] ) ) );
    }
    for my $i ( 0 .. $#bins )
    {
        ok( defined( $bin[ $i ] ) && $bin[ $i ] eq $bins[ $i ], sprintf( 'binary of %d bytes', length( $bins[ $i ] ) ) );
    }
    $c->disconnect;
    $s->_stop_listening;
};

subtest 'RFC 7692 6, 7.2: our server on the wire' => sub
{
    my @got;
    my $s = deflate_server( {}, _setup => sub { $_[0]->max_recv_size( 1 << 20 ); $_[0]->max_send_size( 1 << 20 ) },
        utf8 => sub { push( @got, $_[1] ); $_[0]->send_utf8( $_[1] ) } );
    my( $sock, $h ) = raw_deflate_handshake( $s->port );
    is( $h->{'sec-websocket-extensions'}, 'permessage-deflate', 'RFC 7692 5: the offer is accepted' );

    # Below the threshold: plain.
    my $small = Encode::encode( 'UTF-8', substr( $text, 0, 1000 ) );
    send_frame( $sock, 1, $small );
    my( $op, $payload, $fin, $rsv ) = read_frame( $sock );
    is( $rsv, 0, 'RFC 7692 6: a message below the threshold comes back with RSV1 clear' );
    ok( $payload eq $small, '... as it was' );

    # Above: compressed, RSV1 set, shorter.
    my $big = Encode::encode( 'UTF-8', substr( $text, 0, 20000 ) );
    send_frame( $sock, 1, $big );
    ( $op, $payload, $fin, $rsv ) = read_frame( $sock );
    is( $op, 1, 'RFC 7692 6.1: a message above the threshold: a text frame' );
    is( $rsv, 4, '... with RSV1 (the "Per-Message Compressed" bit) set' );
    ok( $fin, '... in one frame' );
    ok( length( $payload ) < length( $big ) / 4, sprintf( '... its payload (%d bytes) much shorter than the message (%d)', length( $payload ), length( $big ) ) );
    isnt( substr( $payload, -4 ), "\x00\x00\xff\xff", 'RFC 7692 7.2.1: without the 00 00 ff ff tail' );
    my $inf = inflater();
    my $back = inflate_msg( $payload, $inf );
    ok( defined( $back ) && $back eq $big, 'RFC 7692 7.2.2: it inflates to the message' );

    # RFC 7692 7.2.3.2: context takeover, the same message again is shorter.
    send_frame( $sock, 1, $big );
    my( $op2, $payload2, $fin2, $rsv2 ) = read_frame( $sock );
    is( $rsv2, 4, '7.2.3.2: the same message again: compressed' );
    ok( length( $payload2 ) < length( $payload ), sprintf( '... shorter (%d < %d bytes): the server took its context over', length( $payload2 ), length( $payload ) ) );
    $back = inflate_msg( $payload2, $inf );
    ok( defined( $back ) && $back eq $big, '... and inflates with the context of the first' );
    ok( !defined( inflate_msg( $payload2 ) ) || inflate_msg( $payload2 ) ne $big, '... but not without it' );

    # RFC 7692 7.2.3.1: "Hello" compressed, from the RFC.
    @got = ();
    send_frame( $sock, 1, "\xf2\x48\xcd\xc9\xc9\x07\x00", rsv => 4 );
    ok( pump_until( sub { @got } ), '7.2.3.1: a compressed "Hello"' );
    is( $got[0], 'Hello', '... inflates to Hello' );
    ( $op, $payload, $fin, $rsv ) = read_frame( $sock );
    is( "$op $rsv $payload", '1 0 Hello', '... echoed plain, being short' );

    # 7.2.3.1 again, in fragments (RSV1 on the first frame only).
    @got = ();
    send_frame( $sock, 1, "\xf2\x48\xcd", fin => 0, rsv => 4 );
    send_frame( $sock, 0, "\xc9\xc9\x07\x00" );
    ok( pump_until( sub { @got } ), '7.2.3.1: the compressed "Hello" in two fragments' );
    is( $got[0], 'Hello', '... inflates to Hello' );
    read_frame( $sock );

    # A long compressed message in many fragments, with interleaved control frames.
    @got = ();
    my $msg = Encode::encode( 'UTF-8', $text );
    my @parts = unpack( '(a300)*', deflate_msg( $msg ) );
    ok( @parts > 3, sprintf( 'a compressed message of %d bytes in %d fragments', length( $msg ), scalar( @parts ) ) );
    send_frame( $sock, 1, shift( @parts ), fin => 0, rsv => 4 );
    send_frame( $sock, 9, 'in between' );
    send_frame( $sock, 0, $_, fin => 0 ) for( @parts[ 0 .. $#parts - 1 ] );
    send_frame( $sock, 0, $parts[-1] );
    ok( pump_until( sub { @got } ), '... delivered' );
    ok( ( $got[0] // '' ) eq $text, '... whole and inflated' );
    ( $op, $payload ) = read_frame( $sock );
    is( "$op $payload", '10 in between', '... the ping in between answered' );
    ( $op, $payload, $fin, $rsv ) = read_frame( $sock );
    is( $rsv, 4, '... the echo is compressed' );
    $back = inflate_msg( $payload, $inf );
    ok( defined( $back ) && $back eq $msg, '... and inflates, in the server\'s ongoing context' );

    # 7.2.3.2 from our side: the server keeps its inflater's context too.
    @got = ();
    my $d = deflater();
    my $m1 = 'context takeover from the client side ' x 20;
    send_frame( $sock, 1, deflate_msg( $m1, $d ), rsv => 4 );
    my $p2 = deflate_msg( $m1, $d );
    ok( !defined( inflate_msg( $p2 ) ) || inflate_msg( $p2 ) ne $m1, 'a second message that only makes sense after the first' );
    send_frame( $sock, 1, $p2, rsv => 4 );
    ok( pump_until( sub { @got == 2 } ), '... both delivered' );
    is_deeply( \@got, [ $m1, $m1 ], '... the server inflated the second with the context of the first' );
    $s->_stop_listening;
};

subtest 'RFC 7692 7.1.1.1, 7.1.2.1: server_no_context_takeover and server_max_window_bits on the wire' => sub
{
    my $s = deflate_server( { extensions => 'permessage-deflate; server_no_context_takeover', compression_threshold => 100 } );
    my( $sock, $h ) = raw_deflate_handshake( $s->port );
    is_deeply( ext_map( $h->{'sec-websocket-extensions'} ), { 'permessage-deflate' => { server_no_context_takeover => undef } }, 'answered with server_no_context_takeover' );
    my $msg = 'no context takeover, no context takeover ' x 10;
    send_frame( $sock, 1, $msg );
    send_frame( $sock, 1, $msg );
    my( undef, $p1, undef, $r1 ) = read_frame( $sock );
    my( undef, $p2, undef, $r2 ) = read_frame( $sock );
    is( "$r1 $r2", '4 4', 'both compressed' );
    is( length( $p2 ), length( $p1 ), '... the second as long as the first' );
    is( inflate_msg( $p1 ), $msg, '... the first inflates alone' );
    is( inflate_msg( $p2 ), $msg, '... and so does the second (a fresh compressor for each message)' );
    $s->_stop_listening;

    # Repeats 2000 bytes apart: with a window of 2^10 bytes the server cannot refer back that far.
    my $chunk = substr( $noise, 0, 2000 );
    my $far = $chunk x 4;
    for my $bits ( 15, 10 )
    {
        my $ext = $bits == 15 ? 'permessage-deflate' : "permessage-deflate; server_max_window_bits=$bits";
        $s = deflate_server( { extensions => $ext, compression_threshold => 100 } );
        ( $sock, $h ) = raw_deflate_handshake( $s->port );
        send_frame( $sock, 2, $far );
        my( $op, $p, $fin, $rsv ) = read_frame( $sock );
        is( $rsv, 4, "server window $bits: compressed" );
        is( inflate_msg( $p ), $far, '... inflates with a window of 15' );
        if( $bits == 15 )
        {
            ok( length( $p ) < 4000, sprintf( '... refers 2000 bytes back (%d bytes)', length( $p ) ) );
        }
        else
        {
            ok( length( $p ) > 7000, sprintf( '... cannot refer 2000 bytes back (%d bytes)', length( $p ) ) );
            is( inflate_msg( $p, inflater( 10 ) ), $far, '... and inflates with a window of 10' );
        }
        $s->_stop_listening;
    }
};

subtest 'compression_threshold: 0 and 100' => sub
{
    my $s = deflate_server( { compression_threshold => 0 } );
    is( $s->compression_threshold, 0, 'threshold 0' );
    my( $sock ) = raw_deflate_handshake( $s->port );
    # The server takes its context over: one inflater for the connection.
    my $inf = inflater();
    for my $m ( '', 'a', 'Hello', '' )
    {
        send_frame( $sock, 2, $m );
        my( $op, $p, $fin, $rsv ) = read_frame( $sock );
        is( $rsv, 4, "threshold 0: '$m' is compressed" );
        is( inflate_msg( $p, $inf ), $m, '... and inflates' . ( length( $m ) ? '' : ' (RFC 7692 7.2.3.6: an empty message)' ) );
    }
    $s->_stop_listening;

    $s = deflate_server( { compression_threshold => 100 } );
    ( $sock ) = raw_deflate_handshake( $s->port );
    $inf = inflater();
    for my $len ( 99, 100, 5000 )
    {
        send_frame( $sock, 2, 'z' x $len );
        my( $op, $p, $fin, $rsv ) = read_frame( $sock );
        is( $rsv, $len >= 100 ? 4 : 0, "threshold 100: $len bytes " . ( $len >= 100 ? 'compressed' : 'plain' ) );
        is( $rsv ? inflate_msg( $p, $inf ) : $p, 'z' x $len, '... the message' );
    }
    # Changing it on the server object applies to servers started afterwards.
    $s->_stop_listening;
    $s->compression_threshold( 20 );
    $s->_listen || die( $s->error );
    ( $sock ) = raw_deflate_handshake( $s->port );
    send_frame( $sock, 2, 'z' x 50 );
    my( undef, undef, undef, $rsv ) = read_frame( $sock );
    is( $rsv, 4, 'compression_threshold( 20 ) before a restart: 50 bytes compressed' );
    $s->_stop_listening;
};

# A raw server (a forked child) that answers the handshake with $answer, then sends @send,
# then reports each frame of the client as "opcode rsv length" in one text frame per frame.
sub deflate_raw_server
{
    my( $answer, $frames, @send ) = @_;
    my( $port, $pid ) = TestClient::raw_server( sub
    {
        my( $sock, $req, $h ) = @_;
        print( $sock TestClient::handshake_ok( $h, ( defined( $answer ) ? "Sec-WebSocket-Extensions: $answer" : () ) ) );
        print( $sock $_ ) for( @send );
        my $buf = '';
        for( 1 .. $frames )
        {
            my $f;
            while( !( $f = parse_frame( $buf ) ) )
            {
                sysread( $sock, $buf, 65536, length( $buf ) ) || return;
            }
            substr( $buf, 0, $f->[0], '' );
            my $info = "$f->[1] $f->[4] " . length( $f->[2] ) . ( $f->[4] ? ' ' . unpack( 'H*', $f->[2] ) : '' );
            print( $sock TestClient::ws_frame( 1, $info ) );
        }
        sleep( 1 );
    });
    push( @kids, $pid );
    return( $port, $pid );
}

sub server_frame
{
    my( $opcode, $payload, $rsv ) = @_;
    my $f = TestClient::ws_frame( $opcode, $payload );
    substr( $f, 0, 1 ) = chr( ord( substr( $f, 0, 1 ) ) | ( ( $rsv // 0 ) << 4 ) );
    return( $f );
}

subtest 'our client on the wire' => sub
{
    my( $port, $pid ) = deflate_raw_server( 'permessage-deflate', 3 );
    my @info;
    my $c = WebSocket::Client->new( "ws://127.0.0.1:$port/", { timeout => 5, extensions => 'permessage-deflate', compression_threshold => 100, on_utf8 => sub { push( @info, $_[1] ) } } ) || die;
    ok( $c->connect, 'connect to a raw server accepting permessage-deflate' ) || diag( $c->error );
    is_deeply( ext_map( $c->handshake->response->headers->header( 'Sec-WebSocket-Extensions' ) . '' ), { 'permessage-deflate' => {} }, 'the answer' );
    $c->send_binary( 'q' x 99 );
    $c->send_binary( 'q' x 100 );
    $c->send_utf8( 'Hello' x 1000 );
    ok( pump_until( sub { @info == 3 } ), 'the raw server saw three frames' );
    like( $info[0] // '', qr/^2 0 99$/, 'below the client\'s threshold of 100: plain, RSV1 clear' );
    my( $op, $rsv, $len, $hex ) = split( / /, $info[1] // '' );
    is( "$op $rsv", '2 4', 'at the threshold: RSV1 set' );
    ok( $len < 100, "... $len bytes on the wire" );
    is( inflate_msg( pack( 'H*', $hex // '' ) ), 'q' x 100, '... inflate to the message' );
    ( $op, $rsv, $len, $hex ) = split( / /, $info[2] // '' );
    is( "$op $rsv", '1 4', 'a text message above it: compressed too' );
    ok( $len < 200, "... $len bytes for 5000" );
    $c->disconnect;
    waitpid( $pid, 0 );

    # A compressed message from the server, and RFC 7692 7.2.3.1's Hello.
    my $d = deflater();
    ( $port, $pid ) = deflate_raw_server( 'permessage-deflate', 0,
        server_frame( 1, "\xf2\x48\xcd\xc9\xc9\x07\x00", 4 ),
        server_frame( 1, deflate_msg( 'abc' x 1000, $d ), 4 ),
        server_frame( 1, deflate_msg( 'abc' x 1000, $d ), 4 ),
        server_frame( 2, 'plain', 0 ) );
    my( @txt, @bin );
    $c = WebSocket::Client->new( "ws://127.0.0.1:$port/", { timeout => 5, extensions => 'permessage-deflate', on_utf8 => sub { push( @txt, $_[1] ) }, on_binary => sub { push( @bin, $_[1] ) } } ) || die;
    ok( $c->connect, 'connect' ) || diag( $c->error );
    ok( pump_until( sub { @bin } ), 'the messages arrived' );
    is_deeply( \@txt, [ 'Hello', 'abc' x 1000, 'abc' x 1000 ], '7.2.3.1 Hello, then two messages in one context, inflated' );
    is_deeply( \@bin, [ 'plain' ], 'an uncompressed message after them' );
    $c->disconnect;
    waitpid( $pid, 0 );
};

subtest 'a deflate bomb is stopped at the message limit: 1009' => sub
{
    # 50 MiB of zeros deflate to about 50 KiB.
    my $d = deflater();
    my $bomb = '';
    my $mib = "\0" x ( 1 << 20 );
    $d->deflate( $mib, $bomb ) for( 1 .. 50 );
    $d->flush( $bomb, Compress::Raw::Zlib::Z_SYNC_FLUSH() );
    substr( $bomb, -4 ) = '';
    ok( length( $bomb ) < 100_000, sprintf( 'the bomb: %d bytes for 50 MiB', length( $bomb ) ) );

    my @disc;
    @warnings = ();
    my $s = deflate_server( {}, disconnect => sub { push( @disc, [ @_[1,2] ] ) }, _setup => sub { $_[0]->max_recv_size( 1 << 20 ) } );
    my( $sock ) = raw_deflate_handshake( $s->port );
    my $t0 = Time::HiRes::time();
    send_frame( $sock, 2, $bomb, rsv => 4 );
    my( $op, $p ) = read_frame( $sock, 5 );
    my $took = Time::HiRes::time() - $t0;
    is( $op, 8, 'server: a close frame' );
    is( unpack( 'n', $p // '' ), 1009, '... RFC 6455 7.4.1: 1009, message too big' );
    like( substr( $p // '', 2 ), qr/too big/i, '... ' . substr( $p // '', 2 ) );
    ok( $took < 2, sprintf( '... quickly (%.3f s): inflating stopped at the limit', $took ) );
    ok( pump_until( sub { @disc } ), '... on_disconnect' );
    is( $disc[0]->[0], 1009, '... with 1009' );
    ok( raw_eof( $sock ), '... the connection ends' );
    $s->_stop_listening;

    # Our client, with max_payload_size 1 MiB.
    my( $port, $pid ) = deflate_raw_server( 'permessage-deflate', 1, server_frame( 2, $bomb, 4 ) );
    my( @cdisc, @err, @bin );
    my $c = WebSocket::Client->new( "ws://127.0.0.1:$port/", { timeout => 5, extensions => 'permessage-deflate', max_payload_size => 1 << 20,
        on_disconnect => sub { push( @cdisc, [ @_[1,2] ] ) }, on_error => sub { push( @err, $_[1] ) }, on_binary => sub { push( @bin, $_[1] ) } } ) || die;
    $t0 = Time::HiRes::time();
    $c->connect;
    ok( pump_until( sub { @cdisc }, 5 ), 'client: disconnected' );
    ok( Time::HiRes::time() - $t0 < 3, '... quickly' );
    is( $cdisc[0]->[0], 1009, '... with 1009' );
    ok( ( grep{ ( $_->code // 0 ) == 1009 } @err ), '... on_error with code 1009' );
    is( scalar( @bin ), 0, '... nothing delivered' );
    $c->shutdown;
    waitpid( $pid, 0 );
};

subtest 'RSV1 errors: 1007 and 1002' => sub
{
    @warnings = ();
    my $s = deflate_server();
    my( $sock ) = raw_deflate_handshake( $s->port );
    send_frame( $sock, 1, "\xff\xff\xff garbage that is not DEFLATE", rsv => 4 );
    my( $op, $p ) = read_frame( $sock );
    is( $op, 8, 'RFC 7692 8: RSV1 on data that does not inflate: close' );
    is( unpack( 'n', $p // '' ), 1007, '... 1007' );

    # RFC 7692 6.1: RSV1 on a continuation frame, on a control frame.
    ( $sock ) = raw_deflate_handshake( $s->port );
    send_frame( $sock, 1, 'first', fin => 0 );
    send_frame( $sock, 0, 'second', rsv => 4 );
    ( $op, $p ) = read_frame( $sock );
    is( "$op " . unpack( 'n', $p // '' ), '8 1002', 'RFC 7692 6.1: RSV1 on a continuation frame: 1002' );
    ( $sock ) = raw_deflate_handshake( $s->port );
    send_frame( $sock, 9, 'ping', rsv => 4 );
    ( $op, $p ) = read_frame( $sock );
    is( "$op " . unpack( 'n', $p // '' ), '8 1002', 'RFC 7692 6.1: RSV1 on a ping: 1002' );
    # Not negotiated: the client did not offer it.
    ( $sock ) = raw_deflate_handshake( $s->port, 'x-nothing' );
    send_frame( $sock, 1, "\xf2\x48\xcd\xc9\xc9\x07\x00", rsv => 4 );
    ( $op, $p ) = read_frame( $sock );
    is( "$op " . unpack( 'n', $p // '' ), '8 1002', 'RFC 6455 5.2: RSV1 when the client did not offer permessage-deflate: 1002' );
    $s->_stop_listening;

    # A server without permessage-deflate declines the offer, and RSV1 is then an error.
    $s = deflate_server( { extensions => undef } );
    my $h;
    ( $sock, $h ) = raw_deflate_handshake( $s->port, 'permessage-deflate; client_max_window_bits' );
    ok( !defined( $h->{'sec-websocket-extensions'} ), 'a server without permessage-deflate declines it' );
    send_frame( $sock, 1, 'plain' );
    ( $op, $p ) = read_frame( $sock );
    is( "$op $p", '1 plain', '... plain messages flow' );
    send_frame( $sock, 1, "\xf2\x48\xcd\xc9\xc9\x07\x00", rsv => 4 );
    ( $op, $p ) = read_frame( $sock );
    is( "$op " . unpack( 'n', $p // '' ), '8 1002', '... RSV1 then: 1002' );
    $s->_stop_listening;

    # Our client: RSV1 garbage from a server that accepted, RSV1 from one that did not.
    for my $case ( [ 'permessage-deflate', 1007 ], [ undef, 1002 ] )
    {
        my( $answer, $code ) = @$case;
        my( $port, $pid ) = deflate_raw_server( $answer, 1, server_frame( 1, "\xff\xff\xff not deflate", 4 ) );
        my @cdisc;
        my $c = WebSocket::Client->new( "ws://127.0.0.1:$port/", { timeout => 5, extensions => 'permessage-deflate', on_disconnect => sub { push( @cdisc, $_[1] ) } } ) || die;
        $c->connect;
        ok( pump_until( sub { @cdisc } ), 'client, server ' . ( $answer ? 'accepting' : 'declining' ) . ': RSV1 garbage ends the connection' );
        is( $cdisc[0], $code, "... with $code" );
        $c->shutdown;
        waitpid( $pid, 0 );
    }
};

subtest 'extensions_required: 1010 when the server does not accept permessage-deflate' => sub
{
    my $s = deflate_server( { extensions => 'x-other' } );
    my @err;
    my $c = WebSocket::Client->new( 'ws://127.0.0.1:' . $s->port . '/', { timeout => 5, extensions => 'permessage-deflate', extensions_required => 1, on_error => sub { push( @err, $_[1] ) } } ) || die;
    ok( !defined( $c->connect ), 'connect fails' );
    is( $c->error->code, WS_EXTENSIONS_NOT_AVAILABLE, '... RFC 6455 7.4.1: 1010' );
    is( WS_EXTENSIONS_NOT_AVAILABLE, 1010, '... (which is 1010)' );
    like( $c->error->message, qr/^\QFailed to connect to remote host '127.0.0.1' on port '\E\d+'\Q: \E.*permessage-deflate/, '... ' . $c->error->message );
    ok( scalar( @err ), '... on_error called' );
    ok( !$c->connected, '... not connected' );
    $s->_stop_listening;

    $s = deflate_server();
    $c = WebSocket::Client->new( 'ws://127.0.0.1:' . $s->port . '/', { timeout => 5, extensions => 'permessage-deflate', extensions_required => 1 } ) || die;
    ok( $c->connect, 'a server that accepts: connected' ) || diag( $c->error );
    $c->disconnect;
    # Without extensions_required, the declined offer is no error.
    $s->_stop_listening;
    $s = deflate_server( { extensions => 'x-other' } );
    $c = WebSocket::Client->new( 'ws://127.0.0.1:' . $s->port . '/', { timeout => 5, extensions => 'permessage-deflate' } ) || die;
    ok( $c->connect, 'without extensions_required, a declined offer is no error' ) || diag( $c->error );
    $c->disconnect;
    $s->_stop_listening;
};

subtest 'unknown and invalid parameters' => sub
{
    my $unknown = qr/^\QUnknown permessage-deflate parameter "foo" (RFC 7692 defines server_no_context_takeover, client_no_context_takeover, server_max_window_bits and client_max_window_bits).\E$/;
    my $s = WebSocket::Server->new( host => '127.0.0.1', port => 0, extensions => 'permessage-deflate; foo=1' ) || die( WebSocket::Server->error );
    ok( !defined( $s->start_listening ), 'server: an unknown parameter: start fails' );
    like( $s->error->message, $unknown, '... ' . $s->error->message );
    for my $bad ( 'server_max_window_bits=16', 'client_max_window_bits=7', 'server_max_window_bits=x' )
    {
        $s = WebSocket::Server->new( host => '127.0.0.1', port => 0, extensions => "permessage-deflate; $bad" ) || die;
        ok( !defined( $s->start_listening ), "server: $bad: start fails" );
        like( $s->error->message, qr/^\QInvalid permessage-deflate parameter $bad: a window size is 8 to 15.\E$/, '... ' . $s->error->message );
    }
    $s = deflate_server();
    for my $case ( [ 'foo=1', $unknown ], [ 'client_max_window_bits=16', qr/^\QInvalid permessage-deflate parameter client_max_window_bits=16: a window size is 8 to 15.\E$/ ] )
    {
        my( $param, $re ) = @$case;
        my $c = WebSocket::Client->new( 'ws://127.0.0.1:' . $s->port . '/', { timeout => 5, extensions => "permessage-deflate; $param" } );
        ok( !$c || !defined( $c->connect ), "client: $param: refused" );
        like( ( $c ? $c->error : WebSocket::Client->error )->message, $re, '... ' . ( $c ? $c->error : WebSocket::Client->error )->message );
    }
    is( scalar( @conns ), 0, '... before anything reached the server' );
    $s->_stop_listening;
};

done_testing();
