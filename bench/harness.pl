#!/usr/bin/perl
# The benchmark harness behind bench/run. See bench/README.md.
#
# For every round, scenario and server (servers in a rotating order, so no
# server always goes first): start a fresh server pinned to core 1, wait for
# its "listening on" line, run bench/loadgen pinned to core 0, read the
# server's /proc entries at the points the load generator signals, stop the
# server. Then take medians over the rounds and write a Markdown report with
# each server's ratio to the Rust tungstenite server of the same rounds.
use strict;
use warnings;
use Cwd qw(abs_path);
use File::Basename qw(dirname);
use File::Path qw(make_path);
use File::Temp ();
use Getopt::Long qw(GetOptions);
use IO::Handle;
use IO::Select;
use IO::Socket::INET;
use POSIX qw(WNOHANG strftime setpgid);
use Time::HiRes qw(time sleep);

my $BENCH = dirname(abs_path(__FILE__));
my $ROOT  = dirname($BENCH);
chdir $ROOT or die "chdir $ROOT: $!";

# ---------------------------------------------------------------- scenarios
# msgs: round trips in total (shared by the connections); conns for d: idle ones.
my %SCEN = (
    a => { conns => 1,     msgs => 100_000, size => 16,    type => 'text',   warmup => 500,
           what  => '1 connection, 100k round trips of 16 B text: server CPU per message' },
    b => { conns => 50,    msgs => 20_000,  size => 1024,  type => 'text',   warmup => 20,
           what  => '50 connections, 20k round trips (in total) of 1 KiB text: messages per second' },
    c => { conns => 1,     msgs => 2_000,   size => 65536, type => 'binary', warmup => 50,
           what  => '1 connection, 2k round trips of 64 KiB binary: MB/s' },
    d => { conns => 10_000, idle => 1,
           what  => '10k idle connections: server RSS per connection' },
    # The scenarios of the new features (not in the default run; --scenarios all or by name).
    # tls: wss:// with the run's throwaway CA and a localhost certificate (ECDSA P-256).
    b_tls => { conns => 50, msgs => 20_000, size => 1024, type => 'text', warmup => 20, tls => 1,
               what  => '(b) over TLS (wss://): 50 connections, 20k round trips (in total) of 1 KiB text: messages per second' },
    c_tls => { conns => 1, msgs => 2_000, size => 65536, type => 'binary', warmup => 50, tls => 1,
               what  => '(c) over TLS (wss://): 1 connection, 2k round trips of 64 KiB binary: MB/s' },
    # deflate: permessage-deflate on both sides. tokio-tungstenite has none, so the client is
    # bench/loadgen-node (Node ws) and the reference for the ratios is the Node ws server.
    c_deflate => { conns => 1, msgs => 2_000, size => 65536, type => 'binary', warmup => 50, deflate => 1,
                   client => 'node', ref => 'node', payload => 'json',
                   what  => '(c) with permessage-deflate: 1 connection, 2k round trips of 64 KiB compressible (JSON-like) binary: MB/s' },
    # The workers comparison (not in the default run; --scenarios workers): ours in 1 process
    # against ours with 2 worker processes (ours2w), nothing pinned to a core (pin => 'free'), so
    # a second worker has a second core to use. Ratios are to ours (1 process).
    # 200k round trips (b has 20k): at 70-90k msg/s that is 2-3 s, enough CPU clock ticks for a
    # per-message CPU figure.
    b_workers => { conns => 50, msgs => 200_000, size => 1024, type => 'text', warmup => 20,
                   pin => 'free', workers => 1, ref => 'ours',
                   what  => '(b) for the workers comparison, no process pinned: 50 connections, 200k round trips (in total) of 1 KiB text: messages per second' },
    # b with Perl application work in the server: each message is a 1 KiB JSON order document
    # (ws-loadgen --payload order) that the server decodes with JSON::PP and checks before
    # echoing it unchanged (bench/servers/ours_workers_echo.pl --app json).
    b_app => { conns => 50, msgs => 20_000, size => 1024, type => 'text', warmup => 20,
               pin => 'free', workers => 1, ref => 'ours', app => 'json', payload => 'order',
               what  => '(b) with Perl application work per message (JSON::PP decode and check of a 1 KiB document), no process pinned: messages per second' },
);
my @SCEN_ORDER = qw(a b c d b_tls c_tls c_deflate b_workers b_app);

# Where the server and the load generator run (taskset -c LIST; undef: not pinned). Each
# scenario names its policy (pin => ..., default 'split'); --pin POLICY overrides it for all.
my %PIN = (
    split   => { server => '1', client => '0',
                 text => 'servers pinned to core 1, load generator to core 0 (taskset)' },
    free    => { server => undef, client => undef,
                 text => 'nothing pinned: the servers (all their processes) and the load generator go where the scheduler puts them' },
    client0 => { server => '0,1', client => '0',
                 text => 'servers on cores 0-1, load generator pinned to core 0 (taskset)' },
);

