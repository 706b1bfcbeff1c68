#!/usr/bin/env perl
# Summarise one Autobahn|Testsuite report directory (index.json + case JSON files)
# and, with --results, rewrite that role's section of RESULTS.md.
#
#   summary.pl --role fuzzingclient|fuzzingserver --dir REPORT_DIR [--agent NAME]
#              [--section NAME] [--expect N] [--results RESULTS.md] [--reasons reasons.txt]
#              [--date D --commit C --tester T --command CMD --testee CMD --cases SEL --duration S]
#
# Prints counts per case group and every case that is not OK (with what the
# tester expected and what it saw) and writes REPORT_DIR/summary.json.
# --section names the section of RESULTS.md (default: the role; run.sh --deflate
# uses 'ROLE, permessage-deflate').  Other sections are kept as they are.  Reasons for
# non-OK cases come from --reasons (lines "ROLE CASE-ID reason...", ROLE may
# be '*'; '#' starts a comment), else from the reason already in RESULTS.md.
# Exit: 0 = all expected cases ran and none is FAILED or UNIMPLEMENTED;
#       1 = otherwise; 2 = no report.
use strict;
use warnings;
use Getopt::Long;
use JSON::PP;

my %o = (role => '', dir => '', duration => '', cases => '', section => '');
GetOptions(\%o, 'role=s', 'section=s', 'dir=s', 'agent=s', 'expect=i', 'results=s', 'reasons=s',
           'date=s', 'commit=s', 'tester=s', 'command=s', 'testee=s', 'cases=s', 'duration=s')
    && $o{role} && $o{dir} or die "usage: see the head of $0\n";
my $SECTION = length $o{section} ? $o{section} : $o{role};

my @KINDS = ('OK', 'NON-STRICT', 'INFORMATIONAL', 'UNIMPLEMENTED', 'FAILED');
my %GROUP = (1 => 'Framing', 2 => 'Pings/Pongs', 3 => 'Reserved bits', 4 => 'Opcodes',
             5 => 'Fragmentation', 6 => 'UTF-8 handling', 7 => 'Close handling',
             9 => 'Limits/Performance', 10 => 'Misc', 12 => 'permessage-deflate',
             13 => 'permessage-deflate parameters');
