use strict;
use warnings;
use Test::More;
use WebSocket::Exception;

subtest 'new forms and accessors' => sub
{
    my $e = WebSocket::Exception->new({ code => 1011, message => 'Internal error' }); my $line = __LINE__;
    is( $e->code, 1011, 'code' );
    is( $e->message, 'Internal error', 'message' );
    is( $e->package, 'main', 'package' );
    is( $e->line, $line, 'line' );
    like( $e->file, qr/03-exception\.t$/, 'file' );
    is( "$e", "Internal error within package main at line $line in file " . $e->file, 'stringifies to message and location' );
    isa_ok( $e->trace, 'Devel::StackTrace' );
    is( $e->stack_trace, $e->trace, 'stack_trace is trace' );
    my $s = WebSocket::Exception->new( 'plain message' );
    is( $s->message, 'plain message', 'string form' );
    is( $s->code, '', 'code defaults to empty string' );
    my $copy = WebSocket::Exception->new( $e );
    is( $copy->code, 1011, 'copy keeps code' );
    is( $copy->message, 'Internal error', 'copy keeps message' );
    my $x = WebSocket::Exception->new({ message => 'm', retry_after => 5, type => 'net', extra => 'value' });
    is( $x->retry_after, 5, 'retry_after' );
    is( $x->type, 'net', 'type' );
    is( $x->extra, 'value', 'any other key has an accessor' );
    ok( !eval{ $x->nope; 1 }, 'unknown method still dies' );
};

sub where_it_failed { return( WebSocket::Exception->new( 'in sub' ) ); }

subtest 'location and subroutine' => sub
{
    my $e = where_it_failed();
    is( $e->subroutine, 'WebSocket::Exception::new', 'subroutine is the one that raised it' );
};

subtest 'comparison and boolean' => sub
{
    my $e = WebSocket::Exception->new( 'same' );
    ok( $e, 'always true' );
    ok( WebSocket::Exception->new( 'false? no' ) ? 1 : 0, 'true even with an odd message' );
    ok( $e == 'same', '== against a string compares the message' );
    ok( $e != 'other', '!= against a string' );
    ok( $e == $e, '== itself' );
};

subtest 'throw, caught, rethrow' => sub
{
    eval{ WebSocket::Exception->throw( code => 400, message => 'Bad request' ) };
    my $e = WebSocket::Exception->caught;
    isa_ok( $e, 'WebSocket::Exception' );
    is( $e->code, 400, 'thrown code' );
    eval{ $e->rethrow };
    is( $@, $e, 'rethrow dies with the same object' );
    eval{ $e->throw };
    is( $@, $e, 'object throw' );
    eval{ die "plain\n" };
    is( WebSocket::Exception->caught, undef, 'caught ignores other errors' );
    eval{ WebSocket::Exception->throw( 'just a message' ) };
    is( $@->message, 'just a message', 'throw( $message )' );
};

subtest 'serialisation' => sub
{
    require Storable;
    my $e = WebSocket::Exception->new({ code => 1009, message => 'big' });
    my $t = Storable::thaw( Storable::freeze( $e ) );
    isa_ok( $t, 'WebSocket::Exception' );
    is( $t->code, 1009, 'code survives Storable' );
    is( $t->message, 'big', 'message survives Storable' );
    is( $e->TO_JSON, "$e", 'TO_JSON is the string form' );
};

done_testing();
