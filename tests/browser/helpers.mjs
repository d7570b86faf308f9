// Browser-side helpers shared by the browser tests.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as nodeTest from 'node:test';
import { chromium } from 'playwright-core';
import { startServer } from '../lib/server.mjs';
import { missingTool } from '../lib/tools.mjs';

const require = createRequire(import.meta.url);
export const axePath = require.resolve('axe-core/axe.min.js');
let axeText = null;
const axeSource = () => (axeText ??= readFileSync(axePath, 'utf8'));

export const CHROMIUM_ARGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic',
  '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// Every browser test needs Chromium. These stand in for node:test's test,
// before and after: without Chromium each test is skipped with the reason
// and the hooks (server, browser) do not run, so nothing passes silently.
export const noBrowser = missingTool('chromium');
export function test(name, ...rest) {
  const fn = rest.pop();
  const opts = rest[0] || {};
  return nodeTest.test(name, { ...opts, skip: opts.skip || noBrowser }, fn);
}
export const before = (fn) => nodeTest.before(noBrowser ? () => {} : fn);
export const after = (fn) => nodeTest.after(noBrowser ? () => {} : fn);

export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  });
}

/** A fresh page in its own context (no shared storage or cookies); page
 * errors are collected in page.errors, Content-Security-Policy violations
 * in page.cspViolations; page.closeAll() closes the context. */
export async function newPage(browser, { viewport, ...contextOptions } = {}) {
  // contextOptions: Playwright's own (locale, hasTouch, isMobile, …). The
  // browser is a Finnish one unless a test says otherwise: the pages take
  // their first language from navigator.languages.
  const context = await browser.newContext({ viewport: viewport || { width: 1280, height: 900 },
    locale: 'fi-FI', ...contextOptions });
  context.setDefaultTimeout(10000);
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  page.cspViolations = [];
  // The browser fires securitypolicyviolation for everything the policy
  // blocked (inline script or handler, a foreign host, eval); every page
  // opened here reports them back, from the first script on.
  await context.exposeBinding('__vkCspViolation', (_source, v) => page.cspViolations.push(v));
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__vkCspViolation(`${location.pathname}: ${e.violatedDirective} blocked ` +
        `${e.blockedURI || 'inline'} (${e.sourceFile || ''}:${e.lineNumber || ''}) ${e.sample || ''}`);
    });
  });
  page.closeAll = () => context.close();
  // Playwright turns Chromium's file-chooser interception on when a page
  // gets its first 'filechooser' listener and off when the last goes, each
  // time without waiting for it. A listener added together with the key
  // press that opens the chooser can lose that race on a slow machine, and
  // the chooser then opens unseen (CI failed once so). This listener keeps
  // interception on from the page's start; chooseFileByKeyboard waits on it.
  page.on('filechooser', () => {});
  return page;
}

/** Throws when the page reported a Content-Security-Policy violation. */
export function assertNoCspViolations(page) {
  if (page.cspViolations && page.cspViolations.length) {
    throw new Error(`Content-Security-Policy violations:\n${page.cspViolations.join('\n')}`);
  }
}

/** Go to url and wait until the page says it is ready (body[data-ready]);
 * a page that broke its Content-Security-Policy on the way fails. */
export async function gotoReady(page, url) {
  await page.goto(url);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 15000 });
  assertNoCspViolations(page);
}

/** A test file's server (startServer's opts) and browser. */
export async function startBoth(opts) {
  const server = await startServer(opts);
  return { server, browser: await launchBrowser() };
}

/** Close the browser and stop the server, those that were started. */
export async function stopBoth(server, browser) {
  if (browser) await browser.close();
  if (server) await server.close();
}

/** Sign in on /staff.html (with ?next= when given) with the keyboard alone
 * and wait until signed in (waitSignedIn): the role's own landing page, or
 * the page next names. */
export async function signInWithKeyboard(page, baseURL, name, password, { next } = {}) {
  await gotoReady(page, `${baseURL}/staff.html${next ? `?next=${encodeURIComponent(next)}` : ''}`);
  await page.waitForSelector('#signin-section:not([hidden])');
  await tabTo(page, '#signin-name');
  await page.keyboard.type(name);
  await page.keyboard.press('Tab');
  await page.keyboard.type(password);
  await page.keyboard.press('Enter');
  return waitSignedIn(page);
}

/** Sign in on /staff.html (with ?next= when given) with the form and wait
 * until signed in (waitSignedIn). */
export async function signIn(page, baseURL, name, password, { next } = {}) {
  await gotoReady(page, `${baseURL}/staff.html${next ? `?next=${encodeURIComponent(next)}` : ''}`);
  await page.waitForSelector('#signin-section:not([hidden])');
  await page.fill('#signin-name', name);
  await page.fill('#signin-password', password);
  await page.click('#signin-submit');
  return waitSignedIn(page);
}

/** After the sign-in form was sent: wait for the signed-in state wherever
 * the role landed (the inbox, a planner's page, ?next=), not for one page.
 * Signed in is the staff navigation shown with who is signed in, on a page
 * that says it is ready; on the inbox, its first page of items too (tests
 * go on to use its rows). Returns the role, as the page knows it. */
export async function waitSignedIn(page) {
  // waitForFunction's polling starts over in each new document, so a
  // redirect to the role's own page on the way is waited out.
  const handle = await page.waitForFunction(() => {
    const nav = document.getElementById('staff-nav');
    const who = document.getElementById('whoami');
    if (!nav || nav.hidden || !who || !who.textContent.trim()) return null;
    if (document.body.getAttribute('data-ready') !== 'true') return null;
    if (location.pathname === '/staff.html' && !document.querySelector('#inbox-body tr')) return null;
    return window.VKStaff && window.VKStaff.me() ? window.VKStaff.me().role : null;
  }, null, { timeout: 15000 });
  assertNoCspViolations(page);
  return handle.jsonValue();
}

