// Headless Chromium for t/72-interop-chromium-secure-chat.t: uses examples/secure-chat/index.html
// as people would (the sign-in form, the message box, the sign-out button), in one browser
// context (its own cookie jar) per user, and reports what happened, one JSON line per step:
//   { event: 'signed-in', user, state, cookie: { name, httpOnly, secure, sameSite } }
//   { event: 'chat', ... }       a message to all and a whisper, as each user's page shows them
//   { event: 'refresh', ... }    a message sent after the first tokens expired (--csrf-ttl)
//   { event: 'attack', ... }     a page of another origin (the attacker's port) opening the chat's
//                                WebSocket with alice's cookie and a valid token of hers, then
//                                alice's page with that same token
//   { event: 'logout', ... }     alice signs out in one tab: her other tab is closed with 4001;
//                                her old cookie, put back, and an old token open nothing
//   { event: 'done', browser }
// Usage: node secure_chat_driver.js [--spki HASH] [--short] PAGE_URL [ATTACKER_URL]
//   --spki HASH  accept the certificate whose key has this SPKI hash (the wss:// run)
//   --short      sign in, chat and sign out only (no expiry wait, no attack)
'use strict';
const { report, driveChromium, watchedPage } = require('./node_common');

const argv = process.argv.slice(2);
const extraArgs = [];
let short = false;
while (argv.length && argv[0].startsWith('--')) {
  const a = argv.shift();
  if (a === '--spki') extraArgs.push(`--ignore-certificate-errors-spki-list=${argv.shift()}`);
  else if (a === '--short') short = true;
}
const [pageUrl, attackerUrl] = argv;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The page's log lines (text and class) and its state (body data-state).
async function view(page) {
  return page.evaluate(() => ({
    state: document.body.getAttribute('data-state'),
    lines: Array.from(document.querySelectorAll('#log > div')).map((d) => ({ text: d.textContent, cls: d.className })),
    elements: document.querySelectorAll('#log *:not(div)').length,
    pwned: window.pwned === 1,
  }));
}

async function waitState(page, state, timeout) {
  await page.waitForFunction((s) => document.body.getAttribute('data-state') === s, state, { timeout: timeout || 15000 });
}

async function waitLine(page, text, timeout) {
  await page.waitForFunction((t) => Array.from(document.querySelectorAll('#log > div')).some((d) => d.textContent.includes(t)),
    text, { timeout: timeout || 15000 });
}

async function say(page, text, to) {
  await page.fill('#to', to || '');
  await page.fill('#text', text);
  await page.click('#send');
}

async function cookieOf(context) {
  const c = (await context.cookies()).find((k) => /chat_auth$/.test(k.name));
  return c ? { name: c.name, httpOnly: c.httpOnly, secure: c.secure, sameSite: c.sameSite, value: c.value.length > 0 } : null;
}

// From a page: a WebSocket to the chat with this token; what happened within 5 seconds.
async function tryWebSocket(page, token) {
  return page.evaluate((t) => new Promise((resolve) => {
    const meta = document.querySelector('meta[name="chat-websocket-port"]').content;
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const r = { opened: false, messages: [] };
    const ws = new WebSocket(proto + '//' + location.hostname + ':' + meta + '/?csrf=' + encodeURIComponent(t));
    const done = () => { clearTimeout(timer); resolve(r); };
    const timer = setTimeout(() => { r.timeout = true; try { ws.close(); } catch (e) { /* */ } resolve(r); }, 5000);
    ws.onopen = () => { r.opened = true; };
    ws.onmessage = (e) => { r.messages.push(e.data); if (r.messages.length === 1) ws.close(1000); };
    ws.onclose = (e) => { r.code = e.code; r.wasClean = e.wasClean; done(); };
  }), token);
}

async function fetchToken(page) {
  return page.evaluate(() => fetch('/csrf', { cache: 'no-store' }).then((r) => r.json().then((j) => ({ status: r.status, token: j.token }))));
}

