use strict;
use warnings;
use Test::More;
use WebSocket;

# The object model every class shares (WebSocket::Generic) and its return types.

{
    package My::Thing;
    use parent -norequire, 'WebSocket';
    sub init
    {
        my $self = shift( @_ );
        $self->{size} = 10;
        $self->{_init_params_order} = [ qw( first ) ];
        return( $self->SUPER::init( @_ ) );
    }
    sub first { my $self = shift( @_ ); push( @{ $self->{order} }, 'first' ); return( $self->_set_get_scalar( 'first', @_ ) ); }
    sub zlast { my $self = shift( @_ ); push( @{ $self->{order} }, 'zlast' ); return( $self->_set_get_scalar( 'zlast', @_ ) ); }
    sub alpha { my $self = shift( @_ ); push( @{ $self->{order} }, 'alpha' ); return( $self->_set_get_scalar( 'alpha', @_ ) ); }
    sub size { return( shift->_set_get_number( 'size', @_ ) ); }
    sub name { return( shift->_set_get_scalar_as_object( 'name', @_ ) ); }
    sub flag { return( shift->_set_get_boolean( 'flag', @_ ) ); }
    sub list { return( shift->_set_get_array_as_object( 'list', @_ ) ); }
    sub meta { return( shift->_set_get_hash_as_mix_object( 'meta', @_ ) ); }
    sub when { return( shift->_set_get_datetime( 'when', @_ ) ); }
    sub link { return( shift->_set_get_uri( 'link', @_ ) ); }
    sub on_ping { return( shift->_set_get_code( 'on_ping', @_ ) ); }
    sub on_pong { return( shift->_set_get_code( 'on_pong', @_ ) ); }
    sub on { return( shift->_on( { ping => 1, pong => 1 }, @_ ) ); }
    sub fail { return( shift->error({ code => 1011, message => 'it broke' }) ); }
    sub relay { my( $self, $other ) = @_; return( $self->pass_error( $other->error ) ); }
}

subtest 'new with %opts, \%opts, order of options' => sub
{
    my $t = My::Thing->new( zlast => 1, alpha => 2, first => 3 );
    isa_ok( $t, 'My::Thing' );
    is_deeply( $t->{order}, [ qw( first alpha zlast ) ], '_init_params_order first, then by name' );
    my $u = My::Thing->new({ size => 3 });
    is( $u->size + 0, 3, 'hash reference form' );
    is( My::Thing->new->size + 0, 10, 'default from init' );
    ok( !defined( My::Thing->new( 'odd' ) ), 'odd argument list refused' );
    like( My::Thing->error->message, qr/Odd number of parameters/, '... with a clear error' );
    ok( !defined( My::Thing->new( _private => 1 ) ), 'private keys are not options' );
    is( My::Thing->error->message, 'Unknown method _private in class My::Thing', '... error names it' );
    ok( !defined( My::Thing->new( size => 'big' ) ), 'a failing setter fails new' );
    like( My::Thing->error->message, qr/not a number/, '... and its error is the class error' );
};

subtest 'error, pass_error, fatal' => sub
{
    my $t = My::Thing->new;
    is( $t->error, undef, 'no error at first' );
    my $rv = $t->fail;
    ok( !defined( $rv ), 'undef in scalar context' );
    my @rv = $t->fail;
    is( scalar( @rv ), 0, 'empty list in list context' );
    isa_ok( $t->error, 'WebSocket::Exception' );
    is( $t->error->code, 1011, 'code kept' );
    is( $t->error->message, 'it broke', 'message kept' );
    like( "" . $t->error, qr/^it broke within package My::Thing at line \d+ in file .*02-generic\.t$/, 'stringifies with the location (a user subclass is user code)' );
    is( My::Thing->error->message, 'it broke', 'class-level error follows the last error' );
    $t->error( 'joined', ' ', 'parts' );
    is( $t->error->message, 'joined parts', 'error( @parts ) joins' );

    my $other = My::Thing->new;
    $other->fail;
    ok( !defined( $t->relay( $other ) ), 'pass_error returns undef' );
    is( $t->error->code, 1011, 'pass_error took the other error' );

    my $f = My::Thing->new( fatal => 1 );
    ok( !eval{ $f->fail; 1 }, 'fatal dies' );
    isa_ok( $@, 'WebSocket::Exception' );
    is( $@->message, 'it broke', 'with the exception' );
    is( $f->fatal, 1, 'fatal accessor' );
};

subtest 'debug and message' => sub
{
    my $t = My::Thing->new( debug => 2 );
    is( $t->debug, 2, 'debug level' );
    my $out = '';
    {
        local *STDERR;
        open( STDERR, '>', \$out ) or die;
        $t->message( 1, 'shown' );
        $t->message( 3, 'hidden' );
        $t->message( 2, sub { 'lazy ' . 'built' } );
    }
    like( $out, qr/shown/, 'level <= debug printed' );
    unlike( $out, qr/hidden/, 'level > debug not printed' );
    like( $out, qr/lazy built/, 'code parts are called' );
};