/** A fresh page with the client loaded. */
export async function openApp(browser, baseURL, { lang, viewport, query = '', ...contextOptions } = {}) {
  const page = await newPage(browser, { viewport, ...contextOptions });
  const q = lang ? `?lang=${lang}${query ? '&' + query : ''}` : (query ? `?${query}` : '');
  await gotoReady(page, `${baseURL}/${q}`);
  return page;
}

export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** Run axe-core on the page; returns the violations (empty when clean). */
export async function axeViolations(page) {
  const has = await page.evaluate(() => typeof window.axe !== 'undefined');
  // Evaluated through the DevTools protocol: a <script> tag with axe inline
  // would be refused by the pages' Content-Security-Policy, as it should.
  if (!has) await page.evaluate(`${axeSource()}\n;undefined`);
  const result = await page.evaluate(async (tags) => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })),
    }));
  }, WCAG_TAGS);
  return result;
}

export function formatViolations(vs) {
  return vs.map((v) => `${v.id} (${v.impact}): ${v.help}\n` +
    v.nodes.map((n) => `   at ${n.target}\n      ${(n.summary || '').replace(/\n/g, '\n      ')}`).join('\n')).join('\n');
}

/** axe finds nothing in fi, sv and en, switched with the page's own
 * buttons; the page is back in Finnish afterwards. */
export async function assertCleanInAllLanguages(page, what) {
  for (const lang of ['fi', 'sv', 'en']) {
    await page.click(`.lang-button[data-lang="${lang}"]`);
    await page.waitForFunction((l) => document.documentElement.lang === l, lang);
    const v = await axeViolations(page);
    if (v.length) throw new Error(`axe violations (${what}, ${lang}):\n${formatViolations(v)}`);
  }
  await page.click('.lang-button[data-lang="fi"]');
  await page.waitForFunction(() => document.documentElement.lang === 'fi');
}

/** Press Tab until the focused element matches the selector. Keyboard only. */
export async function tabTo(page, selector, { max = 80, shift = false } = {}) {
  for (let i = 0; i < max; i++) {
    if (await page.evaluate((s) => !!document.activeElement && document.activeElement.matches(s), selector)) return;
    await page.keyboard.press(shift ? 'Shift+Tab' : 'Tab');
  }
  const where = await page.evaluate(() => {
    const a = document.activeElement;
    return a ? `${a.tagName}#${a.id}.${a.className}` : 'none';
  });
  throw new Error(`could not Tab to ${selector} in ${max} presses (focus on ${where})`);
}

export async function getJSON(baseURL, pathname) {
  const r = await fetch(baseURL + pathname);
  if (!r.ok) throw new Error(`${pathname}: HTTP ${r.status}`);
  return r.json();
}

/** All public feedback, straight from the API. */
export async function allFeedback(baseURL) {
  const fc = await getJSON(baseURL, '/api/v1/feedback?limit=10000');
  return fc.features;
}

/** The one feature whose description is exactly `description`. */
export async function findByDescription(baseURL, description) {
  const hits = (await allFeedback(baseURL)).filter((f) => f.properties.description === description);
  if (hits.length !== 1) throw new Error(`expected one feedback with description ${JSON.stringify(description)}, found ${hits.length}`);
  return hits[0];
}

/** Wait until the image at selector has loaded with pixels: an <img> is in
 *  the page before its bytes arrive, so reading naturalWidth at once races
 *  the fetch. A broken image never passes and times out with `what`. */
export async function waitForImage(page, selector, what = `${selector} loads`) {
  try {
    await page.waitForFunction((s) => {
      const i = document.querySelector(s);
      return !!i && i.complete && i.naturalWidth > 0;
    }, selector, { timeout: 15000 });
  } catch (e) {
    throw new Error(`${what}: not loaded in 15 s (${e.message.split('\n')[0]})`);
  }
}

/** Tab to the file input at selector, open its chooser with Space (as a
 *  keyboard user does) and choose `file` in it. If no chooser is seen in
 *  5 s while the input still has focus, Space is pressed once more: an
 *  unseen chooser (see newPage) is the harness's race, not the page's. */
export async function chooseFileByKeyboard(page, selector, file) {
  await tabTo(page, selector);
  const focused = () => page.evaluate((s) => {
    const a = document.activeElement;
    return { on: !!a && a.matches(s), where: a ? `${a.tagName}#${a.id}` : 'none' };
  }, selector);
  let chooser;
  for (const timeout of [5000, 10000]) {
    try {
      [chooser] = await Promise.all([page.waitForEvent('filechooser', { timeout }), page.keyboard.press('Space')]);
      break;
    } catch (e) {
      const f = await focused();
      if (timeout === 10000 || !f.on) {
        throw new Error(`Space on ${selector} opened no file chooser (focus on ${f.where}): ${e.message.split('\n')[0]}`);
      }
    }
  }
  await chooser.setFiles(file);
}

/** Wait until the success status message is shown. */
export async function waitForSuccess(page) {
  await page.waitForFunction(() => {
    const s = document.getElementById('report-status');
    return s && s.textContent.trim().length > 0;
  }, null, { timeout: 10000 });
  return page.textContent('#report-status');
}

/** A unique description so a test finds exactly its own feedback. */
export function uniqueText(prefix) {
  return `${prefix} ${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
