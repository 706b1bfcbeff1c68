package WebSocket::Version;
use strict;
use warnings;
use warnings::register;
use parent qw( WebSocket::Generic );
use Scalar::Util ();
use WebSocket::Generic::Number ();
use overload (
    '""'     => sub { my $v = $_[0]->as_string; defined( $v ) ? $v : '' },
    '0+'     => sub { $_[0]->{version} },
    # As the protocol version: the Hickson drafts (no version) and draft-ietf-hybi-00
    # (version 0) are false.
    'bool'   => sub { $_[0]->{version} ? 1 : 0 },
    '-'      => sub { $_[0]->_arith( $_[1], $_[2], '-' ) },
    '+'      => sub { $_[0]->_arith( $_[1], $_[2], '+' ) },
    '*'      => sub { $_[0]->_arith( $_[1], $_[2], '*' ) },
    '/'      => sub { $_[0]->_arith( $_[1], $_[2], '/' ) },
    '%'      => sub { $_[0]->_arith( $_[1], $_[2], '%' ) },
    '<'      => sub { my( $l, $r ) = $_[0]->_num_operands( $_[1], $_[2] ); $l < $r },
    '<='     => sub { my( $l, $r ) = $_[0]->_num_operands( $_[1], $_[2] ); $l <= $r },
    '>'      => sub { my( $l, $r ) = $_[0]->_num_operands( $_[1], $_[2] ); $l > $r },
    '>='     => sub { my( $l, $r ) = $_[0]->_num_operands( $_[1], $_[2] ); $l >= $r },
    '=='     => sub { my( $l, $r ) = $_[0]->_num_operands( $_[1], $_[2] ); $l == $r },
    '!='     => sub { my( $l, $r ) = $_[0]->_num_operands( $_[1], $_[2] ); $l != $r },
    '<=>'    => sub { my( $l, $r ) = $_[0]->_num_operands( $_[1], $_[2] ); $l <=> $r },
    'eq'     => sub { my( $l, $r ) = $_[0]->_str_operands( $_[1], $_[2] ); $l eq $r },
    'ne'     => sub { my( $l, $r ) = $_[0]->_str_operands( $_[1], $_[2] ); $l ne $r },
    'cmp'    => \&_cmp,
    fallback => 1,
);

our $VERSION = 'v0.3.0';

