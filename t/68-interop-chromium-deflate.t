use strict;
use warnings;
use FindBin ();
use lib "$FindBin::Bin/interop", "$FindBin::Bin/lib";
use Test::More;
use Interop;

# permessage-deflate with headless Chromium (Debian's chromium, driven by playwright-core),
# which offers it on every connection. The page of t/64-interop-chromium.t sends text with
# non-ASCII UTF-8, all 256 byte values and two messages over 64 KiB (above the default
# compression threshold, 10240 bytes: our side sends their echoes compressed), checks the echoes
# and closes with 1000 'bye'; it also reports WebSocket.extensions, what the server's answer
# accepted.
#   1. examples/echo-server.pl --deflate: the page sees permessage-deflate negotiated.
#   2. our server of t/interop/Interop.pm with extensions => 'permessage-deflate': the page and
#      our side ($conn->extensions) report the same permessage-deflate.
#   In both, the page connects through a relay that counts the bytes (Interop::relay): far
#   fewer than the messages' each way, so compressed frames flowed both ways.
#   3. the same over wss://, with the test CA's certificate for localhost (t/lib/TestTLS.pm).
#      Chromium is given no CA: it is launched with --ignore-certificate-errors-spki-list=HASH,
#      the SHA-256 of the server key's SubjectPublicKeyInfo, which makes it accept that key's
#      certificate (a pin, not verification switched off), and
#   4. the same server and page without the pin: Chromium refuses the certificate (the
#      connection fails with 1006), so the pin is what made run 3 work.

Interop::need_chromium();

my $top = "$FindBin::Bin/..";
my $deflate = qr/^permessage-deflate(?:\s*;|\s*$)/;

Interop::chromium_with( 'our echo server (examples/echo-server.pl --deflate)',
    [ $^X, "-I$top/blib/lib", "-I$top/blib/arch", "$top/examples/echo-server.pl", '--host', '127.0.0.1', '--port', 0, '--deflate' ],
    extensions => $deflate, relay => 'compressed', label => 'permessage-deflate' );

Interop::chromium_with( 'our server', { code => Interop::our_server( extensions => 'permessage-deflate' ) },
    extensions => $deflate, relay => 'compressed', label => 'permessage-deflate' );

SKIP:
{
    require TestTLS;
    if( !TestTLS::openssl_ok() )
    {
        fail( 'the openssl command is missing for the wss:// runs; WEBSOCKET_INTEROP_REQUIRED is set' ) if( Interop::required() );
        skip( 'the openssl command is not installed (apt-get install openssl): no wss:// run', 2 );
    }
    my $pki = TestTLS->new;
    my %tls = ( SSL_cert_file => $pki->file( 'server-chain.pem' ), SSL_key_file => $pki->file( 'server.key' ), extensions => 'permessage-deflate' );
    my $spki = Interop::spki_hash( $pki->file( 'server.key' ) );
    note( "SPKI pin of the server key: $spki" );
    my $url = sub{ "wss://localhost:$_[0]/" };
    Interop::chromium_with( 'our server', { code => Interop::our_server( %tls ) },
        url => $url, spki => $spki, extensions => $deflate, label => 'wss:// (certificate pinned by its key) and permessage-deflate' );
    Interop::chromium_with( 'our server', { code => Interop::our_server( %tls ) },
        url => $url, refused => 1, label => 'wss:// without the pin: Chromium refuses the test certificate' );
}

done_testing;