# ---------------------------------------------------------------- servers
my $RUST_BIN = "$BENCH/servers/rust_tungstenite_echo/target/release/rust_tungstenite_echo";
my $LOADGEN  = "$BENCH/loadgen/target/release/ws-loadgen";
my $LOADGEN_NODE = "$BENCH/loadgen-node/ws-loadgen.js";
my (%PKI, $PKI_DIR);    # TLS scenarios: ca, cert, key (files in a temporary directory); see make_pki
my @SERVER_ORDER = qw(rust ours pws mojo node python);    # the default --servers
my @SERVER_ALL   = (@SERVER_ORDER, qw(ours2w ours2s));    # ours2w, ours2s: by name only
# cmd->($port, \%feature): %feature has cert and key (TLS scenarios) and deflate (1) when the
# scenario needs them; only servers with tls => 1 / deflate => 1 run those scenarios (the
# others are "n/a" there, with the reason).
sub tls_args { my ($f) = @_; $f->{cert} ? ('--cert', $f->{cert}, '--key', $f->{key}) : () }
sub deflate_arg { my ($f) = @_; $f->{deflate} ? ('--deflate') : () }
# ours in the workers scenarios: bench/servers/ours_workers_echo.pl (examples/echo-server.pl's
# echo, with --workers, --shared-socket and --app json).
sub ours_workers_cmd {
    my ($port, $f, @w) = @_;
    ['perl', '-Mblib', "$BENCH/servers/ours_workers_echo.pl", '--host', '127.0.0.1', '--port', $port, @w,
     ($f->{app} ? ('--app', $f->{app}) : ())];
}
my $ONLY_WORKERS = 'several worker processes are compared in the workers scenarios only (b_workers, b_app)';
my %SERVER = (
    rust   => { label => 'Rust tungstenite (tokio current_thread)',
                cmd   => sub { [$RUST_BIN, '--host', '127.0.0.1', '--port', $_[0], tls_args($_[1])] },
                tls => 1, no_deflate => 'tokio-tungstenite 0.30 has no permessage-deflate',
                prepare => \&prepare_rust },
    ours   => { label => 'ours (examples/echo-server.pl)',
                label_workers => 'ours, 1 process (bench/servers/ours_workers_echo.pl)',
                cmd   => sub { $_[1]{workers} ? ours_workers_cmd($_[0], $_[1], '--workers', 1)
                               : ['perl', '-Mblib', 'examples/echo-server.pl', '--host', '127.0.0.1', '--port', $_[0],
                                  tls_args($_[1]), deflate_arg($_[1])] },
                tls => 1, deflate => 1, app => 1,
                prepare => \&prepare_ours },
    ours2w => { label => 'ours, 2 workers (SO_REUSEPORT)',
                label_workers => 'ours, 2 worker processes, a SO_REUSEPORT socket each (ours_workers_echo.pl --workers 2)',
                cmd   => sub { ours_workers_cmd($_[0], $_[1], '--workers', 2) },
                app => 1, workers_only => $ONLY_WORKERS,
                prepare => \&prepare_ours },
    ours2s => { label => 'ours, 2 workers (one shared socket)',
                label_workers => 'ours, 2 worker processes accepting on one shared socket (ours_workers_echo.pl --workers 2 --shared-socket)',
                cmd   => sub { ours_workers_cmd($_[0], $_[1], '--workers', 2, '--shared-socket') },
                app => 1, workers_only => $ONLY_WORKERS,
                prepare => \&prepare_ours },
    pws    => { label => 'Protocol::WebSocket + IO::Select',
                cmd   => sub { ['perl', "$BENCH/servers/protocol_websocket_echo.pl", '--host', '127.0.0.1', '--port', $_[0]] },
                no_tls => 'the benchmark server has no TLS', no_deflate => 'Protocol::WebSocket has no permessage-deflate',
                prepare => sub { perl_module('Protocol::WebSocket', 'apt-get install libprotocol-websocket-perl') } },
    mojo   => { label => 'Mojolicious',
                cmd   => sub { ['perl', "$BENCH/servers/mojo_echo.pl", '--host', '127.0.0.1', '--port', $_[0],
                                tls_args($_[1]), deflate_arg($_[1])] },
                tls => 1, deflate => 1,
                prepare => sub { perl_module('Mojolicious', 'apt-get install libmojolicious-perl') } },
    node   => { label => 'Node ws',
                cmd   => sub { ['node', "$BENCH/servers/node_ws_echo.js", '--host', '127.0.0.1', '--port', $_[0],
                                tls_args($_[1]), deflate_arg($_[1])] },
                tls => 1, deflate => 1,
                prepare => \&prepare_node },
    python => { label => 'Python websockets',
                cmd   => sub { ['python3', "$BENCH/servers/python_websockets_echo.py", '--host', '127.0.0.1', '--port', $_[0],
                                tls_args($_[1]), deflate_arg($_[1])] },
                tls => 1, deflate => 1,
                prepare => \&prepare_python },
);

# ---------------------------------------------------------------- options
my %opt = (
    scenarios => 'a,b,c,d', servers => join(',', @SERVER_ORDER),
    timeout => 300, build => 1,
);
my @param;
GetOptions(
    'scenarios=s' => \$opt{scenarios},
    'servers=s'   => \$opt{servers},
    'rounds=i'    => \$opt{rounds},
    'scale=f'     => \$opt{scale},
    'param=s'     => \@param,
    'quick|smoke' => \$opt{quick},
    'out=s'       => \$opt{out},
    'timeout=f'   => \$opt{timeout},
    'settle=f'    => \$opt{settle},
    'build!'      => \$opt{build},
    'pin=s'       => \$opt{pin},
    'help|h'      => \$opt{help},
) or usage(2);
usage(0) if $opt{help};

$opt{rounds} //= $opt{quick} ? 1   : 3;
$opt{scale}  //= $opt{quick} ? 0.1 : 1;
$opt{settle} //= $opt{quick} ? 0.5 : 1;
$opt{out} //= $opt{quick} ? "$BENCH/results/smoke.md" : "$BENCH/results/RESULTS.md";
die "--rounds must be >= 1\n" if $opt{rounds} < 1;
die "--scale must be > 0\n"   if $opt{scale} <= 0;
die "--pin is one of: " . join(', ', sort keys %PIN) . "\n" if defined $opt{pin} && !$PIN{ $opt{pin} };

# all: as before the workers scenarios came (they compare ours2w, which is not a default server)
my %ALIAS = (all => [grep { !$SCEN{$_}{workers} } @SCEN_ORDER], default => [qw(a b c d)], tls => [qw(b_tls c_tls)], new => [qw(b_tls c_tls c_deflate)],
             workers => [qw(b_workers b_app)]);
