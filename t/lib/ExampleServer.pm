package ExampleServer;
use strict;
use warnings;
use Exporter 'import';
use File::Basename ();
use File::Spec ();
use IO::Select;
use POSIX ();
use Time::HiRes ();

# One script of examples/ run as a child process in its own process group, with the built
# distribution (blib/), for the tests that drive an example as its users would. The example
# prints "listening on ws://127.0.0.1:PORT/" and "page at http://127.0.0.1:PORT/" once ready
# (wss:// and https://, or localhost, for an example serving TLS).
our @EXPORT = qw( start_example stop_example example_pid );

my $TOP = File::Spec->rel2abs( File::Basename::dirname( __FILE__ ) . '/../..' );
my $PID;

# start_example( 'examples/chat-server.pl', @args ): ( $ws_port, $http_port, $output ), the ports
# undef when the example did not announce them within $timeout seconds (default 30).
sub start_example
{
    my( $script, @args ) = @_;
    my $timeout = 30;
    pipe( my $from, my $to ) || die( "pipe: $!" );
    $PID = fork() // die( "fork: $!" );
    if( !$PID )
    {
        close( $from );
        setpgrp( 0, 0 );
        open( STDIN, '<', '/dev/null' );
        open( STDOUT, '>&', $to ) || POSIX::_exit( 126 );
        exec( $^X, "-I$TOP/blib/lib", "-I$TOP/blib/arch", "$TOP/$script", @args ) || POSIX::_exit( 127 );
    }
    close( $to );
    my( $ws_port, $http_port, $out ) = ( undef, undef, '' );
    my $sel = IO::Select->new( $from );
    my $deadline = Time::HiRes::time() + $timeout;
    while( !( defined( $ws_port ) && defined( $http_port ) ) )
    {
        my $left = $deadline - Time::HiRes::time();
        last if( $left <= 0 || !$sel->can_read( $left ) );
        last if( !sysread( $from, my $buf, 4096 ) );
        $out .= $buf;
        $ws_port   = $1 if( $out =~ m{^listening on wss?://(?:127\.0\.0\.1|localhost):(\d+)/$}m );
        $http_port = $1 if( $out =~ m{^page at https?://(?:127\.0\.0\.1|localhost):(\d+)/$}m );
    }
    return( $ws_port, $http_port, $out );
}

sub example_pid { return( $PID ); }

# Ends the example: SIGTERM to its process group (unless $term_sent), then SIGKILL if it is
# still there after 5 seconds. Returns its exit status, or 'killed'.
sub stop_example
{
    my( $term_sent ) = @_;
    return if( !$PID );
    kill( 'TERM', -$PID ) if( !$term_sent );
    my $until = Time::HiRes::time() + 5;
    while( Time::HiRes::time() < $until )
    {
        if( waitpid( $PID, POSIX::WNOHANG() ) > 0 )
        {
            my $rc = $?;
            $PID = undef;
            return( $rc );
        }
        Time::HiRes::sleep( 0.05 );
    }
    kill( 'KILL', -$PID );
    waitpid( $PID, 0 );
    $PID = undef;
    return( 'killed' );
}

END
{
    my $rc = $?;
    stop_example();
    $? = $rc;
}

1;
