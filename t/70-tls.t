use strict;
use warnings;
use lib 't/lib';
use Test::More;
use IO::Handle;
use POSIX ();
use Time::HiRes ();
use TestServer;
use TestTLS;
use WebSocket qw( :ws );
use WebSocket::Client;
use WebSocket::Loop;
use WebSocket::Server;

# wss:// through the engine (rustls), with a throwaway PKI made by TestTLS: our client against
# our server in one process and across fork, both key types, the protocol versions, ALPN and
# cipher suites, every way the TLS handshake can fail on either side, an IO::Socket::SSL
# listener served by the engine, IO::Socket::SSL clients, and the handshake timeout of a
# client that never speaks TLS.

TestTLS::need_openssl();
alarm( 120 );
$SIG{ALRM} = sub { die( "timeout\n" ) };
my @warnings;
$SIG{__WARN__} = sub { push( @warnings, $_[0] ) };

my $pki = TestTLS->new;
my $r = WebSocket::Loop->instance->reactor;
my @conns;

# The suites the engine (rustls, ring provider) can negotiate, by their IANA names: with
# TLS 1.3 any of three, with TLS 1.2 an ECDHE suite for the key of the certificate.
my $TLS13_SUITE = qr/^TLS_(?:AES_128_GCM_SHA256|AES_256_GCM_SHA384|CHACHA20_POLY1305_SHA256)$/;
my $TLS12_ECDSA_SUITE = qr/^TLS_ECDHE_ECDSA_WITH_(?:AES_128_GCM_SHA256|AES_256_GCM_SHA384|CHACHA20_POLY1305_SHA256)$/;
my $TLS12_RSA_SUITE = qr/^TLS_ECDHE_RSA_WITH_(?:AES_128_GCM_SHA256|AES_256_GCM_SHA384|CHACHA20_POLY1305_SHA256)$/;

# A TLS server on loopback serving $leaf.pem (server-chain.pem for 'server'), whose
# connections echo what they receive; %conn adds callbacks (see collecting_server).
sub tls_server
{
    my( $leaf, $sopts, %conn ) = @_;
    $leaf //= 'server';
    return( collecting_server( \@conns, {
        SSL_cert_file => $pki->file( $leaf eq 'server' ? 'server-chain.pem' : "${leaf}.pem" ),
        SSL_key_file  => $pki->file( "${leaf}.key" ),
        %{ $sopts || {} },
    },
    utf8   => sub { $_[0]->send_utf8( $_[1] ) },
    binary => sub { $_[0]->send_binary( $_[1] ) },
    %conn ) );
}

sub wss_client
{
    my( $port, %opts ) = @_;
    my $host = delete( $opts{host} ) // 'localhost';
    return( WebSocket::Client->new( "wss://${host}:${port}/", { timeout => 5, SSL_ca_file => $pki->file( 'ca.pem' ), %opts } ) ||
        die( WebSocket::Client->error ) );
}

sub failure_prefix
{
    my( $host, $port ) = @_;
    return( qr/^\QFailed to connect using ssl to remote host '${host}' on port '${port}': TLS handshake failed: \E/ );
}

# An engine connection made directly on the reactor (for the options the Perl client does not
# expose), its events collected by a Local::Probe.
{
    package Local::Probe;
    sub new { return( bless( { events => [] }, shift( @_ ) ) ); }
    sub _engine_event { push( @{ $_[0]->{events} }, $_[1] ); }
    sub seen { my( $self, $kind ) = @_; return( grep{ $_->[0] eq $kind } @{ $self->{events} } ); }
}

