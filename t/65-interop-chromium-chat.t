use strict;
use warnings;
use Encode ();
use FindBin ();
use lib "$FindBin::Bin/interop";
use Test::More;
use Interop;

# The chat example (examples/chat-server.pl) in headless Chromium (Debian's chromium, driven by
# playwright-core): two pages of examples/chat.html, loaded from the example's HTTP port, join
# as alice and bob; alice sends a line with markup and non-ASCII text, which both pages show
# as text; bob's page closes, and alice's page shows the leave notice.

Interop::need_chromium();

my $top = "$FindBin::Bin/..";
# As Interop.pm reports it: the UTF-8 bytes of the text (the driver sends the same).
my $TEXT = Encode::encode( 'UTF-8', "<b>bold?</b> & h\x{e9}llo \x{2603} \x{1F600}" );

subtest 'headless Chromium pages, the chat example (examples/chat-server.pl)' => sub
{
    my $srv = Interop::spawn( name => 'chat server', cmd =>
        [ $^X, "-I$top/blib/lib", "-I$top/blib/arch", "$top/examples/chat-server.pl", '--host', '127.0.0.1', '--port', 0 ] );
    my $page_url = sub
    {
        my( $e ) = grep{ ( $_->{event} // '' ) eq 'output' && $_->{text} =~ m{^page at http://} } @{ $srv->{events} };
        return( $e && $e->{text} =~ m{^page at (http://\S+)$} ? $1 : undef );
    };
    my $url = Interop::wait_for( [ $srv ], sub{ Interop::listening_port( $srv ) && $page_url->() }, 30 );
    if( !ok( $url, 'the chat server listens and tells the address of its page' ) )
    {
        diag( Interop::transcript( $srv ) );
        Interop::stop( $srv );
        return;
    }
    my $drv = Interop::spawn( name => 'Chromium pages', cmd => [ 'node', "$Interop::DIR/chromium_chat_driver.js", $url ] );
    Interop::wait_for( [ $srv, $drv ], sub{ Interop::events( $drv, event => 'done' ) || $drv->{eof} }, 100 );
    Interop::stop( $_ ) for( $drv, $srv );

    my $failed = 0;
    my $check = sub{ $_[0] || $failed++ };
    my( $done ) = Interop::events( $drv, event => 'done' );
    $check->( ok( $done, 'the pages ran to the end' ) );
    note( "browser: $done->{browser}" ) if( $done );
    $check->( ok( !Interop::events( $drv, event => 'error' ), 'no error' ) );

    my %joined = map{ $_->{page} => $_ } Interop::events( $drv, event => 'joined' );
    $check->( is( $joined{alice}->{status}, 'connected as alice', 'alice joined through the page' ) );
    $check->( is_deeply( $joined{bob}->{users}, [qw( alice bob )], 'bob joined and his page lists both members' ) );

    my %seen = map{ $_->{page} => $_ } Interop::events( $drv, event => 'page' );
    for my $nick ( qw( alice bob ) )
    {
        my $p = $seen{ $nick } || {};
        $check->( is_deeply( $p->{messages}, [ { nick => 'alice', text => $TEXT } ],
            "$nick\'s page shows alice's line, markup and non-ASCII text as they were typed" ) );
        $check->( is( $p->{elements_from_chat}, 0, "$nick\'s page made no element out of the markup" ) );
    }
    $check->( ok( ( grep{ /bob joined\.$/ } @{ $seen{alice}->{notices} || [] } ), "alice's page showed bob's join notice" ) );

    my( $after ) = Interop::events( $drv, event => 'after_leave' );
    $after ||= {};
    $check->( ok( ( grep{ /bob left\.$/ } @{ $after->{notices} || [] } ), "alice's page shows bob's leave notice once his page closed" ) );
    $check->( is_deeply( $after->{users}, [ 'alice' ], 'and lists alice alone' ) );
    $check->( is_deeply( [ map{ $_->{text} } @{ $after->{messages} || [] } ], [ $TEXT, 'see you' ], "bob's line reached alice's page" ) );
    diag( Interop::transcript( $srv ), Interop::transcript( $drv ) ) if( $failed );
};

done_testing;
