use strict;
use warnings;
use Test::More;

# Every public method of every module is documented.
plan( skip_all => 'author test: set AUTHOR_TESTING=1' ) unless( $ENV{AUTHOR_TESTING} || $ENV{RELEASE_TESTING} );
eval( 'use Test::Pod::Coverage 1.08; 1' ) or plan( skip_all => 'Test::Pod::Coverage 1.08 is needed' );
eval( 'use Pod::Coverage::TrustPod; 1' );

# Perl-level hooks that are not part of the API.
my $also_private = [ qr/^(?:CLONE_SKIP|DESTROY|AUTOLOAD|import|init|FREEZE|THAW|STORABLE_\w+|TO_JSON)$/ ];
all_pod_coverage_ok( { also_private => $also_private } );