# Every draft of the WebSocket protocol, newest first, as a flat list of
# draft-name => { draft, serial, version, type, status, issued, expires, offset } pairs.
# The serial orders the drafts: 17 for draft-ietf-hybi-17 down to -71 for draft-hixie-00.
# The version is the value of the Sec-WebSocket-Version header (undef for the Hickson
# drafts, which had none). The offset is the position of the draft in this list.
our $IETF_VERSIONS = [];
# draft name => offset
our %DRAFT_OFFSET;
{
    my $offset = 0;
    # draft, serial, version, type, status, issued, expires, offset (tab separated)
    for my $line ( split( /\n/, <<'EOT' ) )
draft-ietf-hybi-17	17	13	hybi	draft	2011-09-30	2012-04-02	0
draft-ietf-hybi-16	16	13	hybi	draft	2011-09-27	2012-03-30	1
draft-ietf-hybi-15	15	13	hybi	draft	2011-09-17	2012-03-20	2
draft-ietf-hybi-14	14	13	hybi	draft	2011-09-08	2012-03-11	3
draft-ietf-hybi-13	13	13	hybi	draft	2011-08-31	2012-03-03	4
draft-ietf-hybi-12	12	8	hybi	draft	2011-08-24	2012-02-25	5
draft-ietf-hybi-11	11	8	hybi	draft	2011-08-23	2012-02-24	6
draft-ietf-hybi-10	10	8	hybi	draft	2011-07-11	2012-01-12	7
draft-ietf-hybi-09	9	8	hybi	draft	2011-06-13	2011-12-15	8
draft-ietf-hybi-08	8	8	hybi	draft	2011-06-07	2011-12-09	9
draft-ietf-hybi-07	7	7	hybi	draft	2011-04-22	2011-10-24	10
draft-ietf-hybi-06	6	6	hybi	draft	2011-02-25	2011-08-29	11
draft-ietf-hybi-05	5	5	hybi	draft	2011-02-08	2011-08-12	12
draft-ietf-hybi-04	4	4	hybi	draft	2011-01-11	2011-07-15	13
draft-ietf-hybi-03	3	2	hybi	draft	2010-10-17	2011-04-20	14
draft-ietf-hybi-02	2	2	hybi	draft	2010-09-24	2011-03-28	15
draft-ietf-hybi-01	1	1	hybi	draft	2010-08-31	2011-03-04	16
draft-ietf-hybi-00	0	0	hybi	obsolete	2010-05-23	2010-11-24	17
draft-hixie-76	-1		hixie	obsolete	2010-05-06	2010-11-08	18
draft-hixie-75	-2		hixie	draft	2010-02-04	2010-08-08	19
draft-hixie-74	-3		hixie	draft	2010-02-02	2010-08-06	20
draft-hixie-73	-4		hixie	draft	2010-02-02	2010-08-06	21
draft-hixie-72	-5		hixie	draft	2010-02-01	2010-08-05	22
draft-hixie-71	-6		hixie	draft	2010-02-01	2010-08-05	23
draft-hixie-70	-7		hixie	draft	2010-01-31	2010-08-04	24
draft-hixie-69	-8		hixie	draft	2010-01-30	2010-08-03	25
draft-hixie-68	-9		hixie	draft	2009-12-16	2010-06-19	26
draft-hixie-67	-10		hixie	draft	2009-12-16	2010-06-19	27
draft-hixie-66	-11		hixie	draft	2009-12-09	2010-06-12	28
draft-hixie-65	-12		hixie	draft	2009-12-09	2010-06-12	29
draft-hixie-64	-13		hixie	draft	2009-12-07	2010-06-10	30
draft-hixie-63	-14		hixie	draft	2009-12-07	2010-06-10	31
draft-hixie-62	-15		hixie	draft	2009-12-07	2010-06-10	32
draft-hixie-61	-16		hixie	draft	2009-12-04	2010-06-07	33
draft-hixie-60	-17		hixie	draft	2009-12-04	2010-06-07	34
draft-hixie-59	-18		hixie	draft	2009-12-04	2010-06-07	35
draft-hixie-58	-19		hixie	draft	2009-12-03	2010-06-06	36
draft-hixie-57	-20		hixie	draft	2009-12-03	2010-06-06	37
draft-hixie-56	-21		hixie	draft	2009-12-03	2010-06-06	38
draft-hixie-55	-22		hixie	draft	2009-11-02	2010-05-06	39
draft-hixie-54	-23		hixie	draft	2009-10-23	2010-04-26	40
draft-hixie-53	-24		hixie	draft	2009-10-23	2010-04-26	41
draft-hixie-52	-25		hixie	draft	2009-10-23	2010-04-26	42
draft-hixie-51	-26		hixie	draft	2009-10-21	2010-04-24	43
draft-hixie-50	-27		hixie	draft	2009-10-21	2010-04-24	44
draft-hixie-49	-28		hixie	draft	2009-10-17	2010-04-20	45
draft-hixie-48	-29		hixie	draft	2009-10-13	2010-04-16	46
draft-hixie-47	-30		hixie	draft	2009-10-13	2010-04-16	47
draft-hixie-46	-31		hixie	draft	2009-10-06	2010-04-09	48
draft-hixie-45	-32		hixie	draft	2009-10-05	2010-04-08	49
draft-hixie-44	-33		hixie	draft	2009-09-28	2010-04-01	50
draft-hixie-43	-34		hixie	draft	2009-09-21	2010-03-25	51
draft-hixie-42	-35		hixie	draft	2009-09-17	2010-03-21	52
draft-hixie-41	-36		hixie	draft	2009-09-17	2010-03-21	53
draft-hixie-40	-37		hixie	draft	2009-09-04	2010-03-08	54
draft-hixie-39	-38		hixie	draft	2009-09-04	2010-03-08	55
draft-hixie-36	-39		hixie	draft	2009-09-02	2010-03-06	56
draft-hixie-35	-40		hixie	draft	2009-08-16	2010-02-17	57
draft-hixie-34	-41		hixie	draft	2009-08-15	2010-02-16	58
draft-hixie-33	-42		hixie	draft	2009-08-14	2010-02-15	59
draft-hixie-32	-43		hixie	draft	2009-08-14	2010-02-15	60
draft-hixie-31	-44		hixie	draft	2009-08-07	2010-02-08	61
draft-hixie-30	-45		hixie	draft	2009-08-07	2010-02-08	62
draft-hixie-29	-46		hixie	draft	2009-08-04	2010-02-05	63
draft-hixie-28	-47		hixie	draft	2009-07-30	2010-01-31	64
draft-hixie-27	-48		hixie	draft	2009-07-29	2010-01-30	65
draft-hixie-26	-49		hixie	draft	2009-07-28	2010-01-29	66
draft-hixie-25	-50		hixie	draft	2009-07-28	2010-01-29	67
draft-hixie-24	-51		hixie	draft	2009-07-28	2010-01-29	68
draft-hixie-23	-52		hixie	draft	2009-07-27	2010-01-28	69
draft-hixie-22	-53		hixie	draft	2009-07-13	2010-01-14	70
draft-hixie-21	-54		hixie	draft	2009-07-08	2010-01-09	71
draft-hixie-20	-55		hixie	draft	2009-07-08	2010-01-09	72
draft-hixie-19	-56		hixie	draft	2009-07-07	2010-01-08	73
draft-hixie-18	-57		hixie	draft	2009-07-07	2010-01-08	74
draft-hixie-17	-58		hixie	draft	2009-06-16	2009-12-18	75
draft-hixie-16	-59		hixie	draft	2009-06-05	2009-12-07	76
draft-hixie-15	-60		hixie	draft	2009-06-05	2009-12-07	77
draft-hixie-13	-61		hixie	draft	2009-06-01	2009-12-01	78
draft-hixie-12	-62		hixie	draft	2009-05-30	2009-12-01	79
draft-hixie-11	-63		hixie	draft	2009-04-24	2009-10-26	80
draft-hixie-10	-64		hixie	draft	2009-04-24	2009-10-26	81
draft-hixie-07	-65		hixie	draft	2009-03-23	2009-09-24	82
draft-hixie-06	-66		hixie	draft	2009-03-23	2009-09-24	83
draft-hixie-05	-67		hixie	draft	2009-03-23	2009-09-24	84
draft-hixie-03	-68		hixie	draft	2009-02-25	2009-08-29	85
draft-hixie-02	-69		hixie	draft	2009-02-17	2009-08-21	86
draft-hixie-01	-70		hixie	draft	2009-01-09	2009-07-13	87
draft-hixie-00	-71		hixie	draft	2009-01-09	2009-07-13	88
EOT
    {
        my( $draft, $serial, $version, $type, $status, $issued, $expires ) = split( /\t/, $line );
        push( @$IETF_VERSIONS, $draft => {
            draft   => $draft,
            serial  => $serial + 0,
            version => ( length( $version ) ? $version + 0 : undef ),
            type    => $type,
            status  => $status,
            issued  => $issued,
            expires => $expires,
            offset  => $offset,
        } );
        $DRAFT_OFFSET{ $draft } = $offset++;
    }
}
my $MAX_SERIAL = $IETF_VERSIONS->[1]->{serial};
my $MIN_SERIAL = $IETF_VERSIONS->[-1]->{serial};
my $LAST_OFFSET = ( scalar( @$IETF_VERSIONS ) / 2 ) - 1;

