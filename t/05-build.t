use strict;
use warnings;
use Test::More;
use File::Temp ();
use File::Copy ();
use Cwd ();

# The build's promises: Makefile.PL without cargo stops politely (CPAN testers: NA, not FAIL),
# the native libraries linked are those rustc asks for, and once built nothing needs cargo.
plan( skip_all => 'author test: set AUTHOR_TESTING=1' ) unless( $ENV{AUTHOR_TESTING} || $ENV{RELEASE_TESTING} );
plan( skip_all => 'run from the distribution directory' ) unless( -f 'Makefile.PL' && -f 'Makefile' );

subtest 'Makefile.PL without cargo' => sub
{
    my $dir = File::Temp::tempdir( CLEANUP => 1 );
    File::Copy::copy( 'Makefile.PL', "$dir/Makefile.PL" ) or die( $! );
    my $cwd = Cwd::getcwd();
    chdir( $dir ) or die( $! );
    my $out = `CARGO=/nonexistent/cargo $^X Makefile.PL 2>&1`;
    my $rc = $?;
    chdir( $cwd );
    is( $rc, 0, 'exits 0' );
    like( $out, qr/needs cargo/, 'says that cargo is needed' );
    ok( !-e "$dir/Makefile", 'writes no Makefile' );
};

subtest 'native libraries match what rustc asks for' => sub
{
    my $out = `cargo rustc --release --locked --target-dir target --lib --crate-type staticlib -- --print native-static-libs 2>&1`;
    my( $libs ) = $out =~ /native-static-libs:\s*(.+)$/m;
    ok( defined( $libs ), 'rustc printed the list' ) or return;
    open( my $fh, '<', 'Makefile.PL' ) or die( $! );
    my $mpl = do { local $/; <$fh> };
    my( $ours ) = $mpl =~ /LIBS\s*=>\s*\[\s*'([^']+)'/;
    my %ours = map{ $_ => 1 } split( ' ', $ours );
    my @missing = grep{ !$ours{ $_ } } split( ' ', $libs );
    is_deeply( \@missing, [], "Makefile.PL LIBS ($ours) covers rustc's ($libs)" );
};

subtest 'once built, make needs no cargo (so make install works without it)' => sub
{
    my $make = $ENV{MAKE} || 'make';
    my $rc = system( "$make -q target/release/libwebsocket.a >/dev/null 2>&1" );
    is( $rc >> 8, 0, 'the engine library is up to date for make' );
    my $dry = `CARGO=/nonexistent/cargo $make -n pure_all 2>&1`;
    unlike( $dry, qr/cargo (?:build|rustc)/, 'building the blib runs no cargo command' );
};

subtest 'MANIFEST lists every tracked file (make distcheck)' => sub
{
    plan( skip_all => 'not a git checkout' ) unless( -e '.git' && `git --version 2>/dev/null` );
    my %manifest = map{ chomp; ( ( split( /\s+/, $_ ) )[0] => 1 ) } do { open( my $fh, '<', 'MANIFEST' ) or die( $! ); <$fh> };
    # .ci/ and the top .gitignore are the repository's, not the CPAN distribution's.
    my @tracked = grep{ !m{^\.ci/} && $_ ne '.gitignore' } split( /\n/, `git ls-files` );
    my @missing = grep{ !$manifest{ $_ } } @tracked;
    my @gone = grep{ !-e $_ } sort( keys( %manifest ) );
    is_deeply( \@missing, [], 'every tracked file is in MANIFEST' );
    is_deeply( \@gone, [], 'every MANIFEST entry exists' );
};

done_testing();
