// Echo server for bench/: Node.js with the `ws` package (installed by
// `npm ci` in bench/servers/node/). Echoes text and binary messages unchanged.
//
//   node node_ws_echo.js [--host 127.0.0.1] [--port 9005]
//
// Prints "listening on ws://HOST:PORT/" once it accepts connections.
'use strict';
const path = require('path');
const { WebSocketServer } = require(path.join(__dirname, 'node', 'node_modules', 'ws'));

let host = '127.0.0.1';
let port = 9005;
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--host') host = argv[++i];
  else if (argv[i] === '--port') port = Number(argv[++i]);
  else { console.error('usage: node node_ws_echo.js [--host IP] [--port PORT]'); process.exit(2); }
}

const wss = new WebSocketServer({ host, port, backlog: 1024 });
wss.on('listening', () => {
  console.log(`listening on ws://${host}:${wss.address().port}/`);
});
wss.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  ws.on('error', () => {});
});