# The table entry at an offset.
sub _entry
{
    my $offset = shift( @_ );
    return if( !defined( $offset ) || $offset < 0 || $offset > $LAST_OFFSET );
    return( $IETF_VERSIONS->[ ( $offset * 2 ) + 1 ] );
}

# A Hickson draft is a valid object that is false in boolean context, so success is tested
# with defined() rather than truth.
sub new
{
    my $that  = shift( @_ );
    my $class = ref( $that ) || $that;
    my $self  = bless( { _exception_class => 'WebSocket::Exception' }, $class );
    my $rv = $self->init( @_ );
    return( $rv ) if( defined( $rv ) );
    my $ex = $self->{error};
    $class->_set_class_error( $ex ) if( $ex );
    die( $ex ) if( $ex && $self->{fatal} );
    return;
}

# init( $version | $draft | $version_object | \%dictionary, %options )
sub init
{
    my $self = shift( @_ );
    my $this = shift( @_ );
    $self->{_exception_class} = 'WebSocket::Exception';
    my $opts = $self->_get_args_as_hash( @_ );
    return( $self->error( 'Odd number of parameters provided to ' . ref( $self ) . '->new' ) ) if( !defined( $opts ) );
    # These first, so that they apply to the errors below.
    for my $k ( qw( fatal debug quiet ) )
    {
        $self->{ $k } = delete( $opts->{ $k } ) if( exists( $opts->{ $k } ) );
    }
    my $dict;
    if( Scalar::Util::blessed( $this ) && $this->isa( __PACKAGE__ ) )
    {
        $dict = _entry( $this->{offset} ) || ( defined( $this->{draft} ) ? $self->get_dictionary( draft => $this->{draft} ) : undef );
        return( $self->error( 'No version numeric or string was provided.' ) ) if( !$dict || !%$dict );
    }
    elsif( ref( $this ) eq 'HASH' && defined( $this->{serial} ) )
    {
        # A dictionary, as found in the table; what it lacks is taken from the table entry
        # with the same serial.
        my $entry = $this->{serial} =~ /^-?\d+$/ ? ( _entry( $MAX_SERIAL - $this->{serial} ) || {} ) : {};
        $dict = { %$entry, %$this };
    }
    elsif( !defined( $this ) || !length( "$this" ) )
    {
        return( $self->error( 'No version numeric or string was provided.' ) );
    }
    elsif( "$this" =~ /^\d+$/ )
    {
        $dict = $self->get_dictionary( version => "$this" ) // return( $self->pass_error );
        return( $self->error({ code => 404, message => "No data found for version \"$this\"." }) ) if( !%$dict );
    }
    else
    {
        $dict = $self->get_dictionary( draft => "$this" ) // return( $self->pass_error );
        return( $self->error({ code => 404, message => "No data found for draft \"$this\"." }) ) if( !%$dict );
    }
    $self->{ $_ } = $dict->{ $_ } for( qw( draft serial version type status issued expires offset ) );
    ( $self->{revision} ) = defined( $self->{draft} ) ? ( $self->{draft} =~ /-(\d+)$/ ) : ();
    $self->{revision} += 0 if( defined( $self->{revision} ) );
    # Any other option is a method call, as for every class of the distribution.
    $self->SUPER::init( $opts ) // return( $self->pass_error );
    return( $self );
}

sub as_string { return( $_[0]->{version} ); }

sub draft { return( shift->_set_get_scalar_as_object( 'draft', @_ ) ); }

sub expires { return( shift->_date( 'expires', @_ ) ); }

sub get_dictionary
{
    my $self = shift( @_ );
    my @args = ( scalar( @_ ) == 1 && ref( $_[0] ) eq 'HASH' ) ? %{ $_[0] } : @_;
    my $unknown = sub{ return( $self->error( "Unknown arguments: '" . join( "', '", map{ defined( $_ ) ? $_ : '' } @args ) . "'" ) ) };
    return( $unknown->() ) if( scalar( @args ) % 2 );
    my $opts = { @args };
    my $given = sub{ return( defined( $opts->{ $_[0] } ) && length( $opts->{ $_[0] } ) ) };
    if( !$given->( 'version' ) && !$given->( 'draft' ) && !$given->( 'serial' ) && !$given->( 'type' ) )
    {
        return( $self->error( "No argument provided. Use either 'version' or 'draft'" ) );
    }
    my $entry;
    if( $given->( 'version' ) )
    {
        return( $self->error( 'version option value provided is not an integer.' ) ) if( $opts->{version} !~ /^\d+$/ );
        # The first match is the newest draft with that protocol version.
        for( my $i = 1; $i < scalar( @$IETF_VERSIONS ); $i += 2 )
        {
            my $d = $IETF_VERSIONS->[$i];
            next if( !defined( $d->{version} ) || $d->{version} != $opts->{version} );
            $entry = $d;
            last;
        }
    }
    elsif( $given->( 'draft' ) )
    {
        return( $self->error( 'draft option value contains illegal characters.' ) ) if( $opts->{draft} !~ /^[\w-]+$/ );
        $entry = _entry( $DRAFT_OFFSET{ lc( $opts->{draft} ) } );
    }
    elsif( $given->( 'type' ) && $given->( 'revision' ) )
    {
        return( $self->error( "Unknow draft type \"$opts->{type}\"." ) ) if( $opts->{type} !~ /^(?:hixie|hybi)$/i );
        return( $unknown->() ) if( $opts->{revision} !~ /^\d+$/ );
        my $name = lc( $opts->{type} ) eq 'hybi'
            ? sprintf( 'draft-ietf-hybi-%02d', $opts->{revision} )
            : sprintf( 'draft-hixie-%02d', $opts->{revision} );
        $entry = _entry( $DRAFT_OFFSET{ $name } );
    }
    elsif( $given->( 'serial' ) )
    {
        return( $self->error( 'Serial option provided is not an integer.' ) ) if( $opts->{serial} !~ /^-?\d+$/ );
        # Serials are consecutive: 17 is offset 0, each older draft one further.
        $entry = _entry( $MAX_SERIAL - $opts->{serial} );
    }
    else
    {
        return( $unknown->() );
    }
    # A copy, so that the table cannot be changed through it.
    return( $entry ? { %$entry } : {} );
}

