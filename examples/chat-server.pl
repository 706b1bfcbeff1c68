#!/usr/bin/perl
# A chat server with its browser page: see the POD at the end, or perldoc examples/chat-server.pl
#
#   perl -Mblib examples/chat-server.pl [--host 127.0.0.1] [--port 8080] [--http-port 8081]
use strict;
use warnings;
use Errno ();
use FindBin ();
use Getopt::Long ();
use HTTP::Date ();
use HTTP::Response;
use IO::Socket::IP;
use JSON ();
use Scalar::Util ();
use Time::HiRes ();
use URI;
use WebSocket::Server;

my $host       = '127.0.0.1';
my $port       = 8080;
my $http_port;
my $max_length = 500;
my $page_file  = "$FindBin::Bin/chat.html";
Getopt::Long::GetOptions(
    'host=s'       => \$host,
    'port=i'       => \$port,
    'http-port=i'  => \$http_port,
    'max-length=i' => \$max_length,
    'page=s'       => \$page_file,
) || die( "Usage: $0 [--host 127.0.0.1] [--port 8080] [--http-port PORT] [--max-length CHARS] [--page FILE]\n" );
die( "--max-length must be at least 1\n" ) if( $max_length < 1 );
# By default the page is served on the next port; with --port 0 the system picks both.
$http_port //= $port ? $port + 1 : 0;

my $NICK_MAX = 24;
# Seconds an HTTP client may take to send its request and read the answer.
my $HTTP_TIMEOUT = 10;
my $HTTP_MAX_CLIENTS = 64;

my $page = do
{
    open( my $fh, '<:raw', $page_file ) || die( "Cannot read the page $page_file: $!\n" );
    local $/;
    <$fh>;
};

# Both listeners are open before the server starts, so that the addresses can be announced
# (and the ports chosen by the system with 0 known); connections wait in the backlog meanwhile.
my $ws_sock = IO::Socket::IP->new(
    LocalHost => $host,
    LocalPort => $port,
    Listen    => 128,
    ReuseAddr => 1,
) || die( "Cannot listen on ${host}:${port}: $@\n" );
my $http_sock = IO::Socket::IP->new(
    LocalHost => $host,
    LocalPort => $http_port,
    Listen    => 128,
    ReuseAddr => 1,
    Blocking  => 0,
) || die( "Cannot listen on ${host}:${http_port}: $@\n" );

