use strict;
use warnings;
use Test::More;
use Scalar::Util ();
use Digest::MD5 ();
use WebSocket qw( :ws );
use WebSocket::Exception;
use WebSocket::Frame;
use WebSocket::Common;
use WebSocket::Request;
use WebSocket::Response;
use WebSocket::Headers;
use WebSocket::HeaderValue;
use WebSocket::Extension;
use WebSocket::Handshake;
use WebSocket::Handshake::Client;
use WebSocket::Handshake::Server;
use WebSocket::Version;

# Acceptance audit of the protocol-level modules against spec/API.md (sections 2-4, 8-16
# and 20): the rows that no other test file covered. Each subtest names its API.md section.

my $FILE = __FILE__;

subtest 'API 3.3: client() and server() failures are reported on the object and the class' => sub
{
    my $ws = WebSocket->new;
    my $c = $ws->client();
    is( $c, undef, 'client() without a uri: undef' );
    isa_ok( $ws->error, 'WebSocket::Exception', '... the error is on the WebSocket object' );
    is( $ws->error->message, 'No websocket uri was provided to connect to.', '... with the client error string' );
    is( WebSocket::Client->error->message, 'No websocket uri was provided to connect to.', '... and WebSocket::Client->error has it' );
    my @l = $ws->client();
    is( scalar( @l ), 0, '... an empty list in list context' );

    my $s = $ws->server( no_such_option => 1 );
    is( $s, undef, 'server( unknown option ): undef' );
    is( $ws->error->message, 'Unknown method no_such_option in class WebSocket::Server', '... error passed on' );

    my $f = WebSocket->new( fatal => 1 );
    ok( !eval{ $f->client(); 1 }, 'fatal => 1: client() failure dies' );
    isa_ok( $@, 'WebSocket::Exception', '... with the exception' );
};

subtest 'API 3: the SYNOPSIS of WebSocket.pm runs as written' => sub
{
    open( my $fh, '<', 'lib/WebSocket.pm' ) or plan( skip_all => "lib/WebSocket.pm: $!" );
    my $code = '';
    my $in = 0;
    while( <$fh> )
    {
        if( /^=head1 SYNOPSIS/ ) { $in = 1; next; }
        last if( $in && /^=/ );
        $code .= $_ if( $in );
    }
    close( $fh );
    like( $code, qr/WebSocket::Frame->new/, 'the SYNOPSIS builds a frame' );
    require File::Temp;
    my( $tmp, $path ) = File::Temp::tempfile( SUFFIX => '.pl', UNLINK => 1 );
    print( $tmp "use strict; use warnings;\n", $code, "\nprint( ( \$bytes eq \"\\x81\\x05Hello\" ? 'bytes ok' : 'bytes wrong' ), ' ', ref( \$client ), \"\\n\" );\n" );
    close( $tmp );
    my $out = `$^X -Mblib $path 2>&1`;
    is( $?, 0, 'it exits with 0' ) or diag( $out );
    is( $out, "1000\nbytes ok WebSocket::Client\n", 'it prints WS_OK, builds the frame and the client' );
};

subtest 'API 2.1: every protocol class has the same constructor and error model' => sub
{
    # class => arguments that build a valid object
    my @classes = (
        [ 'WebSocket' ],
        [ 'WebSocket::Frame' ],
        [ 'WebSocket::Common' ],
        [ 'WebSocket::Request' ],
        [ 'WebSocket::Response' ],
        [ 'WebSocket::Handshake' ],
        [ 'WebSocket::Handshake::Client' ],
        [ 'WebSocket::Handshake::Server' ],
        [ 'WebSocket::HeaderValue', 'foo' ],
        [ 'WebSocket::Extension', 'permessage-deflate' ],
        [ 'WebSocket::Version', 13 ],
    );
    for my $c ( @classes )
    {
        my( $class, @pos ) = @$c;
        my $obj = $class->new( @pos, { debug => 2 } );
        ok( defined( $obj ), "$class: new( \\%opts )" ) or next;
        is( $obj->debug, 2, "$class: the option was applied through its method" );
        is( $obj->error, undef, "$class: no error on a new object" );

        if( $class->isa( 'WebSocket::HeaderValue' ) )
        {
            # API 14 BUG row: extra pairs given to new are the value's parameters.
            is( $class->new( @pos, no_such_option => 1 )->params->{no_such_option}, 1, "$class: other pairs are parameters, not options" );
            next;
        }
        my $bad = $class->new( @pos, no_such_option => 1 );
        is( $bad, undef, "$class: an unknown option fails" );
        isa_ok( $class->error, 'WebSocket::Exception', "$class->error" );
        is( $class->error->message, "Unknown method no_such_option in class $class", "$class: exact error string" );
        my @l = $class->new( @pos, no_such_option => 1 );
        is( scalar( @l ), 0, "$class: an empty list in list context" );
        ok( !eval{ $class->new( @pos, fatal => 1, no_such_option => 1 ); 1 }, "$class: fatal => 1 makes new die" );
        isa_ok( $@, 'WebSocket::Exception', "$class: ... with the exception" );
    }
};

