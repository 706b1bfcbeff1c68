#!perl
# The code of the SECURITY CONSIDERATIONS section of lib/WebSocket.pm (steps 5 and 6) is taken
# from the POD as it is and run: a server checking Origin, the session cookie and the CSRF
# token at the handshake and the token in every message. The documentation must not drift
# from what works.
use strict;
use warnings;
use Test::More;
use Digest::SHA qw( hmac_sha256_hex );
use JSON ();
use lib 't/lib';
use TestServer qw( server_in_child );
use WebSocket::Client;

my $pod = do { local $/; open( my $fh, '<', 'lib/WebSocket.pm' ) || die( "lib/WebSocket.pm: $!" ); <$fh> };
my( $step5 ) = $pod =~ /^=head2 5\.(.*?)^=head2 6\./ms;
my( $step6 ) = $pod =~ /^=head2 6\.(.*?)^=head2 7\./ms;
ok( defined( $step5 ) && defined( $step6 ), 'steps 5 and 6 found in the POD' ) || BAIL_OUT( 'POD layout changed' );
# The verbatim paragraphs of a section, unindented.
sub code_of { return( join( '', map { s/^    //mgr } ( $_[0] =~ /((?:^    .*\n|^\n)+)/mg ) ) ) }
my $server_code  = code_of( $step5 );
my $message_code = code_of( $step6 );

# What the POD leaves to the reader: the port and TLS files, the session lookup, the secret,
# what an accepted message does (here: answer "ok USER").
like( $server_code, qr/listen\s+=> 8443,/, 'the server example listens' );
$server_code =~ s/^\s*listen\s+=> 8443,\n//m;
$server_code =~ s/^\s*SSL_(?:cert|key)_file\s+=>.*\n//mg;
ok( $server_code =~ s/(\$conn->on\(\n)/$1 utf8 => \$ON_UTF8,\n/, 'the handshake example sets callbacks with on()' );
ok( $message_code =~ s/# \.\.\. act for \$user \.\.\./\$conn->send_utf8( "ok \$user" );/, 'the message example has its placeholder' );
ok( $message_code =~ s/\A\s*\$conn->on\( utf8 => (sub\b.*\})\);\s*\z/$1/s, 'the message example is one utf8 callback' );

our $secret = 'the server secret';
sub session_user { my $cookie = shift( @_ ) // ''; return( $cookie =~ /\bsid=(\w+)/ ? $1 : undef ) }
my( $pid, $port ) = server_in_child( sub
{
    # The POD's code, compiled here; it ends with "my $server = WebSocket::Server->new( ... );",
    # whose arguments are taken back as the options of the server in the child.
    my $code = "package main; no strict 'vars'; use JSON ();\n$server_code\nour \$ON_UTF8 = $message_code;\n1;";
    my @options;
    require WebSocket::Server;    # loaded before new is replaced for the eval
    no warnings 'redefine';
    local *WebSocket::Server::new = sub { shift( @_ ); @options = @_; return( bless( {}, 'WebSocket::Server' ) ) };
    eval( $code ) || die( "the POD's code failed: $@" );
    return( @options );
} );
ok( $port, 'the POD server listens' ) || BAIL_OUT( 'no server' );

sub token { my( $user, $expires ) = @_; return( hmac_sha256_hex( join( ';', 'csrf', $user, $expires ), 'the server secret' ) . ".$expires" ) }

# Connects, sends one message, returns what happened as a string.
sub attempt
{
    my %a = @_;
    my @got;
    my $client = WebSocket::Client->new( "ws://127.0.0.1:$port/ws?csrf=" . ( $a{token} // '' ), {
        ( defined( $a{origin} ) ? ( origin => $a{origin} ) : () ),
        ( defined( $a{cookie} ) ? ( cookie => $a{cookie} ) : () ),
        on_utf8       => sub { push( @got, $_[1] ); $_[0]->disconnect( 1000 ) if( $_[1] =~ /^ok / ) },
        on_disconnect => sub { push( @got, "close $_[1]" ) },
    }) || die( WebSocket::Client->error );
    return( 'refused ' . $client->error->code ) if( !$client->connect );
    $client->send_utf8( $a{message} // '{}' );
    local $SIG{ALRM} = sub { die( "timeout\n" ) };
    alarm( 10 );
    $client->start;
    alarm( 0 );
    return( join( ' | ', @got ) );
}

my $ok      = 'https://example.com';
my $later   = time() + 60;
my $alice   = token( alice => $later );
my $message = sub { '{"csrf":"' . $_[0] . '","text":"hi"}' };

is( attempt( origin => $ok, cookie => 'sid=alice', token => $alice, message => $message->( $alice ) ),
    'ok alice | close 1000', 'valid origin, cookie and token: accepted, the message acted on' );
is( attempt( origin => 'https://evil.example', cookie => 'sid=alice', token => $alice ),
    'refused 403', 'RFC 6455 10.2: another origin: 403 at the handshake' );
is( attempt( cookie => 'sid=alice', token => $alice ), 'refused 403', 'the client default origin (not allowed): 403' );
is( attempt( origin => $ok, token => $alice ), 'refused 403', 'no session cookie: 403' );
is( attempt( origin => $ok, cookie => 'sid=alice', token => token( bob => $later ) ), 'refused 403', "another user's token: 403" );
is( attempt( origin => $ok, cookie => 'sid=alice', token => token( alice => time() - 1 ) ), 'refused 403', 'an expired token: 403' );
is( attempt( origin => $ok, cookie => 'sid=alice', token => "${alice}x" ), 'refused 403', 'a malformed token: 403' );
my $forged = ( 'f' x 64 ) . ".$later";
is( attempt( origin => $ok, cookie => 'sid=alice', token => $forged ), 'refused 403', 'a forged token: 403' );
my $refusal = '{"code":403,"message":"You do not have permission to access this websocket."}';
for my $case (
    [ "another user's token in a message", $message->( token( bob => $later ) ) ],
    [ 'an expired token in a message',     $message->( token( alice => time() - 1 ) ) ],
    [ 'no token in a message',             '{"text":"hi"}' ],
    [ 'a message that is not JSON',        'hi' ] )
{
    my $got = attempt( origin => $ok, cookie => 'sid=alice', token => $alice, message => $case->[1] );
    like( $got, qr/\A\{.*\} \| close 1008\z/, "$case->[0]: an error message, then close 1008" );
    my( $json ) = $got =~ /\A(\{.*\})/;
    is_deeply( JSON->new->decode( $json // '{}' ), JSON->new->decode( $refusal ), "$case->[0]: the 403 message" );
}

kill( 'TERM', $pid );
waitpid( $pid, 0 );
done_testing;
