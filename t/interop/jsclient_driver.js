// Headless Chromium for t/69-interop-chromium-jsclient.t: loads jsclient.html (served with
// examples/websocket.js by the test's HTTP server) and runs its steps against our server,
// reporting each step's results as one JSON line:
//   { event: 'phase1', ... }  JSON, text and binary round trips, sends queued before open
//   { event: 'down', ... }    the test killed the server: the page saw close then reconnecting
//   { event: 'back', ... }    the test started it again: the page reconnected
//   { event: 'final', ... }   close() and a 4001 close from the server: no reconnection
//   { event: 'done', browser }
// Usage: node jsclient_driver.js http://127.0.0.1:HTTP_PORT/jsclient.html ws://127.0.0.1:WS_PORT/
'use strict';
const { report, driveChromium, watchedPage } = require('./node_common');

const [pageUrl, wsUrl] = process.argv.slice(2);
driveChromium({ timeoutMs: 55000 }, async (browser) => {
  const page = await watchedPage(browser);
  await page.goto(pageUrl + '?ws=' + encodeURIComponent(wsUrl));
  await page.waitForFunction(() => window.ready === true, null, { timeout: 10000 });
  report({ event: 'phase1', ...(await page.evaluate(() => window.phase1())) });
  report({ event: 'down', ...(await page.evaluate(() => window.waitDown())) });
  report({ event: 'back', ...(await page.evaluate(() => window.waitBackUp())) });
  report({ event: 'final', ...(await page.evaluate(() => window.phase3())) });
});
