#!/usr/bin/env bash
# Autobahn|Testsuite conformance run for this distribution.
#
#   xt/autobahn/run.sh fuzzingclient [options]   wstest as CLIENT against our echo server
#   xt/autobahn/run.sh fuzzingserver [options]   wstest as SERVER, driven by our client
#   xt/autobahn/run.sh both [options]            one after the other
#
# Options:
#   --cases PATTERNS   case patterns, space or comma separated (default: 1.* to 11.*,
#                      i.e. everything except the permessage-deflate groups 12.* and 13.*);
#                      'all' selects every case (with --deflate, or 12.* and 13.* are UNIMPLEMENTED).
#                      A pattern with '*' matches case IDs by prefix ('12.1.1*' also selects
#                      12.1.10-12.1.18); an ID without '*' selects that case only
#   --deflate          permessage-deflate (RFC 7692): the testees negotiate it (echo server
#                      --deflate; client driver --extensions permessage-deflate), the
#                      default cases are 12.* and 13.* (216, 11-12 min per role on 2 cores), and the
#                      results go to their own sections ('ROLE, permessage-deflate')
#   --exclude PATTERNS cases to leave out of the selection
#   --server-cmd CMD   testee for fuzzingclient; default:
#                        perl -Mblib examples/echo-server.pl --host {host} --port {port}
#                      (with --deflate: ... --deflate)
#   --client-cmd CMD   testee for fuzzingserver; default:
#                        perl -Mblib examples/autobahn-client.pl --url {url} --agent {agent}
#                      (with --deflate: ... --extensions permessage-deflate)
#                      CMD runs under bash from the distribution's top directory; {host},
#                      {port}, {url}, {agent} are replaced, and AB_HOST, AB_PORT, AB_URL,
#                      AB_AGENT are exported to it as well.
#   --agent NAME       agent name in the reports (default WebSocket-perl)
#   --port N           TCP port on 127.0.0.1 (default: a free one)
#   --timeout SECS     limit for the wstest run / the client command (default 900;
#                      3600 with --cases all or --deflate); the echo server is given 60 s
#                      to listen
#   --out DIR          report directory (default xt/autobahn/reports/MODE)
#   --options JSON     wstest protocol options, e.g. '{"failByDrop": false}'
#   --results FILE     summary file to update (default xt/autobahn/RESULTS.md, but only
#                      when the default testee command is used: runs against other peers
#                      print their summary without touching RESULTS.md)
#   --no-results       never update a summary file
#
# Installs the tester first if needed (setup.sh).  Loopback only.  Leaves no process behind.
# Exit: 0 = every selected case ran, none FAILED or UNIMPLEMENTED; 1 = some did, or
# cases are missing; 2 = usage, set-up or testee start-up problem; 124 = timeout.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
VENV=${AB_VENV:-$HERE/venv}
HOST=127.0.0.1
DEFAULT_SERVER_CMD='perl -Mblib examples/echo-server.pl --host {host} --port {port}'
DEFAULT_CLIENT_CMD='perl -Mblib examples/autobahn-client.pl --url {url} --agent {agent}'
DEFAULT_CASES='1.* 2.* 3.* 4.* 5.* 6.* 7.* 8.* 9.* 10.* 11.*'
DEFLATE_CASES='12.* 13.*'

usage() { awk 'NR>1 && /^#/ {sub(/^# ?/, ""); print; next} NR>1 {exit}' "$0" >&2; exit 2; }
log() { echo "[autobahn] $*" >&2; }

[ $# -ge 1 ] || usage
MODE=$1; shift
case "$MODE" in fuzzingclient|fuzzingserver|both) ;; -h|--help) usage ;; *) log "unknown mode '$MODE'"; usage ;; esac
if [ "$MODE" = both ]; then
  rc=0; "$0" fuzzingclient "$@" || rc=$?
  rc2=0; "$0" fuzzingserver "$@" || rc2=$?
  [ $rc2 -gt $rc ] && rc=$rc2
  exit $rc
fi
INVOCATION="xt/autobahn/run.sh $MODE"
for a in "$@"; do
  case "$a" in *[!A-Za-z0-9_./:=@%+,-]*) INVOCATION+=" '${a//\'/\'\\\'\'}'" ;; *) INVOCATION+=" $a" ;; esac
done

CASES=$DEFAULT_CASES EXCLUDE="" SERVER_CMD="" CLIENT_CMD="" AGENT=WebSocket-perl PORT=""
TIMEOUT="" OUT="" OPTIONS='{}' RESULTS="" NO_RESULTS=0 ALL=0 DEFLATE=0 CASES_SET=0
while [ $# -gt 0 ]; do
  [ $# -ge 2 ] || [ "$1" = --no-results ] || [ "$1" = --deflate ] || { log "option $1 needs a value"; usage; }
  case "$1" in
    --cases)      if [ "$2" = all ]; then CASES='*'; ALL=1; else CASES=$2; fi; CASES_SET=1; shift 2 ;;
    --deflate)    DEFLATE=1; shift ;;
    --exclude)    EXCLUDE=$2; shift 2 ;;
    --server-cmd) SERVER_CMD=$2; shift 2 ;;
    --client-cmd) CLIENT_CMD=$2; shift 2 ;;
    --agent)      AGENT=$2; shift 2 ;;
    --port)       PORT=$2; shift 2 ;;
    --timeout)    TIMEOUT=$2; shift 2 ;;
    --out)        OUT=$2; shift 2 ;;
    --options)    OPTIONS=$2; shift 2 ;;
    --results)    RESULTS=$2; shift 2 ;;
    --no-results) NO_RESULTS=1; shift ;;
    *) log "unknown option $1"; usage ;;
  esac
