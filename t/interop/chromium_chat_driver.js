// Headless Chromium for t/65-interop-chromium-chat.t: two pages of examples/chat.html, loaded
// from the chat server's HTTP port, join as alice and bob; alice sends a line with markup and
// non-ASCII text; both pages must show it as text. Then bob's page closes and alice's page
// must show the leave notice. Reports JSON lines as the other peers do.
// Usage: node chromium_chat_driver.js http://127.0.0.1:PORT/
//   CHROMIUM overrides /usr/bin/chromium; CHAT_SCREENSHOT=FILE saves a screenshot of alice's page.
'use strict';
const { report, driveChromium, watchedPage } = require('./node_common');

const pageUrl = process.argv[2];
const TEXT = '<b>bold?</b> & h\u00e9llo \u2603 \u{1F600}';

// What a page shows: its messages, notices, who is online, and whether any markup from the
// chat became an element.
function snapshot() {
  const texts = (sel) => [...document.querySelectorAll(sel)].map((e) => e.textContent);
  return {
    status: document.getElementById('status').textContent,
    messages: [...document.querySelectorAll('#log .message')].map((li) => ({
      nick: li.querySelector('.nick').textContent, text: li.querySelector('.text').textContent })),
    notices: texts('#log .notice'),
    users: texts('#users li'),
    elements_from_chat: document.querySelectorAll('#log b, #users b').length,
  };
}

async function join(browser, nick) {
  const page = await watchedPage(await browser.newContext(), nick);
  await page.goto(pageUrl);
  await page.fill('#nick', nick);
  await page.click('#join');
  await page.waitForSelector('#chat-view:not([hidden])', { timeout: 15000 });
  report({ event: 'joined', page: nick, ...(await page.evaluate(snapshot)) });
  return page;
}

async function waitText(page, sel, pred) {
  await page.waitForFunction(([s, p]) => [...document.querySelectorAll(s)].some((e) => new RegExp(p).test(e.textContent)),
    [sel, pred], { timeout: 15000 });
}

driveChromium({ timeoutMs: 90000 }, async (browser) => {
  const alice = await join(browser, 'alice');
  const bob = await join(browser, 'bob');
  await waitText(alice, '#users li', '^bob$');
  await waitText(alice, '#log .notice', 'bob joined');

  await alice.fill('#text', TEXT);
  await alice.press('#text', 'Enter');
  for (const [nick, page] of [['alice', alice], ['bob', bob]]) {
    await page.waitForFunction((t) => [...document.querySelectorAll('#log .message .text')].some((e) => e.textContent === t),
      TEXT, { timeout: 15000 });
    report({ event: 'page', page: nick, ...(await page.evaluate(snapshot)) });
  }

  await bob.fill('#text', 'see you');
  await bob.press('#text', 'Enter');
  await waitText(alice, '#log .message .text', '^see you$');
  await bob.context().close();
  await waitText(alice, '#log .notice', 'bob left');
  report({ event: 'after_leave', page: 'alice', ...(await alice.evaluate(snapshot)) });
  if (process.env.CHAT_SCREENSHOT) await alice.screenshot({ path: process.env.CHAT_SCREENSHOT, fullPage: true });
  return { text: TEXT };
});