my @scen = map { $ALIAS{$_} ? @{ $ALIAS{$_} } : $_ } split /,/, $opt{scenarios};
my @srv  = split /,/, $opt{servers};
for (@scen) { die "unknown scenario '$_' (@SCEN_ORDER, or " . join(', ', sort keys %ALIAS) . ")\n" unless $SCEN{$_} }
{ my %seen; @scen = grep { !$seen{$_}++ } @scen }
for (@srv)  { die "unknown server '$_' (@SERVER_ALL)\n" unless $SERVER{$_} }
# ratios need the reference server of every scenario (rust; node for c_deflate; ours for the
# workers scenarios). Rust is the reference of every other scenario, so it always runs then.
for my $ref ((grep { !$SCEN{$_}{ref} } @scen) ? 'rust' : (), map { $SCEN{$_}{ref} // () } @scen) { push @srv, $ref unless grep { $_ eq $ref } @srv }
@srv = grep { my $s = $_; grep { $_ eq $s } @srv } @SERVER_ALL;
sub ref_of { $SCEN{$_[0]}{ref} // 'rust' }
sub pin_of { $PIN{ $opt{pin} // $SCEN{$_[0]}{pin} // 'split' } }
sub label_of { my ($sc, $s) = @_; ($SCEN{$sc}{workers} && $SERVER{$s}{label_workers}) || $SERVER{$s}{label} }
# Why server $s does not run in scenario $sc (undef: it runs).
sub not_applicable {
    my ($sc, $s) = @_;
    my ($S, $V) = ($SCEN{$sc}, $SERVER{$_[1]});
    return $V->{no_tls} // 'no TLS' if $S->{tls} && !$V->{tls};
    return $V->{no_deflate} // 'no permessage-deflate' if $S->{deflate} && !$V->{deflate};
    return "no application workload in this server (b_app's Perl JSON::PP work is in bench/servers/ours_workers_echo.pl only)"
        if $S->{app} && !$V->{app};
    return $V->{workers_only} if $V->{workers_only} && !$S->{workers};
    return;
}

for my $p (@param) {    # --param b.msgs=1000000, c_deflate.msgs=500
    my ($s, $k, $v) = $p =~ /^(\w+?)\.(\w+)=(\d+)$/ or die "--param is like b.msgs=1000000\n";
    die "--param: unknown scenario '$s'\n" unless $SCEN{$s};
    $SCEN{$s}{$k} = $v;
}
for my $s (values %SCEN) {    # --scale
    for my $k (qw(msgs conns)) {
        next unless defined $s->{$k};
        next if $k eq 'conns' && !$s->{idle};    # connection counts stay, but d's
        $s->{$k} = int($s->{$k} * $opt{scale} + 0.5) || 1;
    }
}

sub usage {
    print <<"EOF";
usage: bench/run [options]
  --scenarios LIST      of: @{[join ',', @SCEN_ORDER]} (default a,b,c,d);
                        aliases: default (a-d), tls (b_tls,c_tls), new (b_tls,c_tls,c_deflate),
                        workers (b_workers,b_app), all (all but the workers scenarios)
  --servers LIST        of: @{[join ',', @SERVER_ALL]}
                        (default: @{[join ',', @SERVER_ORDER]}; rust always runs when a scenario
                        other than b_workers, b_app is selected)
  --rounds N            rounds, medians taken over them (default 3)
  --scale F             multiply round-trip counts (a,b,c) and d's connections (default 1)
  --param S.KEY=N       override a scenario value, e.g. b.msgs=1000000, d.conns=5000, c_tls.msgs=500
  --quick, --smoke      1 round at scale 0.1, written to bench/results/smoke.md
  --out FILE            report file (default bench/results/RESULTS.md)
  --timeout SECS        limit for one load-generator run (default 300)
  --settle SECS         wait before reading RSS in d (default 1)
  --no-build            do not run cargo/npm first
  --pin POLICY          split (server core 1, client core 0: the default of a-d and the TLS and
                        deflate scenarios), free (nothing pinned: the default of b_workers, b_app),
                        client0 (server cores 0-1, client core 0); overrides every scenario's own
EOF
    exit $_[0];
}

# ---------------------------------------------------------------- children
my %LIVE;    # pid => 1, every process we started and have not reaped

sub kill_tree {
    my ($pid) = @_;
    return unless $pid && $LIVE{$pid};
    kill 'TERM', -$pid;
    kill 'TERM', $pid;
    my $until = time + 3;
    while (time < $until) {
        my $r = waitpid($pid, WNOHANG);
        if ($r == $pid || $r == -1) { delete $LIVE{$pid}; return }
        sleep 0.05;
    }
    kill 'KILL', -$pid;
    kill 'KILL', $pid;
    waitpid($pid, 0);
    delete $LIVE{$pid};
}
sub kill_all { kill_tree($_) for keys %LIVE }
END { kill_all() }
$SIG{INT}  = sub { kill_all(); die "interrupted\n" };
$SIG{TERM} = sub { kill_all(); die "terminated\n" };
$SIG{PIPE} = 'IGNORE';

# Forks, puts the child in its own process group, redirects, execs.
sub spawn {
    my (%a) = @_;    # cmd => [...], log => FILE, stdin => FH or undef, stdout => FH or undef
    my $pid = fork // die "fork: $!";
    if (!$pid) {
        setpgid(0, 0);
        if ($a{stdin}) { open STDIN, '<&', $a{stdin} or die } else { open STDIN, '<', '/dev/null' or die }
        open my $log, '>>', $a{log} or die "open $a{log}: $!";
        if ($a{stdout}) { open STDOUT, '>&', $a{stdout} or die } else { open STDOUT, '>&', $log or die }
        open STDERR, '>&', $log or die;
        exec @{ $a{cmd} } or do { print STDERR "exec $a{cmd}[0]: $!\n"; POSIX::_exit(127) };
    }
    $LIVE{$pid} = 1;
    return $pid;
}

sub free_port {
    my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0, Listen => 1, ReuseAddr => 1)
        or die "no free port: $@";
    my $p = $s->sockport;
    close $s;
    return $p;
}

sub slurp { my ($f) = @_; open my $fh, '<', $f or return ''; local $/; my $s = <$fh>; return $s // '' }
sub tail_of { my ($f, $n) = @_; my @l = split /\n/, slurp($f); @l = @l[-$n .. -1] if @l > $n; join(' | ', @l) }

my $CLK_TCK = `getconf CLK_TCK` + 0 || 100;

sub proc_stat {    # the fields of /proc/PID/stat after the command name: f[0] is field 3 (state)
    my ($pid) = @_;
    my $s = slurp("/proc/$pid/stat");
    return unless $s =~ /\)\s+(.*)$/s;
    return split ' ', $1;
}
sub proc_cpu {    # (user_s, sys_s) of one process, all threads
    my @f = proc_stat($_[0]) or return;
    return ($f[11] / $CLK_TCK, $f[12] / $CLK_TCK);
}
# The processes of process group $pgid. Every server is started as the leader of its own
# group (spawn), and worker processes it forks stay in that group.
sub group_pids {
    my ($pgid) = @_;
    opendir my $d, '/proc' or return;
    return grep { my @f = proc_stat($_); @f && $f[2] == $pgid } grep { /^\d+$/ } readdir $d;
}
# (user_s, sys_s) of a server: the sum over all processes of its group, so a server with
# worker processes is counted whole (a parent's own utime leaves out its children, and its
# cutime has them only once they have exited and been reaped).
sub server_cpu {
    my ($pgid) = @_;
    my ($u, $s, $n) = (0, 0, 0);
    for my $p (group_pids($pgid)) {
        my @c = proc_cpu($p) or next;
        $u += $c[0]; $s += $c[1]; $n++;
    }
    return $n ? ($u, $s) : ();
}
# How the server's established connections on $port are spread over its processes, e.g.
# "26+24": from /proc/net/tcp{,6} (sockets in state ESTABLISHED whose local port is $port)
# and each process's fd links (socket:[INODE]). The supervising leader of a group of workers
# holds none and is left out; a single-process server gives one number.
sub conn_split {
    my ($pgid, $port) = @_;
    my %est;
    for my $f ('/proc/net/tcp', '/proc/net/tcp6') {
        for (split /\n/, slurp($f)) {
            my @c = split ' ';
            next unless @c > 9 && $c[3] eq '01' && $c[1] =~ /:([0-9A-F]{4})$/ && hex($1) == $port;
            $est{ $c[9] } = 1;
        }
    }
    my @pids = sort { $a <=> $b } group_pids($pgid);
    @pids = grep { $_ != $pgid } @pids if @pids > 1;
    my @n;
    for my $p (@pids) {
        opendir my $d, "/proc/$p/fd" or next;
        push @n, scalar grep { (readlink("/proc/$p/fd/$_") // '') =~ /^socket:\[(\d+)\]$/ && $est{$1} } readdir $d;
    }
    return join '+', sort { $b <=> $a } @n;
}
# Seconds of CPU time the whole machine has spent busy (all cores; /proc/stat: all but idle and
# iowait), to tell how much other work ran beside a measurement.
sub machine_busy_s {
    my ($l) = slurp('/proc/stat') =~ /^cpu\s+(.*)$/m or return;
    my @f = split ' ', $l;    # user nice system idle iowait irq softirq steal ...
    my $busy = 0;
    $busy += $f[$_] // 0 for 0, 1, 2, 5, 6, 7;
    return $busy / $CLK_TCK;
}
sub proc_rss_kib { my ($pid) = @_; slurp("/proc/$pid/status") =~ /^VmRSS:\s+(\d+)\s+kB/m ? $1 : undef }

sub pinned { my ($cpus, @cmd) = @_; defined $cpus ? ['taskset', '-c', $cpus, @cmd] : [@cmd] }

sub start_server {
    my ($name, $log, $feature, $cpus) = @_;
    my $port = free_port();
    my $cmd  = pinned($cpus, @{ $SERVER{$name}{cmd}->($port, $feature || {}) });
    open my $l, '>', $log or die; print $l "# @$cmd\n"; close $l;
    my $pid = spawn(cmd => $cmd, log => $log);
    my $until = time + 20;
    while (time < $until) {
        if (slurp($log) =~ m{listening on wss?://}) { return ($pid, $port) }
        my $r = waitpid($pid, WNOHANG);
        if ($r == $pid) { delete $LIVE{$pid}; return (undef, undef, "exited at start: " . tail_of($log, 3)) }
        sleep 0.05;
    }
    kill_tree($pid);
    return (undef, undef, "no 'listening on' line within 20 s: " . tail_of($log, 3));
}

# Runs the load generator; $on_ready->() is called at READY (before the reply).
sub loadgen {
    my (%a) = @_;    # args => [...], log => FILE, sync => bool, on_ready => sub, client => 'rust'|'node',
                     # cpus => taskset list or undef; on_ready and on_result get the loadgen's pid last
    pipe(my $in_r, my $in_w)   or die "pipe: $!";
    pipe(my $out_r, my $out_w) or die "pipe: $!";
    my @bin = ($a{client} // 'rust') eq 'node' ? ('node', $LOADGEN_NODE) : ($LOADGEN);
    my $cmd = pinned($a{cpus}, @bin, @{ $a{args} }, '--timeout', $opt{timeout}, ($a{sync} ? '--sync' : ()));
    open my $l, '>>', $a{log} or die; print $l "# @$cmd\n"; close $l;
    my $pid = spawn(cmd => $cmd, log => $a{log}, stdin => $in_r, stdout => $out_w);
    close $in_r; close $out_w;
    $in_w->autoflush(1);
    my $sel = IO::Select->new($out_r);
    my ($buf, $result, $err) = ('', undef, undef);
    my $deadline = time + $opt{timeout} + 30;
    LINE: while (1) {
        while ($buf =~ s/^(.*)\n//) {
            my $line = $1;
            if ($line =~ /^READY/) {
                $a{on_ready}->($line, $pid) if $a{on_ready};
                print $in_w "go\n";
            }
            elsif ($line =~ /^RESULT (.*)/) {
                $result = { map { split /=/, $_, 2 } split ' ', $1 };
                $a{on_result}->($result, $pid) if $a{on_result};
            }
        }
        my $left = $deadline - time;
        if ($left <= 0) { $err = "load generator timed out"; last }
        next unless $sel->can_read($left > 1 ? 1 : $left);
        my $n = sysread($out_r, $buf, 65536, length $buf);
        last LINE unless $n;
    }
    close $in_w; close $out_r;
    if ($err) { kill_tree($pid) }
    else {
        my $until = time + 10;
        while (time < $until) { last if waitpid($pid, WNOHANG) == $pid; sleep 0.02 }
        if ($LIVE{$pid} && waitpid($pid, WNOHANG) == 0) { kill_tree($pid) } else { delete $LIVE{$pid} }
        $err = "load generator failed: " . tail_of($a{log}, 2) if $? != 0 && !$result;
    }
    return $result ? ($result, undef) : (undef, $err // "no RESULT line: " . tail_of($a{log}, 2));
}

# One measurement: a fresh server, one scenario. Returns a hash of figures or {error}.
sub measure {
    my ($name, $sc, $round) = @_;
    my $S   = $SCEN{$sc};
    my $log = "$BENCH/results/raw/$sc-$name-r$round.log";
    unlink $log;
    my %feature = (($S->{tls} ? (cert => $PKI{cert}, key => $PKI{key}) : ()), ($S->{deflate} ? (deflate => 1) : ()));
    $feature{workers} = 1 if $S->{workers};
    $feature{app} = $S->{app} if $S->{app};
    my $pin = pin_of($sc);
    my $load1 = (split ' ', slurp('/proc/loadavg'))[0];
    my ($pid, $port, $why) = start_server($name, $log, \%feature, $pin->{server});
    return { error => $why } unless $pid;
    my $url = ($S->{tls} ? 'wss' : 'ws') . "://127.0.0.1:$port/";
    my @extra = (($S->{tls} ? ('--ca', $PKI{ca}) : ()),
                 ($S->{deflate} ? ('--deflate') : ()), ($S->{payload} ? ('--payload', $S->{payload}) : ()));
    my %m;
    my $ok = eval {
        if ($S->{idle}) {
            # one short echo first, so lazily loaded code is in the base RSS
            my ($w, $e) = loadgen(args => ['--url', $url, '--msgs', 100, '--size', 16], log => $log, cpus => $pin->{client});
            die "$e\n" if $e;
            sleep 0.3;
            my $rss0 = proc_rss_kib($pid) // die "server gone\n";
            my ($r, $err) = loadgen(
                args => ['--url', $url, '--mode', 'idle', '--conns', $S->{conns}], log => $log, sync => 1, cpus => $pin->{client},
                on_ready => sub {
                    sleep $opt{settle};
                    $m{rss1} = proc_rss_kib($pid);
                },
            );
            die "$err\n" if $err;
            die "server gone\n" unless defined $m{rss1};
            $m{rss0_kib}       = $rss0;
            $m{kib_per_conn}   = ($m{rss1} - $rss0) / $S->{conns};
            $m{connect_s}      = $r->{connect_s};
            $m{dropped}        = $r->{dropped};
        }
        else {
            my (@cpu0, @cpu1, @lg0, @lg1, $split, $all0, $all1);
            my ($r, $err) = loadgen(
                args => ['--url', $url, '--conns', $S->{conns}, '--msgs', $S->{msgs}, '--size', $S->{size},
                         '--type', $S->{type}, '--warmup', $S->{warmup}, @extra],
                log => $log, sync => 1, client => $S->{client}, cpus => $pin->{client},
                on_ready  => sub {
                    # all connections are open and warmed up here (at RESULT they start closing)
                    $split = conn_split($pid, $port) if $S->{workers};
                    @cpu0 = server_cpu($pid); @lg0 = proc_cpu($_[1]); $all0 = machine_busy_s();
                },
                # RESULT comes before the client closes its connections
                on_result => sub { @cpu1 = server_cpu($pid); @lg1 = proc_cpu($_[1]); $all1 = machine_busy_s() },
            );
            die "$err\n" if $err;
            die "server gone\n" unless @cpu0 && @cpu1;
            # a comparison of compression needs compression: fail when the server declined it
            die "the server did not accept permessage-deflate (ext=" . ($r->{ext} // '?') . ")\n"
                if $S->{deflate} && ($r->{ext} // '') !~ /permessage-deflate/;
            $m{tls}        = $r->{tls} if $S->{tls};
            $m{ext}        = $r->{ext} if $S->{deflate};
            $m{wire_ratio} = $r->{wire_ratio} if $S->{deflate};
            my $n = $S->{msgs};
            $m{user_us}   = ($cpu1[0] - $cpu0[0]) * 1e6 / $n;
            $m{cpu_us}    = ($cpu1[0] + $cpu1[1] - $cpu0[0] - $cpu0[1]) * 1e6 / $n;
            $m{msg_per_s} = $r->{msg_per_s};
            $m{mb_per_s}  = $r->{mb_per_s};
            $m{p50_us}    = $r->{p50_us};
            $m{p99_us}    = $r->{p99_us};
            $m{elapsed_s} = $r->{elapsed_s};
            if ($S->{workers}) {    # how busy each side was while measured (cores; 1 = one core all the time)
                $m{split}    = $split;
                # every connection does the same number of round trips, so the process with the
                # most connections has the most work: 2 processes can be at most conns / largest
                # share times as fast as 1 (e.g. 50 / 28 = 1.79 for 28+22)
                my ($big) = sort { $b <=> $a } split /\+/, $split // '';
                $m{ceiling}  = $S->{conns} / $big if $big;
                $m{load1}    = $load1;
                $m{srv_busy} = ($cpu1[0] + $cpu1[1] - $cpu0[0] - $cpu0[1]) / $r->{elapsed_s} if $r->{elapsed_s};
                $m{cli_busy} = ($lg1[0] + $lg1[1] - $lg0[0] - $lg0[1]) / $r->{elapsed_s} if $r->{elapsed_s} && @lg0 && @lg1;
                # everything else that ran on the machine meanwhile (other users, the harness)
                $m{oth_busy} = ($all1 - $all0) / $r->{elapsed_s} - $m{srv_busy} - ($m{cli_busy} // 0)
                    if $r->{elapsed_s} && defined $all0 && defined $all1 && defined $m{srv_busy};
            }
        }
        1;
    };
    my $e = $@;
    if (!$ok && waitpid($pid, WNOHANG) == $pid) {    # the server died under load
        my $code = $? >> 8;
        delete $LIVE{$pid};
        my @own = grep { !/^(?:# |ws-loadgen:|listening on )/ } split /\n/, slurp($log);
        $e = "server exited (status $code): " . join(' | ', @own ? @own[($#own > 1 ? $#own - 1 : 0) .. $#own] : ('no output'));
    }
    kill_tree($pid);
    $e =~ s/\s+$//;
    $e = substr($e, 0, 300) . '...' if length $e > 300;
    return $ok ? \%m : { error => $e };
}

# ---------------------------------------------------------------- prepare
sub run_quiet {
    my ($dir, @cmd) = @_;
    my $out = `cd '$dir' && @cmd 2>&1`;
    return $? == 0 ? undef : "`@cmd` failed: " . join(' | ', (split /\n/, $out)[-3 .. -1]);
}
sub have { my ($bin) = @_; system("command -v $bin >/dev/null 2>&1") == 0 }
sub perl_module {
    my ($m, $how) = @_;
    system($^X, "-M$m", '-e', '1') == 0 ? undef : "Perl module $m not installed ($how)";
}
sub prepare_rust {
    return run_quiet("$BENCH/servers/rust_tungstenite_echo", 'cargo build --release --locked --quiet') if $opt{build};
    return -x $RUST_BIN ? undef : "$RUST_BIN not built";
}
sub prepare_ours {
    return "examples/echo-server.pl not found (not written yet?)" unless -f "$ROOT/examples/echo-server.pl";
    return "blib/ not found: run `perl Makefile.PL && make` first" unless -d "$ROOT/blib";
    my $out = `perl -Mblib -c examples/echo-server.pl 2>&1`;
    if ($?) {
        my ($first) = split /\n/, $out;
        $first =~ s/\s*\(\@INC contains:.*?\)//;
        my $hint = $first =~ /Can't locate WebSocket/ ? ' (blib/ out of date? run `make`)' : '';
        return "`perl -Mblib -c examples/echo-server.pl` fails: $first$hint";
    }
    return;
}
sub prepare_node {
    return "node not found" unless have('node');
    unless (-d "$BENCH/servers/node/node_modules/ws") {
        return "bench/servers/node/node_modules/ws missing (npm ci in bench/servers/node)" unless $opt{build} && have('npm');
        my $e = run_quiet("$BENCH/servers/node", 'npm ci --no-audit --no-fund --loglevel=error');
        return $e if $e;
    }
    return;
}
sub prepare_python {
    return "python3 not found" unless have('python3');
    system('python3', '-c', 'import websockets') == 0 ? undef : "Python websockets not installed (pip install websockets)";
}

sub cmd_out { my $s = `$_[0] 2>/dev/null`; $s =~ s/\s+$//; $s =~ s/\n/ /g; $s }

# A throwaway CA and a certificate for localhost and 127.0.0.1 signed by it (ECDSA P-256, as in
# t/lib/TestTLS.pm), made with the openssl command in a temporary directory removed at exit.
# Returns undef, or why it could not.
sub make_pki {
    return "the openssl command is not installed" unless have('openssl');
    $PKI_DIR = File::Temp->newdir('bench-tls-XXXXXX', TMPDIR => 1);
    my $d = "$PKI_DIR";
    open my $e, '>', "$d/local.ext" or return "write $d/local.ext: $!";
    print $e "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"
           . "keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n";
    close $e;
    my @ec = ('-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes');
    for my $cmd (
        ['req', '-x509', @ec, '-keyout', "$d/ca.key", '-out', "$d/ca.pem", '-days', 7, '-subj', '/CN=WebSocket bench CA',
         '-extensions', 'v3_ca', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
        ['req', @ec, '-keyout', "$d/server.key", '-out', "$d/server.csr", '-subj', '/CN=localhost'],
        ['x509', '-req', '-in', "$d/server.csr", '-CA', "$d/ca.pem", '-CAkey', "$d/ca.key", '-CAcreateserial',
         '-out', "$d/server.pem", '-days', 7, '-extfile', "$d/local.ext"],
    ) {
        my $rc = system('sh', '-c', 'exec openssl "$@" >>"$0" 2>&1', "$d/openssl.log", @$cmd);
        return "openssl $cmd->[0] failed: " . tail_of("$d/openssl.log", 2) if $rc != 0;
    }
    %PKI = (ca => "$d/ca.pem", cert => "$d/server.pem", key => "$d/server.key");
    return;
}

# ---------------------------------------------------------------- main
make_path("$BENCH/results/raw");
my $t_start = time;
sub loadavg { join ' ', (split ' ', slurp('/proc/loadavg'))[0 .. 2] }
my $load0 = loadavg();
my $started = strftime('%Y-%m-%d %H:%M:%S %Z', localtime);

if ($opt{build}) {
    print "building the load generator (cargo build --release --locked)\n";
    my $e = run_quiet("$BENCH/loadgen", 'cargo build --release --locked --quiet');
    die "$e\n" if $e;
}
die "$LOADGEN not built (cargo build --release --locked in bench/loadgen)\n" unless -x $LOADGEN;
die "taskset not found (util-linux)\n" unless have('taskset');

my %missing;
for my $s (@srv) {
    my $why = $SERVER{$s}{prepare}->();
    if ($why) { $missing{$s} = $why; print "  $s: MISSING: $why\n" }
}
die "the Rust reference server is not available: $missing{rust}\n" if $missing{rust};
my @run = grep { !$missing{$_} } @srv;

# Scenarios that cannot run at all: TLS without openssl, c_deflate without the Node client.
my %scen_missing;
if (grep { $SCEN{$_}{tls} } @scen) {
    my $why = make_pki();
    if ($why) { $scen_missing{$_} = $why for grep { $SCEN{$_}{tls} } @scen }
}
for my $sc (grep { ($SCEN{$_}{client} // '') eq 'node' } @scen) {
    $scen_missing{$sc} //= "needs the Node load generator: node and bench/servers/node/node_modules ($missing{node})"
        if $missing{node};
}
for my $sc (@scen) {
    my $ref = ref_of($sc);
    $scen_missing{$sc} //= "its reference server ($ref) is missing: $missing{$ref}" if $missing{$ref};
    print "  scenario $sc: SKIPPED: $scen_missing{$sc}\n" if $scen_missing{$sc};
}

my $nofile = $ENV{BENCH_NOFILE} // cmd_out('sh -c "ulimit -n"');
if (grep { $_ eq 'd' } @scen and $nofile ne 'unlimited' and $nofile < $SCEN{d}{conns} + 200) {
    die "scenario d needs an open-files limit above $SCEN{d}{conns} + 200 (have $nofile); run through bench/run\n";
}

my %res;    # $res{$sc}{$server} = [ per-round hashes ]
for my $round (1 .. $opt{rounds}) {
    for my $sc (@scen) {
        next if $scen_missing{$sc};
        my @order = grep { !not_applicable($sc, $_) } @run;
        next unless @order;
        push @order, shift @order for 1 .. (($round - 1) % @order);
        for my $s (@order) {
            my $t = time;
            my $m = measure($s, $sc, $round);
            push @{ $res{$sc}{$s} }, $m;
            printf "round %d/%d  %s  %-7s %5.1fs  %s\n", $round, $opt{rounds}, $sc, $s, time - $t,
                $m->{error} ? "ERROR: $m->{error}" : join(' ', map { "$_=" . fmt($m->{$_}) } sort keys %$m);
        }
    }
}

# ---------------------------------------------------------------- report
sub fmt {
    my ($v) = @_;
    return '' unless defined $v;
    return $v if $v =~ /^-?\d+$/;
    return $v unless $v =~ /^-?[\d.]+(?:e[-+]?\d+)?$/i;
    my $a = abs $v;
    return $a >= 1000 ? sprintf('%.0f', $v) : $a >= 100 ? sprintf('%.1f', $v) : $a >= 1 ? sprintf('%.2f', $v) : sprintf('%.3f', $v);
}
sub median {
    my @v = sort { $a <=> $b } grep { defined } @_;
    return undef unless @v;
    return @v % 2 ? $v[$#v / 2] : ($v[@v / 2 - 1] + $v[@v / 2]) / 2;
}
sub med_of {
    my ($sc, $s, $k) = @_;
    median(map { $_->{$k} } grep { !$_->{error} } @{ $res{$sc}{$s} || [] });
}
sub ok_rounds { scalar grep { !$_->{error} } @{ $res{$_[0]}{$_[1]} || [] } }
sub ratio {
    my ($sc, $s, $k) = @_;
    my ($v, $r) = (med_of($sc, $s, $k), med_of($sc, ref_of($sc), $k));
    return '' unless defined $v && defined $r && $r != 0;
    return sprintf('%.2fx', $v / $r);
}

my %TABLE = (
    a => { cols => [['user_us', 'server user CPU µs/msg', 1], ['cpu_us', 'user+sys µs/msg', 1],
                    ['msg_per_s', 'msg/s'], ['p50_us', 'p50 µs'], ['p99_us', 'p99 µs']],
           target => ['user_us', '<=', 1.5, 'server user CPU per message <= 1.5x the Rust server\'s'] },
    b => { cols => [['msg_per_s', 'msg/s', 1], ['p50_us', 'p50 µs'], ['p99_us', 'p99 µs'], ['cpu_us', 'server user+sys µs/msg']],
           target => ['msg_per_s', '>=', 1.0, 'msg/s >= 1.0x the Rust server\'s'] },
    c => { cols => [['mb_per_s', 'MB/s', 1], ['p50_us', 'p50 µs'], ['p99_us', 'p99 µs'], ['cpu_us', 'server user+sys µs/msg']],
           target => ['mb_per_s', '>=', 0.9, 'MB/s >= 0.9x the Rust server\'s'] },
    d => { cols => [['kib_per_conn', 'RSS KiB/conn', 1], ['rss0_kib', 'base RSS KiB'], ['connect_s', 'connect s'], ['dropped', 'dropped']],
           target => ['kib_per_conn', 'abs<=', 4, 'RSS <= 4 KiB per connection'] },
    # No targets for these (yet): the report gives ours against every peer instead.
    # 'str' columns show the value of the first good round (no median).
    b_tls => { cols => [['msg_per_s', 'msg/s', 1], ['p50_us', 'p50 µs'], ['p99_us', 'p99 µs'], ['cpu_us', 'server user+sys µs/msg', 1],
                        ['tls', 'TLS (version/cipher)', 'str']],
               compare => [['msg_per_s', 'msg/s'], ['cpu_us', 'server user+sys CPU per message; below 1 is less CPU for ours']],
               ratio_to => 'the Rust tungstenite server over TLS (tokio-rustls) of the same rounds' },
    c_tls => { cols => [['mb_per_s', 'MB/s', 1], ['p50_us', 'p50 µs'], ['p99_us', 'p99 µs'], ['cpu_us', 'server user+sys µs/msg', 1],
                        ['tls', 'TLS (version/cipher)', 'str']],
               compare => [['mb_per_s', 'MB/s'], ['cpu_us', 'server user+sys CPU per message; below 1 is less CPU for ours']],
               ratio_to => 'the Rust tungstenite server over TLS (tokio-rustls) of the same rounds' },
    c_deflate => { cols => [['mb_per_s', 'MB/s', 1], ['p50_us', 'p50 µs'], ['p99_us', 'p99 µs'], ['cpu_us', 'server user+sys µs/msg', 1],
                            ['wire_ratio', 'payload/wire bytes'], ['ext', 'extension agreed', 'str']],
                   compare => [['mb_per_s', 'MB/s'], ['cpu_us', 'server user+sys CPU per message; below 1 is less CPU for ours']],
                   ratio_to => 'the Node ws server with compression of the same rounds (the Rust server has no '
                             . 'permessage-deflate); client: bench/loadgen-node (Node ws, permessage-deflate on, threshold 10240)' },
    # The workers comparison. 'all' columns list the value of every good round.
    (map { $_ => {
        cols => [['msg_per_s', 'msg/s', 1], ['p50_us', 'p50 µs'], ['p99_us', 'p99 µs'], ['cpu_us', 'server user+sys µs/msg', 1],
                 ['srv_busy', 'server CPU busy (cores)'], ['cli_busy', 'load generator CPU busy (cores)'],
                 ['oth_busy', 'other processes busy (cores)'],
                 ['load1', 'load avg (1 min) at start'], ['split', 'connections per process, each round', 'all']],
        workers => [['msg_per_s', 'msg/s'], ['cpu_us', 'server user+sys CPU per message']],
        ratio_to => 'ours in 1 process (ours_workers_echo.pl --workers 1) of the same rounds' } } qw(b_workers b_app)),
);
sub all_of {
    my ($sc, $s, $k) = @_;
    return join ', ', map { $_->{$k} // '?' } grep { !$_->{error} } @{ $res{$sc}{$s} || [] };
}
# Per-round ratios of server $s to ours (the same round: both measured in it).
sub round_ratios {
    my ($sc, $s, $k) = @_;
    my ($A, $B) = ($res{$sc}{$s} || [], $res{$sc}{ours} || []);
    return map {
        my ($x, $y) = ($A->[$_], $B->[$_]);
        (!$x || !$y || $x->{error} || $y->{error} || !$y->{$k} || !defined $x->{$k}) ? '-' : sprintf('%.2f', $x->{$k} / $y->{$k})
    } 0 .. ($#$A > $#$B ? $#$A : $#$B);
}
sub first_of {
    my ($sc, $s, $k) = @_;
    my ($v) = map { $_->{$k} } grep { !$_->{error} && defined $_->{$k} } @{ $res{$sc}{$s} || [] };
    return $v;
}

my $md = '';
my $smoke = $opt{quick} || $opt{scale} != 1 || $opt{rounds} < 3;
$md .= "# WebSocket benchmark results" . ($smoke ? " (SMOKE RUN: scaled or too few rounds, not results)" : '') . "\n\n";
my $commit = cmd_out('git rev-parse --short HEAD') || 'unknown';
$commit .= ' (with uncommitted changes)' if cmd_out('git status --porcelain --untracked-files=no') ne '';
my ($cpu_model) = slurp('/proc/cpuinfo') =~ /^model name\s*:\s*(.*)$/m;
my @ver = (
    "perl " . sprintf('%vd', $^V),
    "rustc " . (cmd_out('rustc --version') =~ s/^rustc //r),
    (have('node') ? "node " . cmd_out('node --version') : ()),
    (have('python3') ? cmd_out('python3 --version') : ()),
    "Mojolicious " . (cmd_out(q{perl -MMojolicious -e 'print $Mojolicious::VERSION'}) || 'n/a')
        . " (reactor " . (cmd_out(q{perl -MMojo::IOLoop -e 'print ref Mojo::IOLoop->singleton->reactor'}) || '?') . ")",
    "Protocol::WebSocket " . (cmd_out(q{perl -MProtocol::WebSocket -e 'print $Protocol::WebSocket::VERSION'}) || 'n/a'),
    "ws " . (cmd_out(qq{node -p "require('$BENCH/servers/node/node_modules/ws/package.json').version"}) || 'n/a'),
    "websockets " . (cmd_out(q{python3 -c 'import websockets; print(websockets.__version__)'}) || 'n/a'),
);
$md .= "- date: $started; took " . sprintf('%.0f', time - $t_start) . " s\n";
$md .= "- commit: $commit\n";
$md .= "- machine: nproc " . cmd_out('nproc') . ", $cpu_model, kernel " . cmd_out('uname -r')
     . ", load average before/after: $load0 / " . loadavg() . "\n";
{
    my %by;    # pinning policy text => its scenarios
    push @{ $by{ pin_of($_)->{text} } }, $_ for @scen;
    my @p = map { (keys %by > 1 ? "$_ (" . join(', ', @{ $by{$_} }) . ")" : $_) } sort keys %by;
    $md .= "- pinning: " . join('; ', @p) . "; load generator: tokio-tungstenite, one thread"
         . ((grep { ($SCEN{$_}{client} // '') eq 'node' } @scen) ? ' (c_deflate: bench/loadgen-node, Node ws with permessage-deflate, pinned like it)' : '')
         . "; server CPU: utime+stime summed over all processes of the server's process group\n";
}
$md .= "- rounds: $opt{rounds} (servers interleaved, a fresh server process per measurement); figures are medians; "
     . "ratio = server / " . do {
           my %u;
           my @refs = grep { !$u{$_}++ } map { ref_of($_) } @scen;
           my %l = (rust => 'Rust tungstenite server', node => 'Node ws server', ours => 'ours in 1 process');
           @refs == 1 && $refs[0] eq 'rust' ? "$l{rust} of the same rounds"
             : "the reference server of the same rounds (" . join('; ', map {
                   my $r = $_; join(', ', grep { ref_of($_) eq $r } @scen) . ": " . ($l{$r} // $r)
               } @refs) . ")";
       }
     . "\n";
$md .= "- scale: $opt{scale}" . (@param ? "; overrides: @param" : '') . "\n";
$md .= "- versions: " . join(', ', @ver) . "\n";
$md .= "- command: bench/run " . join(' ', @main::ARGV_COPY) . "\n";
$md .= "- MISSING $_ ($SERVER{$_}{label}): $missing{$_}\n" for grep { $missing{$_} } @srv;
$md .= "- SKIPPED scenario $_: $scen_missing{$_}\n" for grep { $scen_missing{$_} } @scen;
$md .= "\n";

for my $sc (@scen) {
    my $S = $SCEN{$sc};
    my $desc = $S->{idle}
        ? "$S->{conns} idle connections"
        : "$S->{conns} connection(s), $S->{msgs} round trips of $S->{size} B $S->{type}, after $S->{warmup} warm-up round trips per connection";
    $md .= "## ($sc) $S->{what}\n\nAs run: $desc"
         . ($S->{tls} ? ', over TLS (wss://, certificate from a throwaway CA)' : '')
         . ($S->{deflate} ? ", permessage-deflate on, payload $S->{payload}" . ' (JSON-like text sent as binary frames, 16 variants sent in turn, the same bytes for every server)' : '')
         . ($S->{app} ? ", payload: one JSON order document of exactly $S->{size} B (ws-loadgen --payload order), which the server "
                        . 'decodes with JSON::PP and checks (type, items, qty) before it echoes the text unchanged' : '')
         . ($S->{workers} ? '; ' . pin_of($sc)->{text} : '')
         . ".\n\n";
    my $T = $TABLE{$sc};
    $md .= "Ratios are to $T->{ratio_to}.\n\n" if $T->{ratio_to};
    if ($scen_missing{$sc}) { $md .= "Not run: $scen_missing{$sc}.\n\n"; next }
    my @h = ('server');
    for my $c (@{ $T->{cols} }) { push @h, $c->[1]; push @h, 'ratio' if $c->[2] && $c->[2] !~ /^(?:str|all)$/ }
    push @h, 'rounds ok';
    $md .= '| ' . join(' | ', @h) . " |\n|" . join('|', map { '---' } @h) . "|\n";
    for my $s (@srv) {
        my @row = (label_of($sc, $s));
        if (my $na = not_applicable($sc, $s)) {
            push @row, "n/a: $na", ('') x (@h - 2);
        }
        elsif ($missing{$s}) {
            push @row, "missing (see above)", ('') x (@h - 2);
        }
        elsif (!ok_rounds($sc, $s)) {
            my ($e) = map { $_->{error} } @{ $res{$sc}{$s} || [] };
            push @row, "failed: " . ($e // 'not run'), ('') x (@h - 2);
        }
        else {
            for my $c (@{ $T->{cols} }) {
                if (($c->[2] // '') eq 'str') { push @row, first_of($sc, $s, $c->[0]) // ''; next }
                if (($c->[2] // '') eq 'all') { push @row, all_of($sc, $s, $c->[0]); next }
                push @row, fmt(med_of($sc, $s, $c->[0]));
                push @row, ratio($sc, $s, $c->[0]) if $c->[2];
            }
            push @row, ok_rounds($sc, $s) . '/' . scalar @{ $res{$sc}{$s} };
        }
        s/\|/\\|/g for @row;
        $md .= '| ' . join(' | ', @row) . " |\n";
    }
    my @errs = map { my $s = $_; map { "$s round " . ($_ + 1) . ": $res{$sc}{$s}[$_]{error}" } grep { $res{$sc}{$s}[$_]{error} } 0 .. $#{ $res{$sc}{$s} || [] } } @run;
    if ($T->{workers}) {    # every other server against ours in 1 process, median and round by round
        $md .= "\n";
        for my $s (grep { $_ ne 'ours' && !not_applicable($sc, $_) } @run) {
            my @parts;
            for my $C (@{ $T->{workers} }) {
                my ($k, $what) = @$C;
                my ($v, $o) = (med_of($sc, $s, $k), med_of($sc, 'ours', $k));
                push @parts, sprintf('%s %s (rounds: %s)', $what, (defined $v && $o ? sprintf('%.2fx', $v / $o) : 'not computable'),
                                     join(' ', round_ratios($sc, $s, $k)));
            }
            $md .= "$SERVER{$s}{label} / ours in 1 process: " . join('; ', @parts) . ($smoke ? ' [smoke run: not a result]' : '') . ".\n";
        }
        $md .= "\nErrors:\n" . join('', map { "- $_\n" } @errs) if @errs;
        $md .= "\n";
        next;
    }
    if ($T->{compare}) {    # no target: ours against every peer that ran
        $md .= "\n";
        for my $C (@{ $T->{compare} }) {
            my ($k, $what) = @$C;
            my $v = med_of($sc, 'ours', $k);
            my @cmp;
            for my $s (grep { $_ ne 'ours' && !not_applicable($sc, $_) } @run) {
                my $p = med_of($sc, $s, $k);
                push @cmp, sprintf('%.2fx %s', $v / $p, $SERVER{$s}{label}) if defined $v && $p;
            }
            $md .= "Ours against each peer ($what; ours / peer): "
                 . (@cmp ? join(', ', @cmp) : 'not computable (ours missing or failed)')
                 . ($smoke ? ' [smoke run: not a result]' : '') . ".\n";
        }
        $md .= "\nErrors:\n" . join('', map { "- $_\n" } @errs) if @errs;
        $md .= "\n";
        next;
    }
    my ($k, $op, $lim, $text) = @{ $T->{target} };
    my $verdict;
    if ($missing{ours} || !ok_rounds($sc, 'ours')) { $verdict = 'not measured (ours missing or failed)' }
    else {
        my $v = med_of($sc, 'ours', $k);
        my $r = med_of($sc, 'rust', $k);
        my $x = $op eq 'abs<=' ? $v : $r ? $v / $r : undef;
        my $met = !defined $x ? undef : $op eq '>=' ? $x >= $lim : $x <= $lim;
        $verdict = !defined $x ? 'not computable' : sprintf('%s (%s)', $met ? 'MET' : 'NOT MET', $op eq 'abs<=' ? fmt($v) . ' KiB' : sprintf('%.2fx', $x));
    }
    $md .= "\nTarget for ours: $text: $verdict" . ($smoke ? ' [smoke run: not a result]' : '') . ".\n";
    $md .= "\nErrors:\n" . join('', map { "- $_\n" } @errs) if @errs;
    $md .= "\n";
}
# The workers comparison in one table, when it ran.
if (my @w = grep { $SCEN{$_}{workers} && !$scen_missing{$_} && ok_rounds($_, 'ours') } @scen) {
    $md .= "## Workers: ours with 2 processes against ours in 1 process\n\n"
         . "Medians over the rounds; ratio = 2 processes / 1 process, both measured in the same rounds; "
         . "ceiling from the split = connections / the largest number on one process (every connection does the same "
         . "number of round trips, so the busiest process finishes last); busy = CPU seconds / measured seconds "
         . "(server: all its processes; other processes: the machine's busy time from /proc/stat minus server and load generator); "
         . "pinning: " . join('; ', map { "$_: " . pin_of($_)->{text} } @w) . ".\n\n"
         . "| scenario | server | msg/s | ratio | ceiling from the split | server CPU µs/msg | ratio | server CPU busy (cores) | load generator busy (cores) | other processes busy (cores) | load avg (1 min) | connections per process |\n"
         . "|---|---|---|---|---|---|---|---|---|---|---|---|\n";
    for my $sc (@w) {
        for my $s (grep { $SCEN{$sc}{workers} && !not_applicable($sc, $_) && ok_rounds($sc, $_) && $_ =~ /^ours/ } @run) {
            $md .= "| $sc | " . ($s eq 'ours' ? 'ours, 1 process' : $SERVER{$s}{label}) . " | " . join(' | ',
                fmt(med_of($sc, $s, 'msg_per_s')), ($s eq 'ours' ? '1' : ratio($sc, $s, 'msg_per_s')),
                ($s eq 'ours' ? '' : sprintf('%.2fx', med_of($sc, $s, 'ceiling') // 0)),
                fmt(med_of($sc, $s, 'cpu_us')),    ($s eq 'ours' ? '1' : ratio($sc, $s, 'cpu_us')),
                fmt(med_of($sc, $s, 'srv_busy')), fmt(med_of($sc, $s, 'cli_busy')), fmt(med_of($sc, $s, 'oth_busy')),
                fmt(med_of($sc, $s, 'load1')),
                all_of($sc, $s, 'split')) . " |\n";
        }
    }
    $md .= "\n" . ($smoke ? "[smoke run: not a result]\n\n" : '');
}
$md .= "Raw logs of every server and load-generator run: bench/results/raw/ (not committed).\n";

make_path(dirname($opt{out}));
open my $o, '>', $opt{out} or die "write $opt{out}: $!";
print $o $md;
close $o;
print "\n$md";
printf "wrote %s in %.0f s\n", $opt{out}, time - $t_start;
kill_all();

BEGIN { @main::ARGV_COPY = @ARGV }
