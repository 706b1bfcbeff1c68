package WebSocket::Version;
use strict;
use warnings;
use warnings::register;
use parent qw( WebSocket::Generic );
use Scalar::Util ();
use overload (
    '""'     => sub { my $s = $_[0]->as_string; defined( $s ) ? $s : '' },
    '0+'     => sub { $_[0]->{version} },
    'bool'   => sub { $_[0]->{version} ? 1 : 0 },
    '-'      => sub { $_[0]->_arith( $_[1], $_[2], sub { $_[0] - $_[1] } ) },
    '+'      => sub { $_[0]->_arith( $_[1], $_[2], sub { $_[0] + $_[1] } ) },
    '*'      => sub { $_[0]->_arith( $_[1], $_[2], sub { $_[0] * $_[1] } ) },
    '/'      => sub { $_[0]->_arith( $_[1], $_[2], sub { $_[1] ? $_[0] / $_[1] : undef } ) },
    '%'      => sub { $_[0]->_arith( $_[1], $_[2], sub { $_[1] ? $_[0] % $_[1] : undef } ) },
    '<=>'    => sub { my( $a, $b ) = $_[0]->_operands( @_ ); $a <=> $b },
    'cmp'    => \&_cmp,
    '<'      => sub { my( $a, $b ) = $_[0]->_operands( @_ ); $a < $b },
    '<='     => sub { my( $a, $b ) = $_[0]->_operands( @_ ); $a <= $b },
    '>'      => sub { my( $a, $b ) = $_[0]->_operands( @_ ); $a > $b },
    '>='     => sub { my( $a, $b ) = $_[0]->_operands( @_ ); $a >= $b },
    '=='     => sub { my( $a, $b ) = $_[0]->_operands( @_ ); $a == $b },
    '!='     => sub { my( $a, $b ) = $_[0]->_operands( @_ ); $a != $b },
    'eq'     => sub { _cmp( @_ ) == 0 },
    'ne'     => sub { _cmp( @_ ) != 0 },
    fallback => 1,
);

our $VERSION = 'v0.3.0';

