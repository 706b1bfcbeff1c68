// Node ws server of t/61-interop-node.t (and t/66, t/67); the script is in t/interop/Interop.pm.
// Listens on 127.0.0.1 on a port the kernel picks and prints it first.
// Usage: node node_server.js [--cert FILE --key FILE] [--deflate|--no-deflate]
'use strict';
const fs = require('fs');
const https = require('https');
const { WebSocketServer } = require('ws');
const { MAX_SIZE, report, describe, closeReport, options, deflateOption, wire } = require('./node_common');
const o = options(process.argv.slice(2));
setTimeout(() => process.exit(0), 120000).unref();

let serial = 0;
let wss;
const wsOptions = { maxPayload: MAX_SIZE, ...deflateOption(o) };
if (o.cert) {
  // wss://: ws on an HTTPS server with the certificate chain and key.
  const server = https.createServer({ cert: fs.readFileSync(o.cert), key: fs.readFileSync(o.key) });
  wss = new WebSocketServer({ server, ...wsOptions });
  server.listen(0, '127.0.0.1', () => report({ event: 'listening', port: server.address().port }));
} else {
  wss = new WebSocketServer({ host: '127.0.0.1', port: 0, ...wsOptions });
  wss.on('listening', () => report({ event: 'listening', port: wss.address().port }));
}
// The Sec-WebSocket-Extensions of each 101 answer, reported when the connection opens.
const answered = new WeakMap();
wss.on('headers', (headers, req) => {
  const h = headers.find((line) => /^sec-websocket-extensions:/i.test(line));
  answered.set(req, h ? h.replace(/^[^:]*:\s*/, '') : null);
});
wss.on('connection', (ws, req) => {
  const n = ++serial;
  report({ conn: n, event: 'open', extensions: answered.get(req) ?? null, active: ws.extensions });
  ws.on('message', (data, isBinary) => {
    report({ conn: n, event: 'message', ...describe(data, isBinary) });
    if (!isBinary && data.toString('utf8') === 'close me') ws.close(4001, 'server says bye');
    else ws.send(data, { binary: isBinary });
  });
  ws.on('error', (err) => report({ conn: n, event: 'error', message: String(err) }));
  ws.on('close', (code, reason) => report({ conn: n, event: 'close', ...closeReport(code, reason), wire: wire(req.socket) }));
});
