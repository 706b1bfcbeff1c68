package Peer;
use strict;
use warnings;
use Digest::SHA ();
use Encode ();
use IO::Handle;
use JSON::PP ();
use Exporter qw( import );
our @EXPORT_OK = qw( $TEXT $BINARY $BIG_TEXT $BIG_BINARY @MESSAGES $MAX_SIZE digest report );

# What every side of an interop run shares (the Perl twin of python_common.py and
# node_common.js): the messages of the script in Interop.pm and the JSON report lines.

our $TEXT       = "h\x{e9}llo w\x{f6}rld \x{2603} \x{1F600} \x{65e5}\x{672c}\x{8a9e}";
our $BINARY     = pack( 'C*', 0 .. 255 );
our $BIG_TEXT   = "\x{fc}nic\x{f6}de \x{2603} \x{1F600} " x 4000;    # 76,000 bytes of UTF-8
our $BIG_BINARY = $BINARY x 400;                                     # 102,400 bytes
our @MESSAGES   = ( [ text => $TEXT ], [ binary => $BINARY ], [ text => $BIG_TEXT ], [ binary => $BIG_BINARY ] );
our $MAX_SIZE   = 1 << 20;    # the message limit each side is given (64 KiB is the usual default)

my $JSON = JSON::PP->new->canonical;

# { type, length, sha256 } of a message: text as characters (encoded to UTF-8 here), binary
# as bytes.
sub digest
{
    my( $type, $data ) = @_;
    $data = Encode::encode( 'UTF-8', $data ) if( $type eq 'text' );
    return({ type => $type, length => length( $data ), sha256 => Digest::SHA::sha256_hex( $data ) });
}

# One JSON line on stdout, flushed.
sub report
{
    my %kv = @_;
    STDOUT->autoflush( 1 );
    print( STDOUT $JSON->encode( \%kv ), "\n" );
}

1;
