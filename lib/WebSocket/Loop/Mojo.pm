package WebSocket::Loop::Mojo;
use strict;
use warnings;
use parent -norequire, 'WebSocket::Loop::Adapter';
use Mojo::IOLoop ();
use WebSocket::Loop::Adapter ();

our $VERSION = 'v0.3.0';

sub _host_init { return( $_[0]->_take_loop( $_[1], 'Mojo::IOLoop', sub { Mojo::IOLoop->singleton } ) ); }

sub loop { return( $_[0]->{loop} ); }

sub _watch_fd
{
    my( $self, $fh, $cb ) = @_;
    $self->{loop}->reactor->io( $fh => sub { $cb->() } )->watch( $fh, 1, 0 );
}

sub _unwatch_fd
{
    my( $self, $fh ) = @_;
    $self->{loop}->reactor->remove( $fh );
}

sub _set_timer
{
    my( $self, $after, $cb ) = @_;
    $self->{_timer} = $self->{loop}->reactor->timer( $after => $cb );
}

sub _clear_timer
{
    my $self = shift( @_ );
    my $id = delete( $self->{_timer} );
    $self->{loop}->reactor->remove( $id ) if( defined( $id ) );
}

1;

__END__

=encoding utf-8

=head1 NAME

WebSocket::Loop::Mojo - run WebSocket servers and clients inside Mojo::IOLoop

=head1 SYNOPSIS

    use Mojo::IOLoop;
    use WebSocket::Server;
    use WebSocket::Client;
    use WebSocket::Loop::Mojo;

    my $driver = WebSocket::Loop::Mojo->attach( loop => Mojo::IOLoop->singleton );

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

    # A client: connect waits for the handshake; its messages then come through Mojo.
    my $client = WebSocket::Client->new( 'ws://127.0.0.1:8080/',
        { on_utf8 => sub { my( $c, $text ) = @_; print "got $text\n" } } )
        || die( WebSocket::Client->error );
    $client->connect || die( $client->error );
    $client->send_utf8( 'hello' );

    Mojo::IOLoop->recurring( 1 => sub { print "Mojo still ticks\n" } );
    Mojo::IOLoop->start;

=head1 DESCRIPTION

The engine's reactor (L<WebSocket::Loop>) is normally run by L<WebSocket::Server/start> or
L<WebSocket::Client/listen>. This module hands it to a L<Mojo::IOLoop> instead, so WebSocket
servers and clients live in the same process as a Mojolicious application or other Mojo
clients and timers. It watches a duplicate of the reactor's descriptor
(C<< WebSocket::Loop->instance->fileno >>) with the loop's reactor (C<io> and C<watch>) and
keeps one reactor timer armed for the reactor's next deadline (engine timers,
L<WebSocket::Server/tick_period>, ping, handshake and close time-outs), re-armed after every
turn of the reactor. When either fires it runs one turn of the reactor without waiting
(C<< run_once( 0 ) >>), which calls the WebSocket callbacks. There is no polling interval:
with nothing to do, the process sleeps in Mojo. While attached, the adapter is one more
watcher of the loop, so C<< Mojo::IOLoop->start >> does not return by itself: call C<stop>
(or detach first).

One adapter is enough per process, whatever the number of servers and clients, since they
all share the process's one reactor. Attach it in the process that uses it (after a C<fork>,
the child attaches its own; Mojo's own loop also wants C<< Mojo::IOLoop->reset >> there).

Start a server with L<WebSocket::Server/start_listening>. A client's
L<WebSocket::Client/connect> runs the reactor itself until the opening handshake is over (so
it blocks for that long); its messages then reach its callbacks through Mojo. Called
outside one of the client's own callbacks, L<WebSocket::Client/disconnect> also waits (up to
3 seconds) for the closing handshake; from within a callback it returns at once.

L<WebSocket::Server/shutdown> works as under C<start>: it calls C<on_shutdown>, stops
accepting and closes every connection with 1001, each bounded by the server's
C<close_timeout>. It returns at once; the connections then close through Mojo, each calling
its C<on_disconnect>. The server has finished when C<< $server->connections >> is empty:
check it from those C<on_disconnect> callbacks (or a timer), then stop the loop.

=head1 METHODS

=head2 new

    my $driver = WebSocket::Loop::Mojo->new( loop => $ioloop );

A detached adapter for that L<Mojo::IOLoop> (C<< Mojo::IOLoop->singleton >> when C<loop> is
not given). Dies for an unknown option or a C<loop> that is not a C<Mojo::IOLoop>.

=head2 attach

    my $driver = WebSocket::Loop::Mojo->attach( loop => $ioloop );   # new, then attach
    $driver->attach;

Starts driving the reactor from the loop and returns the adapter. Keep the object: dropping
the last reference detaches it.

=head2 detach

Stops driving the reactor: the loop no longer watches it, and nothing the engine receives is
delivered until it is driven again. Returns the adapter.

=head2 is_attached

True while the adapter drives the reactor.

=head2 loop

The L<Mojo::IOLoop>.

=head1 SEE ALSO

L<WebSocket::Loop>, L<WebSocket::Loop::AnyEvent>, L<WebSocket::Loop::IOAsync>, L<Mojo::IOLoop>

=cut