sub issued { return( shift->_date( 'issued', @_ ) ); }

sub new_from_request
{
    my $self  = shift( @_ );
    my $req   = shift( @_ );
    my $class = ref( $self ) || $self;
    return( $self->error( 'No WebSocket::Request object was provided.' ) ) if( !$req );
    if( !Scalar::Util::blessed( $req ) || !$req->isa( 'WebSocket::Request' ) )
    {
        return( $self->error( 'Object provided (' . overload::StrVal( $req ) . ') is not a WebSocket::Request object.' ) );
    }
    my $h = $req->can( 'headers' ) ? $req->headers : undef;
    if( !Scalar::Util::blessed( $h ) || !$h->isa( 'HTTP::Headers' ) )
    {
        return( $self->error( 'Unable to find the WebSocket::Headers object.' ) );
    }
    my @opts = ( ( ref( $self ) && defined( $self->{debug} ) ) ? ( debug => $self->{debug} ) : (), @_ );
    # A header's value as a plain string, or undef when the header is absent or empty.
    my $get = sub
    {
        my $v = scalar( HTTP::Headers::header( $h, $_[0] ) );
        return( ( defined( $v ) && length( $v ) ) ? $v : undef );
    };
    my $version = $get->( 'Sec-WebSocket-Version' );
    my $draft   = $get->( 'Sec-WebSocket-Draft' );
    my $which;
    # Sec-WebSocket-Key and Sec-WebSocket-Version: draft-ietf-hybi-04 and later
    if( defined( $version ) || defined( $get->( 'Sec-WebSocket-Key' ) ) )
    {
        if( defined( $version ) && $version =~ /^\s*(\d{1,2})\s*$/ )
        {
            $which = $1;
        }
        # Sec-WebSocket-Origin was used up to draft-ietf-hybi-10, Origin after.
        elsif( defined( $get->( 'Sec-WebSocket-Origin' ) ) )
        {
            $which = 'draft-ietf-hybi-10';
        }
        else
        {
            $which = 'draft-ietf-hybi-17';
        }
    }
    # Sec-WebSocket-Draft: draft-ietf-hybi-02 and -03, whose value is the protocol version
    elsif( defined( $draft ) )
    {
        $draft =~ s/^\s+|\s+$//g;
        $which = $draft;
        # A number that is no protocol version may still be a draft revision.
        if( $draft =~ /^\d+$/ && !%{ $self->get_dictionary( version => $draft ) || {} } )
        {
            $which = sprintf( 'draft-ietf-hybi-%02d', $draft );
        }
    }
    # Sec-WebSocket-Key1 and -Key2 with the 8-byte challenge: draft-hixie-76 up to
    # draft-ietf-hybi-03, the newest of them.
    elsif( defined( $get->( 'Sec-WebSocket-Key1' ) ) && defined( $get->( 'Sec-WebSocket-Key2' ) ) )
    {
        $which = 'draft-ietf-hybi-03';
    }
    elsif( defined( $get->( 'Sec-WebSocket-Protocol' ) ) )
    {
        $which = 'draft-hixie-76';
    }
    elsif( defined( $get->( 'WebSocket-Protocol' ) ) )
    {
        $which = 'draft-hixie-75';
    }
    # Only Upgrade, Connection, Host and Origin
    else
    {
        $which = 'draft-hixie-07';
    }
    my $new = $class->new( $which, @opts );
    return( $self->pass_error( $class->error ) ) if( !defined( $new ) );
    return( $new );
}

sub next
{
    my $self = shift( @_ );
    my $offset = $self->{offset};
    return( $self->error( 'This version object has no offset in the table of drafts.' ) ) if( !defined( $offset ) );
    # draft-ietf-hybi-17 is the newest.
    return if( $offset <= 0 );
    return( $self->new( { %{ _entry( $offset - 1 ) } }, ( defined( $self->{debug} ) ? ( debug => $self->{debug} ) : () ) ) );
}

sub numify
{
    my $self = shift( @_ );
    return if( !defined( $self->{version} ) || !length( $self->{version} ) );
    return( WebSocket::Generic::Number->new( $self->{version} ) );
}

sub offset { return( $_[0]->{offset} ); }

sub prev
{
    my $self = shift( @_ );
    my $offset = $self->{offset};
    return( $self->error( 'This version object has no offset in the table of drafts.' ) ) if( !defined( $offset ) );
    # draft-hixie-00 is the oldest.
    return if( $offset >= $LAST_OFFSET );
    return( $self->new( { %{ _entry( $offset + 1 ) } }, ( defined( $self->{debug} ) ? ( debug => $self->{debug} ) : () ) ) );
}

sub previous { return( shift->prev( @_ ) ); }

sub revision { return( shift->_set_get_number( 'revision', @_ ) ); }

sub serial { return( shift->_set_get_number( 'serial', @_ ) ); }

sub status { return( shift->_set_get_scalar_as_object( 'status', @_ ) ); }

sub type { return( shift->_set_get_scalar_as_object( 'type', @_ ) ); }

sub version { return( shift->_set_get_number( 'version', @_ ) ); }

