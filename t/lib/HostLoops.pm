package HostLoops;
use strict;
use warnings;
use Exporter qw( import );
use Test::More;
use Time::HiRes ();

# The host event loops of t/53 and t/54, each used through the same operations, so that one
# test body runs under AnyEvent, IO::Async and Mojo::IOLoop:
#   setup->()                        a new handle $h (the loop object, where there is one)
#   attach->( $h )                   the adapter, attached
#   timer->( $h, $after, $every, CODE )  a host timer (repeating when $every), kept while its
#                                    guard lives
#   io->( $h, $fh, CODE )            a host read watcher, kept while its guard lives
#   run->( $h ) / stop->( $h )       run the host loop until stopped
#   leftovers->( $h, $adapter, $seen )  what the adapter left in the host loop after detach
#   dies_out                         whether a die in a callback leaves the host loop's run

our @EXPORT = qw( each_host_loop run_until run_for );

package Guard { sub new { bless( $_[1], $_[0] ) } sub DESTROY { $_[0]->() } }

our %HOST = (
    AnyEvent => {
        module => 'AnyEvent',
        setup  => sub { return( {} ) },
        attach => sub { WebSocket::Loop::AnyEvent->attach },
        timer  => sub
        {
            my( $h, $after, $every, $cb ) = @_;
            return( AnyEvent->timer( after => $after, ( $every ? ( interval => $every ) : () ), cb => $cb ) );
        },
        io     => sub { my( $h, $fh, $cb ) = @_; return( AnyEvent->io( fh => $fh, poll => 'r', cb => $cb ) ) },
        run    => sub { my $h = shift( @_ ); $h->{cv} = AnyEvent->condvar; $h->{cv}->recv },
        stop   => sub { $_[0]->{cv}->send },
        # AnyEvent's watchers live as long as their object: none left once the adapter let go.
        leftovers => sub
        {
            my( $h, $d, $seen ) = @_;
            return( grep{ defined( $seen->{ $_ } ) } qw( io timer ) );
        },
        # A die in a callback leaves AnyEvent's loop (the pure-Perl one: through recv).
        dies_out => 1,
    },
    IOAsync => {
        module => 'IO::Async::Loop',
        setup  => sub { return( { loop => IO::Async::Loop->new } ) },
        attach => sub { WebSocket::Loop::IOAsync->attach( loop => $_[0]->{loop} ) },
        timer  => sub
        {
            my( $h, $after, $every, $cb ) = @_;
            my $l = $h->{loop};
            my $id;
            my $fire;
            $fire = sub { $id = $every ? $l->watch_time( after => $every, code => $fire ) : undef; $cb->() };
            $id = $l->watch_time( after => $after, code => $fire );
            return( Guard->new( sub { $l->unwatch_time( $id ) if( defined( $id ) ); undef( $fire ) } ) );
        },
        io     => sub
        {
            my( $h, $fh, $cb ) = @_;
            $h->{loop}->watch_io( handle => $fh, on_read_ready => $cb );
            return( Guard->new( sub { $h->{loop}->unwatch_io( handle => $fh, on_read_ready => 1 ) } ) );
        },
        run    => sub { $_[0]->{loop}->run },
        stop   => sub { $_[0]->{loop}->stop },
        leftovers => sub
        {
            my( $h, $d, $seen ) = @_;
            my $l = $h->{loop};
            my @left;
            push( @left, 'io watch' ) if( $l->{iowatches} && $l->{iowatches}->{ $seen->{fd} } );
            push( @left, 'timer' ) if( $l->{timequeue} && defined( $l->{timequeue}->next_time ) );
            return( @left );
        },
        dies_out => 1,
    },
    Mojo => {
        module => 'Mojo::IOLoop',
        setup  => sub { return( { loop => Mojo::IOLoop->singleton } ) },
        attach => sub { WebSocket::Loop::Mojo->attach( loop => $_[0]->{loop} ) },
        timer  => sub
        {
            my( $h, $after, $every, $cb ) = @_;
            my $l = $h->{loop};
            my $id;
            if( $every )
            {
                $id = $l->timer( $after => sub { $id = $l->recurring( $every => $cb ); $cb->() } );
            }
            else
            {
                $id = $l->timer( $after => $cb );
            }
            return( Guard->new( sub { $l->remove( $id ) } ) );
        },
        io     => sub
        {
            my( $h, $fh, $cb ) = @_;
            $h->{loop}->reactor->io( $fh => sub { $cb->() } )->watch( $fh, 1, 0 );
            return( Guard->new( sub { $h->{loop}->reactor->remove( $fh ) } ) );
        },
        run    => sub { $_[0]->{loop}->start },
        stop   => sub { $_[0]->{loop}->stop },
        leftovers => sub
        {
            my( $h, $d, $seen ) = @_;
            my $r = $h->{loop}->reactor;
            my @left;
            push( @left, 'io watch' ) if( $r->{io} && $r->{io}->{ $seen->{fd} } );
            push( @left, 'timer' ) if( $r->{timers} && %{ $r->{timers} } );
            return( @left );
        },
        # Mojo's reactor catches it and emits its "error" event (a warning when nobody listens).
        dies_out => 0,
    },
);

# Runs CODE->( $host, $h ) in a subtest per host loop, with a new handle of that loop and the
# adapter's module loaded; a loop that is not installed is skipped, or fails when
# WEBSOCKET_INTEROP_REQUIRED is set.
sub each_host_loop
{
    my( $code ) = @_;
    for my $name ( qw( AnyEvent IOAsync Mojo ) )
    {
        my $host = $HOST{ $name };
        subtest "WebSocket::Loop::$name" => sub
        {
            if( !eval( "require $host->{module}; 1" ) )
            {
                my $why = "$host->{module} is not installed (install it, or run .ci/install-peers)";
                plan( skip_all => $why ) if( !$ENV{WEBSOCKET_INTEROP_REQUIRED} );
                fail( "$why; WEBSOCKET_INTEROP_REQUIRED is set, so it is a failure" );
                diag( $@ );
                return;
            }
            require_ok( "WebSocket::Loop::$name" ) || return;
            $code->( $host, $host->{setup}->(), $name );
        };
    }
}

# Runs the host loop until the condition is true or $max seconds have passed. (The 10 ms
# check belongs to the test, not to the adapter: it never touches the reactor.)
sub run_until
{
    my( $host, $h, $max, $cond ) = @_;
    my $end = Time::HiRes::time() + $max;
    my $check = $host->{timer}->( $h, 0.01, 0.01, sub { $host->{stop}->( $h ) if( $cond->() || Time::HiRes::time() >= $end ) } );
    $host->{run}->( $h );
    return( $cond->() );
}

# Runs the host loop for $secs seconds, with nothing of the test's own to wake it.
sub run_for
{
    my( $host, $h, $secs ) = @_;
    my $t = $host->{timer}->( $h, $secs, 0, sub { $host->{stop}->( $h ) } );
    $host->{run}->( $h );
}

1;
