// Issue 3's journey, on the demo's open cycle (2026-H2), where the demo seller's sheets are all
// still to do: the seller self-assesses, the manager and three peers rate her on the anchored
// form, then the seller's profile shows the radar and spectrum charts without naming any
// rater, and the manager sees the team heatmap with her row.
//
// The three peers have no demo login: the journey gives them one with `sellerq user add`
// (a seller whose e-mail is the person's), as an admin would.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { promisify } from 'node:util';

import { journey, signIn, signOut, submitForm } from './lib/browser.mjs';
import { DEMO_LOGINS, QUALITIES, WEST_SELLER } from './lib/demo.mjs';
import { binaryPath } from './lib/server.mjs';

const run = promisify(execFile);

const CYCLE = '2026-H2';
const ORG = 'Larkmoor Software';
const SELLER = { id: 'LM-1005', name: 'Amara Nwosu' };
// The demo seller's peers in the open cycle (DEMO_SELLER_OPEN_PEERS in
// crates/app/src/demo/ratings.rs; a Rust test checks these stay in step).
const PEERS = [
  { id: 'LM-1007', name: 'Mei Chen', email: 'mei.chen@larkmoor.example' },
  { id: 'LM-1016', name: 'Kwame Mensah', email: 'kwame.mensah@larkmoor.example' },
  { id: 'LM-1018', name: 'Olivia Brennan', email: 'olivia.brennan@larkmoor.example' },
];

/** Gives a demo person a seller login; returns the generated password. */
async function addSellerLogin(db, { email, name }) {
  const { stdout } = await run(binaryPath(), [
    '--db', db, 'user', 'add', '--org', ORG, '--email', email, '--name', name, '--role', 'seller',
  ]);
  const match = stdout.match(/Password \(shown once\): (\S+)/);
  assert.ok(match, `\`sellerq user add\` printed a password for ${email}:\n${stdout}`);
  return match[1];
}

/**
 * From "My assessments", opens the sheet of `subjectText` in the open cycle, chooses a level
 * for every quality (`scoreOf(key)`), submits, and checks it was accepted.
 */
async function rate(page, subjectText, scoreOf) {
  await page.goto('/assessments');
  const row = page.locator('tbody tr', { has: page.locator('td', { hasText: CYCLE }) }).filter({
    has: page.locator('a', { hasText: subjectText }),
  });
  await row.first().locator('a', { hasText: subjectText }).click();
  await page.waitForURL((url) => url.pathname.startsWith('/assessments/'));
  for (const [key] of QUALITIES) {
    const level = scoreOf(key);
    const radio = page.locator(`input[type="radio"][name="score.${key}"][value="${level}"]`);
    // Each level is a labelled radio carrying its anchor text.
    const label = await page.locator(`label[for="score-${key}-${level}"]`).innerText();
    assert.ok(label.trim().length > 3, `level ${level} of ${key} has its anchor text`);
    await radio.check();
  }
  const res = await submitForm(
    page,
    page.locator('button[name="action"][value="submit"]'),
  );
  assert.ok(res.status() < 400, `submitting the sheet answered ${res.status()}`);
  await page.waitForURL((url) => url.pathname === '/assessments');
}

test(
  'a seller, her manager and three peers rate her; her profile and the team view show it',
  { timeout: 240_000 },
  async (t) => {
    await journey(t, async ({ page, server, step }) => {
      const passwords = [];
      await step('give the three peers a login', async () => {
        for (const p of PEERS) passwords.push(await addSellerLogin(server.db, p));
      });

      await step('the seller self-assesses', async () => {
        await signIn(page, DEMO_LOGINS.seller);
        await rate(page, 'Yourself', () => 4);
        await signOut(page);
      });

      await step('the manager rates her', async () => {
        await signIn(page, DEMO_LOGINS.manager);
        await rate(page, SELLER.name, (key) => (key === 'storytelling' ? 4 : 3));
        await signOut(page);
      });

      for (const [i, peer] of PEERS.entries()) {
        await step(`peer ${peer.name} rates her`, async () => {
          await signIn(page, peer.email, passwords[i]);
          await rate(page, SELLER.name, (key) => (key === 'humility' ? 2 : 3 + (i % 2)));
          await signOut(page);
        });
      }

      await step('the seller sees her profile with both charts and no rater named', async () => {
        await signIn(page, DEMO_LOGINS.seller);
        const res = await page.goto(`/people/${SELLER.id}/profile`);
        assert.equal(res.status(), 200);
        await page.locator('svg[data-chart="radar"]').waitFor({ state: 'visible' });
        await page.locator('svg[data-chart="profile-spectrum"]').waitFor({ state: 'visible' });
        const marks = await page
          .locator('svg[data-chart="profile-spectrum"] [data-key]')
          .evaluateAll((els) => [...new Set(els.map((el) => el.getAttribute('data-key')))]);
        assert.deepEqual(marks, QUALITIES.map(([key]) => key), 'spectrum order');
        const main = await page.locator('main').innerText();
        assert.ok(main.includes(CYCLE), `the profile defaults to ${CYCLE}`);
        // Three peers reached the anonymity threshold: their scores count, as an average.
        const humility = await page.locator('.gap-table tr[data-key="humility"]').innerText();
        assert.match(humility, /peers 3/);
        // Others (3 peers × 2 + the manager's 3) / 4 = 2.25 against a self 4: a blind spot.
        assert.match(humility, /2\.25/);
        assert.match(humility, /Self higher/);
        const html = await page.content();
        for (const p of PEERS) {
          assert.ok(!html.includes(p.name), `the seller's profile names ${p.name}`);
          assert.ok(!html.includes(p.id), `the seller's profile shows ${p.id}`);
        }
        assert.ok(!html.includes('Elena Marchetti'), 'the manager is not named as a rater');
        assert.ok(!html.includes('Evidence notes'), 'no evidence notes for the seller');
        await signOut(page);
      });

      await step('the manager sees the team heatmap with her row', async () => {
        await signIn(page, DEMO_LOGINS.manager);
        await page.goto('/teams');
        await page.locator('a', { hasText: 'Enterprise East' }).first().click();
        await page.locator('a', { hasText: 'Team view' }).first().click();
        await page.waitForURL((url) => /^\/teams\/\d+\/view$/.test(url.pathname));
        const heatmap = page.locator('[data-chart="heatmap"]');
        await heatmap.waitFor({ state: 'visible' });
        const row = heatmap.locator('tr', { hasText: SELLER.name });
        assert.equal(await row.count(), 1, `${SELLER.name} has a row`);
        assert.equal(
          await heatmap.locator('tr', { hasText: WEST_SELLER }).count(),
          0,
          `${WEST_SELLER} is in another team`,
        );
        await row.locator('a').first().click();
        await page.waitForURL((url) => url.pathname === `/people/${SELLER.id}/profile`);
        await page.locator('svg[data-chart="radar"]').waitFor({ state: 'visible' });
      });
    });
  },
);
