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
    return( $self ) if( $self->{attached} );
    my $ws = WebSocket::Loop->instance;
    # A duplicate of the reactor's descriptor: the host loop may close its handle when done,
    # and that must not close the reactor's own.
    open( my $fh, '<&', $ws->fileno ) || die( ref( $self ) . ": cannot duplicate the reactor's descriptor: $!\n" );
    @$self{qw( ws fh pid attached )} = ( $ws, $fh, $$, 1 );
    my $weak = $self;
    Scalar::Util::weaken( $weak );
    $self->{_key} = Scalar::Util::refaddr( $self );
    $self->_watch_fd( $fh, sub { $weak->_drive if( $weak ) } );
    $ws->on_change( $self->{_key} => sub { $weak->_arm if( $weak ) } );
    $self->_arm;
    return( $self );
}

sub detach
{
    my $self = shift( @_ );
    return( $self ) if( !$self->{attached} );
    $self->{attached} = 0;
    $self->_clear_timer;
    delete( $self->{armed_at} );
    $self->{ws}->on_change( $self->{_key} => undef );
    my $fh = delete( $self->{fh} );
    $self->_unwatch_fd( $fh );
    close( $fh );
    delete( $self->{ws} );
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

# The reactor's descriptor is readable, or its deadline came: one turn without waiting. The
# timer is re-armed by on_change once run_once returns (and here if it died).
sub _drive
{
    my $self = shift( @_ );
    return if( !$self->{attached} );
    return if( eval{ $self->{ws}->run_once( 0 ); 1 } );
    my $err = $@;
    $self->_arm;
    die( $err );
}

# One host timer for the reactor's next deadline. A timer already armed for that moment or
# earlier is kept (firing early only costs a turn that finds nothing to do).
sub _arm
{
    my $self = shift( @_ );
    return if( !$self->{attached} );
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
    return if( !$self->{attached} || ( $self->{pid} // 0 ) != $$ );
    local $@;
    eval{ $self->detach };
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
fires, it calls C<< WebSocket::Loop->instance->run_once( 0 ) >>.

=head1 METHODS

=head2 new( %options )

A detached adapter; the options are those of the subclass. An unknown option dies.

=head2 attach( [%options] )

As a class method, C<new> then C<attach>. Starts driving the reactor from the host loop and
returns the adapter. Attaching an attached adapter does nothing.

=head2 detach

Stops driving the reactor: the host loop no longer watches it, and nothing the engine
receives is delivered until the reactor is driven again (by another C<attach>, or by
C<run_once>, C<start>, C<listen>). Returns the adapter. Dropping the last reference to an
attached adapter detaches it.

=head2 is_attached

True while the adapter drives the reactor.

=head1 SEE ALSO

L<WebSocket::Loop>

=cut
