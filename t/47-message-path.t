use strict;
use warnings;
use lib 't/lib';
use Test::More;
use Encode ();
use POSIX ();
use TestServer;
use WebSocket::Server;
use WebSocket::Connection;
use WebSocket::Loop;

# The per-message path: run_once hands a message of a WebSocket::Connection straight to its
# on_utf8 / on_binary callback, and send_utf8 / send_binary queue a plain string in one step.
# Both must behave exactly as the full paths (_engine_event, send) they stand in for.

alarm( 120 );
my @warnings;
$SIG{__WARN__} = sub { push( @warnings, $_[0] ) };

my @conns;
sub connect_one
{
    my $s = collecting_server( \@conns, { connection_class => shift( @_ ) // 'WebSocket::Connection' }, @_ );
    my( $sock, $code ) = raw_handshake( $s->port, '/' );
    is( $code, 101, 'handshake' );
    ok( pump_until( sub { @conns && $conns[0]->is_ready } ), 'ready' );
    return( $s, $sock, $conns[0] );
}

subtest 'messages reach the callbacks decoded as utf8::decode would' => sub
{
    my( @utf8, @bin );
    my( $s, $sock, $c ) = connect_one( undef,
        utf8   => sub { push( @utf8, $_[1] ) },
        binary => sub { push( @bin, $_[1] ) },
    );
    send_frame( $sock, 1, 'plain ascii' );
    send_frame( $sock, 1, Encode::encode( 'UTF-8', "caf\x{e9} \x{263a}" ) );
    send_frame( $sock, 1, '' );
    send_frame( $sock, 2, "\x00\xc3\xa9\xff" );
    send_frame( $sock, 2, '' );
    ok( pump_until( sub { @utf8 == 3 && @bin == 2 } ), 'three texts, two binaries' );
    is( $utf8[0], 'plain ascii', 'ASCII text' );
    ok( !utf8::is_utf8( $utf8[0] ), '... without the UTF-8 flag, as utf8::decode leaves it' );
    is( $utf8[1], "caf\x{e9} \x{263a}", 'text with non-ASCII characters' );
    ok( utf8::is_utf8( $utf8[1] ), '... as characters' );
    is( $utf8[2], '', 'empty text' );
    is( $bin[0], "\x00\xc3\xa9\xff", 'binary: the bytes' );
    ok( !utf8::is_utf8( $bin[0] ), '... never decoded' );
    is( $bin[1], '', 'empty binary' );
    $s->_stop_listening;
};

subtest 'a message with no callback set, and callbacks changed between messages' => sub
{
    my @got;
    my( $s, $sock, $c ) = connect_one();
    send_frame( $sock, 1, 'nobody listens' );
    pump( 0.1 );
    $c->on( utf8 => sub { push( @got, "a:$_[1]" ) } );
    send_frame( $sock, 1, 'one' );
    ok( pump_until( sub { @got == 1 } ), 'the callback set after the first message hears the second' );
    $c->on_utf8( sub { push( @got, "b:$_[1]" ) } );
    send_frame( $sock, 1, 'two' );
    ok( pump_until( sub { @got == 2 } ), 'the replaced callback' );
    is_deeply( \@got, [ 'a:one', 'b:two' ], 'each message to the callback of its time' );
    $s->_stop_listening;
};

subtest 'a dying callback: warned about, $@ of the caller kept, next message delivered' => sub
{
    my @got;
    my( $s, $sock, $c ) = connect_one( undef,
        utf8   => sub { die( "boom\n" ) if( $_[1] eq 'die' ); push( @got, $_[1] ) },
        binary => sub { die( "bang\n" ) },
    );
    local $s->{_warnings} = 1;
    @warnings = ();
    $@ = 'outer';
    send_frame( $sock, 1, 'die' );
    send_frame( $sock, 2, 'x' );
    send_frame( $sock, 1, 'after' );
    ok( pump_until( sub { @got } ), 'the message after the failures arrives' );
    is( $@, 'outer', '$@ of the code turning the loop is untouched' );
    for my $before ( undef, '' )
    {
        my $n = @got;
        $@ = $before;
        send_frame( $sock, 1, 'die' );
        send_frame( $sock, 1, 'fine' );
        ok( pump_until( sub { @got > $n } ), 'a failing and a good message' );
        is( $@, $before, '... $@ is ' . ( defined( $before ) ? 'empty' : 'undef' ) . ' again afterwards' );
    }
    is_deeply( [ grep{ /callback/ } @warnings ],
        [ "Error calling the utf8 callback: boom\n", "Error calling the binary callback: bang\n", ( "Error calling the utf8 callback: boom\n" ) x 2 ],
        'one warning per failure, naming the callback' );
    ok( $c->is_ready, 'the connection stays open' );
    $s->_stop_listening;
};

{
    package My::CountingConn;
    our @ISA = ( 'WebSocket::Connection' );
    our @seen;
    sub _engine_event
    {
        my( $self, $ev ) = @_;
        push( @seen, $ev->[0] );
        return( $self->SUPER::_engine_event( $ev ) );
    }
}

subtest 'a connection class that overrides _engine_event gets the messages there' => sub
{
    my @got;
    @My::CountingConn::seen = ();
    my( $s, $sock, $c ) = connect_one( 'My::CountingConn',
        utf8   => sub { push( @got, $_[1] ) },
        binary => sub { push( @got, $_[1] ) },
    );
    isa_ok( $c, 'My::CountingConn' );
    send_frame( $sock, 1, "\xc3\xa9" );
    send_frame( $sock, 2, "\xc3\xa9" );
    ok( pump_until( sub { @got == 2 } ), 'both delivered' );
    is_deeply( [ grep{ /^(text|binary)$/ } @My::CountingConn::seen ], [qw( text binary )], 'through the override' );
    is( $got[0], "\x{e9}", '... text decoded by the stock method' );
    is( $got[1], "\xc3\xa9", '... binary as bytes' );
    $s->_stop_listening;
};

subtest 'send_utf8 and send_binary: what goes on the wire and what they return' => sub
{
    my( $s, $sock, $c ) = connect_one();
    my $obj = bless( {}, 'My::Stringy' );
    {
        package My::Stringy;
        use overload '""' => sub { "str\x{263a}" }, fallback => 1;
    }
    my $flagged = "caf\x{e9}\x{263a}";
    my $latin1 = "caf\xe9";
    ok( !utf8::is_utf8( $latin1 ), 'a Latin-1 string without the flag' );
    my @cases = (
        [ send_utf8 => $flagged, 1, Encode::encode( 'UTF-8', $flagged ) ],
        [ send_utf8 => $latin1, 1, "caf\xc3\xa9" ],
        [ send_utf8 => 'ascii', 1, 'ascii' ],
        [ send_utf8 => undef, 1, '' ],
        [ send_utf8 => $obj, 1, "str\xe2\x98\xba" ],
        [ send_utf8 => 'x' x 126, 1, 'x' x 126 ],
        [ send_utf8 => "\x{e9}" x 40000, 1, "\xc3\xa9" x 40000 ],
        [ send_binary => "\x00\xff", 2, "\x00\xff" ],
        [ send_binary => 'y' x 70000, 2, 'y' x 70000 ],
        [ send_binary => undef, 2, '' ],
    );
    $c->max_send_size( 0 );
    for my $case ( @cases )
    {
        my( $method, $arg, $op, $wire ) = @$case;
        my $len = length( $wire );
        my $label = sprintf( '%s of %d bytes', $method, $len );
        is( $c->$method( $arg ), $len + 2 + ( $len > 65535 ? 8 : $len > 125 ? 2 : 0 ), "$label returns the bytes queued" );
        my( $got_op, $payload ) = read_frame( $sock );
        is( $got_op, $op, "... opcode $op" );
        ok( $payload eq $wire, '... the payload' );
    }
    is( $flagged, "caf\x{e9}\x{263a}", 'the caller\'s string is left as it was' );
    ok( !utf8::is_utf8( $latin1 ), '... and the Latin-1 one not upgraded' );
    $s->_stop_listening;
};

subtest 'max_send_size counts the bytes sent' => sub
{
    my( $s, $sock, $c ) = connect_one();
    $c->max_send_size( 4 );
    my $too_big = 'Error while building message: Payload is too big. Send shorter messages or increase max_payload_size';
    my @cases = (
        [ send_utf8 => 'abcd', 4 ],
        [ send_utf8 => 'abcde', undef ],
        [ send_utf8 => "\x{e9}\x{e9}", 4 ],            # 4 bytes as UTF-8, with the flag or without
        [ send_utf8 => "\x{263a}x", 4 ],
        [ send_utf8 => "\x{263a}xy", undef ],
        [ send_utf8 => "\xe9ab", 4 ],                   # Latin-1: 3 characters, 4 bytes
        [ send_utf8 => "\xe9\xe9\xe9", undef ],         # 6 bytes
        [ send_binary => "\x00\x01\x02\x03", 4 ],
        [ send_binary => "\x00\x01\x02\x03\x04", undef ],
    );
    for my $case ( @cases )
    {
        my( $method, $arg, $want ) = @$case;
        my $label = sprintf( '%s( %s )', $method, join( ' ', map{ sprintf( '%x', ord ) } split( //, $arg ) ) );
        my $r = $c->$method( $arg );
        if( defined( $want ) )
        {
            is( $r, $want + 2, "$label: sent" );
            my( undef, $payload ) = read_frame( $sock );
            is( length( $payload ), $want, '... all of it' );
        }
        else
        {
            ok( !defined( $r ), "$label: refused" );
            is( $c->error->message, $too_big, '... with the error of the original' );
            is( $c->error->code, 1009, '... code 1009' );
        }
    }
    ok( !defined( $c->send_binary( "\x{263a}" ) ), 'send_binary of a wide character' );
    like( $c->error->message, qr/^Error while building message: Wide character/, '... refused' );
    $s->_stop_listening;
};

subtest 'sending on a connection that cannot send' => sub
{
    my( $s, $sock, $c ) = connect_one();
    $c->disconnect;
    pump( 0.05 );
    is( ( read_frame( $sock ) )[0], 8, 'the close frame' );
    close( $sock );
    ok( pump_until( sub { $c->disconnected } ), 'disconnected' );
    ok( !$c->send_utf8( 'late' ), 'send_utf8 after the close fails' );
    ok( !$c->send_binary( 'late' ), 'send_binary after the close fails' );
    is( $c->error->message, 'The socket filehandle is gone!', '... error' );
    $s->_stop_listening;
};

subtest 'after fork, the child cannot send on the parent\'s connection' => sub
{
    my( $s, $sock, $c ) = connect_one();
    is( $c->send_utf8( 'parent' ), 8, 'the parent sends' );
    is( ( read_frame( $sock ) )[1], 'parent', '... received' );
    pipe( my $rd, my $wr ) || die( "pipe: $!" );
    my $pid = fork();
    die( "fork: $!" ) if( !defined( $pid ) );
    if( !$pid )
    {
        close( $rd );
        local $SIG{__WARN__} = sub {};
        my @r = ( $c->send_utf8( 'child' ) ? 1 : 0, $c->send_binary( 'child' ) ? 1 : 0 );
        syswrite( $wr, join( ',', @r ) );
        POSIX::_exit( 0 );
    }
    close( $wr );
    my $got = do{ local $/; <$rd> };
    waitpid( $pid, 0 );
    is( $got, '0,0', 'send_utf8 and send_binary fail in the child' );
    is( $c->send_utf8( 'again' ), 7, 'the parent still sends' );
    is( ( read_frame( $sock ) )[1], 'again', '... and nothing from the child came before it' );
    $s->_stop_listening;
};

subtest 'an exception from a timer leaves the rest of the batch for the next run_once' => sub
{
    my $loop = WebSocket::Loop->instance;
    my @fired;
    my $t1 = $loop->add_timer( 0.01, undef, sub { push( @fired, 1 ); die( "timer died\n" ) } );
    my $t2 = $loop->add_timer( 0.01, undef, sub { push( @fired, 2 ) } );
    select( undef, undef, undef, 0.05 );
    ok( !eval{ $loop->run_once( 0 ); 1 }, 'run_once dies with the callback' );
    is( $@, "timer died\n", '... its exception' );
    is_deeply( \@fired, [ 1 ], 'the second timer has not run yet' );
    $loop->run_once( 0 );
    is_deeply( \@fired, [ 1, 2 ], 'the next run_once runs it' );
};

done_testing();
