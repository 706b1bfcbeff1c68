package WebSocket::Loop::Adapter;
use strict;
use warnings;
use Scalar::Util ();
use Time::HiRes ();
use WebSocket::Loop ();

our $VERSION = 'v0.3.0';

# What the three adapters share. A subclass provides _host_init (checks its options),
# _watch_fd( $fh, CODE ) / _unwatch_fd( $fh ) for readability of the reactor's descriptor, and
# _set_timer( $seconds, CODE ) / _clear_timer for the one deadline timer, kept in
# $self->{_timer} (forgotten here once it fired, before the code runs).

sub new
{
    my( $class, %opts ) = @_;
    my $self = bless( { attached => 0 }, $class );
    $self->_host_init( \%opts );
    if( my @unknown = sort( keys( %opts ) ) )
    {
        die( "$class: unknown option" . ( @unknown > 1 ? 's' : '' ) . " @unknown\n" );
    }
    return( $self );
}

sub attach
{
    my $self = shift( @_ );
    $self = $self->new( @_ ) if( !ref( $self ) );
    if( $self->{attached} )
    {
        return( $self ) if( $self->{pid} == $$ );
        # Attached in the parent of this process: the parent's reactor is not ours.
        $self->_forget;
    }
    my $ws = WebSocket::Loop->instance;
    # Refused (it dies) when another adapter drives the reactor already.
    $ws->host( $self );
    # A duplicate of the reactor's descriptor: the host loop may close its handle when done,
    # and that must not close the reactor's own.
    my $fh;
    if( !open( $fh, '<&', $ws->fileno ) )
    {
        my $err = $!;
        $ws->host( undef );
        die( ref( $self ) . ": cannot duplicate the reactor's descriptor: $err\n" );
    }
    @$self{qw( ws fh pid attached )} = ( $ws, $fh, $$, 1 );
    my $weak = $self;
    Scalar::Util::weaken( $weak );
    $self->_watch_fd( $fh, sub { $weak->_drive if( $weak ) } );
    $self->_arm;
    return( $self );
}