sub probe_connect
{
    my( $port, %tls ) = @_;
    my $cid = $r->connect( 'localhost', $port, { path => '/', host_header => "localhost:${port}",
        tls => { server_name => 'localhost', ca_pem => $pki->pem( 'ca.pem' ), %tls } } );
    die( "connect: " . ( eval{ $r->error->[2] } // 'unknown' ) ) if( !defined( $cid ) );
    my $probe = Local::Probe->new;
    WebSocket::Loop->instance->add_conn( $cid, $probe );
    ok( pump_until( sub { $probe->seen( 'open' ) || $probe->seen( 'error' ) || $probe->seen( 'closed' ) } ), 'the engine client finished its handshake one way or the other' );
    return( $cid, $probe );
}

subtest 'server start errors' => sub
{
    my $bad = $pki->file( 'bad.pem' );
    open( my $fh, '>', $bad ) || die( $! );
    print( $fh "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n" );
    close( $fh );
    my @cases = (
        [ 'a missing certificate file', { SSL_cert_file => $pki->file( 'nope.pem' ), SSL_key_file => $pki->file( 'server.key' ) },
            qr/^\QFailed to start websocket server; cannot read \E\S*nope\.pem: \S/ ],
        [ 'a missing key file', { SSL_cert_file => $pki->file( 'server.pem' ), SSL_key_file => $pki->file( 'nope.key' ) },
            qr/^\QFailed to start websocket server; cannot read \E\S*nope\.key: \S/ ],
        [ 'a key without a certificate', { SSL_key_file => $pki->file( 'server.key' ) },
            qr/^\QFailed to start websocket server; SSL_key_file is set but not SSL_cert_file.\E$/ ],
        [ 'a certificate without a key', { SSL_cert_file => $pki->file( 'server.pem' ) },
            qr/^\QFailed to start websocket server; SSL_cert_file is set but not SSL_key_file.\E$/ ],
        [ 'a certificate file without a certificate', { SSL_cert_file => $pki->file( 'local.ext' ), SSL_key_file => $pki->file( 'server.key' ) },
            qr/^\QFailed to start websocket server; TLS: \E.*certificate/ ],
        [ 'a CERTIFICATE block that is no certificate', { SSL_cert_file => $bad, SSL_key_file => $pki->file( 'server.key' ) },
            qr/^\QFailed to start websocket server; TLS: \E\S/ ],
        [ 'a key file without a key', { SSL_cert_file => $pki->file( 'server.pem' ), SSL_key_file => $pki->file( 'server.pem' ) },
            qr/^\QFailed to start websocket server; TLS: \E.*private key/ ],
        [ 'a key that does not match the certificate (both EC)', { SSL_cert_file => $pki->file( 'server.pem' ), SSL_key_file => $pki->file( 'other.key' ) },
            qr/^\QFailed to start websocket server; TLS: the private key does not match the certificate\E/ ],
        [ 'an RSA key with an EC certificate', { SSL_cert_file => $pki->file( 'server.pem' ), SSL_key_file => $pki->file( 'rsa.key' ) },
            qr/^\QFailed to start websocket server; TLS: \E\S/ ],
        [ 'SSL_version with an unknown name', { SSL_cert_file => $pki->file( 'server-chain.pem' ), SSL_key_file => $pki->file( 'server.key' ), SSL_version => 'TLSv1_3:QUIC' },
            qr/^\QFailed to start websocket server; Unknown TLS version "QUIC" in SSL_version "TLSv1_3:QUIC"\E/ ],
        [ 'SSL_version allowing only old versions', { SSL_cert_file => $pki->file( 'server-chain.pem' ), SSL_key_file => $pki->file( 'server.key' ), SSL_version => 'TLSv1:TLSv1_1' },
            qr/^\QFailed to start websocket server; SSL_version "TLSv1:TLSv1_1" allows neither TLS 1.2 nor TLS 1.3, the versions the engine speaks\E$/ ],
    );
    for my $case ( @cases )
    {
        my( $what, $opts, $re ) = @$case;
        my $s = WebSocket::Server->new( host => '127.0.0.1', port => 0, silence_max => 0, %$opts ) ||
            die( WebSocket::Server->error );
        ok( !defined( $s->start_listening ), "$what: start_listening fails" );
        like( $s->error->message, $re, "... " . $s->error->message );
        ok( !$s->is_ssl, '... is_ssl stays false' );
        ok( !defined( $s->{_lid} ), '... nothing left listening' );
    }
    # start() fails the same way, at once.
    my $s = WebSocket::Server->new( host => '127.0.0.1', port => 0, SSL_cert_file => $pki->file( 'server.pem' ), SSL_key_file => $pki->file( 'other.key' ) ) || die;
    my $t0 = Time::HiRes::time();
    ok( !defined( $s->start ), 'start() with a key that does not match fails' );
    ok( Time::HiRes::time() - $t0 < 2, '... at once' );
    like( $s->error->message, qr/^Failed to start websocket server; TLS: /, '... with the same error' );
};

subtest 'our client and our server over wss (EC key), in one process' => sub
{
    my( @srv_disc, @cli_disc, @cli_text, @cli_bin );
    my $s = tls_server( 'server', {},
        disconnect => sub { push( @srv_disc, [ @_[1,2] ] ) },
        _setup     => sub { $_[0]->max_recv_size( 2 << 20 ); $_[0]->max_send_size( 2 << 20 ) },
    );
    ok( $s->is_ssl, 'is_ssl' );
    my $port = $s->port;
    my $c = wss_client( $port,
        max_payload_size => 2 << 20,
        on_utf8          => sub { push( @cli_text, $_[1] ) },
        on_binary        => sub { push( @cli_bin, $_[1] ) },
        on_disconnect    => sub { push( @cli_disc, [ @_[1,2] ] ) },
    );
    ok( $c->connect, 'connect over wss' ) || diag( $c->error );
    ok( $c->connected, 'connected' );
    ok( pump_until( sub { @conns && $conns[0]->is_ready } ), 'the server has the connection' );
    my $conn = $conns[0];
    like( $conn->request_uri, qr{^wss://localhost:\Q$port\E/$}, 'RFC 6455 3: request_uri is a wss:// URI: ' . $conn->request_uri );
    is( $c->handshake->response->code, 101, 'the client saw the 101' );
    my @info = $r->tls_info( $conn->_cid );
    is_deeply( [ @info[0, 1] ], [ 'TLSv1.3', 'http/1.1' ], 'server side: TLS 1.3 by default, ALPN http/1.1' );
    my $cipher = $info[2];
    like( $cipher // '', $TLS13_SUITE, '... and a TLS 1.3 cipher suite, by its IANA name: ' . ( $cipher // 'none' ) );
    is_deeply( [ $r->tls_info( $c->{_cid} ) ], \@info, 'client side: the same, the same suite' );
    is_deeply( $conn->tls_info, { version => 'TLSv1.3', alpn => 'http/1.1', cipher => $cipher }, 'WebSocket::Connection::tls_info says so' );
    is_deeply( $c->tls_info, { version => 'TLSv1.3', alpn => 'http/1.1', cipher => $cipher }, 'WebSocket::Client::tls_info too' );

    ok( $c->send_utf8( "caf\x{e9} \x{263a} over TLS" ), 'send text' );
    ok( pump_until( sub { @cli_text } ), 'the echo came back' );
    is( $cli_text[0], "caf\x{e9} \x{263a} over TLS", 'text round trip' );
    my $bin = join( '', map{ chr( $_ ) } 0 .. 255 ) x 3;
    ok( $c->send_binary( $bin ), 'send binary' );
    ok( pump_until( sub { @cli_bin } ), 'binary echo' );
    ok( $cli_bin[0] eq $bin, 'binary round trip, byte for byte' );

    # A message of 1 MiB each way: many TLS records, several reads and writes.
    my $big = pack( 'N*', map{ ( $_ * 2654435761 ) % 4294967296 } 1 .. ( 1 << 18 ) );
    is( length( $big ), 1 << 20, '1 MiB of bytes' );
    @cli_bin = ();
    my $srv_got;
    $conn->on( binary => sub { $srv_got = $_[1]; $_[0]->send_binary( $_[1] ) } );
    ok( $c->send_binary( $big ), 'send 1 MiB' );
    ok( pump_until( sub { @cli_bin } , 10 ), '1 MiB came back' );
    ok( defined( $srv_got ) && $srv_got eq $big, 'the server received the 1 MiB intact' );
    ok( defined( $cli_bin[0] ) && $cli_bin[0] eq $big, 'the client received the 1 MiB intact' );

    # RFC 6455 7.1.2 / 5.5.1: a close handshake with a code and a reason, from the client.
    $c->disconnect( 4001, 'client says bye' );
    ok( pump_until( sub { @srv_disc } ), 'the server heard the close' );
    is_deeply( $srv_disc[0], [ 4001, 'client says bye' ], 'RFC 6455 5.5.1: code and reason reached the server over TLS' );
    ok( pump_until( sub { $c->disconnected } ), 'the client is disconnected' );
    ok( pump_until( sub { $conn->disconnected } ), 'the server connection is closed' );

    # ... and from the server.
    @conns = ();
    @cli_disc = ();
    my $c2 = wss_client( $port, on_disconnect => sub { push( @cli_disc, [ @_[1,2] ] ) } );
    ok( $c2->connect, 'a second client' ) || diag( $c2->error );
    ok( pump_until( sub { @conns && $conns[0]->is_ready } ), 'ready' );
    $conns[0]->disconnect( 4002, 'server says bye' );
    ok( pump_until( sub { @cli_disc } ), 'the client heard the close' );
    is_deeply( $cli_disc[0], [ 4002, 'server says bye' ], 'RFC 6455 5.5.1: code and reason reached the client over TLS' );
    ok( pump_until( sub { $c2->disconnected && $conns[0]->disconnected } ), 'both ends closed' );
    # The same configurations on both ends negotiate the same suite as the first pair.
    is_deeply( $conns[0]->tls_info, { version => 'TLSv1.3', alpn => 'http/1.1', cipher => $cipher }, 'tls_info is kept after the close (server side, never asked before)' );
    is_deeply( $c2->tls_info, { version => 'TLSv1.3', alpn => 'http/1.1', cipher => $cipher }, '... and on the client side' );
    $s->_stop_listening;
};

subtest 'the RSA key certificate, and an IP address as the host' => sub
{
    my @got;
    my $s = tls_server( 'rsa' );
    my $c = wss_client( $s->port, on_utf8 => sub { push( @got, $_[1] ) } );
    ok( $c->connect, 'connect to a server with an RSA key' ) || diag( $c->error );
    $c->send_utf8( 'rsa' );
    ok( pump_until( sub { @got } ), 'echo' );
    is( $got[0], 'rsa', 'text round trip' );
    $c->disconnect;
    $s->_stop_listening;

    # server.pem names IP:127.0.0.1 as well: a URI with that address verifies against it.
    @got = ();
    $s = tls_server( 'server' );
    $c = wss_client( $s->port, host => '127.0.0.1', on_utf8 => sub { push( @got, $_[1] ) } );
    ok( $c->connect, 'wss://127.0.0.1: the certificate is valid for that IP address' ) || diag( $c->error );
    $c->send_utf8( 'by address' );
    ok( pump_until( sub { @got } ), 'echo' );
    $c->disconnect;
    # rsa.pem does not name 127.0.0.1: not valid for that address.
    $s->_stop_listening;
    $s = tls_server( 'other' );
    $c = wss_client( $s->port, host => '127.0.0.1' );
    ok( !defined( $c->connect ), 'wss://127.0.0.1 to a certificate for other.example only fails' );
    like( $c->error->message, failure_prefix( '127.0.0.1', $s->port ), '... ' . $c->error->message );
    like( $c->error->message, qr/not valid for name/, '... not valid for that address' );
    $s->_stop_listening;
};

subtest 'across fork: a wss server in a child' => sub
{
    my( $pid, $port ) = server_in_child( sub
    {
        return(
            SSL_cert_file => $pki->file( 'server-chain.pem' ),
            SSL_key_file  => $pki->file( 'server.key' ),
            on_connect    => sub
            {
                my( $srv, $conn ) = @_;
                $conn->on(
                    utf8       => sub { $_[0]->send_utf8( "child $$ (" . $_[0]->request_uri->scheme . "): $_[1]" ) },
                    disconnect => sub { $srv->shutdown },
                );
            },
        );
    }, 20 );
    ok( $port, 'the child listens' );
    my @got;
    my $c = wss_client( $port, on_utf8 => sub { push( @got, $_[1] ) } );
    ok( $c->connect, 'connect to the child over wss' ) || diag( $c->error );
    $c->send_utf8( 'hello' );
    ok( pump_until( sub { @got } ), 'answer' );
    like( $got[0] // '', qr/^child (\d+) \(wss\): hello$/, 'from the child, which saw a wss:// request' );
    unlike( $got[0] // '', qr/^child $$ /, '... not from us' );
    $c->disconnect( 1000, 'done' );
    my $waited = waitpid( $pid, 0 );
    is( $waited, $pid, 'the child is gone' );
    is( $? >> 8, 0, 'the child server stopped cleanly' );
};

subtest 'TLS 1.2 only and TLS 1.3 only (engine options, through the reactor)' => sub
{
    # The Perl API has no option for the protocol versions; the reactor's listener_tls and
    # connect take them.
    my $s = tls_server( 'server' );
    my $port = $s->port;
    ok( $r->listener_tls( $s->{_lid}, $pki->pem( 'server-chain.pem' ), $pki->pem( 'server.key' ), '1.2' ), 'the listener now speaks TLS 1.2 only' );
    my @got;
    my $c = wss_client( $port, on_utf8 => sub { push( @got, $_[1] ) } );
    ok( $c->connect, 'our client (both versions) connects' ) || diag( $c->error );
    ok( pump_until( sub { @conns && $conns[0]->is_ready } ), 'ready' );
    my @info = $r->tls_info( $conns[0]->_cid );
    is_deeply( [ @info[0, 1] ], [ 'TLSv1.2', 'http/1.1' ], 'TLS 1.2 negotiated, ALPN http/1.1' );
    like( $info[2] // '', $TLS12_ECDSA_SUITE, '... a TLS 1.2 ECDHE suite for the EC key, by its IANA name: ' . ( $info[2] // 'none' ) );
    is_deeply( [ $r->tls_info( $c->{_cid} ) ], \@info, '... on the client side too, the same suite' );
    is_deeply( $conns[0]->tls_info, { version => 'TLSv1.2', alpn => 'http/1.1', cipher => $info[2] }, 'WebSocket::Connection::tls_info names the TLS 1.2 suite' );
    is_deeply( $c->tls_info, { version => 'TLSv1.2', alpn => 'http/1.1', cipher => $info[2] }, 'WebSocket::Client::tls_info too' );
    $c->send_utf8( 'one two' );
    ok( pump_until( sub { @got } ), 'messages over TLS 1.2' );
    $c->disconnect;

    @warnings = ();
    my( $cid, $probe ) = probe_connect( $port, version => '1.3' );
    ok( !$probe->seen( 'open' ), 'a TLS 1.3-only client cannot talk to a TLS 1.2-only server' );
    my( $err ) = ( $probe->seen( 'error' ), $probe->seen( 'closed' ) );
    like( $err->[3] // '', qr/TLS handshake failed/, '... ' . ( $err->[3] // 'no error' ) );
    ok( pump_until( sub { grep{ /TLS handshake failed/ } @warnings } ), 'the server warns about that connection' );

    ok( $r->listener_tls( $s->{_lid}, $pki->pem( 'server-chain.pem' ), $pki->pem( 'server.key' ), '1.3' ), 'the listener now speaks TLS 1.3 only' );
    ( $cid, $probe ) = probe_connect( $port, version => '1.2' );
    ok( !$probe->seen( 'open' ), 'a TLS 1.2-only client cannot talk to a TLS 1.3-only server' );
    ( $cid, $probe ) = probe_connect( $port, version => '1.3' );
    ok( $probe->seen( 'open' ), 'a TLS 1.3-only client can' );
    is( ( $r->tls_info( $cid ) )[0], 'TLSv1.3', '... with TLS 1.3' );
    $r->drop( $cid );
    ok( !eval{ $r->listener_tls( $s->{_lid}, $pki->pem( 'server-chain.pem' ), $pki->pem( 'server.key' ), '1.1' ); 1 }, 'version 1.1 is refused' );
    $s->_stop_listening;

    # A 1.2-only engine client against the default server.
    $s = tls_server( 'server' );
    ( $cid, $probe ) = probe_connect( $s->port, version => '1.2' );
    ok( $probe->seen( 'open' ), 'a TLS 1.2-only client against the default server' );
    @info = $r->tls_info( $cid );
    is_deeply( [ @info[0, 1] ], [ 'TLSv1.2', 'http/1.1' ], '... TLS 1.2, ALPN http/1.1' );
    like( $info[2] // '', $TLS12_ECDSA_SUITE, '... ' . ( $info[2] // 'no suite' ) );
    $r->drop( $cid );
    $s->_stop_listening;
};

subtest 'certificate verification failures: code 1015 and the cause' => sub
{
    my @cases = (
        [ 'rogue',   'a certificate signed by an unknown CA', qr/unknown issuer/ ],
        [ 'other',   'a certificate for another host name',   qr/not valid for name "localhost"/ ],
        [ 'expired', 'an expired certificate',                qr/expired/ ],
    );
    for my $case ( @cases )
    {
        my( $leaf, $what, $cause ) = @$case;
        @warnings = ();
        my( @err, @disc );
        my $s = tls_server( $leaf );
        my $port = $s->port;
        my $c = wss_client( $port, on_error => sub { push( @err, $_[1] ) }, on_disconnect => sub { push( @disc, 1 ) } );
        my $t0 = Time::HiRes::time();
        ok( !defined( $c->connect ), "$what: connect fails" );
        ok( Time::HiRes::time() - $t0 < 3, '... at once' );
        is( $c->error->code, WS_TLS_HANDSHAKE_FAIL, '... RFC 6455 7.4.1: code 1015' );
        is( WS_TLS_HANDSHAKE_FAIL, 1015, '... (which is 1015)' );
        like( $c->error->message, failure_prefix( 'localhost', $port ), '... ' . $c->error->message );
        like( $c->error->message, $cause, '... naming the cause' );
        is( scalar( @err ), 1, '... on_error called once' );
        ok( !$c->connected, '... not connected' );
        ok( pump_until( sub { grep{ /^Connection from 127\.0\.0\.1: TLS handshake failed/ } @warnings } ), '... the server warns about that connection only' );
        is( scalar( my @left = $s->connections ), 0, '... and has no connection left' );

        # SSL_verify_mode 0: the same certificate is accepted.
        my @got;
        $c = wss_client( $port, SSL_verify_mode => 0, SSL_ca_file => undef, on_utf8 => sub { push( @got, $_[1] ) } );
        ok( $c->connect, "$what: accepted with SSL_verify_mode 0" ) || diag( $c->error );
        $c->send_utf8( "unverified $leaf" );
        ok( pump_until( sub { @got } ), '... and messages flow' );
        is( $got[0], "unverified $leaf", '... the echo' );
        $c->disconnect;
        $s->_stop_listening;
    }

    # Without SSL_ca_file, the system's store: our test CA is not in it.
    my $s = tls_server( 'server' );
    my $c = wss_client( $s->port, SSL_ca_file => undef );
    ok( !defined( $c->connect ), 'the system store does not know the test CA' );
    is( $c->error->code, 1015, '... 1015' );
    like( $c->error->message, failure_prefix( 'localhost', $s->port ), '... ' . $c->error->message );
    like( $c->error->message, qr/unknown issuer/, '... unknown issuer' );
    # SSL_verify_mode 1 is the default made explicit.
    $c = wss_client( $s->port, SSL_verify_mode => 1 );
    ok( $c->connect, 'SSL_verify_mode 1 with the right CA' ) || diag( $c->error );
    $c->disconnect;
    $s->_stop_listening;

    # An SSL_ca_file that cannot be read fails before anything goes out.
    $c = wss_client( 1, SSL_ca_file => $pki->file( 'no-such-ca.pem' ) );
    my $t0 = Time::HiRes::time();
    ok( !defined( $c->connect ), 'an unreadable SSL_ca_file' );
    ok( Time::HiRes::time() - $t0 < 1, '... fails at once' );
    is( $c->error->code, 1015, '... 1015' );
    like( $c->error->message, qr/^\QFailed to connect using ssl to remote host 'localhost' on port '1': cannot read SSL_ca_file \E\S*no-such-ca\.pem: \S/, '... ' . $c->error->message );
    # A CA file with no certificate in it.
    $c = wss_client( 1, SSL_ca_file => $pki->file( 'local.ext' ) );
    ok( !defined( $c->connect ), 'an SSL_ca_file without a certificate' );
    like( $c->error->message, qr/^\QFailed to connect using ssl to remote host 'localhost' on port '1': \E\S/, '... ' . $c->error->message );
};

subtest 'a plain client on the TLS port ends that connection only' => sub
{
    @warnings = ();
    my $s = tls_server( 'server', { handshake_timeout => 5 } );
    my $port = $s->port;
    my $sock = raw_connect( $port );
    syswrite( $sock, raw_request( '/' ) );
    my $t0 = Time::HiRes::time();
    ok( raw_eof( $sock, 4 ), 'the plain HTTP upgrade request is answered by the end of the connection' );
    ok( Time::HiRes::time() - $t0 < 3, '... at once, not at the handshake timeout' );
    unlike( ${*$sock}{rbuf}, qr/^HTTP/, '... never with an HTTP answer in clear' );
    ok( pump_until( sub { grep{ /TLS handshake failed/ } @warnings } ), '... the server warns: ' . ( ( $warnings[0] // '' ) =~ s/\s+$//r ) );
    is( scalar( @conns ), 1, 'one connection was accepted' );
    ok( !$conns[0]->is_ready, '... never ready' );
    ok( pump_until( sub { $conns[0]->disconnected } ), '... and gone' );

    # The server still serves a good client.
    my @got;
    my $c = wss_client( $port, on_utf8 => sub { push( @got, $_[1] ) } );
    ok( $c->connect, 'a TLS client afterwards connects' ) || diag( $c->error );
    $c->send_utf8( 'still here' );
    ok( pump_until( sub { @got } ), '... and is answered' );
    $c->disconnect;

    # A ws:// client of ours on the TLS port: its handshake fails, the server goes on.
    $c = WebSocket::Client->new( "ws://localhost:${port}/", timeout => 5 ) || die;
    ok( !defined( $c->connect ), 'our client with ws:// on the TLS port fails' );
    like( $c->error->message, qr/^\QFailed to connect to remote host 'localhost' on port '$port': \E\S/, '... ' . $c->error->message );
    $c = wss_client( $port );
    ok( $c->connect, 'and a wss:// client still connects' ) || diag( $c->error );
    $c->disconnect;
    $s->_stop_listening;
};

subtest 'RFC 6455 4.1: a TCP client that never starts TLS is dropped after handshake_timeout' => sub
{
    @warnings = ();
    my $s = tls_server( 'server', { handshake_timeout => 1 } );
    my $sock = raw_connect( $s->port );
    my $t0 = Time::HiRes::time();
    ok( raw_eof( $sock, 4 ), 'the silent client is dropped' );
    my $took = Time::HiRes::time() - $t0;
    ok( $took >= 0.8 && $took < 3, sprintf( '... after the 1 s handshake_timeout (%.2f s)', $took ) );
    is( ${*$sock}{rbuf}, '', '... without a byte sent to it' );

    # A client that completes TLS but never sends its request: the timeout bounds both.
    SKIP:
    {
        if( !eval{ require IO::Socket::SSL; 1 } )
        {
            skip( 'IO::Socket::SSL is not installed', 4 ) if( !$ENV{WEBSOCKET_INTEROP_REQUIRED} );
            fail( 'IO::Socket::SSL is not installed and WEBSOCKET_INTEROP_REQUIRED is set' );
            skip( 'IO::Socket::SSL is not installed', 3 );
        }
        my $ssl = raw_connect( $s->port );
        $ssl->blocking( 0 );
        IO::Socket::SSL->start_SSL( $ssl, SSL_startHandshake => 0, SSL_verifycn_name => 'localhost', SSL_hostname => 'localhost',
            SSL_ca_file => $pki->file( 'ca.pem' ), SSL_verify_mode => IO::Socket::SSL::SSL_VERIFY_PEER() ) ||
            die( "start_SSL: " . IO::Socket::SSL::errstr() );
        my $done;
        $t0 = Time::HiRes::time();
        ok( pump_until( sub { $done ||= $ssl->connect_SSL; $done } ), 'IO::Socket::SSL completes the TLS handshake with the engine' ) ||
            diag( IO::Socket::SSL::errstr() );
        is( $ssl->get_sslversion, 'TLSv1_3', '... TLS 1.3' );
        my $gone;
        pump_until( sub
        {
            my $n = sysread( $ssl, my $buf, 100 );
            $gone = 1 if( defined( $n ) && $n == 0 );
            return( $gone );
        }, 4 );
        $took = Time::HiRes::time() - $t0;
        ok( $gone, 'then, without a request, it is dropped' );
        ok( $took >= 0.8 && $took < 3, sprintf( '... at the handshake_timeout (%.2f s)', $took ) );
        close( $ssl );
    }
    $s->_stop_listening;
};

subtest 'SSL_version: the IO::Socket::SSL syntax, on the server and on the client' => sub
{
    my $version_of = sub { ( $r->tls_info( $_[0] ) )[0] // 'none' };
    for my $case (
        # server's SSL_version, client's SSL_version, expected version (undef: no handshake)
        [ 'TLSv1_3', undef, 'TLSv1.3' ],
        [ 'TLSv1_3', 'TLSv1_2', undef ],
        [ 'SSLv23:!TLSv1_3', undef, 'TLSv1.2' ],
        [ '!TLSv1_2', 'SSLv23:!SSLv3:!SSLv2', 'TLSv1.3' ],
        [ undef, 'TLSv1_2', 'TLSv1.2' ],
        [ 'TLSv1_2', '!TLSv1_2', undef ] )
    {
        my( $sv, $cv, $want ) = @$case;
        my $what = 'server ' . ( $sv // 'default' ) . ', client ' . ( $cv // 'default' );
        my $s = tls_server( 'server', { ( defined( $sv ) ? ( SSL_version => $sv ) : () ) } );
        my $c = wss_client( $s->port, ( defined( $cv ) ? ( SSL_version => $cv ) : () ) );
        if( defined( $want ) )
        {
            ok( $c->connect, "$what: connected" ) || diag( $c->error );
            is( $version_of->( $c->{_cid} ), $want, "... with $want" );
            ok( pump_until( sub { @conns && $conns[0]->is_ready } ), '... the server has it' );
            is( $version_of->( $conns[0]->_cid ), $want, "... $want on the server side too" );
            is( $conns[0]->tls_info->{version}, $want, '... tls_info says so' );
            $c->disconnect;
        }
        else
        {
            ok( !$c->connect, "$what: no version in common, no connection" );
            is( $c->error->code, 1015, '... code 1015' );
            like( $c->error->message, qr/^\QFailed to connect using ssl to remote host 'localhost' on port '\E\d+\Q': TLS handshake failed: \E/, '... ' . $c->error->message );
        }
        $s->_stop_listening;
    }
    my $c = wss_client( 1, SSL_version => 'TLSv1' );
    ok( !$c->connect, 'a client SSL_version allowing only TLS 1.0: connect fails at once' );
    is( $c->error->code, 1015, '... code 1015' );
    is( $c->error->message, q{Failed to connect using ssl to remote host 'localhost' on port '1': SSL_version "TLSv1" allows neither TLS 1.2 nor TLS 1.3, the versions the engine speaks}, '... saying why' );
    $c = wss_client( 1, SSL_version => 'TLSv2' );
    ok( !$c->connect, 'an unknown name: connect fails' );
    like( $c->error->message, qr/\QUnknown TLS version "TLSv2" in SSL_version "TLSv2"\E/, '... saying why' );
};

subtest 'an IO::Socket::SSL listener served by the engine' => sub
{
    if( !eval{ require IO::Socket::SSL; 1 } )
    {
        plan( skip_all => 'IO::Socket::SSL is not installed' ) if( !$ENV{WEBSOCKET_INTEROP_REQUIRED} );
        fail( 'IO::Socket::SSL is not installed and WEBSOCKET_INTEROP_REQUIRED is set' );
        return;
    }
    for my $leaf ( qw( server rsa ) )
    {
        my $l = IO::Socket::SSL->new(
            Listen        => 5,
            LocalAddr     => '127.0.0.1',
            LocalPort     => 0,
            ReuseAddr     => 1,
            SSL_server    => 1,
            SSL_cert_file => $pki->file( $leaf eq 'server' ? 'server-chain.pem' : "${leaf}.pem" ),
            SSL_key_file  => $pki->file( "${leaf}.key" ),
        ) || die( "IO::Socket::SSL listen: " . IO::Socket::SSL::errstr() );
        my( @got, @mine );
        my $s = WebSocket::Server->new(
            listen      => $l,
            silence_max => 0,
            on_connect  => sub { push( @mine, $_[1] ); $_[1]->on( utf8 => sub { $_[0]->send_utf8( "tls:$_[1]" ) } ); 1 },
        ) || die( WebSocket::Server->error );
        ok( $s->start_listening, "$leaf: the server starts on the IO::Socket::SSL listener" ) || diag( $s->error );
        ok( $s->is_ssl, '... is_ssl' );
        is( $s->port, $l->sockport, '... on its port' );
        my $c = wss_client( $s->port, on_utf8 => sub { push( @got, $_[1] ) } );
        ok( $c->connect, '... our wss client connects' ) || diag( $c->error );
        ok( pump_until( sub { @mine && $mine[0]->is_ready } ), '... ready' );
        like( $mine[0]->request_uri, qr{^wss://}, '... request_uri wss://' );
        $c->send_utf8( 'via IO::Socket::SSL' );
        ok( pump_until( sub { @got } ), '... echo' );
        is( $got[0], 'tls:via IO::Socket::SSL', '... the text' );
        $c->disconnect;
        $s->_stop_listening;
        ok( $l->opened, '... the listener stays the caller\'s' );
        close( $l );
    }
    # What the listener was made with is kept, or the server refuses to start.
    my %base = ( Listen => 5, LocalAddr => '127.0.0.1', LocalPort => 0, ReuseAddr => 1, SSL_server => 1,
        SSL_cert_file => $pki->file( 'server-chain.pem' ), SSL_key_file => $pki->file( 'server.key' ) );
    my $l = IO::Socket::SSL->new( %base, SSL_version => 'TLSv1_3' ) || die( "IO::Socket::SSL listen: " . IO::Socket::SSL::errstr() );
    my @mine;
    my $s = WebSocket::Server->new( listen => $l, silence_max => 0, on_connect => sub { push( @mine, $_[1] ); 1 } ) || die( WebSocket::Server->error );
    ok( $s->start_listening, "a listener made with SSL_version => 'TLSv1_3'" ) || diag( $s->error );
    ok( !wss_client( $s->port, SSL_version => 'TLSv1_2' )->connect, '... refuses a TLS 1.2 client' );
    my $c = wss_client( $s->port );
    ok( $c->connect, '... serves a default client' ) || diag( $c->error );
    is( ( $r->tls_info( $c->{_cid} ) )[0], 'TLSv1.3', '... with TLS 1.3' );
    $c->disconnect;
    $s->_stop_listening;
    close( $l );
    $l = IO::Socket::SSL->new( %base, SSL_verify_mode => IO::Socket::SSL::SSL_VERIFY_PEER() | IO::Socket::SSL::SSL_VERIFY_FAIL_IF_NO_PEER_CERT(),
        SSL_ca_file => $pki->file( 'ca.pem' ) ) || die( "IO::Socket::SSL listen: " . IO::Socket::SSL::errstr() );
    $s = WebSocket::Server->new( listen => $l, silence_max => 0 ) || die( WebSocket::Server->error );
    ok( !$s->start_listening, 'a listener that asks clients for certificates is refused, not served without asking' );
    like( $s->error->message, qr/^\QFailed to start websocket server; the IO::Socket::SSL listener asks clients for certificates (SSL_verify_mode), which the engine's TLS does not do\E/, '... ' . $s->error->message );
    ok( !defined( $s->{_lid} ), '... nothing left listening' );
    close( $l );
};

subtest 'tls_info cipher: the suite an IO::Socket::SSL client negotiated, by its IANA name' => sub
{
    if( !eval{ require IO::Socket::SSL; 1 } )
    {
        plan( skip_all => 'IO::Socket::SSL is not installed' ) if( !$ENV{WEBSOCKET_INTEROP_REQUIRED} );
        fail( 'IO::Socket::SSL is not installed and WEBSOCKET_INTEROP_REQUIRED is set' );
        return;
    }
    # OpenSSL has names of its own for the TLS 1.2 suites (ECDHE-RSA-AES128-GCM-SHA256 for
    # TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256), and get_cipher gives those; its ciphers command
    # lists each suite with both names. (The TLS 1.3 suites have the IANA name in both.)
    my %iana;
    for my $line ( `openssl ciphers -stdname ALL 2>/dev/null` )
    {
        $iana{ $2 } = $1 if( $line =~ /^(TLS_\w+)\s+-\s+(\S+)\s/ );
    }
    is( $iana{'ECDHE-RSA-AES128-GCM-SHA256'}, 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', '`openssl ciphers -stdname` gives the IANA names of OpenSSL\'s suites' ) ||
        diag( 'got ' . scalar( keys( %iana ) ) . ' names' );
    for my $case (
        # server key, the client's SSL_version and what it offers, the suite that must come
        # (undef: whichever the two chose from OpenSSL's defaults)
        [ 'server', 'TLSv1_3', { SSL_ciphersuites => 'TLS_CHACHA20_POLY1305_SHA256' }, 'TLS_CHACHA20_POLY1305_SHA256' ],
        [ 'server', 'TLSv1_3', { SSL_ciphersuites => 'TLS_AES_128_GCM_SHA256' }, 'TLS_AES_128_GCM_SHA256' ],
        [ 'server', 'TLSv1_3', {}, undef ],
        [ 'server', 'TLSv1_2', { SSL_cipher_list => 'ECDHE-ECDSA-CHACHA20-POLY1305' }, 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256' ],
        [ 'server', 'TLSv1_2', {}, undef ],
        [ 'rsa', 'TLSv1_2', { SSL_cipher_list => 'ECDHE-RSA-AES128-GCM-SHA256' }, 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256' ],
        [ 'rsa', 'TLSv1_3', {}, undef ] )
    {
        my( $leaf, $version, $offer, $want ) = @$case;
        my $what = "$leaf key, $version" . join( '', map{ ", $_ $offer->{$_}" } sort( keys( %$offer ) ) );
        my $s = tls_server( $leaf );
        my $ssl = raw_connect( $s->port );
        $ssl->blocking( 0 );
        IO::Socket::SSL->start_SSL( $ssl, SSL_startHandshake => 0, SSL_verifycn_name => 'localhost', SSL_hostname => 'localhost',
            SSL_ca_file => $pki->file( 'ca.pem' ), SSL_verify_mode => IO::Socket::SSL::SSL_VERIFY_PEER(), SSL_version => $version, %$offer ) ||
            die( "start_SSL: " . IO::Socket::SSL::errstr() );
        my $done;
        ok( pump_until( sub { $done ||= $ssl->connect_SSL; $done } ), "$what: IO::Socket::SSL completes the TLS handshake with the engine" ) ||
            diag( IO::Socket::SSL::errstr() );
        my $openssl = $ssl->get_cipher // 'none';
        ( my $v = $ssl->get_sslversion // 'none' ) =~ tr/_/./;
        # The WebSocket handshake, so that the server has a ready connection to ask.
        my $req = raw_request( '/', Host => 'localhost:' . $s->port );
        my $off = 0;
        ok( pump_until( sub
        {
            my $n = syswrite( $ssl, $req, length( $req ) - $off, $off );
            $off += $n if( $n );
            return( $off >= length( $req ) );
        } ), '... the upgrade request is written' );
        ok( pump_until( sub { @conns && $conns[0]->is_ready } ), '... the server has the connection' );
        my $info = ( @conns && $conns[0]->tls_info ) || {};
        is( $info->{version}, $v, "... tls_info version $v, as IO::Socket::SSL says" );
        ok( defined( $iana{ $openssl } ), "... OpenSSL's name $openssl has an IANA name: " . ( $iana{ $openssl } // 'none' ) );
        is( $info->{cipher}, $iana{ $openssl }, "... tls_info cipher is that name" );
        is( $info->{cipher}, $want, "... the suite offered" ) if( defined( $want ) );
        like( $info->{cipher} // '', $version eq 'TLSv1_3' ? $TLS13_SUITE : $leaf eq 'rsa' ? $TLS12_RSA_SUITE : $TLS12_ECDSA_SUITE, '... a suite for that version and key' );
        close( $ssl );
        ok( pump_until( sub { $conns[0]->disconnected } ), '... closed' ) if( @conns );
        $s->_stop_listening;
    }
};

done_testing();
