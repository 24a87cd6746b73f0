// Headless Debian Chromium driven by playwright-core, and the `journey` wrapper every browser
// test uses: a fresh server and browser per journey, named steps, and on failure a screenshot,
// the page's HTML and the server's log under target/e2e/ (at the repository root).

import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { chromium } from 'playwright-core';

import { DEMO_PASSWORD } from './demo.mjs';
import { REPO_ROOT, startServer } from './server.mjs';

/** The browser: Debian's chromium package (playwright never downloads one here). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Where failing journeys leave their screenshots, HTML and server logs. */
export const ARTIFACTS_DIR = path.join(REPO_ROOT, 'target', 'e2e');

// --no-sandbox: CI runs as root. The background-networking flags keep Chromium from calling
// out to Google's services, which this machine's closed network refuses.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

/** Launches headless Chromium. */
export function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

/** A file-name-safe form of a test name. */
export function slug(name) {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 80) || 'journey'
  );
}

/**
 * Saves what a failure leaves behind: `<name>.png` (full page), `<name>.html`, and
 * `<name>.log` (the server's output and the browser's console), under target/e2e/.
 * Returns the paths written. Never throws: a failing capture must not hide the real failure.
 */
export async function saveArtifacts(page, name, { serverLog = '', browserLog = [] } = {}) {
  const base = path.join(ARTIFACTS_DIR, slug(name));
  const written = [];
  try {
    await mkdir(ARTIFACTS_DIR, { recursive: true });
  } catch (err) {
    console.error(`[e2e] cannot create ${ARTIFACTS_DIR}: ${err.message}`);
    return written;
  }
  const attempt = async (file, fn) => {
    try {
      await fn(file);
      written.push(file);
    } catch (err) {
      console.error(`[e2e] cannot save ${file}: ${err.message}`);
    }
  };
  if (page && !page.isClosed()) {
    await attempt(`${base}.png`, (file) =>
      page.screenshot({ path: file, fullPage: true, timeout: 10_000 }),
    );
    await attempt(`${base}.html`, async (file) =>
      writeFile(file, `<!-- ${page.url()} -->\n${await page.content()}`),
    );
  }
  await attempt(`${base}.log`, (file) =>
    writeFile(
      file,
      `== browser (${page?.url() ?? 'no page'})\n${browserLog.join('\n')}\n\n== server\n${serverLog}`,
    ),
  );
  return written;
}

/**
 * Runs one user journey: starts a fresh sellerq (`serve --demo` on a new database), a fresh
 * Chromium page, and calls `body({ page, baseURL, server, step })`. `step(title, fn)` runs a
 * named part of the journey, reports it as a diagnostic, and prefixes a failure with its title.
 * On failure the page's screenshot, HTML and the server log are saved under target/e2e/.
 *
 * @param {import('node:test').TestContext} t
 * @param {(ctx: { page: import('playwright-core').Page, baseURL: string, server: object,
 *   step: (title: string, fn: () => Promise<unknown>) => Promise<unknown> }) => Promise<void>} body
 * @param {{ server?: object }} [options] passed to `startServer`.
 */
export async function journey(t, body, { server: serverOptions } = {}) {
  const server = await startServer(serverOptions);
  let browser;
  let page;
  const browserLog = [];
  try {
    browser = await launchBrowser();
    const context = await browser.newContext({ baseURL: server.baseURL });
    context.setDefaultTimeout(10_000);
    context.setDefaultNavigationTimeout(20_000);
    page = await context.newPage();
    page.on('console', (msg) => {
      if (['error', 'warning'].includes(msg.type())) {
        browserLog.push(`[console.${msg.type()}] ${msg.text()}`);
      }
    });
    page.on('pageerror', (err) => browserLog.push(`[pageerror] ${err.message}`));
    page.on('response', (res) => {
      if (res.status() >= 500) {
        browserLog.push(`[http ${res.status()}] ${res.request().method()} ${res.url()}`);
      }
    });

    const step = async (title, fn) => {
      browserLog.push(`[step] ${title}`);
      try {
        const result = await fn();
        t.diagnostic(`ok: ${title}`);
        return result;
      } catch (err) {
        // A new error, so that the step's title leads the report; the original is its cause.
        throw new Error(`step "${title}" failed: ${err?.message ?? err}`, { cause: err });
      }
    };

    await body({ page, baseURL: server.baseURL, server, step });
  } catch (err) {
    const files = await saveArtifacts(page, t.name, { serverLog: server.logs(), browserLog });
    if (files.length) {
      t.diagnostic(`saved ${files.map((f) => path.relative(REPO_ROOT, f)).join(', ')}`);
    }
    throw err;
  } finally {
    await browser?.close().catch(() => {});
    await server.stop();
  }
}

/**
 * Clicks a submit button and returns the response to the form's POST (before any redirect is
 * followed), so a test can check the status (303 after a save, 422 with field messages).
 */
export async function submitForm(page, button) {
  const posted = page.waitForResponse(
    (res) => res.request().method() === 'POST' && res.request().isNavigationRequest(),
  );
  await button.click();
  const response = await posted;
  await page.waitForLoadState('domcontentloaded');
  return response;
}

/** Signs in through the login page and waits to leave it; throws when the login is refused. */
export async function signIn(page, email, password = DEMO_PASSWORD) {
  await page.goto('/login');
  await page.locator('input[name="email"]').fill(email);
  await page.locator('input[name="password"]').fill(password);
  const res = await submitForm(page, page.getByRole('button', { name: 'Sign in' }));
  if (res.status() >= 400) {
    const why = await page.locator('[role="alert"]').allInnerTexts().catch(() => []);
    throw new Error(`signing in as ${email} answered ${res.status()} ${why.join(' ')}`.trim());
  }
  await page.waitForURL((url) => url.pathname !== '/login');
}

/** Signs out with the "Sign out" button (opening the account menu first if it hides it). */
export async function signOut(page) {
  const button = page.locator('form[action="/logout"]').getByRole('button', { name: 'Sign out' });
  if (!(await button.isVisible())) {
    await page.locator('details:has(form[action="/logout"]) > summary').click();
  }
  await button.click();
  await page.waitForURL((url) => url.pathname === '/login');
}
