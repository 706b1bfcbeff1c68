// Node ws server of t/61-interop-node.t; the script is in t/interop/Interop.pm.
// Listens on 127.0.0.1 on a port the kernel picks and prints it first.
'use strict';
const { WebSocketServer } = require('ws');
const { MAX_SIZE, report, describe, closeReport } = require('./node_common');
setTimeout(() => process.exit(0), 120000).unref();

let serial = 0;
const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, maxPayload: MAX_SIZE });
wss.on('listening', () => report({ event: 'listening', port: wss.address().port }));
wss.on('connection', (ws) => {
  const n = ++serial;
  ws.on('message', (data, isBinary) => {
    report({ conn: n, event: 'message', ...describe(data, isBinary) });
    if (!isBinary && data.toString('utf8') === 'close me') ws.close(4001, 'server says bye');
    else ws.send(data, { binary: isBinary });
  });
  ws.on('error', (err) => report({ conn: n, event: 'error', message: String(err) }));
  ws.on('close', (code, reason) => report({ conn: n, event: 'close', ...closeReport(code, reason) }));
});
