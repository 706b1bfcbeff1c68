use strict;
use warnings;
use Test::More;
use WebSocket::Headers;
use WebSocket::Generic::Array;
use WebSocket::Generic::Scalar;

my $h = WebSocket::Headers->new(
    Upgrade                 => 'websocket',
    Connection              => 'keep-alive, Upgrade',
    'Sec-WebSocket-Key'     => 'dGhlIHNhbXBsZSBub25jZQ==',
    'Sec-WebSocket-Version' => 13,
);

subtest 'new: an HTTP::Headers and a WebSocket::Generic' => sub
{
    isa_ok( $h, 'WebSocket::Headers' );
    isa_ok( $h, 'HTTP::Headers' );
    isa_ok( $h, 'WebSocket::Generic' );
    is( ( @WebSocket::Headers::ISA )[0], 'HTTP::Headers', 'HTTP::Headers is the first parent' );
    is_deeply( [ sort( $h->header_field_names ) ], [ sort( qw( Upgrade Connection Sec-WebSocket-Key Sec-WebSocket-Version ) ) ], 'fields from the pairs' );
    my $e = WebSocket::Headers->new;
    is( scalar( $e->header_field_names ), 0, 'new without pairs: no field' );
    my $o = WebSocket::Headers->new( 'X-List' => WebSocket::Generic::Array->new( [ qw( a b ) ] ), 'X-Str' => WebSocket::Generic::Scalar->new( 's' ) );
    is_deeply( [ map{ "$_" } $o->header( 'X-List' ) ], [ qw( a b ) ], 'new accepts array objects' );
    is( ref( $o->{'x-str'} ), '', '... and stores scalar objects as strings' );
};

subtest 'header( $field ): values as objects' => sub
{
    my $v = $h->header( 'upgrade' );
    isa_ok( $v, 'WebSocket::Generic::Scalar', 'one value' );
    is( "$v", 'websocket', '... its value (the name is case-insensitive)' );
    is( $h->header( 'Sec_WebSocket_Version' ), 13, '_ for - in the name' );
    is( $h->header( 'Upgrade' )->lc, 'websocket', '->lc chains' );
    my $parts = $h->header( 'connection' )->split( qr/\s*,\s*/ );
    isa_ok( $parts, 'WebSocket::Generic::Array', '->split' );
    is_deeply( [ @$parts ], [ 'keep-alive', 'Upgrade' ], '... the parts' );
    is( $parts->grep( sub{ lc( $_[0] ) eq 'upgrade' } )->length, 1, 'the chain of the original POD works' );
    ok( $h->header( 'connection' )->length > 7, '->length' );
    my @one = $h->header( 'Upgrade' );
    is( scalar( @one ), 1, 'list context: one object per value' );
    isa_ok( $one[0], 'WebSocket::Generic::Scalar' );
};

subtest 'header( $field ): a missing field is a scalar object holding undef' => sub
{
    my $none = $h->header( 'X-Missing' );
    isa_ok( $none, 'WebSocket::Generic::Scalar', 'scalar context' );
    ok( !$none->defined, '... holds undef' );
    is( $none->length, 0, '... length 0' );
    ok( !$none->match( qr/x/ ), '... matches nothing' );
    is( $none->lc, '', '... ->lc works' );
    ok( !$none, '... false' );
    my @none = $h->header( 'X-Missing' );
    is( scalar( @none ), 1, 'list context: that one object too, as the original did' );
    isa_ok( $none[0], 'WebSocket::Generic::Scalar' );
    ok( !$none[0]->defined, '... holding undef' );
    my %pairs = ( a => $h->header( 'X-Missing' ), b => 2 );
    is( $pairs{b}, 2, 'so a missing field keeps a list of pairs aligned' );
};

subtest 'header( $field ): several values' => sub
{
    my $m = WebSocket::Headers->new;
    $m->push_header( 'X-Dup' => 'a' );
    $m->push_header( 'X-Dup' => 'b' );
    my @l = $m->header( 'X-Dup' );
    is( scalar( @l ), 2, 'list context: each value' );
    isa_ok( $l[0], 'WebSocket::Generic::Scalar' );
    is( "$l[1]", 'b', 'second value' );
    my $s = $m->header( 'X-Dup' );
    ok( !ref( $s ), 'scalar context: a plain string' );
    is( $s, 'a, b', '... of the values joined with ", "' );
    # A value that is itself an array reference comes back as an array object.
    $m->{'x-nested'} = [ [ 'p', 'q' ], 'r' ];
    my @n = $m->header( 'X-Nested' );
    isa_ok( $n[0], 'WebSocket::Generic::Array', 'an array reference value' );
    is_deeply( [ @{ $n[0] } ], [ 'p', 'q' ], '... with its items' );
};

