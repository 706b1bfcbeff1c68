package WebSocket::Loop;
use strict;
use warnings;
use Scalar::Util ();
use WebSocket ();

our $VERSION = 'v0.3.0';

# One engine reactor per process, created on first use (so a process that forks before using
# it gets its own), and the table that routes the reactor's events to the Perl objects that
# own each connection, listener, watched filehandle and timer. The reactor never calls Perl:
# run_once() polls it for a batch of events, which the XS hands out one by one once the engine
# call has returned (messages straight to a connection's callback, the rest to _route_event).

my %INSTANCE;    # pid => loop

# The code that asks the adapter driving the reactor for a turn (see host), or undef.
our $KICK;

# The events that belong to one connection (their second element is its id).
my %CONN_EVENT = map{ $_ => 1 } qw( text binary ping pong drain request open close error closed );
# The method whose messages run_once may hand to the callbacks itself (see run_once).
our $STOCK_EVENT = \&WebSocket::Connection::_engine_event;

sub instance
{
    my $class = shift( @_ );
    return( $INSTANCE{ $$ } //= $class->_new( @_ ) );
}

sub _new
{
    my( $class, %config ) = @_;
    my $self = bless( {
        reactor   => WebSocket::Engine::Reactor->new( %config ),
        pid       => $$,
        conns     => {},    # conn id => object with _engine_event( \@event )
        listeners => {},    # listener id => object with _engine_accept( $cid, $lid, $ip, $port )
        readers   => {},    # fd => [ CODE, $fh ]
        writers   => {},
        timers    => {},    # timer id => CODE
    }, $class );
    return( $self );
}

sub reactor { return( $_[0]->{reactor} ); }

# For another event loop: a descriptor that becomes readable when the reactor has work, and
# the seconds until its next timer or time-out (undef when there is none).
sub fileno { return( $_[0]->{reactor}->fileno ); }

sub next_deadline { return( $_[0]->{reactor}->next_deadline ); }

sub add_conn
{
    my( $self, $cid, $obj ) = @_;
    # Held until the connection's 'closed' event, so a connection finishes its close
    # handshake even when its owner has let go of it.
    $self->{conns}->{ $cid } = $obj;
    return( $self );
}

sub remove_conn { delete( $_[0]->{conns}->{ $_[1] } ); return( $_[0] ); }

sub conn { return( $_[0]->{conns}->{ $_[1] } ); }

sub add_listener { $_[0]->{listeners}->{ $_[1] } = $_[2]; return( $_[0] ); }

sub remove_listener { delete( $_[0]->{listeners}->{ $_[1] } ); return( $_[0] ); }

# watch( $fh, readable => CODE, writable => CODE ); a CODE of undef stops that direction.
sub watch
{
    my( $self, $fh, %cb ) = @_;
    my $fd = ref( $fh ) ? CORE::fileno( $fh ) : $fh;
    return if( !defined( $fd ) );
    for my $dir ( qw( readable writable ) )
    {
        next if( !exists( $cb{ $dir } ) );
        my $slot = $dir eq 'readable' ? 'readers' : 'writers';
        if( defined( $cb{ $dir } ) )
        {
            $self->{ $slot }->{ $fd } = [ $cb{ $dir }, $fh ];
        }
        else
        {
            delete( $self->{ $slot }->{ $fd } );
        }
    }
    my( $r, $w ) = ( exists( $self->{readers}->{ $fd } ) ? 1 : 0, exists( $self->{writers}->{ $fd } ) ? 1 : 0 );
    if( $r || $w )
    {
        $self->{reactor}->watch( $fd, $r, $w );
    }
    else
    {
        $self->{reactor}->unwatch( $fd );
    }
    return( $self );
}

sub add_timer
{
    my( $self, $after, $repeat, $cb ) = @_;
    my $tid = $self->{reactor}->add_timer( $after, $repeat );
    $self->{timers}->{ $tid } = { cb => $cb, repeat => $repeat };
    $self->_changed if( $self->{on_change} );
    return( $tid );
}

sub cancel_timer
{
    my( $self, $tid ) = @_;
    return if( !defined( $tid ) || !delete( $self->{timers}->{ $tid } ) );
    $self->{reactor}->cancel_timer( $tid );
    return( 1 );
}

# Poll the reactor once (waiting at most $timeout seconds; undef = until something happens)
# and dispatch the events. Returns the number of events.
#
# The reactor's dispatch reads the events one by one once the engine call has returned: a
# message of a WebSocket::Connection goes straight to its on_utf8 / on_binary callback, exactly
# as WebSocket::Connection::_engine_event would call it (so a connection class that overrides
# _engine_event gets its messages there instead); every other event comes to _route_event.
#
# While another event loop drives the reactor (on_change or host registered), the turn needs
# no kick from what its callbacks do (on_change follows it), and the host hears of the turn
# also when a callback died: the exception is passed on after on_change.
sub run_once
{
    my( $self, $timeout ) = @_;
    return( $self->{reactor}->dispatch( $timeout, $self->{conns}, $STOCK_EVENT, $self ) ) if( !$self->{on_change} );
    $KICK = undef;
    my $n;
    my $ok = eval{ $n = $self->{reactor}->dispatch( $timeout, $self->{conns}, $STOCK_EVENT, $self ); 1 };
    my $err = $@;
    $KICK = $self->{kick};
    $self->_changed;
    die( $err ) if( !$ok );
    return( $n );
}

# host( $adapter ): the one adapter of another event loop that drives this reactor (undef:
# none any more). While it is set, the reactor object is of the class below, whose methods
# that change what the reactor has to do tell the adapter (once, until the next run_once)
# through $KICK, so that a send, close or drop made outside run_once is acted on at once.
# Without an adapter the reactor keeps its own class: nothing is added to the message path.

sub host
{
    my $self = shift( @_ );
    return( $self->{host} ) if( !@_ );
    my $adapter = shift( @_ );
    if( $adapter )
    {
        my $cur = $self->{host};
        if( $cur && $cur != $adapter )
        {
            die( ref( $adapter ) . ": the reactor of this process is already driven by " . ref( $cur ) . "; detach that one first\n" );
        }
        return( $self ) if( $cur );
        $self->{host} = $adapter;
        Scalar::Util::weaken( $self->{host} );
        my $weak = $adapter;
        Scalar::Util::weaken( $weak );
        $self->{kick} = sub { $KICK = undef; $weak->_kick if( $weak ); };
        bless( $self->{reactor}, 'WebSocket::Loop::HostedReactor' );
        $self->on_change( host => sub { $weak->_arm if( $weak ) } );
        $KICK = $self->{kick};
    }
    elsif( $self->{host} || $self->{kick} )
    {
        delete( @$self{qw( host kick )} );
        $KICK = undef;
        bless( $self->{reactor}, 'WebSocket::Engine::Reactor' );
        $self->on_change( host => undef );
    }
    return( $self );
}

# on_change( $key => CODE ): call the code after every run_once (whoever calls it) and every
# add_timer, so that the adapter of another event loop (WebSocket::Loop::AnyEvent, ::IOAsync,
# ::Mojo) re-arms its timer for next_deadline. on_change( $key => undef ) removes it.
sub on_change
{
    my( $self, $key, $cb ) = @_;
    if( $cb )
    {
        $self->{on_change}->{ $key } = $cb;
    }
    elsif( $self->{on_change} )
    {
        delete( $self->{on_change}->{ $key } );
        delete( $self->{on_change} ) if( !%{ $self->{on_change} } );
    }
    return( $self );
}

sub _changed
{
    my $self = shift( @_ );
    $_->() for( values( %{ $self->{on_change} || {} } ) );
    return;
}

# One event (the array poll returns) to whoever owns it.
sub _route_event
{
    my( $self, $ev ) = @_;
    my $kind = $ev->[0];
    # Events of a connection, messages among them, are most of what arrives: first.
    if( $CONN_EVENT{ $kind } )
    {
        my $cid = $ev->[1];
        my $conns = $self->{conns};
        my $obj = $conns->{ $cid };
        if( $obj )
        {
            $obj->_engine_event( $ev );
        }
        elsif( $kind ne 'closed' )
        {
            # Nobody owns this connection any more: let it go.
            $self->{reactor}->drop( $cid );
        }
        delete( $conns->{ $cid } ) if( $kind eq 'closed' );
    }
    elsif( $kind eq 'readable' || $kind eq 'writable' )
    {
        my $w = $self->{ $kind eq 'readable' ? 'readers' : 'writers' }->{ $ev->[1] } || return;
        $w->[0]->( $w->[1], $ev->[1] );
    }
    elsif( $kind eq 'timer' )
    {
        my $t = $self->{timers}->{ $ev->[1] } || return;
        delete( $self->{timers}->{ $ev->[1] } ) if( !$t->{repeat} );
        $t->{cb}->( $ev->[1] );
    }
    elsif( $kind eq 'accept' )
    {
        my $owner = $self->{listeners}->{ $ev->[2] };
        if( $owner )
        {
            $owner->_engine_accept( @$ev[1..4] );
        }
        else
        {
            $self->{reactor}->drop( $ev->[1] );
        }
    }
    return;
}

# The reactor while an adapter drives it: the same object, whose calls that can leave work
# for the reactor (a queued event, a new deadline, a new socket) first kick the adapter. The
# kick only asks the host loop for a turn of the reactor as soon as it can (it runs nothing
# now), and once: $KICK is cleared until the next run_once.
package WebSocket::Loop::HostedReactor;
our @ISA = ( 'WebSocket::Engine::Reactor' );
for my $name ( qw( listen listen_fd unlisten connect accept reject send send_text close drop set watch unwatch ) )
{
    my $base = WebSocket::Engine::Reactor->can( $name ) || next;
    no strict 'refs';
    *{ $name } = sub { $WebSocket::Loop::KICK->() if( $WebSocket::Loop::KICK ); goto( &$base ); };
}

package WebSocket::Loop;

1;

__END__

=encoding utf-8

=head1 NAME

WebSocket::Loop - the process's engine reactor and the routing of its events

=head1 SYNOPSIS

    my $loop = WebSocket::Loop->instance;
    my $tid = $loop->add_timer( 1.5, undef, sub { print "tick\n" } );
    $loop->watch( \*STDIN, readable => sub { my( $fh ) = @_; ... } );
    $loop->run_once( 0.5 ) while( $running );

=head1 DESCRIPTION

L<WebSocket::Server> and L<WebSocket::Client> share one engine reactor per process: the Rust
event loop that owns every socket and timer. This class creates it on first use, in the
process that uses it (a process that forks gets its own in the child), and routes the
reactor's events to the Perl objects that own each connection, listener, watched filehandle
and timer. The reactor never calls Perl: L</run_once> asks it for a batch of events and, once
the engine call has returned, hands them out one by one to their owners, so an exception in
user code never crosses the engine.

The message path is short: a text or binary message of a L<WebSocket::Connection> goes from
the XS layer straight to the connection's C<on_utf8> or C<on_binary> callback (in an C<eval>,
as the connection itself would call it; a connection class that overrides C<_engine_event>
receives its messages there instead). Every other event is routed in Perl. If a callback that
is not wrapped (a timer's, a watched filehandle's) dies, L</run_once> dies with its exception
and the events of the batch not yet handed out are kept for the next call.

