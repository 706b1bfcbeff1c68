// Node ws client of t/61-interop-node.t; the script is in t/interop/Interop.pm.
// Usage: node node_client.js ws://127.0.0.1:PORT/
'use strict';
const WebSocket = require('ws');
const { MESSAGES, MAX_SIZE, report, describe, closeReport } = require('./node_common');
const url = process.argv[2];
setTimeout(() => { report({ event: 'error', message: 'timed out' }); process.exit(1); }, 60000).unref();

function open(onOpen, onMessage) {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { maxPayload: MAX_SIZE, handshakeTimeout: 10000 });
    ws.on('open', () => onOpen(ws));
    ws.on('message', (data, isBinary) => onMessage(ws, data, isBinary));
    ws.on('error', (err) => report({ event: 'error', message: String(err) }));
    ws.on('close', (code, reason) => resolve(closeReport(code, reason)));
  });
}

(async () => {
  // Connection 1: four messages echoed back, then our close 1000 'bye'.
  let got = 0;
  const c1 = await open(
    (ws) => MESSAGES.forEach((m) => ws.send(m)),
    (ws, data, isBinary) => {
      report({ conn: 1, event: 'message', ...describe(data, isBinary) });
      if (++got === MESSAGES.length) ws.close(1000, 'bye');
    });
  report({ conn: 1, event: 'close', ...c1 });
  // Connection 2: the server closes.
  const c2 = await open(
    (ws) => ws.send('close me'),
    (ws, data, isBinary) => report({ conn: 2, event: 'error', message: 'unexpected message', ...describe(data, isBinary) }));
  report({ conn: 2, event: 'close', ...c2 });
  report({ event: 'done' });
})();
