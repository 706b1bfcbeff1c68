# Run `wstest -m fuzzingserver` listening on one interface only (loopback).
# wstest itself binds every interface; this wraps its listenWS.  Python 2.7,
# run with the interpreter of xt/autobahn/venv:
#   venv/bin/python fuzzingserver.py -m fuzzingserver -s SPEC -u 0    env AB_BIND (127.0.0.1)
import os, sys
import autobahntestsuite.wstest as wstest      # first: installs the Twisted reactor
import autobahntestsuite.fuzzing as fuzzing
from autobahn.twisted.websocket import listenWS as _listenWS

_iface = os.environ.get('AB_BIND', '127.0.0.1')

def listenWS(factory, contextFactory=None, backlog=50, interface=''):
    return _listenWS(factory, contextFactory, backlog, interface or _iface)

fuzzing.listenWS = listenWS
sys.argv[0] = 'wstest'
wstest.run()