Most programs never use this class directly; it is documented for event-loop integration:
C<< $loop->reactor->fileno >> is a file descriptor that becomes readable when the reactor has
work, and C<< $loop->reactor->next_deadline >> the time until its next timer, so another event
loop can call L</run_once> with a timeout of 0 when either fires.

=head1 METHODS

=head2 instance

The loop of the current process, created on first call.

=head2 reactor

The L<WebSocket::Engine::Reactor>.

=head2 fileno

A file descriptor (the reactor's epoll descriptor) that becomes readable when the reactor has
I/O to process. Another event loop watches it and calls L</run_once> with a timeout of 0.

=head2 next_deadline

Seconds until the reactor's next timer or connection time-out, or C<undef> when none is set.
Another event loop arms a timer for it and calls L</run_once> with a timeout of 0 when it fires.

=head2 add_conn

=head2 remove_conn

=head2 conn

    $loop->add_conn( $id, $object );
    $loop->remove_conn( $id );
    my $object = $loop->conn( $id );

Register, forget or find the object that receives the events of a connection (its
C<_engine_event> method is called with each event). The registration ends by itself after the
connection's C<closed> event.

=head2 add_listener

=head2 remove_listener

    $loop->add_listener( $id, $object );
    $loop->remove_listener( $id );

Register or forget the object whose C<_engine_accept> method receives the connections
accepted on a listener.

=head2 watch

    $loop->watch( $fh, readable => CODE, writable => CODE );

Call the code with the filehandle (and its descriptor) whenever it is readable or writable,
with the level-triggered meaning of L<IO::Select>: as long as data is waiting, every
L</run_once> reports it. Pass C<undef> as the code to stop watching a direction.

=head2 add_timer

=head2 cancel_timer

    my $id = $loop->add_timer( $after, $repeat, CODE );
    $loop->cancel_timer( $id );

Call the code after C<$after> seconds, then every C<$repeat> seconds when C<$repeat> is
defined. Returns the timer's id.

=head2 on_change

    $loop->on_change( $key => CODE );

Call the code (with no argument) after every L</run_once>, whoever called it, and after every
L</add_timer>: the moment the reactor's L</next_deadline> may have moved. The adapters of
other event loops (L<WebSocket::Loop::AnyEvent>, L<WebSocket::Loop::IOAsync>,
L<WebSocket::Loop::Mojo>) re-arm their timer there. C<$key> names the registration;
C<< on_change( $key => undef ) >> removes it. Returns the loop.

=head2 host

    my $adapter = $loop->host;
    $loop->host( $adapter );

The adapter of another event loop that drives the reactor (see L<WebSocket::Loop::Adapter>),
or C<undef>. C<< host( $adapter ) >> makes it the one; it dies with C<CLASS: the reactor of
this process is already driven by OTHER CLASS; detach that one first> while another adapter
is set. C<< host( undef ) >> ends it. The adapters call it from C<attach> and C<detach>.

While an adapter is set, what the program asks of the reactor outside L</run_once> (a send, a
close or a drop of a connection, a new listener or client connection, a watched filehandle)
asks the adapter, once until the next L</run_once>, for a turn of the reactor as soon as the
host loop can: a close time-out, a queued event or a new deadline is then taken into account
at once. The reactor object has a subclass of L<WebSocket::Engine::Reactor> for that time
only; without an adapter nothing is added to the message path.

=head2 run_once

    my $n = $loop->run_once( $timeout );

Wait at most C<$timeout> seconds (C<undef>: until something happens) for the reactor, then
dispatch every event it returned, in order. Returns the number of events. When a callback
that is not wrapped dies, the L</on_change> callbacks are still called, then C<run_once> dies
with the exception; the events not yet handed out wait for the next call (and
L</next_deadline> is 0 meanwhile).

=head1 SEE ALSO

L<WebSocket::Server>, L<WebSocket::Client>

=cut
