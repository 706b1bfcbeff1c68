/*
 * websocket.js - a small browser client for WebSocket::Server (and any WebSocket server).
 *
 * Plain JavaScript, no build step and no dependencies: serve this file and load it with
 *   <script src="/websocket.js"></script>
 * which defines window.WebSocketClient (under CommonJS, module.exports.WebSocketClient).
 * It wraps the browser's WebSocket with automatic reconnection (exponential backoff), JSON
 * messages, a hook adding a token (e.g. CSRF) to every JSON message, and a send queue used
 * while the connection is not open. See websocket.pod for the full documentation.
 */
(function (root) {
  'use strict';

  var CONNECTING = 0, OPEN = 1, CLOSING = 2, CLOSED = 3;

  // Close codes after which no reconnection is attempted, unless options.finalCloseCodes says
  // otherwise: protocol error, unacceptable data, invalid data, policy violation, message too
  // big, missing extension, and the 4000-4999 range of application codes.
  var DEFAULT_FINAL = [1002, 1003, 1007, 1008, 1009, 1010];

  var DEFAULTS = {
    protocols: undefined,
    binaryType: 'arraybuffer',
    json: false,
    autoConnect: true,
    reconnect: true,
    reconnectDelay: 1000,
    reconnectFactor: 2,
    reconnectMaxDelay: 30000,
    reconnectJitter: 0.5,
    maxReconnectAttempts: Infinity,
    minUptime: 5000,
    finalCloseCodes: null,
    connectTimeout: 0,
    closeWait: 3000,
    queueLimit: 1000,
    token: undefined,
    tokenField: 'csrf_token',
    beforeSend: null
  };

  var EVENTS = ['open', 'message', 'close', 'error', 'reconnecting'];

  function WebSocketClient(url, options) {
    if (!(this instanceof WebSocketClient)) return new WebSocketClient(url, options);
    var o = {}, k;
    for (k in DEFAULTS) o[k] = DEFAULTS[k];
    for (k in (options || {})) if (Object.prototype.hasOwnProperty.call(options, k)) o[k] = options[k];
    // The browser ignores an unknown binaryType and keeps its own default, 'blob': a typo would
    // silently hand the page Blobs instead of ArrayBuffers.
    if (o.binaryType !== 'arraybuffer' && o.binaryType !== 'blob') {
      throw new TypeError('WebSocketClient: binaryType must be "arraybuffer" or "blob", not "' + o.binaryType + '"');
    }
    this.url = url;
    this.options = o;
    this.socket = null;
    this.reconnectAttempts = 0;   // attempts since the last connection that stayed open minUptime ms
    this._listeners = {};
    for (var i = 0; i < EVENTS.length; i++) this._listeners[EVENTS[i]] = [];
    this._queue = [];
    this._closedByUser = false;
    this._timer = null;
    this._connectTimer = null;
    this._uptimeTimer = null;
    this._everOpened = false;
    this._closing = null;         // { ws, byUser }: a connection left closing by connect()
    this._waiting = false;        // _timer is connect()'s wait for that connection's end
    if (o.autoConnect) this.connect();
  }

  var P = WebSocketClient.prototype;

  // ---- events ------------------------------------------------------------------------------

  P.on = function (name, fn) {
    if (!this._listeners[name]) throw new Error('WebSocketClient: unknown event "' + name + '"');
    if (typeof fn !== 'function') throw new TypeError('WebSocketClient: the listener of "' + name + '" is not a function');
    this._listeners[name].push(fn);
    return this;
  };

  P.off = function (name, fn) {
    var l = this._listeners[name];
    if (!l) return this;
    if (fn === undefined) { l.length = 0; return this; }
    for (var i = l.length - 1; i >= 0; i--) if (l[i] === fn) l.splice(i, 1);
    return this;
  };

  P._emit = function (name) {
    var args = Array.prototype.slice.call(arguments, 1);
    var l = this._listeners[name].slice();
    for (var i = 0; i < l.length; i++) {
      try { l[i].apply(this, args); }
      catch (e) { setTimeout(function () { throw e; }, 0); }   // a listener's bug must not stop the others
    }
  };

  // ---- state -------------------------------------------------------------------------------

  Object.defineProperty(P, 'readyState', {
    get: function () {
      if (this.socket) return this.socket.readyState;
      return this._timer ? CONNECTING : CLOSED;
    }
  });
  Object.defineProperty(P, 'queued', { get: function () { return this._queue.length; } });
  Object.defineProperty(P, 'protocol', { get: function () { return this.socket ? this.socket.protocol : ''; } });
  Object.defineProperty(P, 'extensions', { get: function () { return this.socket ? this.socket.extensions : ''; } });

  // ---- connecting --------------------------------------------------------------------------

  // Public: (re)starts the client. While a reconnection is pending, it is made at once and
  // the attempt count goes on; otherwise (never connected, closed by close(), or given up)
  // the count starts again from 0. A connection still closing is waited for (see _open).
  P.connect = function () {
    if (this.socket && (this.socket.readyState === CONNECTING || this.socket.readyState === OPEN)) return this;
    if (this._waiting) return this;   // already waiting for the closing one to end
    if (!this._timer) this.reconnectAttempts = 0;
    var byUser = this._closedByUser;
    this._closedByUser = false;
    if (this.socket) this._retire(this.socket, byUser);
    return this._open();
  };

  // The current socket is closing (close() was called, the server is closing it, or
  // connectTimeout gave it up) and connect() wants a new one. It is kept aside until its own
  // close event, which is passed on (with willReconnect false: connect() takes over) before
  // anything of the next connection; until then its messages are still delivered. It takes
  // nothing of the client's state with it: not the queue, not the attempt count, no timer.
  P._retire = function (ws, byUser) {
    var self = this, rec = { ws: ws, byUser: byUser };
    this._settleOld();   // defensive: one at a time (connect() never retires while one waits)
    this._clearConnectTimer();
    this._clearUptimeTimer();
    this.socket = null;
    this._closing = rec;
    ws.onopen = null;
    ws.onmessage = function (ev) { if (self._closing === rec) self._message(ev); };
    ws.onerror = function (ev) {
      if (self._closing === rec && !rec.byUser) self._emit('error', { type: 'socket', event: ev });
    };
    ws.onclose = function (ev) {
      if (self._closing !== rec) return;
      self._settleOld(ev.code, ev.reason, ev.wasClean);
      // A close listener may have called close() (no wait any more) or connect() (which
      // waits with us): the new connection is made now, unless close() cancelled it.
      if (self._waiting && !self._closedByUser) self._open();
    };
  };

  // Emits the close event of the connection kept aside by _retire, and forgets it. Without a
  // code (closeWait is over and the browser has not reported its end yet), it is reported as
  // 1006, not clean; the browser's close event for it is then ignored.
  P._settleOld = function (code, reason, wasClean) {
    var rec = this._closing;
    if (!rec) return;
    this._closing = null;
    rec.ws.onopen = rec.ws.onmessage = rec.ws.onerror = rec.ws.onclose = null;
    if (code === undefined) { code = 1006; reason = ''; wasClean = false; }
    this._emit('close', { code: code, reason: reason, wasClean: wasClean, willReconnect: false,
                          finalReason: rec.byUser ? 'closed' : 'connect' });
  };

  P._clearTimer = function () {
    if (this._timer) { clearTimeout(this._timer); this._timer = null; }
    this._waiting = false;
  };

  P._open = function () {
    var self = this, o = this.options;
    this._clearTimer();
    this._clearConnectTimer();
    if (this._closing) {
      // The previous connection has not ended yet: its close event must come first, so the
      // new one is made when it ends, or after closeWait ms at the most.
      this._waiting = true;
      this._timer = setTimeout(function () {
        self._timer = null;
        self._waiting = false;
        self._settleOld();
        if (!self._closedByUser && !self.socket && !self._timer) self._open();
      }, Math.max(0, Number(o.closeWait) || 0));
      return this;
    }
    var ws;
    try {
      ws = o.protocols === undefined || o.protocols === null ? new WebSocket(this.url) : new WebSocket(this.url, o.protocols);
    } catch (e) {
      // A bad URL or subprotocol name: nothing to retry.
      this._emit('error', { type: 'socket', error: e });
      throw e;
    }
    ws.binaryType = o.binaryType;
    this._clearUptimeTimer();
    this.socket = ws;
    if (o.connectTimeout > 0) {
      this._connectTimer = setTimeout(function () {
        self._connectTimer = null;
        if (self.socket === ws && ws.readyState === CONNECTING) ws.close();   // gives close 1006
      }, o.connectTimeout);
    }
    ws.onopen = function () {
      if (self.socket !== ws) return;
      self._clearConnectTimer();
      var reconnected = self._everOpened;
      self._everOpened = true;
      var attempts = self.reconnectAttempts;
      // The backoff starts again only once this connection has proved stable: a server that
      // accepts and drops clients at once must not get them back at the shortest delay forever.
      if (!(o.minUptime > 0)) self.reconnectAttempts = 0;
      else self._uptimeTimer = setTimeout(function () { self._uptimeTimer = null; self.reconnectAttempts = 0; }, o.minUptime);
      self._flush();
      self._emit('open', { reconnected: reconnected, attempts: attempts, protocol: ws.protocol, extensions: ws.extensions });
    };
    ws.onmessage = function (ev) { if (self.socket === ws) self._message(ev); };
    ws.onerror = function (ev) {
      if (self.socket !== ws || self._closedByUser) return;   // close() asked for this end
      self._emit('error', { type: 'socket', event: ev });
    };
    ws.onclose = function (ev) {
      if (self.socket !== ws) return;
      self._clearConnectTimer();
      self._clearUptimeTimer();
      self.socket = null;
      self._closed(ev.code, ev.reason, ev.wasClean);
    };
    return this;
  };

  P._message = function (ev) {
    var data = ev.data, info = { binary: typeof data !== 'string', text: null, event: ev };
    if (typeof data === 'string') {
      info.text = data;
      if (this.options.json) {
        try { data = JSON.parse(data); }
        catch (e) { info.jsonError = e; }
      }
    }
    this._emit('message', data, info);
  };

  P._clearConnectTimer = function () {
    if (this._connectTimer) { clearTimeout(this._connectTimer); this._connectTimer = null; }
  };

  P._clearUptimeTimer = function () {
    if (this._uptimeTimer) { clearTimeout(this._uptimeTimer); this._uptimeTimer = null; }
  };

  P._isFinal = function (code, reason) {
    var f = this.options.finalCloseCodes;
    if (typeof f === 'function') return !!f(code, reason);
    if (f) return f.indexOf(code) >= 0;
    return DEFAULT_FINAL.indexOf(code) >= 0 || (code >= 4000 && code <= 4999);
  };

  // The delay before attempt n (1, 2, ...): reconnectDelay * reconnectFactor^(n-1), at most
  // reconnectMaxDelay, then reduced by a random fraction of up to reconnectJitter.
  P.nextDelay = function (attempt) {
    var o = this.options;
    var d = Math.min(o.reconnectMaxDelay, o.reconnectDelay * Math.pow(o.reconnectFactor, attempt - 1));
    var j = Math.max(0, Math.min(1, Number(o.reconnectJitter) || 0));
    return Math.round(d * (1 - j * Math.random()));
  };

  P._closed = function (code, reason, wasClean) {
    var o = this.options, why = null;
    if (this._closedByUser) why = 'closed';
    else if (!o.reconnect) why = 'no-reconnect';
    else if (this._isFinal(code, reason)) why = 'final-code';
    else if (this.reconnectAttempts >= o.maxReconnectAttempts) why = 'max-attempts';
    var will = why === null;
    if (!will) this._queue.length = 0;
    var ev = { code: code, reason: reason, wasClean: wasClean, willReconnect: will, finalReason: why };
    if (will) {
      var attempt = ++this.reconnectAttempts;
      var delay = this.nextDelay(attempt);
      ev.attempt = attempt;
      ev.delay = delay;
      var self = this;
      var timer = this._timer = setTimeout(function () {
        self._timer = null;
        if (!self._closedByUser) self._open();
      }, delay);
      this._emit('close', ev);
      // A close listener may have called close() or connect(): then nothing is pending any more.
      if (this._timer === timer) this._emit('reconnecting', { attempt: attempt, delay: delay, code: code, reason: reason });
    } else {
      this._emit('close', ev);
    }
  };

  // ---- sending -----------------------------------------------------------------------------

  P._prepare = function (item) {
    if (!item.json) return item.data;
    var obj = item.data, o = this.options;
    if (o.token !== undefined && o.token !== null && obj && typeof obj === 'object' && !Array.isArray(obj)) {
      var t = typeof o.token === 'function' ? o.token() : o.token;
      if (t !== undefined && t !== null && !Object.prototype.hasOwnProperty.call(obj, o.tokenField)) {
        var copy = {};
        for (var k in obj) if (Object.prototype.hasOwnProperty.call(obj, k)) copy[k] = obj[k];
        copy[o.tokenField] = t;
        obj = copy;
      }
    }
    if (typeof o.beforeSend === 'function') {
      var r = o.beforeSend(obj);
      if (r !== undefined) obj = r;
    }
    var text = JSON.stringify(obj);
    if (typeof text !== 'string') throw new TypeError('WebSocketClient: ' + String(obj) + ' has no JSON form');
    return text;
  };

  // Sends one item on the open socket. A message that cannot be prepared (the token function,
  // beforeSend or JSON.stringify threw) is dropped and reported; the others go on.
  P._sendNow = function (item) {
    var out;
    try { out = this._prepare(item); }
    catch (e) {
      this._emit('error', { type: 'encode', error: e, message: String(e && e.message || e), data: item.data });
      return false;
    }
    this.socket.send(out);
    return true;
  };

  P._enqueue = function (item) {
    if (this._closedByUser) {
      this._emit('error', { type: 'closed', message: 'send after close()' });
      return false;
    }
    if (this.socket && this.socket.readyState === OPEN) return this._sendNow(item);
    if (this._queue.length >= this.options.queueLimit) {
      this._emit('error', { type: 'queue-full', message: 'send queue is full (' + this.options.queueLimit + ')', data: item.data });
      return false;
    }
    this._queue.push(item);
    return true;
  };

  P._flush = function () {
    var q = this._queue;
    this._queue = [];
    for (var i = 0; i < q.length; i++) {
      if (this._closedByUser) return;   // a token or beforeSend hook called close(): drop the rest
      if (!this.socket || this.socket.readyState !== OPEN) {
        // The connection went away while flushing: keep the rest, in order.
        this._queue = q.slice(i).concat(this._queue);
        return;
      }
      this._sendNow(q[i]);
    }
  };

  P.send = function (data) { return this._enqueue({ json: false, data: data }); };
  P.sendJSON = function (obj) { return this._enqueue({ json: true, data: obj }); };

  // ---- closing -----------------------------------------------------------------------------

  // The length of s in UTF-8, a lone surrogate counting as U+FFFD (3 bytes), as the browser
  // sends it (what TextEncoder gives, without needing it).
  function utf8Length(s) {
    var n = 0;
    for (var i = 0; i < s.length; i++) {
      var u = s.charCodeAt(i);
      if (u < 0x80) n += 1;
      else if (u < 0x800) n += 2;
      else if (u >= 0xD800 && u <= 0xDBFF && (s.charCodeAt(i + 1) & 0xFC00) === 0xDC00) { n += 4; i++; }
      else n += 3;
    }
    return n;
  }

  // The arguments of close(), checked as the browser's WebSocket.close() checks its own and
  // before anything changes, so that a bad call throws and leaves the client as it was.
  // Returns [code, reason] as they go out: the code a number or undefined (none), the reason
  // a string or undefined. A code may be a number or a numeric string ('1000'), as the browser
  // converts it; it must be an integer, 1000 or 3000-4999. A reason without a code is sent
  // with 1000 (a Close frame cannot carry a reason alone); undefined and null mean no reason.
  function closeArgs(code, reason) {
    var c;
    if (code !== undefined) {
      c = typeof code === 'number' ? code : typeof code === 'string' ? Number(code) : NaN;
      if (c !== Math.floor(c) || (c !== 1000 && (c < 3000 || c > 4999))) {
        throw new RangeError('WebSocketClient: close code ' + code + ' is neither 1000 nor in 3000-4999');
      }
    }
    var r;
    if (reason !== undefined && reason !== null) {
      r = String(reason);
      var n = utf8Length(r);
      if (n > 123) throw new SyntaxError('WebSocketClient: close reason of ' + n + ' bytes, more than 123');
      if (c === undefined && r !== '') c = 1000;
    }
    return [c, r];
  }

  P.close = function (code, reason) {
    var args = closeArgs(code, reason);
    code = args[0];
    reason = args[1];
    var pending = !!this._timer && !this._waiting;
    this._closedByUser = true;
    this._queue.length = 0;
    this._clearTimer();
    this._clearConnectTimer();
    this._clearUptimeTimer();
    var ws = this.socket;
    if (ws && (ws.readyState === CONNECTING || ws.readyState === OPEN)) {
      if (code === undefined) ws.close();
      else if (reason === undefined) ws.close(code);
      else ws.close(code, reason);
    } else if (!ws && pending) {
      // No connection, a reconnection was pending: report the end at once.
      this._emit('close', { code: code === undefined ? 1000 : code, reason: reason === undefined ? '' : reason,
                            wasClean: true, willReconnect: false, finalReason: 'closed' });
    }
    return this;
  };

  WebSocketClient.CONNECTING = CONNECTING;
  WebSocketClient.OPEN = OPEN;
  WebSocketClient.CLOSING = CLOSING;
  WebSocketClient.CLOSED = CLOSED;
  WebSocketClient.DEFAULT_FINAL_CLOSE_CODES = DEFAULT_FINAL.slice();

  if (typeof module === 'object' && module.exports) module.exports.WebSocketClient = WebSocketClient;
  if (root) root.WebSocketClient = WebSocketClient;
})(typeof window !== 'undefined' ? window : (typeof self !== 'undefined' ? self : this));
