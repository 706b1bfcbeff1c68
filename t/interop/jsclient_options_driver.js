// Headless Chromium for t/73-interop-chromium-jsclient-options.t: loads jsclient_options.html
// (served with examples/websocket.js by the test's HTTP server) and runs each of its steps,
// reporting one JSON line per step:
//   { event: 'step', name, result }   or   { event: 'step', name, error }
//   { event: 'pageerror', message }   an exception that reached the page unhandled
//   { event: 'done', browser }
// Usage: node jsclient_options_driver.js PAGE_URL ECHO_WS_URL SILENT_WS_URL
'use strict';
const { report, driveChromium } = require('./node_common');

const STEPS = ['connectTimeout', 'maxReconnectAttempts', 'binaryType', 'protocols', 'minUptime', 'closeWhileConnecting',
               'closeWhileWaiting', 'tokenThrows', 'listenerThrows', 'jsonErrors', 'doubleOpen', 'listenerRemoval',
               'closeArguments', 'closeSends', 'connectWhileClosing', 'connectWhileClosingSlow',
               'connectWhileServerCloses'];
const [pageUrl, echoUrl, silentUrl] = process.argv.slice(2);
driveChromium({ timeoutMs: 170000 }, async (browser) => {
  const page = await browser.newPage();
  page.on('console', (m) => process.stderr.write(`console.${m.type()}: ${m.text()}\n`));
  page.on('pageerror', (e) => report({ event: 'pageerror', message: String(e && e.message || e) }));
  await page.goto(pageUrl + '?echo=' + encodeURIComponent(echoUrl) + '&silent=' + encodeURIComponent(silentUrl));
  await page.waitForFunction(() => window.ready === true, null, { timeout: 10000 });
  for (const name of STEPS) {
    try {
      report({ event: 'step', name, result: await page.evaluate((n) => window.steps[n](), name) });
    } catch (e) {
      report({ event: 'step', name, error: String(e) });
    }
  }
});
