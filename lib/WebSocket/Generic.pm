package WebSocket::Generic;
use strict;
use warnings;
use Scalar::Util ();
use WebSocket::Generic::Scalar;
use WebSocket::Generic::Array;
use WebSocket::Generic::Number;
use WebSocket::Generic::Boolean;
use WebSocket::Generic::Hash;

our $VERSION = 'v0.3.0';

# The object model shared by every class of the distribution: construction from options
# (each option calls the method of the same name), the error model (undef / empty list plus
# a WebSocket::Exception, or a die when fatal), debugging output, and the accessor
# generators whose return types follow the original distribution.

sub new
{
    my $that  = shift( @_ );
    my $class = ref( $that ) || $that;
    my $self  = bless( {}, $class );
    # A failing init has set the error on the object; copy it to the class-level slot so that
    # Class->error reports it after new() returned undef.
    my $rv = $self->init( @_ );
    return( $rv ) if( $rv );
    my $ex = $self->{error};
    $class->_set_class_error( $ex ) if( $ex );
    die( $ex ) if( $ex && $self->{fatal} );
    return;
}

sub init
{
    my $self = shift( @_ );
    $self->{_exception_class} //= 'WebSocket::Exception';
    my $opts = $self->_get_args_as_hash( @_ );
    return( $self->error( "Odd number of parameters provided to " . ref( $self ) . "->new" ) ) if( !defined( $opts ) );
    # fatal and debug first, so that they apply to errors raised while the rest is applied
    for my $k ( qw( fatal debug quiet ) )
    {
        $self->{ $k } = delete( $opts->{ $k } ) if( exists( $opts->{ $k } ) );
    }
    # Needed only here: not kept in every object.
    my @order = @{ delete( $self->{_init_params_order} ) || [] };
    my %seen;
    for my $name ( ( grep{ exists( $opts->{ $_ } ) } @order ), sort( keys( %$opts ) ) )
    {
        next if( $seen{ $name }++ );
        # Option names are method names; private methods and non-methods are refused, so a
        # typo in an option is a clear error rather than silently ignored.
        if( $name !~ /^[a-zA-Z]\w*$/ || !$self->can( $name ) )
        {
            return( $self->error( "Unknown method $name in class " . ref( $self ) ) );
        }
        # A setter that failed has recorded a new error: stop there.
        my $before = Scalar::Util::refaddr( $self->{error} ) // 0;
        my $rv = $self->$name( $opts->{ $name } );
        return( $self->pass_error ) if( !defined( $rv ) && $self->{error} && Scalar::Util::refaddr( $self->{error} ) != $before );
    }
    return( $self );
}

# Accepts (%opts), (\%opts) or () and returns a hash reference.
sub _get_args_as_hash
{
    my $self = shift( @_ );
    return( {} ) if( !@_ );
    if( @_ == 1 )
    {
        return( {} ) if( !defined( $_[0] ) );
        return( { %{ $_[0] } } ) if( ref( $_[0] ) eq 'HASH' || ( Scalar::Util::blessed( $_[0] ) && Scalar::Util::reftype( $_[0] ) eq 'HASH' && !$_[0]->isa( 'WebSocket::Generic' ) ) );
    }
    if( @_ % 2 )
    {
        # new( key => value, ..., \%more ) is accepted too: the trailing hash is merged
        if( ref( $_[-1] ) eq 'HASH' )
        {
            my $last = pop( @_ );
            my %h = ( @_ == 1 ? () : @_ );
            return( { %h, %$last } );
        }
        return;
    }
    return( { @_ } );
}

# ---------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------

sub _set_class_error
{
    my( $class, $ex ) = @_;
    $class = ref( $class ) || $class;
    no strict 'refs';
    ${"${class}::ERROR"} = $ex;
    $WebSocket::Generic::ERROR = $ex;
}

