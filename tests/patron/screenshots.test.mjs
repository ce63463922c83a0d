// Screenshots of the patron pages for docs/patron, at desktop and phone
// width, written only when COURIER_SCREENSHOTS=1.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { DESKTOP, PHONE, openBrowser } from './support/browser.mjs';
import { preparePages } from './support/pages.mjs';
import { repoRoot, startCourier } from './support/server.mjs';

const wanted = process.env.COURIER_SCREENSHOTS === '1';
const folder = path.join(repoRoot, 'docs/patron');
const SHOWN = ['track-form', 'track-result', 'document', 'used-up', 'unknown-link'];

describe(
  'screenshots of the patron pages',
  { skip: !wanted && 'set COURIER_SCREENSHOTS=1' },
  () => {
    let courier;
    let pages;

    before(async () => {
      courier = await startCourier();
      pages = (await preparePages(courier)).filter((p) => SHOWN.includes(p.name));
      fs.mkdirSync(folder, { recursive: true });
    });

    after(async () => {
      await courier?.stop();
    });

    for (const [suffix, viewport, isMobile] of [
      ['', DESKTOP, false],
      ['-phone', PHONE, true],
    ]) {
      test(`at ${viewport.width} px`, async () => {
        const browser = await openBrowser({
          javaScriptEnabled: false,
          viewport,
          isMobile,
          deviceScaleFactor: 1,
        });
        try {
          const { page } = browser;
          for (const { name, status, open } of pages) {
            const response = await open(page);
            assert.equal(response.status(), status, name);
            const file = path.join(folder, `${name}${suffix}.png`);
            await page.screenshot({
              path: file,
              fullPage: true,
              animations: 'disabled',
              caret: 'hide',
            });
            assert.ok(fs.statSync(file).size > 1000, `${file} is empty`);
          }
        } finally {
          await browser.close();
        }
      });
    }
  },
);