subtest 'header( $field => $value, ... ): set' => sub
{
    my $m = WebSocket::Headers->new( Host => 'old.example.com' );
    my $prev = $m->header( Host => 'new.example.com' );
    isa_ok( $prev, 'WebSocket::Generic::Scalar', 'returns the previous value' );
    is( "$prev", 'old.example.com', '... which is the old one' );
    is( $m->header( 'host' ), 'new.example.com', 'value set' );
    my $first = $m->header( 'X-New' => 'v' );
    isa_ok( $first, 'WebSocket::Generic::Scalar', 'no previous value' );
    ok( !$first->defined, '... a scalar object holding undef' );
    $m->header( 'X-A' => 1, 'X-B' => 2 );
    is( $m->header( 'X-A' ), 1, 'several pairs at once (1)' );
    is( $m->header( 'X-B' ), 2, 'several pairs at once (2)' );
    $m->header( 'X-List' => WebSocket::Generic::Array->new( [ qw( p q ) ] ) );
    is( ref( $m->{'x-list'} ), 'ARRAY', 'an array object becomes a plain array reference' );
    is_deeply( [ map{ "$_" } $m->header( 'X-List' ) ], [ qw( p q ) ], '... of the values' );
    $m->header( 'X-Ref' => [ qw( r s ) ] );
    is( scalar( $m->header( 'X-Ref' ) ), 'r, s', 'an array reference' );
    $m->header( 'X-Obj' => WebSocket::Generic::Scalar->new( 'str' ) );
    is( ref( $m->{'x-obj'} ), '', 'an object that stringifies is stored as a string' );
    is( $m->header( 'X-Obj' ), 'str', '... with its value' );
    $m->header( 'X-Items' => WebSocket::Generic::Array->new( [ WebSocket::Generic::Scalar->new( 'i1' ), 'i2' ] ) );
    is_deeply( [ map{ ref( $_ ) } @{ $m->{'x-items'} } ], [ '', '' ], 'objects inside an array object become strings' );
    $m->header( 'Sec_WebSocket_Protocol' => 'chat' );
    ok( $m->exists( 'Sec-WebSocket-Protocol' ), '_ for - when setting' );
    $m->header( 'X-Gone' => 1 );
    $m->header( 'X-Gone' => undef );
    ok( !$m->exists( 'X-Gone' ), 'undef removes the field' );
};

subtest 'header errors: "Error getting/setting header value(s): $e"' => sub
{
    my $m = WebSocket::Headers->new( A => 1 );
    ok( !defined( $m->header( '' => 'x' ) ), 'an empty field name cannot be set' );
    like( $m->error->message, qr/^Error setting header value\(s\): Illegal field name ''/, '... error message' );
    isa_ok( $m->error, 'WebSocket::Exception' );
    ok( !defined( $m->header( 'Bad-Name:here' => 'x' ) ), 'an illegal field name cannot be set' );
    like( $m->error->message, qr/^Error setting header value\(s\): Illegal field name 'Bad-Name:here'/, '... error message' );
    ok( !defined( $m->header( '' ) ), 'an empty field name cannot be read' );
    like( $m->error->message, qr/^Error getting header value\(s\): Illegal field name ''/, '... error message' );
    ok( !defined( $m->header ), 'no argument at all' );
    like( $m->error->message, qr/^Error getting header value\(s\): Usage: /, '... error message' );
    my @l = $m->header( '' );
    is( scalar( @l ), 0, 'failure in list context: an empty list' );
    like( WebSocket::Headers->error->message, qr/^Error getting header value\(s\)/, 'the class-level error is set too' );
    $m->fatal( 1 );
    my $ok = eval{ $m->header( '' => 1 ); 1 };
    ok( !$ok, 'fatal: the error dies' );
    isa_ok( $@, 'WebSocket::Exception', '... with the exception' );
};

subtest 'BUG: exists is case-insensitive and takes _ for - (the original looked the raw key up)' => sub
{
    ok( $h->exists( 'Sec-WebSocket-Key' ), 'the name as written' );
    ok( $h->exists( 'sec-websocket-key' ), 'lower case' );
    ok( $h->exists( 'SEC_WEBSOCKET_KEY' ), 'upper case with underscores' );
    ok( $h->exists( 'Sec_WebSocket-Version' ), 'mixed' );
    is( $h->exists( 'Upgrade' ), 1, 'returns 1 when present' );
    is( $h->exists( 'Sec-WebSocket-Protocol' ), 0, 'returns 0 when absent' );
    is( $h->exists( '' ), 0, 'empty name' );
    is( $h->exists( undef ), 0, 'undef name' );
    my $m = WebSocket::Headers->new( A => 1 );
    $m->error( 'x' );
    is( $m->exists( '::error' ), 0, 'private state is not a field' );
};

