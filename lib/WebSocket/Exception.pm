package WebSocket::Exception;
use strict;
use warnings;
use Scalar::Util ();
use overload (
    '""'     => 'as_string',
    'bool'   => sub { 1 },
    '=='     => \&_equal,
    '!='     => sub { !_equal( @_ ) },
    'eq'     => sub { my( $a, $b ) = @_; "$a" eq ( defined( $b ) ? "$b" : '' ) },
    fallback => 1,
);

our $VERSION = 'v0.3.0';

# new( $message ), new( \%args ), new( $other_exception )
# args: message, code, type, retry_after, skip_frames (frames to skip when locating the error)
sub new
{
    my $that  = shift( @_ );
    my $class = ref( $that ) || $that;
    my $args;
    if( @_ == 1 && Scalar::Util::blessed( $_[0] ) && $_[0]->isa( __PACKAGE__ ) )
    {
        my $o = $_[0];
        $args = { map{ ( $_ => $o->{ $_ } ) } qw( message code type retry_after ) };
    }
    elsif( @_ == 1 && ref( $_[0] ) eq 'HASH' )
    {
        $args = { %{ $_[0] } };
    }
    elsif( @_ > 1 && !( @_ % 2 ) && grep{ defined( $_ ) && /^(?:message|code|type|retry_after|skip_frames)$/ } @_[ map{ $_ * 2 } 0 .. ( $#_ / 2 ) ] )
    {
        $args = { @_ };
    }
    else
    {
        $args = { message => join( '', map{ $_ // '' } @_ ) };
    }
    my $self = bless( { code => '', message => '', type => undef, retry_after => undef }, $class );
    for my $k ( qw( message code type retry_after ) )
    {
        $self->{ $k } = delete( $args->{ $k } ) if( exists( $args->{ $k } ) );
    }
    $self->{message} = '' if( !defined( $self->{message} ) );
    $self->{code} = '' if( !defined( $self->{code} ) );
    my $skip = delete( $args->{skip_frames} ) || 0;
    $self->_locate( $skip );
    # Any other key becomes a value reachable through its accessor.
    $self->{ $_ } = $args->{ $_ } for( keys( %$args ) );
    return( $self );
}

# Find where the error happened from the user's point of view: the first caller outside the
# WebSocket:: classes. The full stack is kept in the trace.
sub _locate
{
    my( $self, $skip ) = @_;
    my $i = 1;
    my @frames;
    while( my @c = caller( $i++ ) )
    {
        push( @frames, [ @c[0..3] ] );
    }
    my $pick;
    # skip_frames: that many callers are passed over first (a helper that builds exceptions
    # for its caller gives 1), then the WebSocket classes' own frames.
    $skip = 0 if( !defined( $skip ) || $skip !~ /^\d+$/ );
    $skip = $#frames if( $skip > $#frames );
    for my $n ( $skip .. $#frames )
    {
        my $pkg = $frames[$n]->[0];
        next if( $pkg =~ /^WebSocket(?:::|$)/ );
        $pick = $n;
        last;
    }
    $pick //= $#frames >= 0 ? $#frames : undef;
    if( defined( $pick ) )
    {
        my $f = $frames[ $pick ];
        $self->{package} = $f->[0];
        $self->{file} = $f->[1];
        $self->{line} = $f->[2];
        # The subroutine in which the error was raised is the one that frame called.
        $self->{subroutine} = $pick > 0 ? $frames[ $pick - 1 ]->[3] : $f->[3];
    }
    else
    {
        my @c = caller(1);
        @$self{qw( package file line subroutine )} = ( $c[0] // 'main', $c[1] // '', $c[2] // 0, $c[3] );
    }
    local $@;
    $self->{trace} = eval
    {
        require Devel::StackTrace;
        Devel::StackTrace->new( skip_frames => 2, no_refs => 1 );
    };
    return( $self );
}

sub message { return( shift->_accessor( 'message', @_ ) ); }
sub code { return( shift->_accessor( 'code', @_ ) ); }
sub type { return( shift->_accessor( 'type', @_ ) ); }
sub retry_after { return( shift->_accessor( 'retry_after', @_ ) ); }
sub file { return( shift->_accessor( 'file', @_ ) ); }
sub line { return( shift->_accessor( 'line', @_ ) ); }
sub package { return( shift->_accessor( 'package', @_ ) ); }
sub subroutine { return( shift->_accessor( 'subroutine', @_ ) ); }
sub trace { return( $_[0]->{trace} ); }
sub stack_trace { return( $_[0]->{trace} ); }

sub _accessor
{
    my $self = shift( @_ );
    my $k = shift( @_ );
    if( @_ )
    {
        $self->{ $k } = shift( @_ );
        delete( $self->{_as_string} );
    }
    return( $self->{ $k } );
}

sub as_string
{
    my $self = shift( @_ );
    return( $self->{_as_string} //= sprintf( '%s within package %s at line %s in file %s',
        $self->{message}, $self->{package} // 'main', $self->{line} // 0, $self->{file} // '' ) );
}

sub TO_JSON { return( $_[0]->as_string ); }

sub _equal
{
    my( $a, $b ) = @_;
    return( 0 ) if( !defined( $b ) );
    if( Scalar::Util::blessed( $b ) && $b->isa( __PACKAGE__ ) )
    {
        return( ( $a->{message} eq $b->{message} && ( $a->{file} // '' ) eq ( $b->{file} // '' ) && ( $a->{line} // 0 ) == ( $b->{line} // 0 ) ) ? 1 : 0 );
    }
    return( $a->{message} eq "$b" ? 1 : 0 );
}

sub throw
{
    my $self = shift( @_ );
    my $e = ( ref( $self ) && !@_ ) ? $self : ( ref( $self ) || $self )->new( @_ == 1 ? $_[0] : { @_ } );
    die( $e );
}

sub rethrow
{
    my $self = shift( @_ );
    die( $self ) if( ref( $self ) );
    return;
}

sub caught
{
    my( $class, $e ) = @_;
    $e = $@ if( @_ < 2 );
    return( ( Scalar::Util::blessed( $e ) && $e->isa( ref( $class ) || $class ) ) ? $e : undef );
}

sub PROPAGATE
{
    my( $self, $file, $line ) = @_;
    delete( $self->{_as_string} );
    $self->{file} = $file;
    $self->{line} = $line;
    return( $self );
}

sub FREEZE
{
    my $self = shift( @_ );
    my %h = %$self;
    delete( @h{qw( trace _as_string )} );
    return( \%h );
}

sub THAW
{
    my( $class, undef, $h ) = @_;
    return( bless( { %$h }, ref( $class ) || $class ) );
}

sub STORABLE_freeze { my( $self, $cloning ) = @_; return( '', $self->FREEZE ); }
sub STORABLE_thaw { my( $self, $cloning, $ser, $h ) = @_; %$self = %$h; return( $self ); }

our $AUTOLOAD;
sub AUTOLOAD
{
    my $self = shift( @_ );
    ( my $name = $AUTOLOAD ) =~ s/.*:://;
    return if( $name eq 'DESTROY' );
    die( "Can't locate object method \"$name\" via package \"" . ( ref( $self ) || $self ) . "\"\n" )
        if( !ref( $self ) || !exists( $self->{ $name } ) );
    return( $self->_accessor( $name, @_ ) );
}

sub DESTROY { }

1;

__END__

=encoding utf-8

=head1 NAME

WebSocket::Exception - the error object of the WebSocket classes

=head1 SYNOPSIS

    use WebSocket::Exception;
    my $ex = WebSocket::Exception->new({ code => 1011, message => 'Internal error' });
    print $ex->code, ': ', $ex->message, "\n";
    print "$ex\n";     # Internal error within package main at line 2 in file app.pl

    use WebSocket::Frame;
    my $frame = WebSocket::Frame->new( max_payload_size => 2 );
    $frame->append( "\x82\x03abc" );
    if( !defined( $frame->next_bytes ) && $frame->error )
    {
        warn( $frame->error->code, ' ', $frame->error->message );
    }

    eval{ WebSocket::Exception->throw( code => 400, message => 'Bad request' ) };
    if( my $e = WebSocket::Exception->caught ) { ... }

=head1 DESCRIPTION

When a method of a WebSocket class fails it returns C<undef> (an empty list in list context)
and records one of these objects, which C<< $obj->error >> returns. With the option
C<fatal>, the object is thrown with C<die> instead.

An exception carries a message, an optional numeric code (a WebSocket close code such as
1009, or an HTTP status such as 400, depending on where the error arose), and the place
where the error happened from the caller's point of view: the first stack frame outside the
WebSocket classes. The whole stack is kept as a L<Devel::StackTrace>.

=head1 CONSTRUCTOR

=head2 new

Takes a message string, a hash reference (C<message>, C<code>, C<type>, C<retry_after>, and
C<skip_frames>; any other key is stored and readable through a method of that name), or
another exception object to copy. C<skip_frames> is a number of callers to pass over when
locating the error: a helper sub that builds exceptions for its caller gives 1, so that the
location is the caller's line rather than the helper's.

=head1 METHODS

=head2 message, code, type, retry_after

Read or set these values. C<code> is the empty string when none was given.

=head2 file, line, package, subroutine

Where the error happened.

=head2 trace, stack_trace

The L<Devel::StackTrace> captured when the exception was built.

=head2 as_string

C<MESSAGE within package PACKAGE at line LINE in file FILE>. The object stringifies to this.

=head2 throw

As a class method, C<< WebSocket::Exception->throw( $message | %args ) >> builds an exception
and dies with it. As an object method, dies with the object.

=head2 rethrow

Dies with the object.

=head2 caught( [$error] )

Class method: returns the error (C<$@> by default) when it is an exception of this class,
C<undef> otherwise.

=head2 PROPAGATE

Called by Perl when C<die> rethrows the object with no arguments; updates the location.

=head2 TO_JSON

The stringified form, for JSON encoders.

=head2 FREEZE, THAW, STORABLE_freeze, STORABLE_thaw

Serialisation hooks (the stack trace is not serialised).

=head2 Comparison

The object is always true. C<==> is true when two exceptions have the same message, file and
line; compared with a plain string, C<==> and C<eq> compare the message or the string form.

=cut