# Dates are kept as text and become DateTime objects when first asked for, so that loading
# this module does not load DateTime.
sub _date
{
    my $self  = shift( @_ );
    my $field = shift( @_ );
    return( $self->_set_get_datetime( $field, @_ ) ) if( @_ );
    my $v = $self->{ $field };
    return( $v ) if( !defined( $v ) || ref( $v ) );
    return( $self->_set_get_datetime( $field, $v ) );
}

# The other operand of an operator as a serial: another version object gives its serial, a
# number is itself, and a string counts as Perl numifies it.
sub _other_serial
{
    my $other = shift( @_ );
    return( $other->{serial} ) if( Scalar::Util::blessed( $other ) && $other->isa( __PACKAGE__ ) );
    return( 0 ) if( !defined( $other ) );
    no warnings 'numeric';
    return( "$other" + 0 );
}

sub _num_operands
{
    my( $self, $other, $swap ) = @_;
    my $o = _other_serial( $other );
    return( $swap ? ( $o, $self->{serial} ) : ( $self->{serial}, $o ) );
}

# eq and ne compare the serial, as a string, with another version's serial or with the
# other operand as a string.
sub _str_operands
{
    my( $self, $other, $swap ) = @_;
    my $o = ( Scalar::Util::blessed( $other ) && $other->isa( __PACKAGE__ ) )
        ? "$other->{serial}"
        : ( defined( $other ) ? "$other" : '' );
    return( $swap ? ( $o, "$self->{serial}" ) : ( "$self->{serial}", $o ) );
}

# cmp: two version objects compare by serial; anything else is compared with the draft name.
sub _cmp
{
    my( $self, $other, $swap ) = @_;
    my $r;
    if( Scalar::Util::blessed( $other ) && $other->isa( __PACKAGE__ ) )
    {
        $r = $self->{serial} <=> $other->{serial};
    }
    else
    {
        $r = $self->{draft} cmp ( defined( $other ) ? "$other" : '' );
    }
    return( $swap ? -$r : $r );
}

# Arithmetic moves along the serials: the result is the version object of the resulting
# serial, or undef (with a warning in this package's category) when there is none.
sub _arith
{
    my( $self, $other, $swap, $op ) = @_;
    my $o;
    if( Scalar::Util::blessed( $other ) && $other->isa( __PACKAGE__ ) )
    {
        $o = $other->{serial};
    }
    elsif( defined( $other ) && "$other" =~ /^\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)\s*$/ )
    {
        $o = "$other" + 0;
    }
    else
    {
        warnings::warnif( 'WebSocket::Version', 'Invalid operand "' . ( defined( $other ) ? $other : 'undef' ) . "\" for the operation '$op' on a version." );
        return;
    }
    my( $l, $r ) = $swap ? ( $o, $self->{serial} ) : ( $self->{serial}, $o );
    if( ( $op eq '/' || $op eq '%' ) && $r == 0 )
    {
        warnings::warnif( 'WebSocket::Version', "Illegal division by zero in the operation '$op' on a version." );
        return;
    }
    my $res = $op eq '-' ? $l - $r
            : $op eq '+' ? $l + $r
            : $op eq '*' ? $l * $r
            : $op eq '/' ? $l / $r
            : $l % $r;
    if( $res != int( $res ) )
    {
        warnings::warnif( 'WebSocket::Version', "Resulting value '$res' is not an integer." );
        return;
    }
    if( $res < $MIN_SERIAL || $res > $MAX_SERIAL )
    {
        warnings::warnif( 'WebSocket::Version', "Resulting value '$res' is out of bounds: the drafts go from serial $MIN_SERIAL to $MAX_SERIAL." );
        return;
    }
    my $entry = _entry( $MAX_SERIAL - $res ) || return;
    return( $self->new( { %$entry }, ( defined( $self->{debug} ) ? ( debug => $self->{debug} ) : () ) ) );
}

1;

__END__

=encoding utf-8

=head1 NAME

WebSocket::Version - the drafts and versions of the WebSocket protocol

=head1 SYNOPSIS

    use WebSocket::Version;
    my $v = WebSocket::Version->new( 13 ) || die( WebSocket::Version->error, "\n" );
    print "$v\n";                       # 13
    print $v->draft, "\n";              # draft-ietf-hybi-17
    print $v->issued, "\n";             # 2011-09-30
    print $v->expires->year, "\n";      # 2012

    my $v8 = WebSocket::Version->new( 'draft-ietf-hybi-10' ) || die( WebSocket::Version->error, "\n" );
    print $v8->version, "\n";           # 8

    # Operators work on the order of the drafts
    my $v16 = $v - 1;                   # draft-ietf-hybi-16
    print "older\n" if( $v16 < $v );
    print $v->prev->draft, "\n";        # draft-ietf-hybi-16

    # The version a client handshake request speaks
    my $from = WebSocket::Version->new_from_request( $request ) ||
        die( WebSocket::Version->error, "\n" );

=head1 DESCRIPTION

Until it became RFC 6455, the WebSocket protocol went through 89 published drafts: 71 written
by Ian Hickson (C<draft-hixie-00> to C<draft-hixie-76>; a few numbers were never published)
and 18 of the IETF HyBi working group (C<draft-ietf-hybi-00> to C<draft-ietf-hybi-17>). An
object of this class stands for one of them.

Clients have announced a protocol I<version> in the C<Sec-WebSocket-Version> header since
C<draft-ietf-hybi-04>. Several drafts share a version (8 for drafts 8 to 12; 13 for drafts
13 to 17 and for RFC 6455), and the Hickson drafts have none. To order the drafts, each one
also has a I<serial>: 17 for C<draft-ietf-hybi-17> down to 0 for C<draft-ietf-hybi-00>, then
-1 for C<draft-hixie-76> down to -71 for C<draft-hixie-00>. Comparison and arithmetic
operators work on serials (see L</OVERLOADING>).

