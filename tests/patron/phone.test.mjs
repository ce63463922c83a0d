// Patron pages are read on phones: at 390×844 nothing overflows sideways,
// not even a long file name without spaces.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { PHONE, openBrowser } from './support/browser.mjs';
import { preparePages } from './support/pages.mjs';
import { startCourier } from './support/server.mjs';

describe('patron pages on a phone', () => {
  let courier;
  let pages;

  before(async () => {
    courier = await startCourier();
    pages = await preparePages(courier);
  });

  after(async () => {
    await courier?.stop();
  });

  test('no page is wider than a 390 px phone screen', async () => {
    const browser = await openBrowser({
      javaScriptEnabled: true,
      viewport: PHONE,
      isMobile: true,
      hasTouch: true,
    });
    try {
      const { page } = browser;
      for (const { name, status, open } of pages) {
        const response = await open(page);
        assert.equal(response.status(), status, name);

        const layout = await page.evaluate((phoneWidth) => {
          // Boxes that stick out, or whose content spills out of them.
          const offenders = [...document.body.querySelectorAll('*')]
            .filter(
              (el) =>
                el.getBoundingClientRect().right > phoneWidth + 0.5 ||
                (el.scrollWidth > el.clientWidth + 1 &&
                  getComputedStyle(el).overflowX === 'visible'),
            )
            .map((el) => `<${el.tagName.toLowerCase()} class="${el.className}">`);
          return {
            innerWidth: window.innerWidth,
            scrollWidth: document.scrollingElement.scrollWidth,
            offenders,
          };
        }, PHONE.width);
        assert.ok(
          layout.scrollWidth <= layout.innerWidth && layout.innerWidth === PHONE.width,
          `${name} is ${layout.scrollWidth} px wide on a ${PHONE.width} px screen; ` +
            `too wide: ${layout.offenders.join(' ')}`,
        );
      }
    } finally {
      await browser.close();
    }
  });
});
