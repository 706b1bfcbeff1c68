// Headless Chromium for t/64-interop-chromium.t: opens chromium.html on a WebSocket server and
// reports, as the other peers do, what the page received and how its connection closed.
// Usage: node chromium_driver.js [--spki HASH] ws[s]://HOST:PORT/   (CHROMIUM overrides /usr/bin/chromium)
// --spki HASH: Chromium accepts a certificate whose public key has this SPKI hash (base64 of
// its SHA-256), and no other one it cannot verify: it pins the test server's key
// (--ignore-certificate-errors-spki-list, honoured with the profile directory playwright-core
// gives it).
'use strict';
const path = require('path');
const { pathToFileURL } = require('url');
const { report, describe, driveChromium, watchedPage } = require('./node_common');

const argv = process.argv.slice(2);
const extraArgs = [];
if (argv[0] === '--spki') {
  extraArgs.push(`--ignore-certificate-errors-spki-list=${argv[1]}`);
  argv.splice(0, 2);
}
const url = argv[0];
const page_url = pathToFileURL(path.join(__dirname, 'chromium.html')).href + '?url=' + encodeURIComponent(url);
driveChromium({ extraArgs, timeoutMs: 90000 }, async (browser) => {
  const page = await watchedPage(browser);
  await page.goto(page_url);
  await page.waitForFunction(() => window.interop.close !== null, null, { timeout: 30000 });
  const r = await page.evaluate(() => window.interop);
  if (r.extensions !== null) report({ conn: 1, event: 'open', extensions: r.extensions || null });
  for (const m of r.messages) {
    const binary = m.type === 'binary';
    report({ conn: 1, event: 'message', ...describe(binary ? Buffer.from(m.bytes) : m.text, binary) });
  }
  for (const e of r.errors) report({ conn: 1, event: 'error', message: e });
  report({ conn: 1, event: 'close', rcvd: [r.close.code, r.close.reason], clean: r.close.wasClean });
});