subtest 'methods inherited from HTTP::Headers and documented' => sub
{
    my $m = WebSocket::Headers->new( 'Content-Length' => 10, 'Content-Type' => 'text/plain', Server => 'srv', 'User-Agent' => 'ua' );
    is( $m->content_length, 10, 'content_length' );
    $m->content_length( 12 );
    is( $m->content_length, 12, 'content_length( $n )' );
    is( $m->server, 'srv', 'server' );
    is( $m->user_agent, 'ua', 'user_agent' );
    $m->authorization_basic( 'user', 'pw' );
    is_deeply( [ $m->authorization_basic ], [ 'user', 'pw' ], 'authorization_basic (list)' );
    is( scalar( $m->authorization_basic ), 'user:pw', 'authorization_basic (scalar)' );
    like( $m->authorization, qr/^Basic /, 'authorization' );
    $m->proxy_authorization_basic( 'p', 'q' );
    is( scalar( $m->proxy_authorization_basic ), 'p:q', 'proxy_authorization_basic' );
    like( $m->proxy_authorization, qr/^Basic /, 'proxy_authorization' );
    $m->proxy_authenticate( 'Basic realm="x"' );
    is( $m->proxy_authenticate, 'Basic realm="x"', 'proxy_authenticate' );
    my %seen;
    $m->scan( sub{ $seen{ $_[0] } = $_[1] } );
    is( $seen{'Content-Type'}, 'text/plain', 'scan gives names and values' );
    my @flat = $m->flatten;
    is( scalar( @flat ), 2 * scalar( $m->header_field_names ), 'flatten: name/value pairs' );
    like( $m->as_string, qr/^Server: srv\n/m, 'as_string ends lines with \n' );
    my $crlf = $m->as_string( "\r\n" );
    is( () = $crlf =~ /\r\n/g, scalar( $m->header_field_names ), 'as_string( "\r\n" )' );
    $m->push_header( 'X-P' => 'one' );
    $m->push_header( 'X-P' => [ qw( two three ) ] );
    is( scalar( $m->header( 'X-P' ) ), 'one, two, three', 'push_header keeps previous values (scalar and array ref)' );
    my $removed = $m->remove_content_headers;
    isa_ok( $removed, 'HTTP::Headers', 'remove_content_headers returns' );
    is( $removed->header( 'Content-Type' ), 'text/plain', '... the removed fields' );
    ok( !$m->exists( 'Content-Type' ), '... which are gone' );
    my @vals = $m->remove_header( 'Server', 'X-P' );
    is_deeply( [ @vals ], [ 'srv', 'one', 'two', 'three' ], 'remove_header returns the values' );
    ok( !$m->exists( 'Server' ), '... and removes the fields' );
    $m->clear;
    is( scalar( $m->header_field_names ), 0, 'clear' );
};

subtest 'clone' => sub
{
    my $c = $h->clone;
    isa_ok( $c, 'WebSocket::Headers', 'clone keeps the class' );
    is( $c->header( 'Upgrade' ), 'websocket', '... copies the fields' );
    $c->header( Upgrade => 'other' );
    is( $h->header( 'Upgrade' ), 'websocket', '... which are independent' );
};

subtest 'error model, kept out of the fields' => sub
{
    my $m = WebSocket::Headers->new( A => 1 );
    ok( !defined( $m->error ), 'no error at first' );
    ok( !defined( $m->error( 'boom' ) ), 'error( $msg ) returns undef' );
    my @l = $m->error( 'boom' );
    is( scalar( @l ), 0, '... an empty list in list context' );
    is( $m->error->message, 'boom', 'error recorded' );
    ok( !defined( $m->error({ code => 400, message => 'bad' }) ), 'error( \%args )' );
    is( $m->error->code, 400, '... with its code' );
    is_deeply( [ $m->header_field_names ], [ 'A' ], 'no pseudo field appears' );
    unlike( $m->as_string, qr/error|bad/i, 'nor in as_string' );
    my $other = WebSocket::Exception->new( 'from elsewhere' );
    ok( !defined( $m->pass_error( $other ) ), 'pass_error returns undef' );
    is( $m->error->message, 'from elsewhere', '... and takes the other error' );
    is( $m->debug, 0, 'debug defaults to 0' );
    is( $m->debug( 2 ), 2, 'debug( $n )' );
    $m->quiet( 1 );
    ok( $m->quiet, 'quiet' );
    {
        my @w;
        local $SIG{__WARN__} = sub{ push( @w, @_ ) };
        $m->error( 'silent' );
        is( scalar( @w ), 0, 'quiet: no echo of the error' );
    }
    {
        my $err = '';
        local *STDERR;
        open( STDERR, '>', \$err );
        $m->message( 1, 'shown' );
        $m->message( 5, 'hidden' );
        close( STDERR );
        like( $err, qr/shown/, 'message at a level within debug' );
        unlike( $err, qr/hidden/, 'message above debug is not printed' );
    }
    ok( !$m->fatal, 'fatal off by default' );
    $m->fatal( 1 );
    ok( !eval{ $m->error( 'dies' ); 1 }, 'fatal: error dies' );
    is( $@->message, 'dies', '... with the exception object' );
    is_deeply( [ $m->header_field_names ], [ 'A' ], 'still no pseudo field' );
};

done_testing();
