// Second load generator for bench/run, for the scenarios that need permessage-deflate
// (tokio-tungstenite, the client of bench/loadgen, has none). Node.js with the `ws`
// package of bench/servers/node (the version pinned in its package-lock.json), one
// process, the same client for every server.
//
//   node ws-loadgen.js --url ws[s]://127.0.0.1:PORT/ [--conns N] [--msgs TOTAL_ROUND_TRIPS]
//       [--size BYTES] [--type text|binary] [--warmup PER_CONN] [--sync] [--timeout SECS]
//       [--deflate [--threshold BYTES]] [--payload letters|json] [--variants N] [--ca FILE]
//
// The command line, the READY handshake with the harness and the RESULT line are those of
// bench/loadgen (ws-loadgen): connect, warm up, print `READY ...`, wait for one line on
// stdin (with --sync), run the measured round trips (send one message, wait for its echo,
// compare it byte for byte, repeat), print `RESULT key=value ...` before closing.
//
// --deflate offers permessage-deflate (ws's client defaults: zlib's default level, window 15,
// context takeover, client_max_window_bits offered) and compresses messages of at least
// --threshold bytes (default 10240, as our server); the RESULT line then names the extension
// the server answered with (`ext=`, `none` if it declined) and the compression on the wire
// (`wire_ratio` = payload bytes sent and received / bytes read and written on the sockets,
// TLS and frame headers included, during the measured part).
//
// --payload json: JSON-like text (records with ids, names, tags, numbers and some prose),
// generated from a fixed seed, so every server gets the same bytes; --variants N (default
// 16) different messages of that kind, sent in turn, so a compressor's context from the
// previous message does not turn every message into one back-reference. --payload letters
// (the default) is ws-loadgen's 'abc...' payload.
'use strict';
const fs = require('fs');
const path = require('path');
const WebSocket = require(path.join(__dirname, '..', 'servers', 'node', 'node_modules', 'ws'));

const USAGE = `usage: node ws-loadgen.js --url ws[s]://127.0.0.1:PORT/ [--conns N] [--msgs TOTAL]
       [--size BYTES] [--type text|binary] [--warmup PER_CONN] [--sync] [--timeout SECS]
       [--deflate [--threshold BYTES]] [--payload letters|json] [--variants N] [--ca FILE]`;

function die(msg, code = 2) {
  process.stderr.write(`ws-loadgen-node: ${msg}\n`);
  process.exit(code);
}

const o = {
  url: '', conns: 1, msgs: 1000, size: 16, binary: false, warmup: 0, sync: false, timeout: 300,
  deflate: false, threshold: 10240, payload: 'letters', variants: 16, ca: undefined,
};
{
  const a = process.argv.slice(2);
  const num = (name, v) => {
    const n = Number(String(v).replace(/_/g, ''));
    if (v === undefined || !Number.isFinite(n)) die(`${name} needs a number\n${USAGE}`);
    return n;
  };
  for (let i = 0; i < a.length; i++) {
    switch (a[i]) {
      case '--url': o.url = a[++i]; break;
      case '--conns': o.conns = num('--conns', a[++i]); break;
      case '--msgs': o.msgs = num('--msgs', a[++i]); break;
      case '--size': o.size = num('--size', a[++i]); break;
      case '--type': {
        const t = a[++i];
        if (t !== 'text' && t !== 'binary') die('--type is text or binary');
        o.binary = t === 'binary';
        break;
      }
      case '--warmup': o.warmup = num('--warmup', a[++i]); break;
      case '--sync': o.sync = true; break;
      case '--timeout': o.timeout = num('--timeout', a[++i]); break;
      case '--deflate': o.deflate = true; break;
      case '--threshold': o.threshold = num('--threshold', a[++i]); break;
      case '--payload': o.payload = a[++i]; break;
      case '--variants': o.variants = num('--variants', a[++i]); break;
      case '--ca': o.ca = a[++i]; break;
      case '-h': case '--help': console.log(USAGE); process.exit(0); break;
      default: die(`unknown argument ${a[i]}\n${USAGE}`);
    }
  }
  if (!/^wss?:\/\/[^/]+/.test(o.url || '')) die(`--url must be ws[s]://IP:PORT/...\n${USAGE}`);
  if (o.conns < 1 || o.variants < 1) die('--conns and --variants must be positive');
  if (o.payload !== 'letters' && o.payload !== 'json') die('--payload is letters or json');
  if (o.url.startsWith('wss://') && !o.ca) die('wss:// needs --ca FILE');
}