done
SECTION=$MODE
if [ $DEFLATE = 1 ]; then
  DEFAULT_SERVER_CMD+=' --deflate'
  DEFAULT_CLIENT_CMD+=' --extensions permessage-deflate'
  [ $CASES_SET = 1 ] || CASES=$DEFLATE_CASES
  SECTION="$MODE, permessage-deflate"
fi
[ -n "$TIMEOUT" ] || { [ $ALL = 1 ] || [ $DEFLATE = 1 ] && TIMEOUT=3600 || TIMEOUT=900; }

# ------------------------------------------------------------ the testee
if [ "$MODE" = fuzzingclient ]; then CMD=${SERVER_CMD:-$DEFAULT_SERVER_CMD}; DEFAULT_CMD=$DEFAULT_SERVER_CMD
else CMD=${CLIENT_CMD:-$DEFAULT_CLIENT_CMD}; DEFAULT_CMD=$DEFAULT_CLIENT_CMD; fi
if [ "$CMD" = "$DEFAULT_CMD" ]; then
  script=$(echo "$CMD" | awk '{print $3}')
  [ -f "$ROOT/$script" ] || { log "$script does not exist (yet)"; exit 2; }
  [ -d "$ROOT/blib/arch" ] || { log "not built: run 'perl Makefile.PL && make' in $ROOT first"; exit 2; }
  [ -n "$RESULTS" ] || RESULTS=$HERE/RESULTS.md
fi
[ $NO_RESULTS = 1 ] && RESULTS=""

# ------------------------------------------------------------ tester, port, dirs
AB_VENV=$VENV "$HERE/setup.sh" || exit 2
TESTER=$("$VENV/bin/wstest" --autobahnversion 2>&1 | tr -s '\n' ' ' | sed 's/ $//')
[ -n "$PORT" ] || PORT=$(perl "$HERE/ab-util.pl" free-port)
URL="ws://$HOST:$PORT"
if [ $DEFLATE = 1 ]; then OUT=${OUT:-$HERE/reports/$MODE-deflate}; else OUT=${OUT:-$HERE/reports/$MODE}; fi
mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd)
rm -f "$OUT"/index.json "$OUT"/index.html "$OUT"/*_case_*.json "$OUT"/*_case_*.html \
      "$OUT"/summary.json "$OUT"/summary.txt "$OUT"/*.log

CMD_TEMPLATE=$CMD
CMD=${CMD//\{host\}/$HOST}; CMD=${CMD//\{port\}/$PORT}; CMD=${CMD//\{url\}/$URL}; CMD=${CMD//\{agent\}/$AGENT}
export AB_HOST=$HOST AB_PORT=$PORT AB_URL=$URL AB_AGENT=$AGENT

SPEC="$OUT/$MODE.json"
perl -MJSON::PP -e '
  my ($spec, $mode, $url, $agent, $out, $cases, $excl, $opts) = @ARGV;
  my @c = grep length, split /[\s,]+/, $cases; my @x = grep length, split /[\s,]+/, $excl;
  my %s = (outdir => $out, options => JSON::PP->new->decode($opts), cases => \@c,
           "exclude-cases" => \@x, "exclude-agent-cases" => {});
  if ($mode eq "fuzzingclient") { $s{servers} = [{ agent => $agent, url => $url }] } else { $s{url} = $url }
  open my $fh, ">", $spec or die "$spec: $!"; print $fh JSON::PP->new->canonical->pretty->encode(\%s);
' "$SPEC" "$MODE" "$URL" "$AGENT" "$OUT" "$CASES" "$EXCLUDE" "$OPTIONS"

# ------------------------------------------------------------ process handling
# Each background process gets its own session/process group (setsid), so that
# it and anything it spawned can be stopped together.
BG=()
stop_group() {   # stop_group PID : TERM the group, KILL after 5 s
  local p=$1 i
  kill -TERM -- "-$p" 2>/dev/null || kill -TERM "$p" 2>/dev/null || return 0
  for i in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  kill -KILL -- "-$p" 2>/dev/null || true
  wait "$p" 2>/dev/null || true
}
cleanup() { local p; for p in "${BG[@]:-}"; do [ -n "$p" ] && stop_group "$p"; done; BG=(); }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

START=$(date +%s)
RC_RUN=0
if [ "$MODE" = fuzzingclient ]; then
  log "testee: $CMD  (log: $OUT/testee.log)"
  ( cd "$ROOT" && exec setsid bash -c "$CMD" ) >"$OUT/testee.log" 2>&1 </dev/null &
  TPID=$!; BG+=("$TPID")
  set +e; perl "$HERE/ab-util.pl" wait-port "$HOST" "$PORT" 60 "$TPID"; w=$?; set -e
  if [ $w -ne 0 ]; then
    [ $w = 3 ] && log "testee exited before listening on $HOST:$PORT" || log "testee not listening on $HOST:$PORT after 60 s"
    tail -20 "$OUT/testee.log" >&2; exit 2
  fi
  log "wstest fuzzingclient -> $URL, cases: $CASES${EXCLUDE:+ minus $EXCLUDE}, limit ${TIMEOUT}s (log: $OUT/wstest.log)"
  set +e
  # in the background + wait, so that a signal to this script is handled at once
  ( cd "$OUT" && exec timeout --kill-after=10 "$TIMEOUT" "$VENV/bin/wstest" -m fuzzingclient -s "$SPEC" ) >"$OUT/wstest.log" 2>&1 </dev/null &
  RPID=$!; BG+=("$RPID")
  wait "$RPID"; RC_RUN=$?
  set -e
  NCASES=$(sed -n 's/^Ok, will run \([0-9]*\) test cases.*/\1/p' "$OUT/wstest.log" | head -1)
  grep -m1 '^Connection to .* failed' "$OUT/wstest.log" >&2 && log "WARNING: wstest lost the server; later cases have no result"
  kill -0 "$TPID" 2>/dev/null || log "WARNING: the echo server exited during the run (see $OUT/testee.log)"