subtest 'API 2.1: version never returns the module $VERSION' => sub
{
    for my $class ( qw( WebSocket::Frame WebSocket::Common WebSocket::Request WebSocket::Response WebSocket::Handshake WebSocket::Handshake::Client WebSocket::Handshake::Server ) )
    {
        my $v = $class->new->version;
        ok( !defined( $v ) || ( Scalar::Util::blessed( $v ) && $v->isa( 'WebSocket::Version' ) ), "$class: version is undef or a WebSocket::Version" );
        isnt( ( defined( $v ) ? "$v" : '' ), $WebSocket::VERSION, "$class: ... never $WebSocket::VERSION" );
    }
};

subtest 'API 3.2: compression_threshold is inherited with its default' => sub
{
    for my $class ( qw( WebSocket::Frame WebSocket::Request WebSocket::Response WebSocket::Handshake::Client ) )
    {
        is( $class->new->compression_threshold, 10240, "$class: 10240" );
    }
    is( WebSocket::Frame->new( compression_threshold => 1 )->compression_threshold, 1, 'settable as an option of a subclass' );
};

subtest 'API 2.2: error and pass_error, on objects and on classes' => sub
{
    {
        package Local::Audit;
        use parent -norequire, 'WebSocket';
    }
    is( Local::Audit->error( 'class level' ), undef, 'Class->error( $msg ) returns undef' );
    isa_ok( Local::Audit->error, 'WebSocket::Exception', 'Class->error' );
    is( Local::Audit->error->message, 'class level', '... holds the message' );
    my @l = Local::Audit->error( 'again' );
    is( scalar( @l ), 0, '... an empty list in list context' );

    my $o = Local::Audit->new;
    my $ex = WebSocket::Exception->new({ code => 1002, message => 'given' });
    $o->error( $ex );
    is( Scalar::Util::refaddr( $o->error ), Scalar::Util::refaddr( $ex ), 'error( $exception ) keeps that very object' );
    is( Local::Audit->error->message, 'given', '... and sets the class error' );

    my $keep = $o->error;
    is( $o->pass_error, undef, 'pass_error() without argument returns undef' );
    is( Scalar::Util::refaddr( $o->error ), Scalar::Util::refaddr( $keep ), '... and keeps the current error' );
    @l = $o->pass_error;
    is( scalar( @l ), 0, '... an empty list in list context' );

    my $other = WebSocket::Frame->new;
    $other->error({ code => 1009, message => 'from a frame' });
    is( $o->pass_error( $other ), undef, 'pass_error( $object_with_error )' );
    is( $o->error->message, 'from a frame', '... takes the error of that object' );
    is( $o->error->code, 1009, '... with its code' );

    my $f = Local::Audit->new( fatal => 1 );
    $f->{error} = $ex;
    ok( !eval{ $f->pass_error; 1 }, 'pass_error dies when fatal' );
    is( $@, $ex, '... with the current exception' );
};

sub raise_here { return( WebSocket::Exception->new( 'same text' ) ); }

subtest 'API 4: exception comparison, caught( $e ), PROPAGATE, FREEZE/THAW, skip_frames' => sub
{
    my $a = raise_here();
    my $b = WebSocket::Exception->new( 'same text' );
    ok( !( $a == $b ), '== is false when the line differs' );
    ok( $a != $b, '!= between two exception objects' );
    my $c = WebSocket::Exception->new( $a );
    ok( $a == 'same text', '== against a string compares the message' );
    ok( !( $a == undef ), '== undef is false' );

    my $list = WebSocket::Exception->new( code => 400, message => 'list form' );
    is( $list->code, 400, 'new( code => ..., message => ... ): code' );
    is( $list->message, 'list form', '... message' );

    is( WebSocket::Exception->caught( $a ), $a, 'caught( $e ) returns an exception given to it' );
    is( WebSocket::Exception->caught( 'plain' ), undef, 'caught( $string ) is undef' );
    {
        package Local::OtherEx;
        our @ISA = ( 'WebSocket::Exception' );
    }
    is( Local::OtherEx->caught( $a ), undef, 'caught on a subclass ignores the parent class' );

    # die with an empty list re-throws $@ and calls PROPAGATE with the new location.
    my $line;
    eval{ eval{ die( $a ) }; $line = __LINE__; die; };
    is( $@, $a, 'die without argument re-throws the exception' );
    is( $@->line, $line, 'PROPAGATE recorded the line of the re-throw' );
    is( $@->file, $FILE, '... and its file' );
    like( "$@", qr/ at line \Q$line\E in file /, '... which the string form shows' );

    my $e = WebSocket::Exception->new({ code => 1011, message => 'frozen', type => 'engine' });
    my @frozen = $e->FREEZE( 'CBOR' );
    my $t = WebSocket::Exception->THAW( 'CBOR', @frozen );
    isa_ok( $t, 'WebSocket::Exception', 'FREEZE / THAW (CBOR, Sereal interface)' );
    is( $t->code, 1011, '... code' );
    is( $t->message, 'frozen', '... message' );
    is( $t->type, 'engine', '... type' );
    is( $t->line, $e->line, '... location' );

    my $l0;
    my $inner = sub { $l0 = __LINE__; return( WebSocket::Exception->new({ message => 'skip', skip_frames => $_[0] }) ) };
    my $l2 = __LINE__; my $s0 = $inner->( 0 ); my $s1 = $inner->( 1 );
    is( $s0->line, $l0, 'skip_frames => 0: the line that called new' );
    is( $s1->line, $l2, 'skip_frames => 1: the line that called the helper' );
    is( $inner->( 99 )->file, $FILE, 'skip_frames past the stack: the outermost frame' );
};

