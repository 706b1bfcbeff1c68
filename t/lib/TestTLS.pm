package TestTLS;
use strict;
use warnings;
use File::Spec ();
use File::Temp ();
use Test::More ();

# A throwaway PKI for the wss:// tests, made at test time with the openssl command in a
# temporary directory (removed when the object goes):
#   ca          the test CA (ca.pem, ca.key)
#   server      a certificate for localhost and 127.0.0.1, signed by the CA (server.pem, server.key;
#               server-chain.pem holds the certificate and the CA)
#   other       signed by the CA, for other.example only (other.pem, other.key)
#   expired     signed by the CA for localhost and 127.0.0.1, no longer valid (expired.pem, expired.key)
#   rogue       a certificate for localhost signed by a second CA nobody trusts (rogue.pem, rogue.key)
#   rsa         an RSA key and certificate for localhost, signed by the CA (rsa.pem, rsa.key)
# Every file name is a method: $pki->file( 'ca.pem' ) is its path, $pki->pem( 'ca.pem' ) its text.

sub openssl_ok
{
    my $out = `openssl version 2>/dev/null`;
    return( ( $? == 0 && defined( $out ) && $out =~ /SSL/ ) ? 1 : 0 );
}

# Skip the whole test file without openssl (fail instead when WEBSOCKET_INTEROP_REQUIRED is set,
# as in CI, where .ci/install-peers installs it).
sub need_openssl
{
    return( 1 ) if( openssl_ok() );
    my $why = 'the openssl command is not installed (apt-get install openssl, or run .ci/install-peers)';
    Test::More::plan( skip_all => $why ) if( !$ENV{WEBSOCKET_INTEROP_REQUIRED} );
    Test::More::plan( tests => 1 );
    Test::More::fail( "$why; WEBSOCKET_INTEROP_REQUIRED is set, so this is a failure" );
    exit( 1 );
}

sub new
{
    my $class = shift( @_ );
    my $dir = File::Temp->newdir( 'ws-tls-XXXXXX', TMPDIR => 1 );
    my $self = bless( { dir => $dir }, $class );
    my $ext_local = $self->_write( 'local.ext', "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n" );
    my $ext_other = $self->_write( 'other.ext', "subjectAltName=DNS:other.example\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n" );
    $self->_ca( 'ca', 'WebSocket test CA' );
    $self->_ca( 'rogue-ca', 'Nobody trusts this CA' );
    $self->_leaf( 'server', 'localhost', 'ca', $ext_local, 30 );
    $self->_leaf( 'other', 'other.example', 'ca', $ext_other, 30 );
    $self->_leaf( 'expired', 'localhost', 'ca', $ext_local, -1 );
    $self->_leaf( 'rogue', 'localhost', 'rogue-ca', $ext_local, 30 );
    $self->_leaf( 'rsa', 'localhost', 'ca', $ext_local, 30, 'rsa:2048' );
    $self->_write( 'server-chain.pem', $self->pem( 'server.pem' ) . $self->pem( 'ca.pem' ) );
    return( $self );
}

sub dir { return( "$_[0]->{dir}" ); }

sub file { return( File::Spec->catfile( "$_[0]->{dir}", $_[1] ) ); }

sub pem
{
    my( $self, $name ) = @_;
    open( my $fh, '<', $self->file( $name ) ) || die( "TestTLS: $name: $!" );
    local $/;
    return( scalar( <$fh> ) );
}

sub _write
{
    my( $self, $name, $text ) = @_;
    my $path = $self->file( $name );
    open( my $fh, '>', $path ) || die( "TestTLS: $path: $!" );
    print( $fh $text );
    close( $fh );
    return( $path );
}

sub _openssl
{
    my( $self, @args ) = @_;
    my $log = $self->file( 'openssl.log' );
    my $rc = system( 'sh', '-c', 'exec openssl "$@" >>"$0" 2>&1', $log, @args );
    die( "TestTLS: openssl @args failed:\n" . $self->pem( 'openssl.log' ) ) if( $rc != 0 );
    return( 1 );
}

sub _key_args
{
    my $type = shift( @_ ) // 'ec';
    return( $type eq 'ec' ? ( '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256' ) : ( '-newkey', $type ) );
}

sub _ca
{
    my( $self, $name, $cn ) = @_;
    $self->_openssl( 'req', '-x509', _key_args(), '-nodes', '-keyout', $self->file( "$name.key" ),
        '-out', $self->file( "$name.pem" ), '-days', 30, '-subj', "/CN=$cn", '-extensions', 'v3_ca',
        '-addext', 'keyUsage=critical,keyCertSign,cRLSign' );
    return( 1 );
}

# A certificate for $cn signed by $ca, valid for $days days (negative: already expired).
sub _leaf
{
    my( $self, $name, $cn, $ca, $ext, $days, $keytype ) = @_;
    $self->_openssl( 'req', _key_args( $keytype ), '-nodes', '-keyout', $self->file( "$name.key" ),
        '-out', $self->file( "$name.csr" ), '-subj', "/CN=$cn" );
    $self->_openssl( 'x509', '-req', '-in', $self->file( "$name.csr" ), '-CA', $self->file( "$ca.pem" ),
        '-CAkey', $self->file( "$ca.key" ), '-CAcreateserial', '-out', $self->file( "$name.pem" ),
        '-days', $days, '-extfile', $ext );
    return( 1 );
}

1;
