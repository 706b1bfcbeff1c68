use strict;
use warnings;
use Test::More;
use Scalar::Util ();
use WebSocket::HeaderValue;

# A subclass, to check that the constructors build objects of the class they are called on.
{
    package Local::HV;
    our @ISA = ( 'WebSocket::HeaderValue' );
}

subtest 'new' => sub
{
    my $hv = WebSocket::HeaderValue->new( 'foo' );
    isa_ok( $hv, 'WebSocket::HeaderValue' );
    isa_ok( $hv, 'WebSocket::Generic' );
    is( "$hv", 'foo', 'stringifies to the value' );
    is( $hv->value, 'foo', 'value' );
    is( scalar( keys( %{ $hv->params } ) ), 0, 'no parameter' );
    is( WebSocket::HeaderValue->new( 'foo', { bar => 2, Baz => 'x y' } )->as_string, 'foo; bar=2; baz="x y"', 'hash reference of parameters; names lower-cased; values quoted as needed' );
    is( WebSocket::HeaderValue->new( 'foo', params => { A => 1 } )->as_string, 'foo; a=1', 'params option' );
    is( WebSocket::HeaderValue->new( 'foo', original => 'foo;  bar=2' )->as_string, 'foo;  bar=2', 'original option: the text as given' );
    my $d = WebSocket::HeaderValue->new( 'foo', debug => 0, bar => 1 );
    is( "$d", 'foo; bar=1', 'debug is an option, not a parameter' );
    is( WebSocket::HeaderValue->new( 'foo', flag => undef )->as_string, 'foo; flag', 'a parameter without value' );
    isa_ok( Local::HV->new( 'x' ), 'Local::HV', 'new on a subclass' );
};

subtest 'BUG: new keeps the parameters given to the constructor (the original reset them)' => sub
{
    my $hv = WebSocket::HeaderValue->new( 'foo', bar => 2 );
    is( $hv->as_string, 'foo; bar=2', 'new( "foo", bar => 2 ) is "foo; bar=2"' );
    is( "$hv", 'foo; bar=2', '... as a string too' );
    is( $hv->params->{bar}, 2, '... and the parameter is there' );
};

subtest 'new errors' => sub
{
    ok( !defined( WebSocket::HeaderValue->new( '' ) ), 'empty value refused' );
    is( WebSocket::HeaderValue->error->message, 'No value provided.', '... error message' );
    isa_ok( WebSocket::HeaderValue->error, 'WebSocket::Exception' );
    ok( !defined( WebSocket::HeaderValue->new ), 'no value refused' );
    is( WebSocket::HeaderValue->error->message, 'No value provided.', '... error message' );
    my @l = WebSocket::HeaderValue->new( '' );
    is( scalar( @l ), 0, 'an empty list in list context' );
    ok( !eval{ WebSocket::HeaderValue->new( '', fatal => 1 ); 1 }, 'fatal => 1: dies' );
    isa_ok( $@, 'WebSocket::Exception', '... with the exception' );
    ok( !defined( WebSocket::HeaderValue->new( 'foo', 'odd' ) ), 'odd number of parameters' );
    like( WebSocket::HeaderValue->error->message, qr/Odd number of parameters/, '... error message' );
};

subtest 'new_from_header' => sub
{
    my $hv = WebSocket::HeaderValue->new_from_header( 'permessage-deflate; client_max_window_bits; server_max_window_bits="10"' );
    isa_ok( $hv, 'WebSocket::HeaderValue' );
    is( $hv->value, 'permessage-deflate', 'value' );
    is( $hv->params->{server_max_window_bits}, '10', 'a quoted value is unquoted' );
    my $q = WebSocket::HeaderValue->new_from_header( 'a; b="x;y \"z\""; C=D' );
    is( $q->params->{b}, 'x;y "z"', 'a separator and escaped quotes inside a quoted string' );
    is( $q->params->{c}, 'D', 'names lower-cased, values kept as they are' );
    is( WebSocket::HeaderValue->new_from_header( 'a| b=1', '|' )->params->{b}, 1, 'another separator' );
    is( WebSocket::HeaderValue->new_from_header( 'a\;b; c=1' )->value, 'a\;b', 'an escaped separator does not split' );
    is( WebSocket::HeaderValue->new_from_header( '  spaced ;  k = v  ' )->params->{k}, 'v', 'blanks around parts and around = are ignored' );
    is( WebSocket::HeaderValue->new_from_header( '  spaced ; k=v' )->value, 'spaced', '... and around the value' );
    my $bad = WebSocket::HeaderValue->new_from_header( 'v; two words=1; =x; ok=1; sp=a b; open="x; tok=t' );
    is_deeply( [ sort( keys( %{ $bad->params } ) ) ], [ 'ok' ], 'parts that are not parameters are left out' );
    is( $q->original, '', 'no cached text until it is built' );
    is( "$q", 'a; b="x;y \"z\""; c=D', 'the text is built from the parts' );
};

