use strict;
use warnings;
use Test::More;

# Every module of the distribution loads, and the versions of what it runs on are reported.
my @modules = qw(
    WebSocket
    WebSocket::Generic
    WebSocket::Generic::Array
    WebSocket::Generic::Boolean
    WebSocket::Generic::Hash
    WebSocket::Generic::Number
    WebSocket::Generic::Scalar
    WebSocket::Exception
    WebSocket::Frame
    WebSocket::Common
    WebSocket::Request
    WebSocket::Response
    WebSocket::Headers
    WebSocket::HeaderValue
    WebSocket::Extension
    WebSocket::Handshake
    WebSocket::Handshake::Client
    WebSocket::Handshake::Server
    WebSocket::Version
    WebSocket::Loop
);

for my $m ( @modules )
{
    use_ok( $m ) or BAIL_OUT( "cannot load $m" );
}

is( WebSocket::Engine::version(), '0.3.0', 'engine version matches the crate' );
( my $dist = $WebSocket::VERSION ) =~ s/^v//;
is( $dist, WebSocket::Engine::version(), 'Perl distribution and Rust engine share one version' );

diag( sprintf( 'perl %vd on %s; WebSocket %s; engine %s', $^V, $^O, $WebSocket::VERSION, WebSocket::Engine::version() ) );
for my $dep ( qw( HTTP::Headers URI DateTime JSON Devel::StackTrace ) )
{
    no strict 'refs';
    eval( "require $dep; 1" ) or next;
    diag( "$dep " . ( ${"${dep}::VERSION"} // '?' ) );
}

done_testing();