subtest 'on() and callback setters chain' => sub
{
    my $t = My::Thing->new;
    my $cb = sub { 1 };
    is( $t->on( ping => $cb, pong => $cb ), $t, 'on() returns the object' );
    is( $t->on_ping, $cb, 'on_ping set' );
    is( $t->on({ pong => sub { 2 } }), $t, 'on( \%events )' );
    is( $t->on_ping( $cb ), $t, 'callback setter chains' );
    ok( !defined( $t->on( nope => $cb ) ), 'unknown event' );
    is( $t->error->message, "Invalid event 'nope'", '... exact error' );
    ok( !defined( $t->on( ping => 'notcode' ) ), 'not a code ref' );
    is( $t->error->message, "Expected a code reference for event 'ping', but got 'notcode'.", '... exact error' );
    ok( !defined( $t->on_ping( 'x' ) ), 'setter refuses a non-code value' );
};

subtest 'return types' => sub
{
    my $t = My::Thing->new( name => 'hello world', list => [ qw( a b c ) ], flag => 'yes', meta => { user => 42 } );
    isa_ok( $t->name, 'WebSocket::Generic::Scalar' );
    is( "" . $t->name, 'hello world', 'scalar stringifies' );
    is( $t->name->length, 11, 'length' );
    is( $t->name->uc, 'HELLO WORLD', 'uc' );
    ok( $t->name->match( qr/world/ ), 'match' );
    is( $t->name->split( qr/\s+/ )->join( '-' )->scalar, 'hello-world', 'split/join/scalar' );
    ok( !My::Thing->new->name->defined, 'unset scalar object is undefined' );
    is( My::Thing->new->name->length, 0, '... with length 0' );

    my $l = $t->list;
    isa_ok( $l, 'WebSocket::Generic::Array' );
    is( $l->join( ' ' )->scalar, 'a b c', 'array join ... scalar' );
    is( $l->length, 3, 'length' );
    is( scalar( @$l ), 3, 'dereferences as an array' );
    is( $l->first, 'a', 'first' );
    is( $l->last, 'c', 'last' );
    is( $l->second, 'b', 'second' );
    $l->push( 'd' );
    is_deeply( [ $l->list ], [ qw( a b c d ) ], 'push and list' );
    is_deeply( [ @{ $l->grep( qr/[bd]/ ) } ], [ qw( b d ) ], 'grep' );
    is_deeply( [ @{ $l->map( sub { uc( $_[0] ) } ) } ], [ qw( A B C D ) ], 'map' );
    ok( $l->exists( 'c' ), 'exists' );
    is( $l->index( 'c' ), 2, 'index' );
    is_deeply( [ @{ $l->intersection( [ qw( d x a ) ] ) } ], [ qw( a d ) ], 'intersection keeps our order' );
    is( My::Thing->new( list => 'single' )->list->first, 'single', 'a scalar becomes a one-item array' );

    ok( $t->flag, 'boolean true' );
    is( $t->flag + 0, 1, 'numifies to 1' );
    ok( !My::Thing->new( flag => 0 )->flag, 'boolean false' );

    my $m = $t->meta;
    isa_ok( $m, 'WebSocket::Generic::Hash' );
    is( $m->{user}, 42, 'hash access' );
    is( $m->user, 42, 'method access' );
    $m->room( 'lobby' );
    is( $m->{room}, 'lobby', 'method sets' );
    ok( !defined( $t->meta( 'nothash' ) ), 'hash setter refuses a non-hash' );

    my $n = My::Thing->new( size => 5 )->size;
    isa_ok( $n, 'WebSocket::Generic::Number' );
    is( $n * 2, 10, 'numeric' );
    is( "$n", '5', 'string' );
};

subtest 'dates and URIs' => sub
{
    my $t = My::Thing->new( when => '2012-04-02', link => 'ws://example.com:8080/chat?x=1' );
    isa_ok( $t->when, 'DateTime' );
    is( "" . $t->when, '2012-04-02', 'date-only value stringifies as the date' );
    is( $t->when->year, 2012, 'a real DateTime' );
    isa_ok( $t->link, 'URI' );
    is( $t->link->host, 'example.com', 'URI object' );
    is( $t->link->port, 8080, 'port' );
    ok( !defined( $t->when( 'not a date' ) ), 'bad date refused' );
};

subtest 'objects that are false in boolean context are still objects' => sub
{
    {
        package My::Versioned;
        use parent -norequire, 'WebSocket';
        sub version { return( shift->_set_get_object_without_init( 'version', 'WebSocket::Version', @_ ) ); }
    }
    require WebSocket::Version;
    my $t = My::Versioned->new( version => 'draft-hixie-76' );
    ok( defined( $t ), 'a hixie version (false as a boolean) is accepted as an option' );
    is( $t->version->draft, 'draft-hixie-76', '... and stored' );
};

subtest 'clone' => sub
{
    my $t = My::Thing->new( list => [ 1, 2 ], size => 4 );
    my $c = $t->clone;
    isa_ok( $c, 'My::Thing' );
    $c->list->push( 3 );
    is( $t->list->length, 2, 'deep copy' );
    is( $c->size + 0, 4, 'values copied' );
};

done_testing();
