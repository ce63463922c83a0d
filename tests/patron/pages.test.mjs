// Every patron page works without JavaScript, sends a strict
// Content-Security-Policy, and nothing on it is refused by that policy.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { openBrowser } from './support/browser.mjs';
import { preparePages } from './support/pages.mjs';
import { assertPatronHeaders } from './support/patron.mjs';
import { startCourier } from './support/server.mjs';

describe('every patron page', () => {
  let courier;
  let pages;

  before(async () => {
    courier = await startCourier();
    pages = await preparePages(courier);
  });

  after(async () => {
    await courier?.stop();
  });

  test('sends a Content-Security-Policy and renders with JavaScript disabled', async () => {
    const browser = await openBrowser({ javaScriptEnabled: false });
    try {
      const { page } = browser;
      for (const { name, status, open } of pages) {
        const response = await open(page);
        assert.equal(response.status(), status, name);
        assertPatronHeaders(assert, await response.allHeaders(), name);
        assert.equal((await response.allHeaders())['x-content-type-options'], 'nosniff', name);

        assert.equal(await page.locator('script').count(), 0, `${name} has a script`);
        assert.equal(await page.getByRole('heading', { level: 1 }).count(), 1, name);
        assert.ok((await page.getByRole('heading', { level: 1 }).innerText()).trim(), name);
        assert.ok(await page.locator('main').isVisible(), name);
        // The stylesheet applied: the page background is the one it sets.
        const background = await page
          .locator('body')
          .evaluate((el) => getComputedStyle(el).backgroundColor);
        assert.equal(background, 'rgb(245, 247, 250)', `${name} is unstyled`);
      }
    } finally {
      await browser.close();
    }
  });

  test('breaks no rule of its Content-Security-Policy in a browser with JavaScript', async () => {
    const browser = await openBrowser({ javaScriptEnabled: true });
    try {
      const { page } = browser;
      const complaints = [];
      page.on('console', (message) => {
        if (message.type() === 'error' || /Content Security Policy/i.test(message.text())) {
          complaints.push(`${page.url()}: ${message.text()}`);
        }
      });
      page.on('pageerror', (error) => complaints.push(`${page.url()}: ${error.message}`));
      for (const { name, status, open } of pages) {
        const response = await open(page);
        assert.equal(response.status(), status, name);
      }
      // Chromium reports each error status as a failed resource; keep the rest.
      const real = complaints.filter(
        (c) =>
          !/Failed to load resource: the server responded with a status of (403|404|410|422)/.test(
            c,
          ),
      );
      assert.deepEqual(real, []);
    } finally {
      await browser.close();
    }
  });
});