else
  log "wstest fuzzingserver on $URL, cases: $CASES${EXCLUDE:+ minus $EXCLUDE} (log: $OUT/wstest.log)"
  ( cd "$OUT" && AB_BIND=$HOST exec setsid "$VENV/bin/python" "$HERE/fuzzingserver.py" -m fuzzingserver -s "$SPEC" -u 0 ) \
    >"$OUT/wstest.log" 2>&1 </dev/null &
  SPID=$!; BG+=("$SPID")
  set +e; perl "$HERE/ab-util.pl" wait-port "$HOST" "$PORT" 60 "$SPID"; w=$?; set -e
  if [ $w -ne 0 ]; then log "wstest fuzzingserver did not start"; tail -20 "$OUT/wstest.log" >&2; exit 2; fi
  NCASES=$(perl "$HERE/ab-util.pl" wscall "$HOST" "$PORT" /getCaseCount 30 | head -1)
  log "testee: $CMD  ($NCASES cases, limit ${TIMEOUT}s, log: $OUT/testee.log)"
  set +e
  ( cd "$ROOT" && exec timeout --kill-after=10 "$TIMEOUT" bash -c "$CMD" ) >"$OUT/testee.log" 2>&1 </dev/null &
  RPID=$!; BG+=("$RPID")
  wait "$RPID"; RC_RUN=$?
  set -e
  log "client exited with status $RC_RUN after $(( $(date +%s) - START )) s"
  # write the reports whether or not the client asked for it
  perl "$HERE/ab-util.pl" wscall "$HOST" "$PORT" "/updateReports?agent=$AGENT" 300 >/dev/null || log "WARNING: updateReports failed"
fi
END=$(date +%s)
cleanup
if [ $RC_RUN -eq 124 ] || [ $RC_RUN -eq 137 ]; then
  log "TIMEOUT: the run was stopped after ${TIMEOUT}s"
  last=$(grep -o 'Running test case ID [0-9.]*' "$OUT/wstest.log" | tail -1 | awk '{print $5}')
  [ -n "$last" ] && log "the case running when it was stopped: $last"
  [ "$MODE" = fuzzingclient ] && log "(wstest fuzzingclient writes its report only at the end: no per-case results)"
fi
if [ "$MODE" = fuzzingclient ] && [ $RC_RUN -ne 0 ]; then tail -20 "$OUT/wstest.log" >&2; fi

COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ "$COMMIT" != unknown ] && [ -n "$(git -C "$ROOT" status --porcelain -- . ':!xt/autobahn' 2>/dev/null)" ]; then
  COMMIT="$COMMIT (with uncommitted changes)"
fi
set +e
perl "$HERE/summary.pl" --role "$MODE" --section "$SECTION" --dir "$OUT" --agent "$AGENT" ${NCASES:+--expect "$NCASES"} \
  --date "$(date -u +'%Y-%m-%d %H:%M UTC')" --commit "$COMMIT" --tester "$TESTER" \
  --command "$INVOCATION" --testee "$CMD_TEMPLATE" --cases "$CASES${EXCLUDE:+ minus $EXCLUDE}" --duration $((END-START)) \
  --reasons "$HERE/reasons.txt" ${RESULTS:+--results "$RESULTS"} | tee "$OUT/summary.txt"
SRC=${PIPESTATUS[0]}
set -e
log "$SECTION: $((END-START)) s; HTML report: $OUT/index.html"
if [ $RC_RUN -eq 124 ] || [ $RC_RUN -eq 137 ]; then exit 124; fi
exit $SRC
