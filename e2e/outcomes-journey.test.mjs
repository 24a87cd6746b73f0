// Issue 5's outcomes on the seller's page: the demo manager opens a seller of her team, records
// a quarter's quota attainment with the form and sees it in the outcomes table, is told what is
// wrong with a bad period and value (and nothing is written), deletes the outcome again; then
// a demo seller reads her own outcomes and is offered no form.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { journey, signIn, signOut, submitForm } from './lib/browser.mjs';
import { DEMO_LOGINS, EAST_SELLER } from './lib/demo.mjs';

// A quarter after the demo's last one (PERIODS in crates/app/src/demo/outcomes.rs).
const NEW_PERIOD = '2026-Q4';
// The seller of DEMO_LOGINS.seller.
const SELLER_NAME = 'Amara Nwosu';

/** The outcomes table: its column heads and its rows as [period, ...cells]. */
async function outcomeTable(page) {
  const table = page.locator('#outcomes table.outcomes-table');
  if ((await table.count()) === 0) return { heads: [], rows: [] };
  // textContent, not innerText: the heads are shown in capitals by the stylesheet.
  const heads = await table.locator('thead th').allTextContents();
  const rows = await table
    .locator('tbody tr')
    .evaluateAll((trs) =>
      trs.map((tr) => [...tr.querySelectorAll('th, td')].map((c) => c.textContent.trim())),
    );
  return { heads: heads.map((h) => h.replace(/\s+/g, ' ').trim()), rows };
}

/** The row of `period`, or undefined. */
const rowOf = (table, period) => table.rows.find((r) => r[0] === period);

test(
  'a manager records, corrects and deletes an outcome; a seller only reads hers',
  { timeout: 180_000 },
  async (t) => {
    await journey(t, async ({ page, step }) => {
      await step('sign in as the demo manager', () => signIn(page, DEMO_LOGINS.manager));

      let personPath;
      await step(`open ${EAST_SELLER} and find the outcomes table`, async () => {
        await page.goto('/people');
        const link = page.locator('table a[href^="/people/"]', { hasText: EAST_SELLER }).first();
        personPath = await link.getAttribute('href');
        await link.click();
        await page.waitForURL((url) => url.pathname === personPath);
        const table = await outcomeTable(page);
        assert.ok(table.rows.length >= 4, `several quarters of results: ${table.rows.length}`);
        assert.equal(rowOf(table, NEW_PERIOD), undefined, `nothing recorded for ${NEW_PERIOD} yet`);
        assert.ok(
          table.heads.some((h) => h.startsWith('Quota attainment')),
          `a quota attainment column: ${table.heads.join(' | ')}`,
        );
      });

      const form = () => page.locator('form.outcome-form');
      const button = (name) => form().getByRole('button', { name });

      await step(`record quota attainment 1.07 for ${NEW_PERIOD}`, async () => {
        await form().locator('input[name="period"]').fill(NEW_PERIOD);
        await form().locator('select[name="metric"]').selectOption('quota_attainment');
        await form().locator('input[name="value"]').fill('1.07');
        const res = await submitForm(page, button('Save outcome'));
        assert.ok(res.status() < 400, `saving answers ${res.status()}`);
        await page.waitForURL((url) => url.pathname === personPath && url.search.includes('outcome_saved=1'));
        const table = await outcomeTable(page);
        const column = table.heads.findIndex((h) => h.startsWith('Quota attainment'));
        const row = rowOf(table, NEW_PERIOD);
        assert.ok(row, `a ${NEW_PERIOD} row: ${JSON.stringify(table.rows)}`);
        assert.equal(row[column], '107 %', `the new value in its column: ${row.join(' | ')}`);
      });

      await step('a bad period and value are named, and nothing is written', async () => {
        const before = await outcomeTable(page);
        await form().locator('input[name="period"]').fill('2026-Q5');
        await form().locator('input[name="value"]').fill('lots');
        const res = await submitForm(page, button('Save outcome'));
        assert.equal(res.status(), 422, 'an invalid outcome answers 422');
        await page.locator('.error-summary').waitFor({ state: 'visible' });
        const period = await page.locator('#period-error').innerText();
        const value = await page.locator('#value-error').innerText();
        assert.match(period, /2026-Q5/, `the period message: ${period}`);
        assert.match(value, /lots|number/, `the value message: ${value}`);
        // What was typed stays in the form, and the table is unchanged.
        assert.equal(await form().locator('input[name="period"]').inputValue(), '2026-Q5');
        assert.deepEqual((await outcomeTable(page)).rows, before.rows);
      });

      await step(`delete the ${NEW_PERIOD} outcome`, async () => {
        await form().locator('input[name="period"]').fill(NEW_PERIOD);
        await form().locator('select[name="metric"]').selectOption('quota_attainment');
        await form().locator('input[name="value"]').fill('');
        const res = await submitForm(page, button('Delete outcome'));
        assert.ok(res.status() < 400, `deleting answers ${res.status()}`);
        await page.waitForURL((url) => url.search.includes('outcome_deleted=1'));
        assert.equal(rowOf(await outcomeTable(page), NEW_PERIOD), undefined, 'the row is gone');
      });

      await step('sign out', () => signOut(page));

      await step(`${SELLER_NAME} reads her own outcomes and gets no form`, async () => {
        await signIn(page, DEMO_LOGINS.seller);
        await page.locator('nav.mainnav a', { hasText: 'My record' }).click();
        await page.getByRole('heading', { name: SELLER_NAME }).first().waitFor();
        const table = await outcomeTable(page);
        assert.ok(table.rows.length >= 4, `her results are shown: ${table.rows.length} rows`);
        assert.equal(await form().count(), 0, 'no outcome form for a seller');
        // Nor can she open the manager's seller.
        const res = await page.goto(personPath);
        assert.ok([403, 404].includes(res.status()), `another seller's page: ${res.status()}`);
      });
    });
  },
);