# The page learns the WebSocket port from this meta element; it takes the host from its own
# address, so it works whichever name the browser used to reach us.
my $ws_port = $ws_sock->sockport;
$page =~ s{(<meta name="chat-websocket-port" content=")[^"]*(")}{$1$ws_port$2}
    || die( "The page $page_file has no <meta name=\"chat-websocket-port\" content=\"\"> element\n" );

# ---------------------------------------------------------------------------
# The chat
# ---------------------------------------------------------------------------
# Clients send text messages: the first one is the nickname (unless the URL had ?nick=...
# and it was accepted), every later one is a line of chat. The server answers in JSON; see
# the POD for the messages.
my $json = JSON->new->canonical;    # character strings: send_utf8 does the encoding
my %member;                          # lc( nick ) => connection, for the members who joined
my %nick_of;                         # refaddr( connection ) => nick

sub now_ms { return( int( Time::HiRes::time() * 1000 ) ); }

sub users { return( [ sort{ lc( $a ) cmp lc( $b ) || $a cmp $b } values( %nick_of ) ] ); }

sub can_send
{
    my $conn = shift( @_ );
    return( $conn->is_ready && !$conn->disconnecting && !$conn->disconnected );
}

sub send_json
{
    my( $conn, %msg ) = @_;
    return if( !can_send( $conn ) );
    defined( $conn->send_utf8( $json->encode( \%msg ) ) ) ||
        warn( "Cannot send to ", $conn->ip // '?', ": ", $conn->error, "\n" );
}

sub broadcast
{
    my %msg = @_;
    my $text = $json->encode( \%msg );
    for my $conn ( values( %member ) )
    {
        next if( !can_send( $conn ) );
        defined( $conn->send_utf8( $text ) ) ||
            warn( "Cannot send to ", $conn->ip // '?', ": ", $conn->error, "\n" );
    }
}

# Returns the nickname, trimmed, or ( undef, $code, $explanation ).
sub check_nick
{
    my $nick = shift( @_ ) // '';
    $nick =~ s/\A\s+|\s+\z//g;
    return( undef, 'bad_nick', 'Choose a nickname.' ) if( !length( $nick ) );
    return( undef, 'bad_nick', "A nickname has at most $NICK_MAX characters." ) if( length( $nick ) > $NICK_MAX );
    return( undef, 'bad_nick', 'A nickname may contain only letters, digits, "-", "_" and ".".' )
        if( $nick !~ /\A[\p{L}\p{N}_.\-]+\z/ );
    return( undef, 'nick_taken', "The nickname \"$nick\" is taken; choose another one." ) if( $member{ lc( $nick ) } );
    return( $nick );
}

sub join_chat
{
    my( $conn, $wanted ) = @_;
    my( $nick, $code, $why ) = check_nick( $wanted );
    if( !defined( $nick ) )
    {
        send_json( $conn, type => 'error', code => $code, text => $why );
        return;
    }
    $member{ lc( $nick ) } = $conn;
    $nick_of{ Scalar::Util::refaddr( $conn ) } = $nick;
    my $users = users();
    send_json( $conn, type => 'welcome', nick => $nick, users => $users, ts => now_ms() );
    broadcast( type => 'join', nick => $nick, users => $users, ts => now_ms() );
    return( $nick );
}

sub say_line
{
    my( $conn, $nick, $text ) = @_;
    my $n = length( $text );
    if( $n > $max_length )
    {
        send_json( $conn, type => 'error', code => 'too_long',
            text => "Message not sent: it has $n characters and the limit is $max_length." );
        return;
    }
    # Control characters other than tab and newline have no place in a chat line.
    $text =~ tr/\x00-\x08\x0b-\x1f\x7f//d;
    if( $text !~ /\S/ )
    {
        send_json( $conn, type => 'error', code => 'empty', text => 'Message not sent: it is empty.' );
        return;
    }
    broadcast( type => 'message', nick => $nick, text => $text, ts => now_ms() );
}

sub leave_chat
{
    my $conn = shift( @_ );
    my $nick = delete( $nick_of{ Scalar::Util::refaddr( $conn ) } ) // return;
    delete( $member{ lc( $nick ) } );
    broadcast( type => 'leave', nick => $nick, users => users(), ts => now_ms() );
}

my $server = WebSocket::Server->new(
    listen       => $ws_sock,
    # Keep-alive pings every 20 seconds of silence; a client that does not answer within
    # 30 seconds is gone, and leaves the chat.
    silence_max  => 20,
    pong_timeout => 30,
    # For the idle HTTP clients (below).
    tick_period  => 2,
    on_connect   => sub
    {
        my( $server, $conn ) = @_;
        # The engine refuses larger messages (closing with 1009) before they are buffered;
        # up to that size, a message over --max-length gets a clear error instead.
        my $limit = 4 * $max_length + 1024;
        $conn->max_recv_size( $limit < 65536 ? 65536 : $limit );
        # A join notice carries the list of everyone online.
        $conn->max_send_size( 0 );
        $conn->on(
            ready => sub
            {
                my( $conn ) = @_;
                send_json( $conn, type => 'hello', max_length => $max_length, max_nick_length => $NICK_MAX, users => users() );
                # ws://host:port/?nick=alice joins at once.
                my %q = eval{ $conn->request_uri->query_form };
                if( defined( $q{nick} ) )
                {
                    my $nick = $q{nick};
                    utf8::decode( $nick );
                    join_chat( $conn, $nick );
                }
            },
            utf8 => sub
            {
                my( $conn, $text ) = @_;
                my $nick = $nick_of{ Scalar::Util::refaddr( $conn ) };
                return( join_chat( $conn, $text ) ) if( !defined( $nick ) );
                say_line( $conn, $nick, $text );
            },
            binary => sub
            {
                my( $conn ) = @_;
                send_json( $conn, type => 'error', code => 'binary', text => 'This chat understands text messages only.' );
            },
            disconnect => sub
            {
                my( $conn, $code, $reason ) = @_;
                leave_chat( $conn );
            },
        );
        return( 1 );
    },
    on_tick => \&http_reap,
) || die( WebSocket::Server->error, "\n" );

# ---------------------------------------------------------------------------
# The page, over plain HTTP on its own port
# ---------------------------------------------------------------------------
# The engine answers every request on the WebSocket port itself, and a request without
# "Upgrade: websocket" gets a 400 before any Perl code sees it, so the page cannot be served
# there. This listener runs in the same loop through watch_readable and watch_writable: one
# request per connection, answered and closed.
my %http;    # fileno => { fh, in, out, since }

sub http_accept
{
    my( $server, $listener ) = @_;
    my $fh = $listener->accept || return;
    if( keys( %http ) >= $HTTP_MAX_CLIENTS )
    {
        close( $fh );
        return;
    }
    $fh->blocking( 0 );
    $http{ fileno( $fh ) } = { fh => $fh, in => '', out => '', since => time() };
    $server->watch_readable( $fh => \&http_read );
}

sub http_read
{
    my( $server, $fh ) = @_;
    my $st = $http{ fileno( $fh ) } || return( http_close( $server, $fh ) );
    my $n = sysread( $fh, my $buf, 8192 );
    if( !defined( $n ) )
    {
        return if( $!{EAGAIN} || $!{EWOULDBLOCK} || $!{EINTR} );
        return( http_close( $server, $fh ) );
    }
    return( http_close( $server, $fh ) ) if( !$n );
    $st->{in} .= $buf;
    if( $st->{in} =~ /\r?\n\r?\n/ )
    {
        http_answer( $server, $st, http_response( $st ) );
    }
    elsif( length( $st->{in} ) > 16384 )
    {
        http_answer( $server, $st, http_text( 431, "Request header fields too large\n" ) );
    }
}

sub http_text
{
    my( $code, $text, @headers ) = @_;
    return( HTTP::Response->new( $code, undef, [ 'Content-Type' => 'text/plain; charset=utf-8', @headers ], $text ) );
}

# The answer to the request held in $st->{in}, as an HTTP::Response.
sub http_response
{
    my $st = shift( @_ );
    my( $method, $target ) = $st->{in} =~ m{\A([A-Z]+) +(\S+) +HTTP/1\.[01]\r?\n};
    return( http_text( 400, "Bad request\n" ) ) if( !defined( $method ) );
    $st->{head} = $method eq 'HEAD' ? 1 : 0;
    my $path = URI->new( $target )->path;
    return( http_text( 404, "Not found\n" ) ) if( $path ne '/' && $path ne '/chat.html' && $path ne '/index.html' );
    return( http_text( 405, "Method not allowed\n", Allow => 'GET, HEAD' ) ) if( $method ne 'GET' && $method ne 'HEAD' );
    my $res = HTTP::Response->new( 200, undef, [
        'Content-Type'            => 'text/html; charset=utf-8',
        'Cache-Control'           => 'no-cache',
        # The page is self-contained: its own inline script and style, WebSocket connections.
        'Content-Security-Policy' => "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src ws: wss:; img-src data:; base-uri 'none'; form-action 'none'",
        'X-Content-Type-Options'  => 'nosniff',
        'Referrer-Policy'         => 'no-referrer',
    ], $page );
    return( $res );
}

sub http_answer
{
    my( $server, $st, $res ) = @_;
    my $fh = $st->{fh};
    $server->unwatch_readable( $fh );
    $res->protocol( 'HTTP/1.1' );
    $res->header( 'Content-Length' => length( $res->content ) );
    $res->header( 'Connection' => 'close' );
    $res->header( 'Date' => HTTP::Date::time2str() );
    $res->header( 'Server' => 'WebSocket chat example' );
    # HEAD: the same header, no body.
    $res->content( '' ) if( $st->{head} );
    $st->{out} = $res->as_string( "\x0d\x0a" );
    http_write( $server, $fh );
    # What the socket could not take at once goes when it is writable again.
    $server->watch_writable( $fh => \&http_write ) if( $fh->opened && length( $st->{out} ) );
}

sub http_write
{
    my( $server, $fh ) = @_;
    my $st = $http{ fileno( $fh ) } || return( http_close( $server, $fh ) );
    my $n = syswrite( $fh, $st->{out} );
    if( !defined( $n ) )
    {
        return if( $!{EAGAIN} || $!{EWOULDBLOCK} || $!{EINTR} );
        return( http_close( $server, $fh ) );
    }
    substr( $st->{out}, 0, $n, '' );
    return( http_close( $server, $fh ) ) if( !length( $st->{out} ) );
}

sub http_close
{
    my( $server, $fh ) = @_;
    $server->unwatch_readable( $fh );
    $server->unwatch_writable( $fh );
    delete( $http{ fileno( $fh ) } ) if( defined( fileno( $fh ) ) );
    close( $fh );
}

# Called every tick: HTTP clients that have not finished within the time allowed are closed.
sub http_reap
{
    my( $server ) = @_;
    my $old = time() - $HTTP_TIMEOUT;
    http_close( $server, $_->{fh} ) for( grep{ $_->{since} < $old } values( %http ) );
}

$server->watch_readable( $http_sock => \&http_accept );

my $shown = $host =~ /:/ ? "[$host]" : $host;
$| = 1;
print( "listening on ws://${shown}:${ws_port}/\n" );
print( "page at http://${shown}:", $http_sock->sockport, "/\n" );

$SIG{TERM} = $SIG{INT} = sub { $server->shutdown };
$server->start || die( $server->error, "\n" );
http_close( $server, $_->{fh} ) for( values( %http ) );
close( $http_sock );

__END__

=encoding utf-8

=head1 NAME

chat-server.pl - a chat room for browsers, on WebSocket::Server

=head1 SYNOPSIS

    perl -Mblib examples/chat-server.pl [--host 127.0.0.1] [--port 8080] [--http-port 8081]
                                        [--max-length 500] [--page examples/chat.html]

    listening on ws://127.0.0.1:8080/
    page at http://127.0.0.1:8081/

Open the page address in a few browser windows, pick a nickname in each, and talk.

=head1 DESCRIPTION

One process, two listeners. The WebSocket server (L<WebSocket::Server>) carries the chat on
C<--port>. The page, F<examples/chat.html>, is served over plain HTTP on C<--http-port>
(by default the next port; with C<--port 0> the system chooses both). The page cannot share
the WebSocket port: the engine answers every request there itself, and turns away a request
that is not a WebSocket upgrade before any Perl code runs. The HTTP side is a few dozen lines
in this file, run by the same loop through the server's C<watch_readable> and
C<watch_writable>; it answers C<GET /> and C<HEAD /> with the page (in which it writes the
WebSocket port), anything else with 404 or 405, and closes each connection after one answer.

The program prints the two addresses once both listeners are open, then runs until it gets
SIGINT or SIGTERM, when it closes every WebSocket connection with code 1001.

=head2 Options

=over 4

=item C<--host ADDRESS>

The address of both listeners. Default: C<127.0.0.1>. Use C<0.0.0.0> to let other machines
in; there is no authentication of any kind, and any web origin may connect.

=item C<--port PORT>

The WebSocket port. Default: 8080; 0 lets the system choose.

=item C<--http-port PORT>

The port of the page. Default: the WebSocket port plus one, or 0 with C<--port 0>.

=item C<--max-length CHARS>

The longest chat line, in characters. Default: 500.

=item C<--page FILE>

The page to serve. Default: F<chat.html> next to this program. It must contain
C<< <meta name="chat-websocket-port" content=""> >>, where the port is written.

=back

=head2 The protocol

A client speaks plain text. The first text message it sends is the nickname it wants, unless
its URL carried one (C<ws://127.0.0.1:8080/?nick=alice>) that was accepted; every text message
after that is a line of chat. A nickname has 1 to 24 letters, digits, C<->, C<_> or C<.>
(after trimming spaces), and no two members may have the same one, ignoring case.

The server answers with text messages holding JSON objects; C<ts> is the server's time in
milliseconds since the epoch, and C<users> the sorted nicknames of everyone in the room:

=over 4

=item C<{"type":"hello","max_length":500,"max_nick_length":24,"users":[...]}>

to a client as soon as it is connected.

=item C<{"type":"welcome","nick":"alice","users":[...],"ts":...}>

to a client whose nickname was accepted.

=item C<{"type":"join","nick":"alice","users":[...],"ts":...}>

to every member, the newcomer included, when someone joins.

=item C<{"type":"message","nick":"alice","text":"hello","ts":...}>

to every member, the sender included, for each line of chat. Control characters other than
tab and newline are removed from the text.

=item C<{"type":"leave","nick":"alice","users":[...],"ts":...}>

to the remaining members when someone's connection ends, however it ends.

=item C<{"type":"error","code":"...","text":"..."}>

to the client alone, when something it sent was refused; C<text> says why in words a person
can read. The codes: C<bad_nick> and C<nick_taken> (the client may send another nickname),
C<too_long> (a line over C<--max-length> characters), C<empty> (a line with nothing but
spaces), C<binary> (a binary message).

=back

A message larger than C<4 * --max-length + 1024> bytes, and at least 64 KiB, is not read at
all: the engine closes the connection with 1009 (message too big).

The page puts everything that came from users in the document as text (C<textContent>),
never as HTML, and is sent with a Content-Security-Policy that allows only its own inline
script and style and WebSocket connections.

=head1 SEE ALSO

F<examples/echo-server.pl>, L<WebSocket::Server>, L<WebSocket::Connection>,
F<t/45-example-chat.t> (which drives this program with two L<WebSocket::Client>s)

=cut
