// The browser-test machinery itself: the server starts on a fresh database and answers its
// health checks, Chromium renders the sign-in page, and a failure leaves its evidence behind.

import assert from 'node:assert/strict';
import { readFile, rm, stat } from 'node:fs/promises';
import { test } from 'node:test';

import { journey, launchBrowser, saveArtifacts } from './lib/browser.mjs';
import { startServer } from './lib/server.mjs';

test('the demo server starts on a fresh database and reports healthy and ready', async () => {
  const server = await startServer();
  try {
    for (const path of ['/healthz', '/readyz']) {
      const res = await fetch(`${server.baseURL}${path}`);
      assert.equal(res.status, 200, `${path} answered ${res.status}`);
    }
  } finally {
    await server.stop();
  }
});

test('Chromium renders the sign-in form', { timeout: 120_000 }, async (t) => {
  await journey(t, async ({ page, step }) => {
    await step('open /login', async () => {
      const res = await page.goto('/login');
      assert.equal(res.status(), 200);
    });
    await step('see the e-mail and password inputs and the Sign in button', async () => {
      await page.locator('input[name="email"]').waitFor();
      await page.locator('input[name="password"]').waitFor();
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
    });
  });
});

test('a failure leaves a screenshot, the HTML and the server log under target/e2e', async () => {
  const server = await startServer({ demo: false });
  const browser = await launchBrowser();
  const name = 'e2e self-check: artifacts';
  try {
    const page = await browser.newPage();
    await page.goto(`${server.baseURL}/login`);
    const files = await saveArtifacts(page, name, { serverLog: server.logs(), browserLog: [] });
    assert.equal(files.length, 3, `saved ${files.join(', ')}`);
    const [png, html, log] = files;
    assert.ok((await stat(png)).size > 1_000, 'the screenshot has content');
    assert.match(await readFile(html, 'utf8'), /<form/i);
    assert.match(await readFile(log, 'utf8'), /serve/);
    // Only real failures should stay in target/e2e.
    await Promise.all(files.map((f) => rm(f, { force: true })));
  } finally {
    await browser.close();
    await server.stop();
  }
});
