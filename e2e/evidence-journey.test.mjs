// Issue 5's journey: the demo leader opens the validity report from the navigation, reads the
// verdict and the forest plot (one row per indicator: the eight qualities and the five résumé
// facts), switches the outcome metric with the form (no JavaScript involved: a GET form) and
// sees the figures change; then the reliability report; and a demo seller who types the
// report's address is told "not allowed".

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { journey, signIn, signOut } from './lib/browser.mjs';
import { DEMO_LOGINS, QUALITIES } from './lib/demo.mjs';

// The demo's outcome metrics (METRIC_KEYS in crates/app/src/demo/outcomes.rs).
const DEFAULT_METRIC = 'quota_attainment';
const OTHER_METRIC = 'win_rate';
// The trailing indicators of people.csv (TRAILING_INDICATORS in crates/domain/src/person.rs).
const TRAILING = [
  'years_experience',
  'quota_track_record',
  'tenure_years',
  'vip_connections',
  'domain_expertise',
];

/** The forest plot's rows: key, kind and r, in the chart's order. */
function forestRows(page) {
  return page
    .locator('svg[data-chart="forest"] g.forest-row')
    .evaluateAll((els) =>
      els.map((el) => ({
        key: el.getAttribute('data-key'),
        kind: el.getAttribute('data-kind'),
        r: el.getAttribute('data-r'),
      })),
    );
}

/** The text of the figure marked `data-figure="name"`. */
async function figure(page, name) {
  return (await page.locator(`[data-figure="${name}"]`).first().innerText()).trim();
}

test(
  'a leader reads the validity report, switches the metric, and a seller is not allowed',
  { timeout: 180_000 },
  async (t) => {
    await journey(t, async ({ page, step }) => {
      await step('sign in as the demo leader', () => signIn(page, DEMO_LOGINS.leader));

      await step('open the validity report from the navigation', async () => {
        await page.locator('nav.mainnav a', { hasText: 'Evidence' }).click();
        await page.waitForURL((url) => url.pathname === '/analytics/validity');
        await page.getByRole('heading', { level: 1, name: 'Do the qualities predict results?' })
          .waitFor();
        assert.equal(
          await page.locator('select#metric').inputValue(),
          DEFAULT_METRIC,
          'the default metric is chosen',
        );
      });

      let before;
      await step('read the verdict and the forest plot, one row per indicator', async () => {
        const verdict = await figure(page, 'verdict');
        assert.ok(verdict.length > 40, `a verdict sentence: ${verdict}`);
        const chart = page.locator('svg[data-chart="forest"]');
        await chart.waitFor({ state: 'visible' });
        assert.equal(await chart.getAttribute('role'), 'img');
        assert.ok((await chart.locator('title').first().textContent()).length > 0);
        before = await forestRows(page);
        assert.equal(before.length, QUALITIES.length + TRAILING.length, 'thirteen indicator rows');
        const keys = new Set(before.map((r) => r.key));
        for (const [key] of QUALITIES) assert.ok(keys.has(key), `${key} has a row`);
        for (const key of TRAILING) assert.ok(keys.has(key), `${key} has a row`);
        assert.equal(before.filter((r) => r.kind === 'leading').length, QUALITIES.length);
        const rs = before.map((r) => Number(r.r));
        for (let i = 1; i < rs.length; i++) {
          assert.ok(rs[i - 1] >= rs[i], `sorted by r: ${rs.join(', ')}`);
        }
        // The numbers are a click away, in the same order.
        await page.locator('section[aria-labelledby="forest-h"] details.numbers > summary').click();
        const tableKeys = await page
          .locator('section[aria-labelledby="forest-h"] details.numbers tbody tr')
          .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-key')));
        assert.deepEqual(tableKeys, before.map((r) => r.key));
        await page.locator('svg[data-chart="scatter"]').waitFor({ state: 'visible' });
      });

      await step(`switch the outcome metric to ${OTHER_METRIC} and see the figures change`, async () => {
        const deltaBefore = await figure(page, 'delta_r2');
        const verdictBefore = await figure(page, 'verdict');
        await page.locator('select#metric').selectOption(OTHER_METRIC);
        await Promise.all([
          page.waitForURL((url) => url.searchParams.get('metric') === OTHER_METRIC),
          page.locator('form.evidence-form button[type="submit"]').click(),
        ]);
        assert.equal(await page.locator('select#metric').inputValue(), OTHER_METRIC);
        const after = await forestRows(page);
        assert.equal(after.length, before.length, 'the same indicators');
        assert.notDeepEqual(after, before, 'the correlations changed');
        const deltaAfter = await figure(page, 'delta_r2');
        assert.notEqual(deltaAfter, deltaBefore, 'ΔR² changed');
        assert.notEqual(await figure(page, 'verdict'), verdictBefore, 'the verdict changed');
        const csv = await page.getByRole('link', { name: 'Download CSV' }).first().getAttribute('href');
        assert.match(csv, new RegExp(`metric=${OTHER_METRIC}`), 'the download follows the metric');
      });

      await step('open the reliability report', async () => {
        await page.locator('nav.report-tabs a', { hasText: 'Reliability' }).click();
        await page.waitForURL((url) => url.pathname === '/analytics/reliability');
        const rows = await page.locator('table[data-table="qualities"] tbody tr').count();
        assert.equal(rows, QUALITIES.length, 'one row per quality');
        assert.match(await figure(page, 'cronbach'), /^0\.\d\d$/);
        await signOut(page);
      });

      await step('a demo seller who opens the report is not allowed', async () => {
        await signIn(page, DEMO_LOGINS.seller);
        assert.equal(
          await page.locator('nav.mainnav a', { hasText: 'Evidence' }).count(),
          0,
          'no Evidence entry for a seller',
        );
        const res = await page.goto('/analytics/validity');
        assert.equal(res.status(), 403);
        assert.match(await page.locator('main').innerText(), /Not allowed/);
        assert.equal(await page.locator('svg[data-chart="forest"]').count(), 0);
      });
    });
  },
);