subtest 'BUG: new_from_header keeps token and quoted values, valueless parameters, and names such as max-channels (the original dropped them)' => sub
{
    my $mux = WebSocket::HeaderValue->new_from_header( 'mux; max-channels=4; flow-control' );
    is( $mux->params->{'max-channels'}, 4, 'max-channels=4 is kept' );
    ok( exists( $mux->params->{'flow-control'} ), 'the valueless flow-control is kept' );
    is( $mux->params->{'flow-control'}, undef, '... without value' );
    my $pmd = WebSocket::HeaderValue->new_from_header( 'permessage-deflate; client_max_window_bits; server_max_window_bits=10' );
    ok( exists( $pmd->params->{client_max_window_bits} ), 'client_max_window_bits is kept' );
    is( $pmd->params->{server_max_window_bits}, 10, 'a value starting with a digit is kept' );
    is( WebSocket::HeaderValue->new_from_header( 'a; p="two words"' )->params->{p}, 'two words', 'a quoted value is kept' );
};

subtest 'BUG: new_from_header builds objects of the invoking class (the original hard-coded WebSocket::HeaderValue)' => sub
{
    my $o = Local::HV->new_from_header( 'x; y=1' );
    isa_ok( $o, 'Local::HV', 'called on a subclass' );
    my $from_obj = $o->new_from_header( 'z' );
    isa_ok( $from_obj, 'Local::HV', 'called on an object' );
    my $list = Local::HV->new_from_multi( 'a, b' );
    isa_ok( $list->first, 'Local::HV', 'new_from_multi too' );
};

subtest 'new_from_header errors' => sub
{
    ok( !defined( WebSocket::HeaderValue->new_from_header( '' ) ), 'empty string refused' );
    is( WebSocket::HeaderValue->error->message, 'Header value is required', '... error message' );
    ok( !defined( WebSocket::HeaderValue->new_from_header ), 'undef refused' );
    is( WebSocket::HeaderValue->error->message, 'Header value is required', '... error message' );
    ok( !defined( WebSocket::HeaderValue->new_from_header( '  ' ) ), 'blank string refused' );
    ok( !defined( WebSocket::HeaderValue->new_from_header( '; a=1' ) ), 'no value before the parameters' );
    is( WebSocket::HeaderValue->error->message, 'No value provided.', '... error message' );
};

subtest 'new_from_multi' => sub
{
    my $list = WebSocket::HeaderValue->new_from_multi( 'mux; max-channels=4; flow-control, deflate-stream' );
    isa_ok( $list, 'WebSocket::Generic::Array' );
    is( $list->length, 2, 'two values' );
    isa_ok( $list->first, 'WebSocket::HeaderValue' );
    is( $list->first->value, 'mux', 'first' );
    is( $list->first->params->{'max-channels'}, 4, '... with its parameters' );
    is( $list->last->value, 'deflate-stream', 'last' );
    my $q = WebSocket::HeaderValue->new_from_multi( 'a; p="1,2", b' );
    is( $q->length, 2, 'commas inside quotes do not split' );
    is( $q->first->params->{p}, '1,2', '... the value is intact' );
    is( WebSocket::HeaderValue->new_from_multi( 'a, , b,' )->length, 2, 'empty parts are skipped' );
    is( WebSocket::HeaderValue->new_from_multi( 'a| x=1, b| y=2', '|' )->last->params->{y}, 2, 'the parameter separator is passed on' );
    ok( !defined( WebSocket::HeaderValue->new_from_multi( '' ) ), 'empty refused' );
    is( WebSocket::HeaderValue->error->message, 'Header value is required', '... error message' );
};

subtest 'BUG: as_string accepts a token value such as permessage-deflate (the original required type/subtype)' => sub
{
    my $hv = WebSocket::HeaderValue->new( 'permessage-deflate' );
    is( $hv->as_string, 'permessage-deflate', 'a token value' );
    is( "$hv", 'permessage-deflate', '... stringified' );
    ok( !defined( $hv->error ), '... without error' );
};

subtest 'as_string' => sub
{
    is( WebSocket::HeaderValue->new( 'text/html', charset => 'utf-8' )->as_string, 'text/html; charset=utf-8', 'a media type' );
    is( WebSocket::HeaderValue->new( 'v', z => 1, a => 2, m => undef )->as_string, 'v; a=2; m; z=1', 'parameters sorted by name' );
    is( WebSocket::HeaderValue->new( 'v', p => 'say "hi"' )->as_string, 'v; p="say \"hi\""', 'quoted value with escapes' );
    my $hv = WebSocket::HeaderValue->new( 'v', p => 1 );
    is( $hv->original, '', 'nothing cached before' );
    $hv->as_string;
    is( $hv->original, 'v; p=1', 'the text is cached in original' );
    $hv->{params}->{q} = 2;
    is( $hv->as_string, 'v; p=1', 'the cached text is returned' );
    is( $hv->reset->as_string, 'v; p=1; q=2', 'until reset' );
    my $round = WebSocket::HeaderValue->new_from_header( 'permessage-deflate; server_no_context_takeover; client_max_window_bits' );
    is( "$round", 'permessage-deflate; client_max_window_bits; server_no_context_takeover', 'a parsed value, written back' );
};

