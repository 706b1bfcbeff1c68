#!/usr/bin/env bash
# Install Autobahn|Testsuite (wstest) into xt/autobahn/venv (git-ignored).
#
#   xt/autobahn/setup.sh        idempotent; prints "ok: ..." when already installed
#
# autobahntestsuite (every PyPI release up to 25.10.1) is Python 2 code pinned to
# autobahn 0.10.9 and Twisted 19.10: on Python 3 `wstest` fails at import.  So it
# goes into a Python 2.7 virtualenv:
#   - the interpreter: $PYTHON27, else pyenv's versions/2.7* (`pyenv install 2.7.18`
#     if you have pyenv but no 2.7), else /usr/bin/python2.7, /usr/local/bin/python2.7;
#   - virtualenv < 20.22 (the last able to create 2.7 environments), run from a
#     Python 3 bootstrap venv xt/autobahn/.bootstrap ($PYTHON3, default python3);
#   - every transitive dependency pinned below, so later PyPI releases cannot drift it.
# Needs: PyPI access (pip), gcc and the 2.7 headers (wsaccel is compiled once).
# Environment: AB_VENV, AB_BOOTSTRAP (paths), PYTHON27, PYTHON3.
# Exit: 0 ok; 3 no Python 2.7 found; 4 installed but wstest does not start.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VENV=${AB_VENV:-$HERE/venv}
BOOT=${AB_BOOTSTRAP:-$HERE/.bootstrap}
ATS_VERSION=25.10.1
STAMP="$VENV/.autobahntestsuite-$ATS_VERSION"

log() { echo "[autobahn-setup] $*" >&2; }

if [ -f "$STAMP" ] && "$VENV/bin/wstest" --autobahnversion >/dev/null 2>&1; then
  log "ok: wstest $("$VENV/bin/wstest" --autobahnversion 2>&1 | tr -s '\n' ' ')in $VENV"
  exit 0
fi

# --------------------------------------------------------------- Python 2.7
is_py27() { [ -n "$1" ] && [ -x "$1" ] && "$1" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (2, 7) else 1)' >/dev/null 2>&1; }
cands=()
[ -n "${PYTHON27:-}" ] && cands+=("$PYTHON27")
pyenv_root=$( (pyenv root 2>/dev/null) || echo "${PYENV_ROOT:-$HOME/.pyenv}")
for d in "$pyenv_root"/versions/2.7*; do [ -d "$d" ] && cands+=("$d/bin/python2.7"); done
cands+=(/usr/bin/python2.7 /usr/local/bin/python2.7)
PY27=""
for c in "${cands[@]}"; do if is_py27 "$c"; then PY27=$c; break; fi; done
if [ -z "$PY27" ]; then
  log "ERROR: no CPython 2.7 found (tried: ${cands[*]})."
  log "Set PYTHON27=/path/to/python2.7 or run 'pyenv install 2.7.18'."
  exit 3
fi
log "using $PY27 ($("$PY27" -c 'import sys; print(sys.version.split()[0])'))"

# ---------------------------------------- bootstrap venv holding virtualenv
PY3=${PYTHON3:-python3}
if ! "$BOOT/bin/python" -m virtualenv --version >/dev/null 2>&1; then
  log "creating bootstrap venv $BOOT (virtualenv<20.22)"
  rm -rf "$BOOT"
  "$PY3" -m venv "$BOOT"
  "$BOOT/bin/python" -m pip install -q --disable-pip-version-check 'virtualenv>=20.17,<20.22'
fi

# ------------------------------------------------------------- 2.7 venv
if ! "$VENV/bin/python" -c 'import sys; assert sys.version_info[:2] == (2, 7)' >/dev/null 2>&1; then
  log "creating Python 2.7 venv $VENV"
  rm -rf "$VENV"
  "$BOOT/bin/python" -m virtualenv -q --no-periodic-update -p "$PY27" "$VENV"
fi

CONSTRAINTS="$VENV/constraints-py27.txt"
cat > "$CONSTRAINTS" <<'PINS'
attrs==21.4.0
autobahn==0.10.9
autobahntestsuite==25.10.1
Automat==22.10.0
cffi==1.15.1
constantly==15.1.0
cryptography==3.3.2
enum34==1.1.10
hyperlink==21.0.0
idna==2.10
incremental==16.10.1
ipaddress==1.0.23
Jinja2==2.11.3
klein==17.10.0
linecache2==1.0.0
MarkupSafe==1.1.1
pyasn1==0.5.1
pyasn1-modules==0.3.0
pycparser==2.21
PyHamcrest==1.10.1
pyOpenSSL==19.1.0
service-identity==18.1.0
six==1.16.0
traceback2==1.4.0
Twisted==19.10.0
txaio==2.1.0
typing==3.10.0.0
ujson==2.0.3
unittest2==1.1.0
Werkzeug==1.0.1
wsaccel==0.6.6
zope.interface==4.6.0
PINS

log "pip install autobahntestsuite==$ATS_VERSION into $VENV"
PIP_NO_PYTHON_VERSION_WARNING=1 "$VENV/bin/python" -m pip install -q \
  --disable-pip-version-check -c "$CONSTRAINTS" "autobahntestsuite==$ATS_VERSION"

"$VENV/bin/wstest" --autobahnversion >/dev/null 2>&1 || {
  log "ERROR: wstest installed but does not start:"; "$VENV/bin/wstest" --autobahnversion; exit 4; }
touch "$STAMP"
log "ok: wstest $("$VENV/bin/wstest" --autobahnversion 2>&1 | tr -s '\n' ' ')in $VENV"