# Every WebSocket draft, newest first: draft name, serial (17 for hybi-17 down to -71 for
# hixie-00), protocol version (hybi only), type, status, issued and expiry dates.
our $IETF_VERSIONS = [];
our %DRAFT_OFFSET;
{
    my $offset = 0;
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
            version => length( $version ) ? $version + 0 : undef,
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

sub _entry { return( $IETF_VERSIONS->[ $_[0] * 2 + 1 ] ); }

sub new
{
    my $that  = shift( @_ );
    my $class = ref( $that ) || $that;
    my $this  = shift( @_ );
    my $self  = bless( { _exception_class => 'WebSocket::Exception' }, $class );
    my $fail  = sub { $self->error( @_ ); $class->_set_class_error( $self->{error} ); die( $self->{error} ) if( $self->{fatal} ); return; };
    my $opts  = $self->_get_args_as_hash( @_ ) // return( $fail->( "Odd number of parameters provided to ${class}->new" ) );
    $self->{ $_ } = delete( $opts->{ $_ } ) for( grep{ exists( $opts->{ $_ } ) } qw( debug fatal quiet ) );
    my $dict;
    if( !defined( $this ) || !length( "$this" ) )
    {
        return( $fail->( 'No version numeric or string was provided.' ) );
    }
    elsif( Scalar::Util::blessed( $this ) && $this->isa( __PACKAGE__ ) )
    {
        $dict = _entry( $this->{offset} );
    }
    elsif( ref( $this ) eq 'HASH' && defined( $this->{serial} ) )
    {
        $dict = $this;
    }
    elsif( !ref( $this ) && $this =~ /^\d+$/ )
    {
        $dict = $self->get_dictionary( version => $this );
        return( $fail->({ code => 404, message => "No data found for version \"$this\"." }) ) if( !$dict || !%$dict );
    }
    elsif( !ref( $this ) && $this =~ /^[\w-]+$/ )
    {
        $dict = $self->get_dictionary( draft => $this );
        return( $fail->({ code => 404, message => "No data found for draft \"$this\"." }) ) if( !$dict || !%$dict );
    }
    else
    {
        return( $fail->( "Invalid version or draft \"$this\"." ) );
    }
    $self->{ $_ } = $dict->{ $_ } for( qw( draft serial version type status issued expires offset ) );
    ( $self->{revision} ) = $self->{draft} =~ /(\d+)$/;
    $self->{revision} += 0 if( defined( $self->{revision} ) );
    for my $k ( sort( keys( %$opts ) ) )
    {
        return( $fail->( "Unknown method $k in class $class" ) ) if( $k !~ /^[a-z]\w*$/ || !$self->can( $k ) );
        $self->$k( $opts->{ $k } );
    }
    return( $self );
}

sub as_string { return( $_[0]->{version} ); }

sub draft { return( shift->_set_get_scalar_as_object( 'draft', @_ ) ); }

sub expires { return( shift->_date( 'expires', @_ ) ); }

sub issued { return( shift->_date( 'issued', @_ ) ); }

# Dates are kept as text and become DateTime objects when asked for (DateTime is slow to load).
sub _date
{
    my $self = shift( @_ );
    my $field = shift( @_ );
    return( $self->_set_get_datetime( $field, @_ ) ) if( @_ );
    my $v = $self->{ $field };
    return( $v ) if( !defined( $v ) || ref( $v ) );
    return( $self->_set_get_datetime( $field, $v ) );
}

sub get_dictionary
{
    my $self = shift( @_ );
    my $opts = $self->_get_args_as_hash( @_ ) // return( $self->error( 'Odd number of parameters provided to get_dictionary' ) );
    my %known = map{ $_ => 1 } qw( version draft serial type revision );
    my @unknown = sort( grep{ !$known{ $_ } } keys( %$opts ) );
    return( $self->error( 'Unknown arguments: ' . join( ', ', map{ "'$_'" } @unknown ) ) ) if( @unknown );
    my $pick;
    if( defined( $opts->{version} ) )
    {
        return( $self->error( 'version option value provided is not an integer.' ) ) if( $opts->{version} !~ /^\d+$/ );
        for( my $i = 1; $i < @$IETF_VERSIONS; $i += 2 )
        {
            my $d = $IETF_VERSIONS->[$i];
            if( defined( $d->{version} ) && $d->{version} == $opts->{version} )
            {
                $pick = $d;
                last;
            }
        }
    }
    elsif( defined( $opts->{draft} ) )
    {
        return( $self->error( 'draft option value contains illegal characters.' ) ) if( $opts->{draft} !~ /^[\w-]+$/ );
        my $off = $DRAFT_OFFSET{ lc( $opts->{draft} ) };
        $pick = _entry( $off ) if( defined( $off ) );
    }
    elsif( defined( $opts->{serial} ) )
    {
        return( $self->error( 'Serial option provided is not an integer.' ) ) if( $opts->{serial} !~ /^-?\d+$/ );
        # serial 17 is offset 0, and each older draft is one further
        my $off = $MAX_SERIAL - $opts->{serial};
        $pick = _entry( $off ) if( $off >= 0 && $off * 2 < @$IETF_VERSIONS );
    }
    elsif( defined( $opts->{type} ) )
    {
        return( $self->error( "Unknow draft type \"$opts->{type}\"." ) ) if( $opts->{type} !~ /^(?:hixie|hybi)$/ );
        return( $self->error( 'revision option value provided is not an integer.' ) ) if( !defined( $opts->{revision} ) || $opts->{revision} !~ /^\d+$/ );
        my $name = $opts->{type} eq 'hybi'
            ? sprintf( 'draft-ietf-hybi-%02d', $opts->{revision} )
            : sprintf( 'draft-hixie-%02d', $opts->{revision} );
        my $off = $DRAFT_OFFSET{ $name };
        $pick = _entry( $off ) if( defined( $off ) );
    }
    else
    {
        return( $self->error( "No argument provided. Use either 'version' or 'draft'" ) );
    }
    return( $pick ? { %$pick } : {} );
}

sub new_from_request
{
    my $self = shift( @_ );
    my $req  = shift( @_ );
    my $class = ref( $self ) || $self;
    my $fail = sub { return( ref( $self ) ? $self->error( @_ ) : do { my $o = bless( { _exception_class => 'WebSocket::Exception' }, $class ); $o->error( @_ ); $class->_set_class_error( $o->{error} ); return; } ) };
    return( $fail->( 'No WebSocket::Request object was provided.' ) ) if( !defined( $req ) );
    return( $fail->( 'Object provided (' . ( ref( $req ) || $req ) . ') is not a WebSocket::Request object.' ) )
        if( !Scalar::Util::blessed( $req ) || !$req->isa( 'WebSocket::Request' ) );
    my $h = $req->headers;
    return( $fail->( 'Unable to find the WebSocket::Headers object.' ) ) if( !Scalar::Util::blessed( $h ) || !$h->isa( 'HTTP::Headers' ) );
    my $get = sub { my $v = HTTP::Headers::header( $h, $_[0] ); return( defined( $v ) && length( $v ) ? $v : undef ); };
    my $which;
    if( defined( my $v = $get->( 'Sec-WebSocket-Version' ) ) )
    {
        return( $fail->( "Invalid Sec-WebSocket-Version header value \"$v\"." ) ) if( $v !~ /^\s*(\d{1,2})\s*$/ );
        return( $class->new( $1, @_ ) // $fail->( $class->error ) );
    }
    elsif( defined( $get->( 'Sec-WebSocket-Key' ) ) )
    {
        $which = defined( $get->( 'Sec-WebSocket-Origin' ) ) ? 'draft-ietf-hybi-10' : 'draft-ietf-hybi-17';
    }
    elsif( defined( my $d = $get->( 'Sec-WebSocket-Draft' ) ) )
    {
        $which = $d =~ /^\d+$/ ? sprintf( 'draft-ietf-hybi-%02d', $d ) : $d;
    }
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
    else
    {
        $which = 'draft-hixie-07';
    }
    return( $class->new( $which, @_ ) // $fail->( $class->error ) );
}

sub next
{
    my $self = shift( @_ );
    return if( $self->{offset} <= 0 );
    return( $self->new( _entry( $self->{offset} - 1 )->{draft}, debug => $self->{debug} ) );
}

sub numify
{
    my $self = shift( @_ );
    return if( !defined( $self->{version} ) );
    return( WebSocket::Generic::Number->new( $self->{version} ) );
}

sub offset { return( $_[0]->{offset} ); }

sub prev
{
    my $self = shift( @_ );
    return if( ( $self->{offset} + 1 ) * 2 >= @$IETF_VERSIONS );
    return( $self->new( _entry( $self->{offset} + 1 )->{draft}, debug => $self->{debug} ) );
}

sub previous { return( shift->prev( @_ ) ); }

sub revision { return( shift->_set_get_number( 'revision', @_ ) ); }

sub serial { return( shift->_set_get_number( 'serial', @_ ) ); }

sub status { return( shift->_set_get_scalar_as_object( 'status', @_ ) ); }

sub type { return( shift->_set_get_scalar_as_object( 'type', @_ ) ); }

sub version { return( shift->_set_get_number( 'version', @_ ) ); }

# The serial of the other operand: a version object's serial, or the number itself.
sub _serial_of
{
    my $other = shift( @_ );
    return( $other->{serial} ) if( Scalar::Util::blessed( $other ) && $other->isa( __PACKAGE__ ) );
    return( $other );
}

sub _operands
{
    my( $self, undef, $other, $swap ) = @_;
    my $o = _serial_of( $other );
    $o = 0 if( !defined( $o ) || $o !~ /^\s*-?\d+(?:\.\d+)?\s*$/ );
    return( $swap ? ( $o, $self->{serial} ) : ( $self->{serial}, $o ) );
}

# cmp / eq / ne: against another version or a number, the serials; against any other
# string, the draft name (so $v eq 'draft-ietf-hybi-17' works).
sub _cmp
{
    my( $self, $other, $swap ) = @_;
    my $r;
    if( ( Scalar::Util::blessed( $other ) && $other->isa( __PACKAGE__ ) ) || ( defined( $other ) && $other =~ /^\s*-?\d+\s*$/ ) )
    {
        $r = $self->{serial} <=> _serial_of( $other );
    }
    else
    {
        $r = $self->{draft} cmp ( defined( $other ) ? "$other" : '' );
    }
    return( $swap ? -$r : $r );
}

sub _arith
{
    my( $self, $other, $swap, $op ) = @_;
    my $o = _serial_of( $other );
    if( !defined( $o ) || $o !~ /^\s*-?\d+(?:\.\d+)?\s*$/ )
    {
        warnings::warnif( 'WebSocket::Version', "Invalid operand \"" . ( $other // 'undef' ) . "\" for a version operation" );
        return;
    }
    my $r = $swap ? $op->( $o, $self->{serial} ) : $op->( $self->{serial}, $o );
    if( !defined( $r ) || $r != int( $r ) )
    {
        warnings::warnif( 'WebSocket::Version', 'The result (' . ( $r // 'undef' ) . ') is not a whole draft serial number' );
        return;
    }
    if( $r > $MAX_SERIAL || $r < $MIN_SERIAL )
    {
        warnings::warnif( 'WebSocket::Version', "There is no draft with serial $r (drafts go from $MIN_SERIAL to $MAX_SERIAL)" );
        return;
    }
    my $dict = $self->get_dictionary( serial => $r );
    return if( !$dict || !%$dict );
    return( $self->new( $dict->{draft}, debug => $self->{debug} ) );
}

1;

__END__

=encoding utf-8

=head1 NAME

WebSocket::Version - the versions and drafts of the WebSocket protocol

=head1 SYNOPSIS

    use WebSocket::Version;
    my $v = WebSocket::Version->new( 13 ) || die( WebSocket::Version->error );
    print $v->draft, "\n";              # draft-ietf-hybi-17
    print "$v\n";                       # 13
    print $v->expires->year, "\n";      # 2012

    my $older = $v - 1;                 # draft-ietf-hybi-16
    print "newer\n" if( $v > $older );
    my $v8 = WebSocket::Version->new( 'draft-ietf-hybi-10' );
    print $v8->version, "\n";           # 8

    my $from_req = WebSocket::Version->new_from_request( $request );

=head1 DESCRIPTION

Before RFC 6455, the WebSocket protocol went through 89 drafts: 72 by Ian Hickson
(C<draft-hixie-00> to C<draft-hixie-76>, with some numbers unused) and 18 of the IETF HyBi
working group (C<draft-ietf-hybi-00> to C<draft-ietf-hybi-17>). From C<draft-ietf-hybi-04> on,
clients announce a protocol version in the C<Sec-WebSocket-Version> header: 4, 5, 6, 7, 8 (drafts
8 to 12) and 13 (drafts 13 to 17, and RFC 6455).

An object of this class is one draft. Each draft has a I<serial>, which orders them: 17 for
C<draft-ietf-hybi-17> down to 0 for C<draft-ietf-hybi-00>, then -1 for C<draft-hixie-76> down to -71
for C<draft-hixie-00>. Comparison operators compare serials, and arithmetic on a version moves
along the serials.

The table of every draft (name, serial, version, type, status, issue and expiry dates) is in
C<$WebSocket::Version::IETF_VERSIONS>, a flat array reference of C<< draft => \%data >> pairs,
newest first.

=head1 CONSTRUCTORS

=head2 new( $version | $draft, [%options] )

With a protocol version number, the newest draft that used it: C<13> gives
C<draft-ietf-hybi-17>, C<8> gives C<draft-ietf-hybi-12>, C<0> gives C<draft-ietf-hybi-00>. With a
draft name (in any case), that draft. Another version object is copied. Fails with code 404 and
C<No data found for version "N".> or C<No data found for draft "NAME".>, or with
C<No version numeric or string was provided.>

=head2 new_from_request( $request, [%options] )

The version a L<WebSocket::Request> speaks, from its headers, in this order:
C<Sec-WebSocket-Version> (the number); C<Sec-WebSocket-Key> (C<draft-ietf-hybi-10> when
C<Sec-WebSocket-Origin> is present, C<draft-ietf-hybi-17> otherwise); C<Sec-WebSocket-Draft>;
C<Sec-WebSocket-Key1> and C<-Key2> (C<draft-ietf-hybi-03>); C<Sec-WebSocket-Protocol>
(C<draft-hixie-76>); C<WebSocket-Protocol> (C<draft-hixie-75>); otherwise C<draft-hixie-07>.
Errors: C<No WebSocket::Request object was provided.>,
C<Object provided (...) is not a WebSocket::Request object.>,
C<Unable to find the WebSocket::Headers object.> Callable on the class or an object.

=head1 METHODS

=head2 as_string

The protocol version number, or C<undef> for the Hickson drafts, which had none. The object
stringifies to it (the empty string for those drafts).

=head2 draft

The draft name, as a L<WebSocket::Generic::Scalar>.

=head2 expires, issued

The draft's expiry and publication dates, as L<DateTime> objects that stringify as
C<YYYY-MM-DD>.

=head2 get_dictionary( %query )

A copy of a draft's data (a hash reference with C<draft>, C<serial>, C<version>, C<type>,
C<status>, C<issued>, C<expires>, C<offset>), or an empty hash reference when nothing matches.
The query is one of C<< version => N >> (the newest draft with that version),
C<< draft => NAME >>, C<< serial => N >>, or C<< type => 'hixie' | 'hybi', revision => N >>.
Errors: C<No argument provided. Use either 'version' or 'draft'>,
C<version option value provided is not an integer.>,
C<draft option value contains illegal characters.>, C<Unknow draft type "TYPE".>,
C<Serial option provided is not an integer.>, C<Unknown arguments: '...'>.

=head2 next

The next newer draft, or C<undef> for C<draft-ietf-hybi-17>.

=head2 prev, previous

The next older draft, or C<undef> for C<draft-hixie-00>.

=head2 numify

The protocol version as a L<WebSocket::Generic::Number>, or C<undef> for the Hickson drafts.

=head2 offset

The position of the draft in the table, 0 for the newest.

=head2 revision

The number that ends the draft name (17 for C<draft-ietf-hybi-17>, 76 for C<draft-hixie-76>).

=head2 serial

The serial (see L</DESCRIPTION>).

=head2 status

C<draft> or C<obsolete>.

=head2 type

C<hybi> or C<hixie>.

=head2 version

The protocol version number (C<undef> for the Hickson drafts).

=head1 OPERATORS

=over 4

=item C<""> and C<0+>: the protocol version number.

=item C<bool>: true when the draft has a non-zero protocol version (the Hickson drafts and
C<draft-ietf-hybi-00> are false).

=item C<< < <= > >= == != <=> >>: compare serials; the other operand is another version object or
a number taken as a serial.

=item C<cmp eq ne>: against another version or a number, compare serials; against any other
string, compare the draft name, so C<< $v eq 'draft-ietf-hybi-17' >> works.

=item C<- + * / %>: arithmetic on the serial, giving the version object of the resulting
serial: C<< WebSocket::Version->new(13) - 1 >> is C<draft-ietf-hybi-16>. When the result is not
a whole number or no draft has that serial, the result is C<undef>, with a warning in the
C<WebSocket::Version> category when it is enabled (C<use warnings qw( WebSocket::Version )>).

=back

=head1 SEE ALSO

L<WebSocket>, L<WebSocket::Request>, RFC 6455 section 4.4.

=cut