subtest 'API 8.3: a 64-bit length with its most significant bit set is refused' => sub
{
    my $f = WebSocket::Frame->new( max_payload_size => 0 );
    $f->append( "\x82\x7f\x80\x00\x00\x00\x00\x00\x00\x01x" );
    is( $f->next_bytes, undef, 'refused' );
    isa_ok( $f->error, 'WebSocket::Exception' );
    is( $f->error->code, 1002, '... with 1002 (RFC 6455 5.2: the MSB MUST be 0)' );
    is( $f->error->message, 'Payload length with the most significant bit set', '... and says why' );
};

subtest 'API 10.2: Request as_string refuses a version it cannot write' => sub
{
    my $v = WebSocket::Version->new( 13 );
    $v->type( 'other' );
    my $req = WebSocket::Request->new( uri => '/chat', host => 'example.com', version => $v );
    is( $req->as_string, undef, 'a version that is neither hybi nor hixie' );
    is( $req->error->message, 'Version draft-ietf-hybi-17 is not supported', '... "Version X is not supported"' );
};

subtest 'API 11.1: Response->new takes a first argument that is a method name as an option' => sub
{
    my $res = WebSocket::Response->new( 'key', 'k' );
    ok( defined( $res ), 'new( key => ... )' );
    is( $res->code, 101, '... code stays 101' );
    is( $res->key, 'k', '... key set' );
    my $coded = WebSocket::Response->new( 426, key => 'k' );
    is( $coded->code, 426, 'new( $code, %opts ): a number is the code' );
};

subtest 'API 11.2: Response number1 / number2 are number objects' => sub
{
    my $res = WebSocket::Response->new( key1 => '1 2', key2 => '3  4' );
    isa_ok( $res->number1, 'WebSocket::Generic::Number', 'number1 from key1' );
    is( $res->number1, 12, '... 12' );
    isa_ok( $res->number2, 'WebSocket::Generic::Number', 'number2 from key2' );
    is( $res->number2, 17, '... 17' );
    isa_ok( $res->number1( 99 ), 'WebSocket::Generic::Number', 'the setter returns the number' );
    is( $res->number1 + 1, 100, '... which numifies' );
    is( $res->number1( undef ), 12, 'number1( undef ): back to the number of key1' );
    is( $res->number1( 'abc' ), undef, 'a value that is not a number is refused' );
    is( $res->error->message, 'Value provided for number1 ("abc") is not a number.', '... with the error' );
    is( $res->number1, 12, '... and the number is unchanged' );
    is( WebSocket::Response->new->number2, undef, 'neither a number nor a key: undef' );
    my $legacy = WebSocket::Response->new( version => 'draft-hixie-76', number1 => 777_007_543, number2 => 114_997_259, challenge => 'WjN}|M(6' );
    is( $legacy->checksum, Digest::MD5::md5( pack( 'N', 777_007_543 ) . pack( 'N', 114_997_259 ) . 'WjN}|M(6' ), 'the checksum still uses them' );
};

subtest 'API 12: make_frame uses the handshake version (and debug)' => sub
{
    my $c = WebSocket::Handshake::Client->new( uri => 'ws://example.com/', version => 'draft-hixie-76', debug => 1 );
    my $f = $c->make_frame( buffer => 'x' );
    isa_ok( $f, 'WebSocket::Frame', 'client make_frame' );
    is( $f->version->draft, 'draft-hixie-76', '... with the handshake version' );
    is( $f->to_bytes, "\x00x\xff", '... so legacy framing' );
    is( $f->debug, 1, '... and debug level' );
    ok( $f->masked, '... masked' );
    my $s = WebSocket::Handshake::Server->new( version => 'draft-ietf-hybi-00' );
    my $g = $s->make_frame( buffer => 'y' );
    is( $g->to_bytes, "\x00y\xff", 'server make_frame: legacy framing for hybi-00' );
    my $m = WebSocket::Handshake::Server->new->make_frame( buffer => 'z', type => 'binary' );
    is( $m->to_bytes, "\x82\x01z", 'server make_frame without version: RFC 6455, unmasked' );
};

subtest 'API 9: loading WebSocket::Common makes WebSocket::Request and WebSocket::Response available' => sub
{
    my $out = `$^X -Mblib -e "use WebSocket::Common; print ref( WebSocket::Request->new ), q{ }, ref( WebSocket::Response->new )" 2>&1`;
    is( $out, 'WebSocket::Request WebSocket::Response', 'both classes usable after use WebSocket::Common' );
};

done_testing();