The table of drafts is available as C<$WebSocket::Version::IETF_VERSIONS>: an array
reference of pairs, a draft name followed by a hash reference with the keys C<draft>,
C<serial>, C<version> (C<undef> for the Hickson drafts), C<type> (C<hybi> or C<hixie>),
C<status> (C<draft> or C<obsolete>), C<issued> and C<expires> (C<YYYY-MM-DD>) and C<offset>
(the position in the table, from 0 for the newest to 88 for the oldest), newest first.

This module registers the warnings category C<WebSocket::Version>; enable it with
C<use warnings qw( WebSocket::Version )> to be told why an operation gave C<undef>.

=head1 CONSTRUCTORS

=head2 new

    my $v = WebSocket::Version->new( 13 );
    my $v = WebSocket::Version->new( 'draft-hixie-76', debug => 3 );
    my $copy = WebSocket::Version->new( $v );

Takes a protocol version number, a draft name, or another object of this class, then
optional options (C<debug>, C<fatal>, or any method name with the value to set).

A version number gives the newest draft that used it: C<13> is C<draft-ietf-hybi-17>, C<8>
is C<draft-ietf-hybi-12>, C<2> is C<draft-ietf-hybi-03> and C<0> is C<draft-ietf-hybi-00>.
A draft name is matched without regard to case. An object gives a new object for the same
draft.

On failure it returns C<undef> (an empty list in list context) and sets the error that
C<< WebSocket::Version->error >> returns: C<No version numeric or string was provided.>
when the argument is missing or empty, C<No data found for version "N".> or
C<No data found for draft "NAME".> (both with the code 404) when nothing matches, and
C<draft option value contains illegal characters.> for a string that cannot be a draft
name.

Because the objects of the Hickson drafts are false in boolean context (see
L</OVERLOADING>), test the result of C<new> with C<defined> when such a draft is possible.

=head2 new_from_request

    my $v = WebSocket::Version->new_from_request( $request, %options );

Works out the version that a client handshake request (a L<WebSocket::Request>) speaks,
from its header fields, and returns the matching object; the options are passed to
L</new>. The first rule that applies wins:

=over 4

=item 1. C<Sec-WebSocket-Version> holding a number of one or two digits: that version.

=item 2. C<Sec-WebSocket-Version> (any other value) or C<Sec-WebSocket-Key>: C<draft-ietf-hybi-10> when C<Sec-WebSocket-Origin> is present, C<draft-ietf-hybi-17> otherwise.

=item 3. C<Sec-WebSocket-Draft>: its value, as a protocol version (C<2> is C<draft-ietf-hybi-03>) or, failing that, as a draft revision or name.

=item 4. C<Sec-WebSocket-Key1> and C<Sec-WebSocket-Key2>: C<draft-ietf-hybi-03>.

=item 5. C<Sec-WebSocket-Protocol>: C<draft-hixie-76>.

=item 6. C<WebSocket-Protocol>: C<draft-hixie-75>.

=item 7. Otherwise: C<draft-hixie-07>.

=back

It may be called on the class or on an object. Errors: C<No WebSocket::Request object was
provided.>, C<Object provided (...) is not a WebSocket::Request object.>, C<Unable to find
the WebSocket::Headers object.>, and those of L</new> (a version number no draft has).

=head1 METHODS

=head2 as_string

The protocol version number, or C<undef> for the Hickson drafts, which had none. The object
stringifies to it (to an empty string for those drafts): C<"$v"> is C<13>.

=head2 clone

A copy of the object (inherited from L<WebSocket::Generic>).

=head2 draft

Gets or sets the draft name, such as C<draft-ietf-hybi-17>, as a
L<WebSocket::Generic::Scalar>.

=head2 expires

Gets or sets the date the draft expired, as a L<DateTime> object that stringifies as
C<YYYY-MM-DD>. A new value may be a L<DateTime>, an epoch time or an ISO 8601 date.

=head2 get_dictionary

    my $data = $v->get_dictionary( version => 8 );
    my $data = WebSocket::Version->get_dictionary( draft => 'draft-hixie-76' );
    my $data = $v->get_dictionary( type => 'hybi', revision => 10 );
    my $data = $v->get_dictionary( serial => -1 );

Looks a draft up in the table and returns a copy of its data (a hash reference with the keys
listed in L</DESCRIPTION>), or an empty hash reference when no draft matches. The query is,
in this order of precedence: C<version> (the newest draft with that protocol version),
C<draft> (a draft name, in any case), C<type> (C<hybi> or C<hixie>) together with
C<revision> (the number ending the draft name), or C<serial>. Other keys are ignored.

On error it returns C<undef>, with one of these messages:
C<No argument provided. Use either 'version' or 'draft'>,
C<version option value provided is not an integer.>,
C<draft option value contains illegal characters.>, C<Unknow draft type "TYPE".>,
C<Serial option provided is not an integer.>, or C<Unknown arguments: '...'> (the
arguments given) when C<type> comes without a usable C<revision>.

=head2 issued

Gets or sets the date the draft was published, as a L<DateTime> object that stringifies as
C<YYYY-MM-DD>.

=head2 next

Returns the object of the next newer draft (C<draft-ietf-hybi-16> for C<draft-ietf-hybi-15>,
C<draft-ietf-hybi-00> for C<draft-hixie-76>), or C<undef> for C<draft-ietf-hybi-17>, the
newest.

=head2 numify

Returns the protocol version as a L<WebSocket::Generic::Number>, or C<undef> for the
Hickson drafts.

=head2 offset

Returns the position of the draft in the table, 0 for C<draft-ietf-hybi-17> to 88 for
C<draft-hixie-00>.

=head2 prev

Returns the object of the next older draft (C<draft-ietf-hybi-14> for C<draft-ietf-hybi-15>,
C<draft-hixie-76> for C<draft-ietf-hybi-00>), or C<undef> for C<draft-hixie-00>, the
oldest.