sub detach
{
    my $self = shift( @_ );
    return( $self ) if( !$self->{attached} );
    return( $self->_forget ) if( $self->{pid} != $$ );
    $self->{attached} = 0;
    $self->_clear_timer;
    delete( $self->{armed_at} );
    my $ws = delete( $self->{ws} );
    $ws->host( undef ) if( ( $ws->host // 0 ) == $self );
    my $fh = delete( $self->{fh} );
    $self->_unwatch_fd( $fh );
    close( $fh );
    return( $self );
}

# In a child of the process that attached: let go of what this process inherited (the host
# loop's watcher and timer, the copy of the duplicated descriptor) without driving or
# touching the parent's reactor.
sub _forget
{
    my $self = shift( @_ );
    local $@;
    $self->{attached} = 0;
    eval{ $self->_clear_timer };
    delete( @$self{qw( armed_at ws )} );
    if( my $fh = delete( $self->{fh} ) )
    {
        eval{ $self->_unwatch_fd( $fh ) };
        close( $fh );
    }
    return( $self );
}

sub is_attached { return( $_[0]->{attached} ? 1 : 0 ); }

# For _host_init of an adapter of a loop object: takes the loop option (default: $default->()),
# which must be a $class.
sub _take_loop
{
    my( $self, $opts, $class, $default ) = @_;
    my $loop = delete( $opts->{loop} ) // $default->();
    die( ref( $self ) . ': loop must be ' . ( $class =~ /^[AEIOU]/ ? 'an' : 'a' ) . " $class\n" )
        if( !Scalar::Util::blessed( $loop ) || !$loop->isa( $class ) );
    $self->{loop} = $loop;
    return;
}

# The reactor's descriptor is readable, or its deadline came, or it was kicked: one turn
# without waiting. The timer is re-armed by on_change once run_once returns, also when a
# callback died: the exception is then passed on to the host loop (see the POD).
sub _drive
{
    my $self = shift( @_ );
    return if( !$self->{attached} );
    return( $self->_forget ) if( $self->{pid} != $$ );
    $self->{ws}->run_once( 0 );
    return;
}

# One host timer for the reactor's next deadline. A timer already armed for that moment or
# earlier is kept (firing early only costs a turn that finds nothing to do).
sub _arm
{
    my $self = shift( @_ );
    return if( !$self->{attached} );
    return( $self->_forget ) if( $self->{pid} != $$ );
    my $after = $self->{ws}->next_deadline;
    if( !defined( $after ) )
    {
        if( defined( $self->{armed_at} ) )
        {
            $self->_clear_timer;
            delete( $self->{armed_at} );
        }
        return;
    }
    return( $self->_arm_after( $after ) );
}

# Something was asked of the reactor outside run_once (a send, close or drop from a callback
# of the host loop, a new listener or connection): a turn as soon as the host loop can.
sub _kick
{
    my $self = shift( @_ );
    return if( !$self->{attached} );
    return( $self->_forget ) if( $self->{pid} != $$ );
    return( $self->_arm_after( 0 ) );
}

sub _arm_after
{
    my( $self, $after ) = @_;
    my $at = Time::HiRes::time() + $after;
    return if( defined( $self->{armed_at} ) && $self->{armed_at} <= $at + 0.0005 );
    $self->_clear_timer if( defined( $self->{armed_at} ) );
    $self->{armed_at} = $at;
    my $weak = $self;
    Scalar::Util::weaken( $weak );
    $self->_set_timer( $after, sub
    {
        return if( !$weak );
        delete( @$weak{qw( _timer armed_at )} );
        $weak->_drive;
    } );
    return;
}

sub DESTROY
{
    my $self = shift( @_ );
    return if( !$self->{attached} );
    local $@;
    eval{ $self->{pid} == $$ ? $self->detach : $self->_forget };
}


1;

__END__

=encoding utf-8

=head1 NAME

WebSocket::Loop::Adapter - what the event-loop adapters of WebSocket::Loop have in common

=head1 DESCRIPTION

The base class of L<WebSocket::Loop::AnyEvent>, L<WebSocket::Loop::IOAsync> and
L<WebSocket::Loop::Mojo>; see them for how to use an adapter. It watches a duplicate of
C<< WebSocket::Loop->instance->fileno >> for readability and keeps one timer of the host loop
armed for C<< WebSocket::Loop->instance->next_deadline >>, re-armed through
L<WebSocket::Loop/on_change> after every C<run_once> and every new engine timer; when either
fires, it calls C<< WebSocket::Loop->instance->run_once( 0 ) >>. A call that changes what the
reactor has to do made outside C<run_once> (from a callback of the host loop, or before the
host loop runs) arms that timer with no delay (see L<WebSocket::Loop/host>).

The rules every adapter follows:

=over 4

=item Calls from the host loop

C<send_utf8>, C<send_binary>, C<ping> write to the socket within the call, whoever calls them.
A C<disconnect> sends its Close frame at once and its C<close_timeout> counts from then; a
C<shutdown> or a lost connection is reported at once; a new engine timer or listener is
taken into account at once. A client's C<connect> (and C<disconnect> outside the client's own
callbacks) runs the reactor itself until its handshake is over, so it blocks the host loop
for that long.

=item Exceptions

Callbacks that the connection wraps (C<on_utf8>, C<on_binary>, C<on_disconnect> and the
like) are handled as under L<WebSocket::Server/start>: the exception becomes a warning and
nothing else changes. An exception of a callback that is not wrapped (an engine timer's, a
watched filehandle's) ends the reactor's turn as it ends C<run_once> under C<start>: the
adapter re-arms its timer with no delay (so the rest of the batch is delivered at the next
turn of the host loop) and lets the exception go on to the host loop, which treats it as one
of its own callbacks' (AnyEvent's pure-Perl loop and IO::Async die out of their C<run>;
Mojo's reactor emits its C<error> event, a warning when nobody subscribed).

=item One adapter per process

The process has one reactor and one adapter drives it: attaching a second adapter while one
is attached dies (C<...: the reactor of this process is already driven by ...; detach that
one first>). Attaching the attached adapter again does nothing.

=item Lifetime

The host loop's callbacks hold the adapter weakly: dropping the last reference to an
attached adapter detaches it. C<detach> removes its watcher and timer from the host loop and
closes its duplicate of the descriptor; it may be called from any callback, and C<attach>
again too.

=item fork

The reactor belongs to the process that created it. In a child, an adapter inherited from
the parent never drives the parent's reactor: the first time the host loop calls it, or
when it is detached or destroyed, it lets go of the watcher, timer and descriptor it
inherited. Call C<attach> in the child (on the inherited adapter or a new one) to drive the
child's own reactor; prepare the host loop for the child first as it requires
(C<< Mojo::IOLoop->reset >> for Mojo).

=back

=head1 METHODS

=head2 new( %options )

A detached adapter; the options are those of the subclass. An unknown option dies.

=head2 attach( [%options] )

As a class method, C<new> then C<attach>. Starts driving the reactor of the current process
from the host loop and returns the adapter. Dies when another adapter drives it.

=head2 detach

Stops driving the reactor: the host loop no longer watches it, and nothing the engine
receives is delivered until the reactor is driven again (by another C<attach>, or by
C<run_once>, C<start>, C<listen>). Returns the adapter.

=head2 is_attached

True while the adapter drives the reactor.

=head1 SEE ALSO

L<WebSocket::Loop>

=cut
