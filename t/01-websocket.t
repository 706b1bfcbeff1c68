use strict;
use warnings;
use Test::More;

# WebSocket.pm: constants, export tags, compression_threshold, client()/server() shortcuts.

my %codes = (
    WS_OK => 1000, WS_GONE => 1001, WS_PROTOCOL_ERROR => 1002, WS_NOT_ACCEPTABLE => 1003,
    WS_NO_STATUS => 1005, WS_CLOSED_ABNORMALLY => 1006, WS_BAD_MESSAGE => 1007,
    WS_FORBIDDEN => 1008, WS_MESSAGE_TOO_LARGE => 1009, WS_EXTENSIONS_NOT_AVAILABLE => 1010,
    WS_INTERNAL_SERVER_ERROR => 1011, WS_TLS_HANDSHAKE_FAIL => 1015,
);

{
    package Importer::WS;
    use WebSocket qw( :ws );
}
{
    package Importer::All;
    use WebSocket qw( :all );
}
{
    package Importer::None;
    use WebSocket;
}
{
    package Importer::One;
    use WebSocket qw( WS_GONE );
}

subtest 'the 12 close codes through :ws and :all' => sub
{
    for my $pkg ( qw( Importer::WS Importer::All ) )
    {
        for my $name ( sort( keys( %codes ) ) )
        {
            my $code = $pkg->can( $name );
            ok( $code, "$pkg has $name" ) or next;
            is( $code->(), $codes{ $name }, "$name is $codes{$name}" );
        }
        is( $pkg->can( 'WEBSOCKET_DRAFT_VERSION_DEFAULT' )->(), 'draft-ietf-hybi-17', "$pkg WEBSOCKET_DRAFT_VERSION_DEFAULT" );
    }
};

subtest ':ws exports nothing else' => sub
{
    no strict 'refs';
    my @subs = sort( grep{ defined( &{"Importer::WS::$_"} ) } keys( %Importer::WS:: ) );
    is_deeply( \@subs, [ sort( keys( %codes ), 'WEBSOCKET_DRAFT_VERSION_DEFAULT' ) ], 'exactly the 13 constants' );
    ok( !Importer::WS->can( 'WEBSOCKET_COMPRESSION_THRESHOLD' ), 'WEBSOCKET_COMPRESSION_THRESHOLD is not exported' );
};

subtest 'nothing is exported by default; single names work' => sub
{
    ok( !Importer::None->can( 'WS_OK' ), 'use WebSocket exports nothing' );
    ok( Importer::One->can( 'WS_GONE' ), 'WS_GONE imported by name' );
    ok( !Importer::One->can( 'WS_OK' ), 'only the name asked for' );
    ok( !eval( 'package Importer::Bad; use WebSocket qw( WS_NOPE ); 1' ), 'an unknown name fails' );
    like( $@, qr/WS_NOPE/, '... naming it' );
};

subtest 'command line form from the issue' => sub
{
    my $out = `$^X -Mblib -MWebSocket=:ws -e "print WS_OK, q{ }, WS_MESSAGE_TOO_LARGE" 2>&1`;
    is( $out, '1000 1009', 'perl -Mblib -MWebSocket=:ws prints 1000 1009' );
};

subtest 'new and compression_threshold' => sub
{
    my $ws = WebSocket->new;
    isa_ok( $ws, 'WebSocket' );
    is( $ws->compression_threshold, 10240, 'default threshold 10240' );
    isa_ok( $ws->compression_threshold, 'WebSocket::Generic::Number' );
    is( WebSocket::WEBSOCKET_COMPRESSION_THRESHOLD(), 10240, 'WEBSOCKET_COMPRESSION_THRESHOLD' );
    my $ws2 = WebSocket->new( compression_threshold => 2048 );
    is( $ws2->compression_threshold + 0, 2048, 'set through new' );
    $ws2->compression_threshold( 100 );
    is( "" . $ws2->compression_threshold, '100', 'set through the method' );
    ok( !defined( $ws2->compression_threshold( 'lots' ) ), 'a non-number is refused' );
    like( $ws2->error->message, qr/not a number/, '... with an error' );
    my $ws3 = WebSocket->new({ compression_threshold => 4096 });
    is( $ws3->compression_threshold + 0, 4096, 'new( \%opts ) form' );
};

subtest 'unknown option is an error, not a silent accept' => sub
{
    my $ws = WebSocket->new( no_such_option => 1 );
    ok( !defined( $ws ), 'new fails' );
    is( WebSocket->error->message, 'Unknown method no_such_option in class WebSocket', 'class-level error names the option' );
    my @list = WebSocket->new( no_such_option => 1 );
    is( scalar( @list ), 0, 'empty list in list context' );
    ok( !eval{ WebSocket->new( fatal => 1, no_such_option => 1 ); 1 }, 'fatal => 1 dies' );
    isa_ok( $@, 'WebSocket::Exception' );
};

subtest 'client() and server() shortcuts' => sub
{
    my $ws = WebSocket->new;
    if( eval{ require WebSocket::Client; 1 } )
    {
        my $c = $ws->client( 'ws://localhost:8080/' );
        isa_ok( $c, 'WebSocket::Client' );
    }
    else
    {
        # The network classes arrive with the reactor; until then the shortcut must fail
        # cleanly instead of pretending.
        ok( !eval{ $ws->client( 'ws://localhost:8080/' ); 1 }, 'client() needs WebSocket::Client' );
        like( $@, qr{WebSocket/Client\.pm}, '... and says so' );
    }
    if( eval{ require WebSocket::Server; 1 } )
    {
        isa_ok( $ws->server( port => 0 ), 'WebSocket::Server' );
    }
    else
    {
        ok( !eval{ $ws->server( port => 0 ); 1 }, 'server() needs WebSocket::Server' );
    }
};

done_testing();