=head2 previous

The same as L</prev>.

=head2 revision

Gets or sets the number that ends the draft name (17 for C<draft-ietf-hybi-17>, 76 for
C<draft-hixie-76>, 7 for C<draft-hixie-07>), as a L<WebSocket::Generic::Number>.

=head2 serial

Gets or sets the serial of the draft (see L</DESCRIPTION>), as a
L<WebSocket::Generic::Number>.

=head2 status

Gets or sets the status of the draft, C<draft> or C<obsolete>, as a
L<WebSocket::Generic::Scalar>.

=head2 type

Gets or sets the kind of draft, C<hybi> or C<hixie>, as a L<WebSocket::Generic::Scalar>.

=head2 version

Gets or sets the protocol version, as a L<WebSocket::Generic::Number>, or C<undef> for the
Hickson drafts.

=head1 OVERLOADING

=over 4

=item C<"">

The protocol version (L</as_string>); the empty string for the Hickson drafts.

=item C<0+>

The protocol version; C<undef> for the Hickson drafts.

=item C<bool>

True when the draft has a protocol version other than 0: the Hickson drafts and
C<draft-ietf-hybi-00> are false. Test constructors with C<defined>.

=item C<< < <= > >= == != <=> >>

Compare the serial with the other operand: the serial of another version object, or the
other operand as a number. So C<< $v16 < $v17 >> is true, and C<$v == 17> is true for
C<draft-ietf-hybi-17> (17 is its serial, 13 its version).

=item C<eq ne>

Compare the serial, as a string, with the serial of another version object, or with the
other operand as a string.

=item C<cmp>

Between two version objects, compares their serials, so that
C<< sort { $a cmp $b } @versions >> puts the oldest first; with anything else, compares the
draft name with the other operand as a string.

=item C<- + * / %>

Compute on the serial and return the object of the draft with the resulting serial:
C<< WebSocket::Version->new(13) - 1 >> is C<draft-ietf-hybi-16>, and
C<< WebSocket::Version->new(5) * 3 >> is C<draft-ietf-hybi-15>. The other operand is a
number or another version object (its serial). The result is C<undef>, with a warning
when the C<WebSocket::Version> warnings category is enabled, when the operand is not a
number, when the result is not a whole number (C<< $v17 / 2 >>) or when no draft has that
serial (C<< $v16 * 2 >>).

=back

=head1 THE DRAFTS