driveChromium({ extraArgs, timeoutMs: 150000 }, async (browser) => {
  const pages = {};
  const contexts = {};
  for (const user of ['alice', 'bob', 'carol']) {
    const context = await browser.newContext();
    const page = await watchedPage(context, user);
    await page.goto(pageUrl);
    await page.selectOption('#user', user);
    await page.click('#login');
    await waitState(page, 'open');
    await waitLine(page, 'connected as ' + user);
    contexts[user] = context;
    pages[user] = page;
    report({ event: 'signed-in', user, state: (await view(page)).state, cookie: await cookieOf(context),
             me: await page.evaluate(() => document.querySelector('#me').textContent) });
  }

  // A message to everyone, with markup in it, and a whisper.
  const markup = 'hi <b>all</b> <img src=x onerror="window.pwned=1">';
  await say(pages.alice, markup);
  await waitLine(pages.bob, 'alice: ' + markup);
  await waitLine(pages.carol, 'alice: ' + markup);
  await say(pages.bob, 'psst alice', 'alice');
  await waitLine(pages.alice, 'bob (to you): psst alice');
  await say(pages.carol, 'after the whisper');
  await waitLine(pages.bob, 'carol: after the whisper');
  await waitLine(pages.alice, 'carol: after the whisper');
  report({ event: 'chat', alice: await view(pages.alice), bob: await view(pages.bob), carol: await view(pages.carol) });

  if (!short) {
    // The tokens the pages connected with expire (--csrf-ttl): the pages keep fresh ones.
    const ttl = await pages.alice.evaluate(() => fetch('/csrf', { cache: 'no-store' }).then((r) => r.json()).then((j) => j.ttl));
    await sleep((2 * ttl + 1) * 1000);
    await say(pages.alice, 'after the expiry');
    await waitLine(pages.bob, 'alice: after the expiry');
    await say(pages.bob, 'bob after the expiry too');
    await waitLine(pages.alice, 'bob: bob after the expiry too');
    report({ event: 'refresh', ttl, waited: 2 * ttl + 1, alice: await view(pages.alice), bob: await view(pages.bob) });

    // The attacker's page, in alice's browser (her cookie is sent to the chat's host), with a
    // valid token of hers (as if it had leaked): the Origin is all that stops it.
    const leaked = await fetchToken(pages.alice);
    const evil = await contexts.alice.newPage();
    evil.on('pageerror', (e) => report({ event: 'error', message: `attacker page error: ${e}` }));
    const wsPort = await pages.alice.evaluate(() => document.querySelector('meta[name="chat-websocket-port"]').content);
    const pageOrigin = new URL(pageUrl).origin;
    await evil.goto(attackerUrl + '?ws=' + encodeURIComponent(`ws://127.0.0.1:${wsPort}/`) + '&token=' + encodeURIComponent(leaked.token) +
                    '&csrf=' + encodeURIComponent(pageOrigin + '/csrf'));
    await evil.waitForFunction(() => window.result && window.result.done, null, { timeout: 20000 });
    const attack = await evil.evaluate(() => window.result);
    await evil.close();
    const control = await tryWebSocket(pages.alice, leaked.token);
    report({ event: 'attack', leaked: leaked.status, attackerOrigin: new URL(attackerUrl).origin, attack, control,
             alice: await view(pages.alice), bob: await view(pages.bob) });
  }

  // alice signs out in one tab; her second tab (same cookie) is closed by the server.
  const second = await contexts.alice.newPage();
  await second.goto(pageUrl);
  await waitState(second, 'open');
  const oldToken = await fetchToken(second);
  const oldCookies = await contexts.alice.cookies();
  await pages.alice.click('#logout');
  await waitState(pages.alice, 'signed-out');
  await waitState(second, 'signed-out');
  await waitLine(second, 'connection closed (4001');
  const secondView = await view(second);
  const afterCookie = await cookieOf(contexts.alice);
  // The others go on.
  await say(pages.bob, 'still here');
  await waitLine(pages.carol, 'bob: still here');
  // The old cookie put back, with a token issued before the sign-out.
  await contexts.alice.addCookies(oldCookies);
  const replay = { cookie: await cookieOf(contexts.alice), csrf: await fetchToken(second).catch((e) => ({ error: String(e) })),
                   ws: await tryWebSocket(second, oldToken.token) };
  // A reload with the old cookie: the page stays on the sign-in form.
  await second.reload();
  await sleep(1000);
  report({ event: 'logout', oldToken: oldToken.status, first: await view(pages.alice), second: secondView,
           afterCookie, replay, reloaded: await view(second), bob: await view(pages.bob), carol: await view(pages.carol) });
});
