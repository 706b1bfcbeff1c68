use strict;
use warnings;
use Test::More;

plan( skip_all => 'author test: set AUTHOR_TESTING=1' ) unless( $ENV{AUTHOR_TESTING} || $ENV{RELEASE_TESTING} );
eval( 'use Test::Pod 1.22; 1' ) or plan( skip_all => 'Test::Pod 1.22 is needed' );
all_pod_files_ok( all_pod_files( -d 'blib' ? 'blib/lib' : 'lib' ) );