my %ROLE = (
    fuzzingclient => 'fuzzingclient: Autobahn as client, testing the echo server',
    fuzzingserver => 'fuzzingserver: Autobahn as server, testing the client',
);
my $json = JSON::PP->new->utf8->canonical;   # files are UTF-8 bytes
my $jsonc = JSON::PP->new->canonical;        # characters, for display
binmode STDOUT, ':encoding(UTF-8)';
sub ckey { my @p = split /\./, shift; sprintf '%04d' x @p, @p }
sub bycase { ckey($a) cmp ckey($b) }
sub slurp { my ($f, $layer) = @_; open my $fh, '<' . ($layer // ':raw'), $f or return; local $/; scalar <$fh> }

my $index = "$o{dir}/index.json";
my $raw = slurp($index);
unless (defined $raw && length $raw) { print STDERR "summary: no $index (no case ran)\n"; exit 2 }
my $data = $json->decode($raw);
my @agents = sort keys %$data;
my $agent = $o{agent} && $data->{$o{agent}} ? $o{agent} : $agents[0];
unless (defined $agent) { print STDERR "summary: $index is empty (no case ran)\n"; exit 2 }
print STDERR "summary: several agents in $index (@agents); summarising $agent\n" if @agents > 1;
my $cases = $data->{$agent};

# ------------------------------------------------------------------ counts
my (%total, %groups, @notok, @closenotok);
$total{$_} = 0 for @KINDS, 'other';
for my $id (sort bycase keys %$cases) {
    my $r = $cases->{$id};
    my $b = $r->{behavior} // '?';
    my $k = (grep { $_ eq $b } @KINDS) ? $b : 'other';
    my ($g) = split /\./, $id;
    $groups{$g}{$_} //= 0 for @KINDS, 'other';
    $groups{$g}{$k}++;
    $total{$k}++;
    my $detail = $r->{reportfile} ? slurp("$o{dir}/$r->{reportfile}") : undef;
    my $d = $detail ? eval { $json->decode($detail) } || {} : {};
    my $item = { id => $id, behavior => $b, close => $r->{behaviorClose} // '?',
                 code => $r->{remoteCloseCode}, d => $d };
    if ($b ne 'OK') { push @notok, $item }
    elsif (($r->{behaviorClose} // 'OK') !~ /^(OK|INFORMATIONAL)$/) { push @closenotok, $item }
}
my $n = keys %$cases;
my $missing = defined $o{expect} && $n < $o{expect} ? $o{expect} - $n : 0;

# ------------------------------------------------------------------ reasons
my %reason;
if ($o{results} && -f $o{results}) {   # reasons already written in RESULTS.md
    my $text = slurp($o{results}, ':encoding(UTF-8)');
    if ($text =~ /<!-- begin \Q$SECTION\E -->(.*?)<!-- end \Q$SECTION\E -->/s) {
        for (split /\n/, $1) {
            my @c = map { s/^\s+|\s+$//gr } split /\|/;
            next unless @c >= 6 && $c[1] =~ /^\d+(\.\d+)+$/;
            $reason{$c[1]} = $c[-1] if $c[-1] ne '' && $c[-1] !~ /^(TODO\b|must be fixed)/;
        }
    }
}
if ($o{reasons} && -f $o{reasons}) {
    for (split /\n/, slurp($o{reasons}, ':encoding(UTF-8)')) {
        s/#.*//; next unless /^\s*(\S+)\s+(\d+(?:\.\d+)+)\s+(.*?)\s*$/;
        next unless $1 eq '*' || $1 eq $o{role};
        $reason{$2} = $3 if $1 eq $o{role} || !exists $reason{$2};
    }
}
sub reason_for {
    my $i = shift;
    return $reason{$i->{id}} if defined $reason{$i->{id}};
    return $i->{behavior} =~ /^(FAILED|UNIMPLEMENTED)$/ ? 'must be fixed' : 'TODO: reason (xt/autobahn/reasons.txt)';
}

# ------------------------------------------------------------------ helpers
sub short {
    my ($s, $max) = @_;
    $s = '' unless defined $s;
    $s =~ s/\s+/ /g;
    return length $s > $max ? substr($s, 0, $max - 3) . '...' : $s;
}
sub quoted {   # a payload string: long ones shortened, anything but printable ASCII as \u{HEX}
    my $s = shift;
    my $len = length $s;
    $s = substr($s, 0, 12) . '...' if $len > 24;
    $s =~ s/([^\x20-\x7e])/sprintf '\\u{%X}', ord $1/ge;
    return qq{"$s"} . ($len > 24 ? "($len)" : '');
}
sub events {   # compact rendering of an Autobahn event list
    my $ev = shift;
    return '[]' unless ref $ev eq 'ARRAY' && @$ev;
    my @out;
    for my $e (@$ev) {
        if (ref $e eq 'ARRAY') {
            my @p = map { !defined $_ ? 'null' : ref $_ ? $jsonc->encode($_) : /^-?\d+$/ ? $_ : quoted($_) } @$e;
            push @out, '[' . join(',', @p) . ']';
        } else { push @out, defined $e ? $e : 'null' }
    }
    return join ' ', @out;
}
sub what {   # what the case does, what the tester expected and what it saw
    my $i = shift; my $d = $i->{d};
    my @w;
    (my $desc = $d->{description} // '') =~ s/<[^>]*>/ /g;
    push @w, short($desc, 110) if length $desc;
    push @w, 'result: ' . short($d->{result}, 100)
        if $d->{result} && $d->{result} !~ /^Actual events match at least one expected/;
    if (ref $d->{expected} eq 'HASH' && %{ $d->{expected} }) {
        push @w, 'expected ' . join(' or ', map { "$_ " . short(events($d->{expected}{$_}), 100) }
                                            sort keys %{ $d->{expected} });
        push @w, 'received ' . short(events($d->{received}), 100);
    }
    push @w, "close: $i->{close}" . ($d->{resultClose} ? ' (' . short($d->{resultClose}, 80) . ')' : '');
    my $c = defined $i->{code} ? $i->{code} : 'none';
    $c .= ' "' . short($d->{remoteCloseReason}, 40) . '"' if defined $d->{remoteCloseReason} && length $d->{remoteCloseReason};
    push @w, "testee's close code: $c";
    return @w;
}
sub md { my $s = shift; $s =~ s/\|/\\|/g; $s }

# ------------------------------------------------------------------ stdout
my $fmt = "%-32s %6s %10s %13s %13s %6s %6s\n";
my $hdr = sprintf $fmt, 'group', @KINDS, 'total';
print "Autobahn|Testsuite $o{role}, agent $agent: $n cases", ($missing ? " ($missing of $o{expect} selected cases have no result)" : ''), "\n";
print $hdr, '-' x (length($hdr) - 1), "\n";
for my $g (sort { $a <=> $b } keys %groups) {
    my $c = $groups{$g}; my $t = 0; $t += $c->{$_} for @KINDS, 'other';
    printf $fmt, "$g.* " . ($GROUP{$g} // ''), (map { $c->{$_} } @KINDS), $t;
}
print '-' x (length($hdr) - 1), "\n";
printf $fmt, 'all', (map { $total{$_} } @KINDS), $n;
print "unknown behaviour values: $total{other}\n" if $total{other};
for my $i (@notok) {
    print "\n$i->{id} $i->{behavior} -- ", reason_for($i), "\n";
    print "    $_\n" for what($i);
}
if (@closenotok) {
    print "\nclose behaviour not OK (case itself OK):\n";
    print "  $_->{id}: $_->{close}, peer's close code ", ($_->{code} // 'none'), "\n" for @closenotok;
}
my @bad = grep { my $b = $_->{behavior}; $b =~ /^(FAILED|UNIMPLEMENTED)$/ || !grep { $_ eq $b } @KINDS } @notok;
my $rc = (@bad || $missing || $total{other}) ? 1 : 0;
print "\nverdict: ", ($rc ? 'NOT CONFORMING' : 'conforming'),
      " (required: 0 FAILED, 0 UNIMPLEMENTED, every selected case run)\n";

# ------------------------------------------------------------------ summary.json
{
    open my $fh, '>:raw', "$o{dir}/summary.json" or die "$o{dir}/summary.json: $!";
    print $fh JSON::PP->new->utf8->canonical->pretty->encode({
        role => $o{role}, agent => $agent, cases => $n, expected => $o{expect}, total => \%total,
        groups => \%groups, verdict => $rc ? 'NOT CONFORMING' : 'conforming',
        notok => [ map { { id => $_->{id}, behavior => $_->{behavior}, behaviorClose => $_->{close},
                           remoteCloseCode => $_->{code}, reason => reason_for($_), what => [ what($_) ] } } @notok ],
        closenotok => [ map { { id => $_->{id}, behaviorClose => $_->{close}, remoteCloseCode => $_->{code} } } @closenotok ],
        map { ($_ => $o{$_}) } grep { defined $o{$_} } qw(date commit tester command testee cases duration),
    });
}

# ------------------------------------------------------------------ RESULTS.md
exit $rc unless $o{results};
my @s;
my $title = $ROLE{$o{role}} // $o{role};
$title =~ s/^\Q$o{role}\E:/$SECTION:/ if $SECTION ne $o{role};
$title .= ', permessage-deflate negotiated' if $SECTION =~ /permessage-deflate/;
push @s, "<!-- begin $SECTION -->", "## $title", '';
push @s, "- Date: $o{date}" if $o{date};
push @s, "- Commit: $o{commit}" if $o{commit};
push @s, "- Command: `$o{command}`" if $o{command};
push @s, "- Testee: `$o{testee}`" if $o{testee};
push @s, "- Tester: $o{tester}" if $o{tester};
push @s, "- Cases: $o{cases}: $n" . (defined $o{expect} ? " of $o{expect} selected" : '') . " ran" if length $o{cases};
push @s, "- Duration: $o{duration} s" if length $o{duration};
push @s, '- Verdict: **' . ($rc ? 'NOT CONFORMING' : 'conforming') . '** (0 FAILED, 0 UNIMPLEMENTED, every selected case run)', '';
push @s, '| group | ' . join(' | ', @KINDS) . ' | total |', '|---|' . '---:|' x (@KINDS + 1);
for my $g (sort { $a <=> $b } keys %groups) {
    my $c = $groups{$g}; my $t = 0; $t += $c->{$_} for @KINDS, 'other';
    push @s, "| $g.* " . ($GROUP{$g} // '') . ' | ' . join(' | ', map { $c->{$_} } @KINDS) . " | $t |";
}
push @s, '| **all** | ' . join(' | ', map { "**$total{$_}**" } @KINDS) . " | **$n** |", '';
if (@notok) {
    push @s, '### Cases not OK', '', '| case | behaviour | close behaviour | what the tester did and saw | reason |', '|---|---|---|---|---|';
    for my $i (@notok) {
        my @w = what($i); pop @w; pop @w;   # close behaviour and code have their own column
        my $close = $i->{close} . ', testee sent ' . (defined $i->{code} ? $i->{code} : 'no code');
        push @s, '| ' . join(' | ', $i->{id}, $i->{behavior}, $close, md(join('; ', @w)), md(reason_for($i))) . ' |';
    }
    push @s, '';
} else {
    push @s, 'Every case OK.', '';
}
if (@closenotok) {
    push @s, 'Close behaviour not OK although the case is OK: '
           . join(', ', map { "$_->{id} ($_->{close}, code " . ($_->{code} // 'none') . ')' } @closenotok), '';
}
push @s, "<!-- end $SECTION -->";
my $section = join("\n", @s) . "\n";

my $doc = -f $o{results} ? slurp($o{results}, ':encoding(UTF-8)') : '';
unless ($doc =~ /<!-- begin fuzzing/) {
    $doc = <<'HEAD';
# Autobahn|Testsuite conformance results

Written by `xt/autobahn/run.sh` (see `xt/autobahn/README.md`); each run rewrites its own
section.  Required: 0 FAILED and 0 UNIMPLEMENTED in both roles, for cases 1.* to 11.*
(`run.sh both`, testees without extensions) and for the permessage-deflate cases 12.* and
13.* (`run.sh ROLE --deflate`, sections `ROLE, permessage-deflate`).  NON-STRICT and
INFORMATIONAL cases are listed with a reason each; reasons live in `xt/autobahn/reasons.txt`.

<!-- begin fuzzingclient -->
## fuzzingclient

Not run yet.
<!-- end fuzzingclient -->

<!-- begin fuzzingserver -->
## fuzzingserver

Not run yet.
<!-- end fuzzingserver -->
HEAD
}
$doc =~ s/<!-- begin \Q$SECTION\E -->.*?<!-- end \Q$SECTION\E -->\n?/$section/s
    or $doc .= "\n$section";
open my $out, '>:encoding(UTF-8)', "$o{results}.tmp" or die "$o{results}.tmp: $!";
print $out $doc;
close $out or die "$o{results}.tmp: $!";
rename "$o{results}.tmp", $o{results} or die "rename $o{results}: $!";
print STDERR "summary: wrote the $SECTION section of $o{results}\n";
exit $rc;