// ------------------------------------------------------------------ payloads
function mulberry32(seed) {
  return () => {
    seed = (seed + 0x6D2B79F5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const WORDS = ('lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore '
  + 'et dolore magna aliqua enim ad minim veniam quis nostrud exercitation ullamco laboris nisi aliquip ex ea '
  + 'commodo consequat duis aute irure in reprehenderit voluptate velit esse cillum fugiat nulla pariatur').split(' ');
const TAGS = ['alpha', 'beta', 'gamma', 'delta', 'prod', 'staging', 'eu-west', 'us-east', 'mobile', 'web'];
const STATUS = ['active', 'pending', 'suspended', 'deleted'];

// Exactly `size` bytes of JSON-like ASCII text: an array of records, cut and closed to fit.
function jsonPayload(size, seed) {
  const r = mulberry32(seed);
  const pick = (a) => a[Math.floor(r() * a.length)];
  const parts = [];
  let len = 1;
  for (let id = seed * 100000; len < size; id++) {
    const nw = 4 + Math.floor(r() * 12);
    const words = [];
    for (let i = 0; i < nw; i++) words.push(pick(WORDS));
    const rec = JSON.stringify({
      id, user: `user${Math.floor(r() * 5000)}`, status: pick(STATUS),
      tags: [pick(TAGS), pick(TAGS)], score: Math.round(r() * 1e6) / 1e4,
      created: new Date(1.7e12 + Math.floor(r() * 3e10)).toISOString(), note: words.join(' '),
    });
    parts.push(rec);
    len += rec.length + 1;
  }
  let s = '[' + parts.join(',');
  s = s.slice(0, size - 1) + ']';
  return Buffer.from(s, 'latin1');
}
function lettersPayload(size) {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = 97 + (i % 26);
  return b;
}
const PAYLOADS = o.payload === 'json'
  ? Array.from({ length: o.variants }, (_, i) => jsonPayload(o.size, i + 1))
  : [lettersPayload(o.size)];
// What ws.send gets: a Buffer for binary; a string for text (sent as a text frame).
const SENDABLE = PAYLOADS.map((b) => (o.binary ? b : b.toString('latin1')));

// ------------------------------------------------------------------ connections
const say = (line) => process.stdout.write(line + '\n');

function connectOne() {
  return new Promise((resolve, reject) => {
    const opts = {
      perMessageDeflate: o.deflate ? { threshold: o.threshold } : false,
      maxPayload: 64 * 1024 * 1024,
    };
    if (o.ca) opts.ca = fs.readFileSync(o.ca);
    const ws = new WebSocket(o.url, opts);
    ws.binaryType = 'nodebuffer';
    // the server's answer as sent (ws.extensions has the names only)
    ws.once('upgrade', (res) => { ws.extHeader = res.headers['sec-websocket-extensions']; });
    ws.once('open', () => { ws._socket.setNoDelay(true); resolve(ws); });
    ws.once('error', (e) => reject(new Error(`connect: ${e.message}`)));
  });
}

// `n` round trips on one connection, message i+start of the variants; returns latencies in ns.
function roundTrips(ws, n, start) {
  return new Promise((resolve, reject) => {
    const lat = [];
    let i = 0;
    let t0;
    let expect;
    const next = () => {
      if (i >= n) { ws.removeListener('message', onMsg); ws.removeListener('close', onClose); resolve(lat); return; }
      const k = (start + i) % PAYLOADS.length;
      expect = PAYLOADS[k];
      t0 = process.hrtime.bigint();
      ws.send(SENDABLE[k], { binary: o.binary });
    };
    const onMsg = (data, isBinary) => {
      if (isBinary !== o.binary) return reject(new Error(`echo of the wrong type (${isBinary ? 'binary' : 'text'})`));
      if (!expect.equals(data)) return reject(new Error(`echo differs (${data.length} bytes back, ${expect.length} sent)`));
      lat.push(Number(process.hrtime.bigint() - t0));
      i++;
      next();
    };
    const onClose = (code) => reject(new Error(`server closed (${code})`));
    ws.on('message', onMsg);
    ws.once('close', onClose);
    ws.on('error', (e) => reject(new Error(`read: ${e.message}`)));
    next();
  });
}

function stdinLine() {
  return new Promise((resolve) => {
    let buf = '';
    const done = () => { process.stdin.pause(); resolve(); };
    process.stdin.on('data', (d) => { buf += d; if (buf.includes('\n')) done(); });
    process.stdin.on('end', done);
  });
}

const wire = (conns) => conns.reduce((s, ws) => s + ws._socket.bytesRead + ws._socket.bytesWritten, 0);

async function main() {
  const conns = await Promise.all(Array.from({ length: o.conns }, connectOne));
  const ext = conns[0].extensions ? (conns[0].extHeader || conns[0].extensions) : 'none';
  if (o.warmup > 0) await Promise.all(conns.map((ws, c) => roundTrips(ws, o.warmup, c)));
  if (o.sync) {
    const line = stdinLine();
    say(`READY conns=${o.conns}`);
    await line;
  }
  const per = conns.map((_, c) => Math.floor(o.msgs / o.conns) + (c < o.msgs % o.conns ? 1 : 0));
  const w0 = wire(conns);
  const t0 = process.hrtime.bigint();
  const lats = await Promise.all(conns.map((ws, c) => roundTrips(ws, per[c], c + o.warmup)));
  const el = Number(process.hrtime.bigint() - t0) / 1e9;
  const wireBytes = wire(conns) - w0;
  const lat = lats.flat().sort((a, b) => a - b);
  const pct = (p) => (lat.length ? lat[Math.round((lat.length - 1) * p)] / 1000 : 0);
  let payloadBytes = 0;
  conns.forEach((_, c) => { for (let i = 0; i < per[c]; i++) payloadBytes += 2 * PAYLOADS[(c + o.warmup + i) % PAYLOADS.length].length; });
  let tls = 'none';
  const s = conns[0]._socket;
  if (s.getProtocol) tls = `${s.getProtocol()}/${s.getCipher().name}`;
  say(`RESULT mode=echo conns=${o.conns} msgs=${o.msgs} size=${o.size} type=${o.binary ? 'binary' : 'text'} `
    + `elapsed_s=${el.toFixed(6)} msg_per_s=${(o.msgs / el).toFixed(1)} mb_per_s=${(o.msgs * o.size / el / 1e6).toFixed(3)} `
    + `p50_us=${pct(0.5).toFixed(1)} p99_us=${pct(0.99).toFixed(1)} tls=${tls} `
    + `ext=${String(ext).replace(/\s+/g, '')} wire_ratio=${(payloadBytes / wireBytes).toFixed(3)} payload=${o.payload}`);
  await Promise.all(conns.map((ws) => new Promise((resolve) => {
    const t = setTimeout(resolve, 2000);
    ws.once('close', () => { clearTimeout(t); resolve(); });
    ws.close();
  })));
}

const timer = setTimeout(() => die(`timed out after ${o.timeout} s`, 1), o.timeout * 1000);
main().then(() => { clearTimeout(timer); process.exit(0); }, (e) => die(e.message, 1));
