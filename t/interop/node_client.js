// Node ws client of t/61-interop-node.t (and t/66, t/67); the script is in t/interop/Interop.pm.
// Usage: node node_client.js [--ca FILE] [--deflate|--no-deflate] ws[s]://HOST:PORT/
'use strict';
const fs = require('fs');
const WebSocket = require('ws');
const { MESSAGES, MAX_SIZE, report, describe, closeReport, options, deflateOption, wire } = require('./node_common');
const o = options(process.argv.slice(2));
const url = o.args[0];
const wsOptions = { maxPayload: MAX_SIZE, handshakeTimeout: 10000, ...deflateOption(o) };
if (o.ca) wsOptions.ca = fs.readFileSync(o.ca);
setTimeout(() => { report({ event: 'error', message: 'timed out' }); process.exit(1); }, 60000).unref();

function open(n, onOpen, onMessage) {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, wsOptions);
    let socket = null;
    let extensions = null;
    let opened = false;
    ws.on('upgrade', (res) => { socket = res.socket; extensions = res.headers['sec-websocket-extensions'] ?? null; });
    ws.on('open', () => {
      opened = true;
      report({ conn: n, event: 'open', extensions, active: ws.extensions });
      onOpen(ws);
    });
    ws.on('message', (data, isBinary) => onMessage(ws, data, isBinary));
    ws.on('error', (err) => {
      report({ event: 'error', message: String(err) });
      // A connection that never opened (a refused certificate): the script stops here.
      if (!opened) process.exit(1);
    });
    ws.on('close', (code, reason) => resolve({ ...closeReport(code, reason), ...(socket ? { wire: wire(socket) } : {}) }));
  });
}

(async () => {
  // Connection 1: four messages echoed back, then our close 1000 'bye'.
  let got = 0;
  const c1 = await open(1,
    (ws) => MESSAGES.forEach((m) => ws.send(m)),
    (ws, data, isBinary) => {
      report({ conn: 1, event: 'message', ...describe(data, isBinary) });
      if (++got === MESSAGES.length) ws.close(1000, 'bye');
    });
  report({ conn: 1, event: 'close', ...c1 });
  // Connection 2: the server closes.
  const c2 = await open(2,
    (ws) => ws.send('close me'),
    (ws, data, isBinary) => report({ conn: 2, event: 'error', message: 'unexpected message', ...describe(data, isBinary) }));
  report({ conn: 2, event: 'close', ...c2 });
  report({ event: 'done' });
})();