sub error
{
    my $self = shift( @_ );
    my $class = ref( $self ) || $self;
    if( @_ )
    {
        my $ex_class = ( ref( $self ) && $self->{_exception_class} ) || 'WebSocket::Exception';
        _load_class( $ex_class );
        my $ex;
        if( @_ == 1 && Scalar::Util::blessed( $_[0] ) && $_[0]->isa( 'WebSocket::Exception' ) )
        {
            $ex = $_[0];
        }
        elsif( @_ == 1 && ref( $_[0] ) eq 'HASH' )
        {
            $ex = $ex_class->new( { skip_frames => 1, %{ $_[0] } } );
        }
        else
        {
            $ex = $ex_class->new( { skip_frames => 1, message => join( '', map{ defined( $_ ) ? "$_" : '' } @_ ) } );
        }
        $self->{error} = $ex if( ref( $self ) );
        $class->_set_class_error( $ex );
        if( ref( $self ) ? $self->{fatal} : 0 )
        {
            die( $ex );
        }
        if( ref( $self ) && $self->{debug} && !$self->{quiet} )
        {
            warn( "$ex\n" );
        }
        return;
    }
    if( ref( $self ) )
    {
        return( $self->{error} );
    }
    no strict 'refs';
    return( ${"${class}::ERROR"} );
}

sub pass_error
{
    my $self = shift( @_ );
    if( @_ && defined( $_[0] ) )
    {
        my $ex = $_[0];
        $ex = $ex->error if( Scalar::Util::blessed( $ex ) && !$ex->isa( 'WebSocket::Exception' ) && $ex->can( 'error' ) );
        if( defined( $ex ) )
        {
            $self->{error} = $ex if( ref( $self ) );
            ( ref( $self ) || $self )->_set_class_error( $ex );
        }
    }
    die( $self->{error} ) if( ref( $self ) && $self->{fatal} && $self->{error} );
    return;
}

sub fatal { return( shift->_set_get_scalar( 'fatal', @_ ) ); }

sub quiet { return( shift->_set_get_scalar( 'quiet', @_ ) ); }

