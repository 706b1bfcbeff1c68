// Echo server for bench/: Node.js with the `ws` package (installed by
// `npm ci` in bench/servers/node/). Echoes text and binary messages unchanged.
//
//   node node_ws_echo.js [--host 127.0.0.1] [--port 9005] [--cert FILE --key FILE]
//                        [--deflate [--threshold BYTES]]
//
// --cert/--key (PEM): serve wss:// through Node's https module (OpenSSL), default TLS options.
// --deflate: accept permessage-deflate (ws's defaults: zlib level default, window 15, context
// takeover), compressing messages of at least --threshold bytes (default 10240, as ours).
// Without --deflate, permessage-deflate is off (ws's server default too).
//
// Prints "listening on ws://HOST:PORT/" (wss:// with --cert) once it accepts connections.
'use strict';
const fs = require('fs');
const path = require('path');
const { WebSocketServer } = require(path.join(__dirname, 'node', 'node_modules', 'ws'));

const usage = 'usage: node node_ws_echo.js [--host IP] [--port PORT] [--cert FILE --key FILE] [--deflate [--threshold BYTES]]';
let host = '127.0.0.1';
let port = 9005;
let cert, key, deflate = false, threshold = 10240;
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--host') host = argv[++i];
  else if (argv[i] === '--port') port = Number(argv[++i]);
  else if (argv[i] === '--cert') cert = argv[++i];
  else if (argv[i] === '--key') key = argv[++i];
  else if (argv[i] === '--deflate') deflate = true;
  else if (argv[i] === '--threshold') threshold = Number(argv[++i]);
  else { console.error(usage); process.exit(2); }
}
if ((cert === undefined) !== (key === undefined)) { console.error('--cert and --key go together\n' + usage); process.exit(2); }

const perMessageDeflate = deflate ? { threshold } : false;
let wss, server, scheme = 'ws';
if (cert !== undefined) {
  const https = require('https');
  server = https.createServer({ cert: fs.readFileSync(cert), key: fs.readFileSync(key) });
  wss = new WebSocketServer({ server, perMessageDeflate });
  scheme = 'wss';
} else {
  wss = new WebSocketServer({ host, port, backlog: 1024, perMessageDeflate });
  server = wss;
}
server.on('listening', () => {
  console.log(`listening on ${scheme}://${host}:${server.address().port}/`);
});
wss.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  ws.on('error', () => {});
});
if (cert !== undefined) server.listen({ host, port, backlog: 1024 });