Newest first; the version is the value of C<Sec-WebSocket-Version> (C<-> for none).

    draft              serial  version type   status    issued      expires     offset
    draft-ietf-hybi-17    17  13      hybi   draft     2011-09-30  2012-04-02   0
    draft-ietf-hybi-16    16  13      hybi   draft     2011-09-27  2012-03-30   1
    draft-ietf-hybi-15    15  13      hybi   draft     2011-09-17  2012-03-20   2
    draft-ietf-hybi-14    14  13      hybi   draft     2011-09-08  2012-03-11   3
    draft-ietf-hybi-13    13  13      hybi   draft     2011-08-31  2012-03-03   4
    draft-ietf-hybi-12    12  8       hybi   draft     2011-08-24  2012-02-25   5
    draft-ietf-hybi-11    11  8       hybi   draft     2011-08-23  2012-02-24   6
    draft-ietf-hybi-10    10  8       hybi   draft     2011-07-11  2012-01-12   7
    draft-ietf-hybi-09     9  8       hybi   draft     2011-06-13  2011-12-15   8
    draft-ietf-hybi-08     8  8       hybi   draft     2011-06-07  2011-12-09   9
    draft-ietf-hybi-07     7  7       hybi   draft     2011-04-22  2011-10-24  10
    draft-ietf-hybi-06     6  6       hybi   draft     2011-02-25  2011-08-29  11
    draft-ietf-hybi-05     5  5       hybi   draft     2011-02-08  2011-08-12  12
    draft-ietf-hybi-04     4  4       hybi   draft     2011-01-11  2011-07-15  13
    draft-ietf-hybi-03     3  2       hybi   draft     2010-10-17  2011-04-20  14
    draft-ietf-hybi-02     2  2       hybi   draft     2010-09-24  2011-03-28  15
    draft-ietf-hybi-01     1  1       hybi   draft     2010-08-31  2011-03-04  16
    draft-ietf-hybi-00     0  0       hybi   obsolete  2010-05-23  2010-11-24  17
    draft-hixie-76        -1  -       hixie  obsolete  2010-05-06  2010-11-08  18
    draft-hixie-75        -2  -       hixie  draft     2010-02-04  2010-08-08  19
    draft-hixie-74        -3  -       hixie  draft     2010-02-02  2010-08-06  20
    draft-hixie-73        -4  -       hixie  draft     2010-02-02  2010-08-06  21
    draft-hixie-72        -5  -       hixie  draft     2010-02-01  2010-08-05  22
    draft-hixie-71        -6  -       hixie  draft     2010-02-01  2010-08-05  23
    draft-hixie-70        -7  -       hixie  draft     2010-01-31  2010-08-04  24
    draft-hixie-69        -8  -       hixie  draft     2010-01-30  2010-08-03  25
    draft-hixie-68        -9  -       hixie  draft     2009-12-16  2010-06-19  26
    draft-hixie-67       -10  -       hixie  draft     2009-12-16  2010-06-19  27
    draft-hixie-66       -11  -       hixie  draft     2009-12-09  2010-06-12  28
    draft-hixie-65       -12  -       hixie  draft     2009-12-09  2010-06-12  29
    draft-hixie-64       -13  -       hixie  draft     2009-12-07  2010-06-10  30
    draft-hixie-63       -14  -       hixie  draft     2009-12-07  2010-06-10  31
    draft-hixie-62       -15  -       hixie  draft     2009-12-07  2010-06-10  32
    draft-hixie-61       -16  -       hixie  draft     2009-12-04  2010-06-07  33
    draft-hixie-60       -17  -       hixie  draft     2009-12-04  2010-06-07  34
    draft-hixie-59       -18  -       hixie  draft     2009-12-04  2010-06-07  35
    draft-hixie-58       -19  -       hixie  draft     2009-12-03  2010-06-06  36
    draft-hixie-57       -20  -       hixie  draft     2009-12-03  2010-06-06  37
    draft-hixie-56       -21  -       hixie  draft     2009-12-03  2010-06-06  38
    draft-hixie-55       -22  -       hixie  draft     2009-11-02  2010-05-06  39
    draft-hixie-54       -23  -       hixie  draft     2009-10-23  2010-04-26  40
    draft-hixie-53       -24  -       hixie  draft     2009-10-23  2010-04-26  41
    draft-hixie-52       -25  -       hixie  draft     2009-10-23  2010-04-26  42
    draft-hixie-51       -26  -       hixie  draft     2009-10-21  2010-04-24  43
    draft-hixie-50       -27  -       hixie  draft     2009-10-21  2010-04-24  44
    draft-hixie-49       -28  -       hixie  draft     2009-10-17  2010-04-20  45
    draft-hixie-48       -29  -       hixie  draft     2009-10-13  2010-04-16  46
    draft-hixie-47       -30  -       hixie  draft     2009-10-13  2010-04-16  47
    draft-hixie-46       -31  -       hixie  draft     2009-10-06  2010-04-09  48
    draft-hixie-45       -32  -       hixie  draft     2009-10-05  2010-04-08  49
    draft-hixie-44       -33  -       hixie  draft     2009-09-28  2010-04-01  50
    draft-hixie-43       -34  -       hixie  draft     2009-09-21  2010-03-25  51
    draft-hixie-42       -35  -       hixie  draft     2009-09-17  2010-03-21  52
    draft-hixie-41       -36  -       hixie  draft     2009-09-17  2010-03-21  53
    draft-hixie-40       -37  -       hixie  draft     2009-09-04  2010-03-08  54
    draft-hixie-39       -38  -       hixie  draft     2009-09-04  2010-03-08  55
    draft-hixie-36       -39  -       hixie  draft     2009-09-02  2010-03-06  56
    draft-hixie-35       -40  -       hixie  draft     2009-08-16  2010-02-17  57
    draft-hixie-34       -41  -       hixie  draft     2009-08-15  2010-02-16  58
    draft-hixie-33       -42  -       hixie  draft     2009-08-14  2010-02-15  59
    draft-hixie-32       -43  -       hixie  draft     2009-08-14  2010-02-15  60
    draft-hixie-31       -44  -       hixie  draft     2009-08-07  2010-02-08  61
    draft-hixie-30       -45  -       hixie  draft     2009-08-07  2010-02-08  62
    draft-hixie-29       -46  -       hixie  draft     2009-08-04  2010-02-05  63
    draft-hixie-28       -47  -       hixie  draft     2009-07-30  2010-01-31  64
    draft-hixie-27       -48  -       hixie  draft     2009-07-29  2010-01-30  65
    draft-hixie-26       -49  -       hixie  draft     2009-07-28  2010-01-29  66
    draft-hixie-25       -50  -       hixie  draft     2009-07-28  2010-01-29  67
    draft-hixie-24       -51  -       hixie  draft     2009-07-28  2010-01-29  68
    draft-hixie-23       -52  -       hixie  draft     2009-07-27  2010-01-28  69
    draft-hixie-22       -53  -       hixie  draft     2009-07-13  2010-01-14  70
    draft-hixie-21       -54  -       hixie  draft     2009-07-08  2010-01-09  71
    draft-hixie-20       -55  -       hixie  draft     2009-07-08  2010-01-09  72
    draft-hixie-19       -56  -       hixie  draft     2009-07-07  2010-01-08  73
    draft-hixie-18       -57  -       hixie  draft     2009-07-07  2010-01-08  74
    draft-hixie-17       -58  -       hixie  draft     2009-06-16  2009-12-18  75
    draft-hixie-16       -59  -       hixie  draft     2009-06-05  2009-12-07  76
    draft-hixie-15       -60  -       hixie  draft     2009-06-05  2009-12-07  77
    draft-hixie-13       -61  -       hixie  draft     2009-06-01  2009-12-01  78
    draft-hixie-12       -62  -       hixie  draft     2009-05-30  2009-12-01  79
    draft-hixie-11       -63  -       hixie  draft     2009-04-24  2009-10-26  80
    draft-hixie-10       -64  -       hixie  draft     2009-04-24  2009-10-26  81
    draft-hixie-07       -65  -       hixie  draft     2009-03-23  2009-09-24  82
    draft-hixie-06       -66  -       hixie  draft     2009-03-23  2009-09-24  83
    draft-hixie-05       -67  -       hixie  draft     2009-03-23  2009-09-24  84
    draft-hixie-03       -68  -       hixie  draft     2009-02-25  2009-08-29  85
    draft-hixie-02       -69  -       hixie  draft     2009-02-17  2009-08-21  86
    draft-hixie-01       -70  -       hixie  draft     2009-01-09  2009-07-13  87
    draft-hixie-00       -71  -       hixie  draft     2009-01-09  2009-07-13  88

=head1 SEE ALSO

L<WebSocket>, L<WebSocket::Request>, L<WebSocket::Generic>, RFC 6455,
L<https://datatracker.ietf.org/doc/html/draft-ietf-hybi-thewebsocketprotocol-17>

=head1 COPYRIGHT & LICENSE

This library is free software; you can redistribute it and/or modify it under the same
terms as Perl itself.

=cut
