// What the Node peers share: the messages of t/interop/Interop.pm and the report lines.
'use strict';
const crypto = require('crypto');

const TEXT = 'h\u00e9llo w\u00f6rld \u2603 \u{1F600} \u65e5\u672c\u8a9e';
const BINARY = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
const BIG_TEXT = '\u00fcnic\u00f6de \u2603 \u{1F600} '.repeat(4000);
const BIG_BINARY = Buffer.concat(Array(400).fill(BINARY));
const MESSAGES = [TEXT, BINARY, BIG_TEXT, BIG_BINARY];
const MAX_SIZE = 1 << 20;

function report(obj) { process.stdout.write(JSON.stringify(obj) + '\n'); }

// data: a string (text) or a Buffer; isBinary as ws's 'message' event gives it.
function describe(data, isBinary) {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data);
  return { type: isBinary ? 'binary' : 'text', length: bytes.length,
           sha256: crypto.createHash('sha256').update(bytes).digest('hex') };
}

// ws reports 1005 when a Close frame had no code and 1006 when none came at all.
function closeReport(code, reason) {
  return { rcvd: code === 1006 || code === 1005 ? null : [code, reason.toString('utf8')], clean: code !== 1006 };
}

// The options of the TLS and permessage-deflate runs (t/66-interop-tls.t, t/67-interop-deflate.t):
//   --deflate / --no-deflate  offer or accept permessage-deflate, compressing every message (threshold
//                             0), or not; without either, ws's default (a client offers it with a 1024
//                             byte threshold, a server declines it)
//   --ca FILE                 a client: the CA of the wss:// server's certificate, verified with the
//                             host name (Node's default verification, against this CA only)
//   --cert FILE --key FILE    a server: serve wss:// with this certificate chain and key
// Returns { deflate: undefined|true|false, ca, cert, key, args: [the other arguments] }.
function options(argv) {
  const o = { args: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--deflate') o.deflate = true;
    else if (a === '--no-deflate') o.deflate = false;
    else if (a === '--ca' || a === '--cert' || a === '--key') o[a.slice(2)] = argv[++i];
    else o.args.push(a);
  }
  return o;
}

// The perMessageDeflate option of ws for those options, if any.
function deflateOption(o) {
  if (o.deflate === undefined) return {};
  return { perMessageDeflate: o.deflate ? { threshold: 0 } : false };
}

// The bytes a connection's socket read and wrote (WebSocket frames and the HTTP handshake, above
// TLS): with permessage-deflate, far fewer than the messages' bytes.
function wire(socket) {
  return { read: socket.bytesRead, written: socket.bytesWritten };
}

// Debian's Chromium through playwright-core, with the flags a machine without a network beyond
// loopback needs; playwright-core gives the browser a fresh profile directory of its own.
// extraArgs: more switches (--ignore-certificate-errors-spki-list=HASH pins a test certificate).
function launchChromium(extraArgs) {
  const { chromium } = require('playwright-core');
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    timeout: 60000,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
           '--disable-component-update', '--disable-sync', ...(extraArgs || [])],
  });
}

// The frame of every Chromium driver: launches headless Chromium (with extraArgs), runs
// body(browser), then reports { event: 'done', browser: VERSION, ...what body returned }, or
// { event: 'error' } if it threw, and closes the browser. After timeoutMs the driver reports
// 'timed out' and exits 1.
function driveChromium({ extraArgs = [], timeoutMs = 90000 }, body) {
  setTimeout(() => { report({ event: 'error', message: 'timed out' }); process.exit(1); }, timeoutMs).unref();
  (async () => {
    const browser = await launchChromium(extraArgs);
    try {
      const extra = await body(browser);
      report({ event: 'done', browser: browser.version(), ...(extra || {}) });
    } catch (e) {
      report({ event: 'error', message: String(e && e.stack || e) });
    } finally {
      await browser.close();
    }
  })().catch((e) => { report({ event: 'error', message: String(e) }); process.exit(1); });
}

// A new page of owner (the browser or a context) whose console goes to stderr and whose
// uncaught errors are reported as { event: 'error', message: 'LABEL page error: ...' }.
async function watchedPage(owner, label) {
  const page = await owner.newPage();
  const prefix = label ? `${label} ` : '';
  page.on('console', (m) => process.stderr.write(`${prefix}console.${m.type()}: ${m.text()}\n`));
  page.on('pageerror', (e) => report({ event: 'error', message: `${prefix}page error: ${e}` }));
  return page;
}

module.exports = { TEXT, BINARY, BIG_TEXT, BIG_BINARY, MESSAGES, MAX_SIZE, report, describe, closeReport, options, deflateOption, wire,
                   driveChromium, watchedPage };
