package WebSocket::Loop::IOAsync;
use strict;
use warnings;
use parent -norequire, 'WebSocket::Loop::Adapter';
use IO::Async::Loop ();
use WebSocket::Loop::Adapter ();

our $VERSION = 'v0.3.0';

sub _host_init { return( $_[0]->_take_loop( $_[1], 'IO::Async::Loop', sub { IO::Async::Loop->new } ) ); }

sub loop { return( $_[0]->{loop} ); }

sub _watch_fd
{
    my( $self, $fh, $cb ) = @_;
    $self->{loop}->watch_io( handle => $fh, on_read_ready => $cb );
}

sub _unwatch_fd
{
    my( $self, $fh ) = @_;
    $self->{loop}->unwatch_io( handle => $fh, on_read_ready => 1 );
}

sub _set_timer
{
    my( $self, $after, $cb ) = @_;
    $self->{_timer} = $self->{loop}->watch_time( after => $after, code => $cb );
}

sub _clear_timer
{
    my $self = shift( @_ );
    my $id = delete( $self->{_timer} );
    $self->{loop}->unwatch_time( $id ) if( defined( $id ) );
}

1;

__END__

=encoding utf-8

=head1 NAME

WebSocket::Loop::IOAsync - run WebSocket servers and clients inside an IO::Async loop

=head1 SYNOPSIS

    use IO::Async::Loop;
    use WebSocket::Server;
    use WebSocket::Client;
    use WebSocket::Loop::IOAsync;

    my $loop = IO::Async::Loop->new;
    my $driver = WebSocket::Loop::IOAsync->attach( loop => $loop );

    # A server: start_listening, not start (which would run the engine's own loop).
    my $server = WebSocket::Server->new(
        port       => 8080,
        on_connect => sub
        {
            my( $server, $conn ) = @_;
            $conn->on( utf8 => sub { $_[0]->send_utf8( $_[1] ) } );
        },
    ) || die( WebSocket::Server->error );
    $server->start_listening || die( $server->error );

    # A client: connect waits for the handshake; its messages then come through IO::Async.
    my $client = WebSocket::Client->new( 'ws://127.0.0.1:8080/',
        { on_utf8 => sub { my( $c, $text ) = @_; print "got $text\n" } } )
        || die( WebSocket::Client->error );
    $client->connect || die( $client->error );
    $client->send_utf8( 'hello' );

    $loop->run;

=head1 DESCRIPTION

The engine's reactor (L<WebSocket::Loop>) is normally run by L<WebSocket::Server/start> or
L<WebSocket::Client/listen>. This module hands it to an L<IO::Async::Loop> instead, so
WebSocket servers and clients live beside the program's notifiers, streams and timers. It
watches a duplicate of the reactor's descriptor (C<< WebSocket::Loop->instance->fileno >>)
with the loop's C<watch_io> and keeps one C<watch_time> timer armed for the reactor's next
deadline (engine timers, L<WebSocket::Server/tick_period>, ping, handshake and close
time-outs), re-armed after every turn of the reactor. When either fires it runs one turn of
the reactor without waiting (C<< run_once( 0 ) >>), which calls the WebSocket callbacks. There
is no polling interval: with nothing to do, the process sleeps in IO::Async.

Start a server with L<WebSocket::Server/start_listening>. A client's
L<WebSocket::Client/connect> runs the reactor itself until the opening handshake is over (so
it blocks for that long); its messages then reach its callbacks through IO::Async. Called
outside one of the client's own callbacks, L<WebSocket::Client/disconnect> also waits (up to
3 seconds) for the closing handshake; from within a callback it returns at once.

L<WebSocket::Server/shutdown> works as under C<start>: it calls C<on_shutdown>, stops
accepting and closes every connection with 1001, each bounded by the server's
C<close_timeout>. It returns at once; the connections then close through IO::Async, each
calling its C<on_disconnect>. The server has finished when C<< $server->connections >> is
empty: check it from those C<on_disconnect> callbacks (or a timer), then C<< $loop->stop >>.

=head2 Calls, exceptions, fork

The rules every adapter follows are in L<WebSocket::Loop::Adapter/DESCRIPTION>; for IO::Async
they come to this.

What a callback of an IO::Async notifier, timer or watcher asks of WebSocket objects takes
effect at once: a send, a C<disconnect> (its C<close_timeout> runs from then), a C<shutdown>, a
new engine timer or listener. A client's C<connect> runs the reactor itself until its handshake
is over, blocking IO::Async for that long.

An exception of a WebSocket callback that the connection wraps (C<on_utf8>, C<on_binary>,
C<on_disconnect>...) becomes a warning, as under L<WebSocket::Server/start>. One that is not
wrapped (an engine timer's, a watched filehandle's) ends the reactor's turn with no event of
the batch lost, and goes on to IO::Async. It leaves C<< $loop->run >> (or C<loop_once>), as a
die in any IO::Async callback does; catch it there and run the loop again: the rest of the
batch comes at the next turn.

One adapter drives the process's reactor: attaching a second one (of any loop) dies with C<...:
the reactor of this process is already driven by ...; detach that one first>. Keep the object:
IO::Async holds it weakly, and dropping the last reference detaches it. After C<fork>, an
inherited adapter lets go of the parent's reactor at its first wake-up; call C<attach> in the
child to drive the child's own. The same C<IO::Async::Loop> object may be passed in the child
(the poll-based loops need nothing more; see the C<fork> method of L<IO::Async::Loop> for the
others).

A long callback delays both loops alike; while detached nothing is delivered.

=head1 METHODS

=head2 new

    my $driver = WebSocket::Loop::IOAsync->new( loop => $loop );

A detached adapter for that L<IO::Async::Loop> (C<< IO::Async::Loop->new >>, the process's
shared loop, when C<loop> is not given). Dies for an unknown option or a C<loop> that is not
an C<IO::Async::Loop>.

=head2 attach

    my $driver = WebSocket::Loop::IOAsync->attach( loop => $loop );   # new, then attach
    $driver->attach;

Starts driving the reactor from the loop and returns the adapter. Keep the object: dropping
the last reference detaches it.

=head2 detach

Stops driving the reactor: the loop no longer watches it, and nothing the engine receives is
delivered until it is driven again. Returns the adapter.

=head2 is_attached

True while the adapter drives the reactor.

=head2 loop

The L<IO::Async::Loop>.

=head1 SEE ALSO

L<WebSocket::Loop>, L<WebSocket::Loop::AnyEvent>, L<WebSocket::Loop::Mojo>, L<IO::Async::Loop>

=cut