subtest 'as_string errors' => sub
{
    my $bad = WebSocket::HeaderValue->new( 'two words' );
    ok( !defined( $bad->as_string ), 'a value that is neither a token nor a media type' );
    is( $bad->error->message, 'Invalid value "two words"', '... error message' );
    is( "$bad", '', '... stringifies to an empty string' );
    ok( $bad, '... but the object is still true' );
    my $badp = WebSocket::HeaderValue->new( 'v', 'bad name' => 1 );
    ok( !defined( $badp->as_string ), 'a parameter name that is not a token' );
    is( $badp->error->message, 'Invalid parameter name: "bad name"', '... error message' );
    my $badv = WebSocket::HeaderValue->new( 'v', p => "a\x01b" );
    ok( !defined( $badv->as_string ), 'a parameter value with a control character' );
    is( $badv->error->message, 'Invalid parameter value', '... error message' );
};

subtest 'original' => sub
{
    my $hv = WebSocket::HeaderValue->new( 'v' );
    isa_ok( $hv->original, 'WebSocket::Generic::Scalar' );
    $hv->original( 'custom text' );
    is( "$hv", 'custom text', 'original( $text ) sets the text' );
    is( $hv->original, 'custom text', '... and returns it' );
};

subtest 'params' => sub
{
    my $hv = WebSocket::HeaderValue->new( 'permessage-deflate' );
    my $p = $hv->params;
    isa_ok( $p, 'WebSocket::Generic::Hash' );
    $hv->params( client_max_window_bits => undef );
    is( "$hv", 'permessage-deflate; client_max_window_bits', 'params( name => value ) sets and resets the text' );
    $hv->params( Server_Max_Window_Bits => 12 );
    is( $hv->params->server_max_window_bits, 12, 'names lower-cased; reachable as methods' );
    $hv->params( { server_no_context_takeover => undef } );
    is( "$hv", 'permessage-deflate; server_no_context_takeover', 'params( \%h ) replaces them all' );
    $hv->params->{x} = 1;
    is( $hv->params->{x}, 1, 'the hash object is the parameters' );
    is( "$hv", 'permessage-deflate; server_no_context_takeover', '... the cached text stays' );
    $hv->reset;
    is( "$hv", 'permessage-deflate; server_no_context_takeover; x=1', '... until reset' );
    $hv->params( undef );
    is( "$hv", 'permessage-deflate', 'params( undef ) clears them' );
    ok( !defined( $hv->params( 'a', 'b', 'c' ) ), 'an odd number of arguments' );
    like( $hv->error->message, qr/^params expects/, '... error message' );
    ok( !defined( $hv->params( [ 1 ] ) ), 'not a hash reference' );
};

subtest 'qstring' => sub
{
    my $hv = WebSocket::HeaderValue->new( 'v' );
    is( $hv->qstring( 'token' ), 'token', 'a token is left as it is' );
    is( $hv->qstring( 'a b' ), '"a b"', 'otherwise quoted' );
    is( $hv->qstring( 'say "hi" \\ bye' ), '"say \"hi\" \\\\ bye"', '" and \ are escaped' );
    is( $hv->qstring( '' ), '""', 'the empty string' );
    is( $hv->qstring( "tab\there" ), qq{"tab\there"}, 'a tab is allowed' );
    ok( !defined( $hv->qstring( "bad\x01" ) ), 'a control character is refused' );
    is( $hv->error->message, 'Invalid parameter value', '... error message' );
    ok( !defined( $hv->qstring( "wide\x{263a}" ) ), 'a character above \xFF is refused' );
    is( $hv->error->message, 'Invalid parameter value', '... error message' );
};

subtest 'reset' => sub
{
    my $hv = WebSocket::HeaderValue->new( 'v', original => 'cached' );
    my $rv = $hv->reset;
    is( Scalar::Util::refaddr( $rv ), Scalar::Util::refaddr( $hv ), 'returns the object' );
    isa_ok( $rv, 'WebSocket::HeaderValue', 'so calls chain' );
    is( $hv->original, '', 'the cached text is gone' );
    is( "$hv", 'v', 'the text is built again' );
};

subtest 'value' => sub
{
    my $hv = WebSocket::HeaderValue->new( 'one', p => 1 );
    isa_ok( $hv->value, 'WebSocket::Generic::Scalar' );
    is( $hv->value, 'one', 'get' );
    is( "$hv", 'one; p=1', 'text built and cached' );
    is( $hv->value( 'two' ), 'two', 'set returns the new value' );
    is( "$hv", 'two; p=1', 'setting resets the cached text' );
    ok( !defined( $hv->value( '' ) ), 'an empty value is refused' );
    is( $hv->error->message, 'No value provided.', '... error message' );
    is( $hv->value, 'two', '... and the value is unchanged' );
};

subtest 'overloading' => sub
{
    my $hv = WebSocket::HeaderValue->new( 'foo', bar => 2 );
    ok( $hv eq 'foo; bar=2', 'eq compares the text' );
    is( 'X: ' . $hv, 'X: foo; bar=2', 'concatenation' );
    ok( $hv, 'true' );
};

done_testing();
