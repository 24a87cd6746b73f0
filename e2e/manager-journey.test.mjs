// Issue 2's journey: the demo manager signs in, reads the model's spectrum chart, opens a
// seller of their team, is told exactly what is wrong with an invalid edit, saves a valid one,
// and signs out.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { journey, signIn, signOut, submitForm } from './lib/browser.mjs';
import { DEMO_LOGINS, EAST_SELLER, QUALITIES, WEST_SELLER } from './lib/demo.mjs';

const pathname = (page) => new URL(page.url()).pathname;

test(
  'a manager signs in, reads the model, corrects a seller and signs out',
  { timeout: 180_000 },
  async (t) => {
    await journey(t, async ({ page, step }) => {
      await step('sign in as the demo manager', () => signIn(page, DEMO_LOGINS.manager));

      await step('see the eight qualities on the spectrum chart of /model', async () => {
        const res = await page.goto('/model');
        assert.equal(res.status(), 200);
        const chart = page.locator('svg[data-chart="spectrum"]');
        await chart.waitFor({ state: 'visible' });
        // One mark per quality, in spectrum order, each named in its <title>.
        const marks = await chart.locator('[data-key]').evaluateAll((els) =>
          els.map((el) => ({
            key: el.getAttribute('data-key'),
            title: el.querySelector('title')?.textContent ?? '',
          })),
        );
        assert.deepEqual(
          marks.map((m) => m.key),
          QUALITIES.map(([key]) => key),
          'eight quality marks in spectrum order',
        );
        for (const [i, [, name]] of QUALITIES.entries()) {
          assert.ok(marks[i].title.includes(name), `mark ${i + 1} is titled ${name}`);
        }
      });

      let personPath;
      await step(`open ${EAST_SELLER} from /people`, async () => {
        await page.goto('/people');
        const outsider = page.locator('table a[href^="/people/"]', { hasText: WEST_SELLER });
        assert.equal(await outsider.count(), 0, `${WEST_SELLER} is in another team`);
        const link = page.locator('table a[href^="/people/"]', { hasText: EAST_SELLER }).first();
        personPath = await link.getAttribute('href');
        assert.match(personPath, /^\/people\/[^/?#]+$/, `a person link, not ${personPath}`);
        await link.click();
        await page.waitForURL((url) => url.pathname === personPath);
        await page.getByRole('heading', { name: EAST_SELLER }).first().waitFor();
      });

      const field = () => page.locator('input[name="years_experience"]');
      const save = () =>
        page
          .locator('form:has(input[name="years_experience"])')
          .locator('button[type="submit"], button:not([type]), input[type="submit"]')
          .first();
      let before;
      await step('go to the edit form', async () => {
        await page.locator(`a[href="${personPath}/edit"]`).first().click();
        await page.waitForURL((url) => url.pathname === `${personPath}/edit`);
        before = await field().inputValue();
      });

      await step('submit years_experience = -3 and see the field message', async () => {
        await field().fill('-3');
        const res = await submitForm(page, save());
        assert.equal(res.status(), 422, 'an invalid form answers 422');
        const message = page.locator('#years_experience-error');
        await message.waitFor({ state: 'visible' });
        assert.match(await message.innerText(), /at least 0/);
      });

      const after = before === '13.5' ? '14.5' : '13.5';
      await step(`submit years_experience = ${after} and see it saved`, async () => {
        await field().fill(after);
        const res = await submitForm(page, save());
        assert.ok(res.status() < 400, `a valid form answers ${res.status()}`);
        await page.waitForURL((url) => url.pathname === personPath);
        assert.equal(await page.locator('#years_experience-error').count(), 0);
        const text = await page.locator('main').innerText();
        assert.ok(text.includes(after), `the person page shows ${after}`);
        // And it is really stored: the edit form now starts from the new value.
        await page.goto(`${personPath}/edit`);
        assert.equal(await field().inputValue(), after);
      });

      await step('sign out and land on /login', async () => {
        await signOut(page);
        // The session is gone: a private page sends us back to sign in.
        await page.goto('/people');
        assert.equal(pathname(page), '/login');
      });
    });
  },
);