sub debug
{
    my $self = shift( @_ );
    return( $self->{debug} // 0 ) if( !@_ );
    $self->{debug} = shift( @_ );
    return( $self->{debug} );
}

# message( $level, @parts ): debugging output on STDERR when debug >= level.
sub message
{
    my $self = shift( @_ );
    my $level = ( @_ && defined( $_[0] ) && $_[0] =~ /^\d+$/ ) ? shift( @_ ) : 1;
    return( 1 ) unless( ref( $self ) && ( $self->{debug} // 0 ) >= $level );
    my( $pkg, $file, $line ) = caller;
    my $msg = join( '', map{ ref( $_ ) eq 'CODE' ? $_->() : ( $_ // '' ) } @_ );
    print( STDERR "## ${pkg}[$line]: $msg\n" );
    return( 1 );
}

sub clone
{
    my $self = shift( @_ );
    require Storable;
    my $copy;
    local $@;
    eval
    {
        local $Storable::Deparse = 1;
        local $Storable::Eval = 1;
        $copy = Storable::dclone( $self );
    };
    return( $self->error( "Unable to clone object: $@" ) ) if( $@ );
    return( $copy );
}

sub _load_class
{
    my $class = shift( @_ );
    return( 1 ) if( $class->can( 'new' ) );
    ( my $file = "$class.pm" ) =~ s{::}{/}g;
    require $file;
    return( 1 );
}

# ---------------------------------------------------------------------------
# Events: on( name => CODE, ... ) for the classes that have on_<name> callbacks
# ---------------------------------------------------------------------------

sub _on
{
    my $self = shift( @_ );
    my $allowed = shift( @_ );
    my $args = ( @_ == 1 && ref( $_[0] ) eq 'HASH' ) ? { %{ $_[0] } } : { @_ };
    # Validate everything before setting anything, so that a bad call changes nothing.
    for my $key ( sort( keys( %$args ) ) )
    {
        return( $self->error( "Invalid event '$key'" ) ) if( !$allowed->{ $key } || !$self->can( "on_${key}" ) );
        if( ref( $args->{ $key } ) ne 'CODE' )
        {
            return( $self->error( "Expected a code reference for event '$key', but got '" . ( $args->{ $key } // 'undef' ) . "'." ) );
        }
    }
    for my $key ( keys( %$args ) )
    {
        my $meth = "on_${key}";
        $self->$meth( $args->{ $key } );
    }
    return( $self );
}

# ---------------------------------------------------------------------------
# Accessor generators (each returns what the original's accessor family returned)
# ---------------------------------------------------------------------------

sub _set_get_scalar
{
    my $self = shift( @_ );
    my $field = shift( @_ );
    $self->{ $field } = shift( @_ ) if( @_ );
    return( $self->{ $field } );
}

sub _set_get_scalar_as_object
{
    my $self = shift( @_ );
    my $field = shift( @_ );
    if( @_ )
    {
        my $v = shift( @_ );
        $v = "$v" if( ref( $v ) && overload::Method( $v, '""' ) );
        $self->{ $field } = $v;
    }
    return( WebSocket::Generic::Scalar->new( $self->{ $field } ) );
}

sub _set_get_number
{
    my $self = shift( @_ );
    my $field = shift( @_ );
    if( @_ )
    {
        my $v = shift( @_ );
        if( defined( $v ) )
        {
            $v = "$v" if( ref( $v ) );
            return( $self->error( "Value provided for $field (\"$v\") is not a number." ) )
                if( $v !~ /^\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*$/ );
            $v += 0;
        }
        $self->{ $field } = $v;
    }
    return( $self->{ $field } ) if( !defined( $self->{ $field } ) );
    return( WebSocket::Generic::Number->new( $self->{ $field } ) );
}

sub _set_get_boolean
{
    my $self = shift( @_ );
    my $field = shift( @_ );
    if( @_ )
    {
        my $v = shift( @_ );
        $self->{ $field } = $v ? 1 : 0;
    }
    return( $self->{ $field } ? WebSocket::Generic::Boolean->true : WebSocket::Generic::Boolean->false );
}

# Callback accessors: getter returns the CODE ref; setter checks the value and chains.
sub _set_get_code
{
    my $self = shift( @_ );
    my $field = shift( @_ );
    if( @_ )
    {
        my $v = shift( @_ );
        return( $self->error( "Value provided for $field is not a code reference, but '" . ( $v // 'undef' ) . "'." ) )
            if( defined( $v ) && ref( $v ) ne 'CODE' );
        $self->{ $field } = $v;
        return( $self );
    }
    return( $self->{ $field } );
}

sub _set_get_uri
{
    my $self = shift( @_ );
    my $field = shift( @_ );
    if( @_ )
    {
        my $v = shift( @_ );
        if( defined( $v ) && length( "$v" ) )
        {
            require URI;
            $v = Scalar::Util::blessed( $v ) && $v->isa( 'URI' ) ? $v : URI->new( "$v" );
        }
        else
        {
            $v = undef;
        }
        $self->{ $field } = $v;
    }
    return( $self->{ $field } );
}

sub _set_get_array_as_object
{
    my $self = shift( @_ );
    my $field = shift( @_ );
    if( @_ )
    {
        my $v = @_ == 1 ? shift( @_ ) : [ @_ ];
        $v = [] if( !defined( $v ) );
        $v = [ $v ] if( ref( $v ) ne 'ARRAY' && !( Scalar::Util::blessed( $v ) && $v->isa( 'WebSocket::Generic::Array' ) ) );
        $self->{ $field } = WebSocket::Generic::Array->new( [ @$v ] );
    }
    $self->{ $field } = WebSocket::Generic::Array->new if( !defined( $self->{ $field } ) );
    $self->{ $field } = WebSocket::Generic::Array->new( $self->{ $field } ) if( ref( $self->{ $field } ) eq 'ARRAY' );
    return( $self->{ $field } );
}

# An array of objects of $class; each item that is not already such an object is passed to
# $class->new.
sub _set_get_object_array_object
{
    my $self = shift( @_ );
    my $field = shift( @_ );
    my $class = shift( @_ );
    if( @_ )
    {
        my $v = @_ == 1 ? shift( @_ ) : [ @_ ];
        $v = [] if( !defined( $v ) );
        $v = [ $v ] if( ref( $v ) ne 'ARRAY' && !( Scalar::Util::blessed( $v ) && $v->isa( 'WebSocket::Generic::Array' ) ) );
        _load_class( $class );
        my @objs;
        for my $item ( @$v )
        {
            if( Scalar::Util::blessed( $item ) && $item->isa( $class ) )
            {
                push( @objs, $item );
                next;
            }
            my $o = $class->new( ref( $item ) eq 'ARRAY' ? @$item : $item ) //
                return( $self->pass_error( $class->error ) );
            push( @objs, $o );
        }
        $self->{ $field } = WebSocket::Generic::Array->new( \@objs );
    }
    $self->{ $field } = WebSocket::Generic::Array->new if( !defined( $self->{ $field } ) );
    return( $self->{ $field } );
}

# An object of $class; a value that is not one is passed to $class->new. The getter
# instantiates a default object when none is set.
sub _set_get_object
{
    my $self = shift( @_ );
    my $field = shift( @_ );
    my $class = shift( @_ );
    if( @_ )
    {
        my $v = shift( @_ );
        if( !defined( $v ) || ( Scalar::Util::blessed( $v ) && $v->isa( $class ) ) )
        {
            $self->{ $field } = $v;
        }
        else
        {
            _load_class( $class );
            my $o = $class->new( ref( $v ) eq 'ARRAY' ? @$v : ref( $v ) eq 'HASH' ? $v : ( $v, debug => $self->{debug} ) ) //
                return( $self->pass_error( $class->error ) );
            $self->{ $field } = $o;
        }
        return( $self->{ $field } );
    }
    if( !defined( $self->{ $field } ) )
    {
        _load_class( $class );
        $self->{ $field } = $class->new( debug => $self->{debug} ) // return( $self->pass_error( $class->error ) );
    }
    return( $self->{ $field } );
}

# As _set_get_object, without instantiating on get (returns undef when unset).
sub _set_get_object_without_init
{
    my $self = shift( @_ );
    my $field = shift( @_ );
    my $class = shift( @_ );
    if( @_ )
    {
        my $v = shift( @_ );
        if( !defined( $v ) || ( Scalar::Util::blessed( $v ) && $v->isa( $class ) ) )
        {
            $self->{ $field } = $v;
        }
        else
        {
            _load_class( $class );
            my $o = $class->new( ref( $v ) eq 'ARRAY' ? @$v : $v ) // return( $self->pass_error( $class->error ) );
            $self->{ $field } = $o;
        }
    }
    return( $self->{ $field } );
}

sub _set_get_hash_as_mix_object
{
    my $self = shift( @_ );
    my $field = shift( @_ );
    if( @_ )
    {
        my $v = shift( @_ );
        $v = {} if( !defined( $v ) );
        return( $self->error( "Value provided for $field is not a hash reference." ) ) if( ( Scalar::Util::reftype( $v ) // '' ) ne 'HASH' );
        $self->{ $field } = WebSocket::Generic::Hash->new( { %$v } );
    }
    $self->{ $field } = WebSocket::Generic::Hash->new if( !defined( $self->{ $field } ) );
    return( $self->{ $field } );
}

# DateTime from a DateTime, an epoch or an ISO 8601 date (YYYY-MM-DD[THH:MM:SS]).
sub _set_get_datetime
{
    my $self = shift( @_ );
    my $field = shift( @_ );
    if( @_ )
    {
        my $v = shift( @_ );
        if( defined( $v ) && !( Scalar::Util::blessed( $v ) && $v->isa( 'DateTime' ) ) )
        {
            require DateTime;
            if( $v =~ /^\d{9,}$/ )
            {
                $v = DateTime->from_epoch( epoch => $v );
            }
            elsif( $v =~ /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}):(\d{2}))?$/ )
            {
                my $dt = DateTime->new( year => $1, month => $2, day => $3, ( defined( $4 ) ? ( hour => $4, minute => $5, second => $6 ) : () ), time_zone => 'UTC' );
                # A date-only value stringifies as the date, as the original's did.
                $dt->set_formatter( WebSocket::Generic::DateFormatter->new ) if( !defined( $4 ) );
                $v = $dt;
            }
            else
            {
                return( $self->error( "Invalid date or time value \"$v\" for $field" ) );
            }
        }
        $self->{ $field } = $v;
    }
    return( $self->{ $field } );
}

sub new_array { shift( @_ ); return( WebSocket::Generic::Array->new( @_ ) ); }
sub new_scalar { shift( @_ ); return( WebSocket::Generic::Scalar->new( @_ ) ); }
sub new_number { shift( @_ ); return( WebSocket::Generic::Number->new( @_ ) ); }
sub new_hash { shift( @_ ); return( WebSocket::Generic::Hash->new( @_ ) ); }

sub _is_object { return( Scalar::Util::blessed( $_[1] ) ? 1 : 0 ); }

package WebSocket::Generic::DateFormatter;
sub new { return( bless( {}, shift ) ); }
sub format_datetime { return( $_[1]->ymd ); }

1;

__END__

=encoding utf-8

=head1 NAME

WebSocket::Generic - the object model shared by the classes of WebSocket

=head1 SYNOPSIS

    package My::Thing;
    use parent qw( WebSocket::Generic );

    sub init
    {
        my $self = shift( @_ );
        $self->{size} = 10;
        return( $self->SUPER::init( @_ ) );
    }
    sub size { return( shift->_set_get_number( 'size', @_ ) ); }

    my $t = My::Thing->new( size => 12 ) || die( My::Thing->error );
    $t->size( 'twelve' ) // warn( $t->error->message );

=head1 DESCRIPTION

Every class of this distribution inherits from this one (L<WebSocket::Headers> through
multiple inheritance). It gives them the construction and error model of the original
C<WebSocket> distribution, which was built on L<Module::Generic>, without depending on it.

=head2 Construction

C<< Class->new( %options ) >> or C<< Class->new( \%options ) >> blesses a hash and calls
L</init>, which applies each option by calling the method of the same name with the value.
An option that names no public method makes C<new> fail with the error
C<Unknown method NAME in class CLASS>: a misspelt option is reported, never silently dropped.
When C<new> fails it returns C<undef> (an empty list in list context), and the exception is
available from C<< Class->error >>.

=head2 Errors

A method that fails returns C<undef> in scalar context and an empty list in list context,
and records a L<WebSocket::Exception> that L</error> returns. With the option C<fatal> set,
the same exception is thrown with C<die> instead.

=head1 METHODS

=head2 new

Creates the object as described above.

=head2 init

Applies the options; subclasses set their defaults, then call C<SUPER::init>. The key
C<_init_params_order>, when set to an array reference, lists the options that must be
applied first, in that order.

=head2 error

With arguments, records an error and returns C<undef> or an empty list: either a message
(the arguments are joined), a hash reference C<< { code => N, message => '...' } >>, or an
existing exception object. Without arguments, returns the last exception or C<undef>.
Called on a class, it reads or sets the class-level error (the error of a failed C<new>).

=head2 pass_error

Takes the error of another object (or an exception object), records it as this object's
error, and returns C<undef> or an empty list, like L</error>. Without argument it keeps the
current error. Used as C<< $obj->thing || return( $self->pass_error( $obj->error ) ) >>.

=head2 fatal

Boolean. When true, errors C<die> with the L<WebSocket::Exception> object.

=head2 debug

Integer debug level. L</message> prints the messages whose level is at most this value.

=head2 quiet

Boolean. When true, errors are not echoed to STDERR even at a non-zero debug level.

=head2 message

C<< $obj->message( $level, @parts ) >> prints the parts on STDERR, prefixed with the calling
package and line, when the object's debug level is at least C<$level>. Code references among
the parts are called, so that costly messages are only built when they are printed.

=head2 clone

A deep copy of the object, or C<undef> and an error.

=head2 new_array, new_hash, new_number, new_scalar

Build a L<WebSocket::Generic::Array>, L<WebSocket::Generic::Hash>,
L<WebSocket::Generic::Number> or L<WebSocket::Generic::Scalar> from the arguments.

=head1 SEE ALSO

L<WebSocket>, L<WebSocket::Exception>

=head1 COPYRIGHT & LICENSE

This library is free software; you can redistribute it and/or modify it under the same
terms as Perl itself.

=cut
