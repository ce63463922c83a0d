// Once its download limit is used up, a document is no longer served: the
// tracking page and the document page say "0 downloads remaining" and the
// document page answers 410 without a Download button.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';

import { navigateBy, openBrowser } from './support/browser.mjs';
import {
  accessDate,
  assertPatronHeaders,
  demoScan,
  documentCard,
  patronOf,
  postDownload,
  sha256,
  signInToTracking,
} from './support/patron.mjs';
import { startCourier } from './support/server.mjs';

describe('used-up documents', () => {
  let courier;

  before(async () => {
    courier = await startCourier();
  });

  after(async () => {
    await courier?.stop();
  });

  test('a document with a limit of 1 reads "0 downloads remaining" and answers 410 once downloaded', async () => {
    const scan = demoScan('linn.pdf');
    const uploaded = await courier.api.upload(3, scan, {
      filename: 'one-download.pdf',
      description: 'Single download copy',
      maxDownloads: 1,
      expiresInDays: 7,
    });
    assert.equal(uploaded.max_downloads, 1);
    assert.equal(
      uploaded.access_text,
      `1 download remaining until ${accessDate(uploaded.expires_at)}`,
    );
    const patron = await patronOf(courier.api, 3);

    const browser = await openBrowser({ javaScriptEnabled: false });
    try {
      const { page } = browser;
      await signInToTracking(page, courier.url, patron);
      const card = documentCard(page, 'Single download copy');
      assert.equal(await card.locator('.access').innerText(), uploaded.access_text);

      await navigateBy(page, card.getByRole('link', { name: /Open the download page/ }));
      assert.equal(page.url(), uploaded.document_url);
      await page.getByLabel(/I have read the copyright notice/).check();
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: 'Download' }).click(),
      ]);
      assert.equal(sha256(fs.readFileSync(await download.path())), uploaded.sha256);

      const tracked = await signInToTracking(page, courier.url, patron);
      assert.equal(tracked.status(), 200);
      assert.equal(await card.locator('.access').innerText(), '0 downloads remaining');
      assert.equal(
        await card.getByRole('link').count(),
        0,
        'a used-up document still links to its page',
      );

      const landing = await page.goto(uploaded.document_url);
      assert.equal(landing.status(), 410);
      assertPatronHeaders(assert, await landing.allHeaders(), 'used-up GET /d/{token}');
      assert.equal(await page.locator('.access').innerText(), '0 downloads remaining');
      assert.equal(await page.getByRole('button', { name: 'Download' }).count(), 0);
      assert.equal(await page.getByLabel(/I have read the copyright notice/).count(), 0);
      assert.match(await page.getByRole('status').innerText(), /can no longer be downloaded/);
    } finally {
      await browser.close();
    }

    // Sending the form anyway serves nothing and counts nothing.
    const again = await postDownload(uploaded.document_url, { accept_copyright: 'yes' });
    assert.equal(again.status, 410);
    assert.equal(again.headers.get('content-disposition'), null);
    assert.match(await again.text(), /0 downloads remaining/);
    const listed = await courier.api.attachment(3, 'one-download.pdf');
    assert.equal(listed.downloads_used, 1);
    assert.equal(listed.access_text, '0 downloads remaining');
  });

  test('no document is served more often than its limit, whoever downloads it', async () => {
    // Request 2's scan has a limit of 5, one already used by the borrower's staff.
    const listed = await courier.api.attachment(2, 'c03-29.pdf');
    assert.equal(listed.max_downloads, 5);
    assert.equal(listed.downloads_used, 1);

    for (let n = listed.downloads_used; n < listed.max_downloads; n += 1) {
      const response = await postDownload(listed.document_url, { accept_copyright: 'yes' });
      assert.equal(response.status, 200, `download ${n + 1}`);
      assert.match(response.headers.get('content-disposition'), /^attachment/);
      assert.equal(sha256(Buffer.from(await response.arrayBuffer())), listed.sha256);
    }
    const over = await postDownload(listed.document_url, { accept_copyright: 'yes' });
    assert.equal(over.status, 410);
    assert.equal(over.headers.get('content-disposition'), null);
    await over.text();

    const usedUp = await courier.api.attachment(2, 'c03-29.pdf');
    assert.equal(usedUp.downloads_used, 5);
    assert.equal(usedUp.access_text, '0 downloads remaining');

    const browser = await openBrowser({ javaScriptEnabled: false });
    try {
      const { page } = browser;
      await signInToTracking(page, courier.url, await patronOf(courier.api, 2));
      assert.equal(await page.locator('dt:has-text("Status") + dd').innerText(), 'Received');
      const card = documentCard(page, listed.description);
      assert.equal(await card.locator('.access').innerText(), '0 downloads remaining');
      assert.equal(await card.getByRole('link').count(), 0);

      const landing = await page.goto(listed.document_url);
      assert.equal(landing.status(), 410);
      assert.equal(await page.locator('.access').innerText(), '0 downloads remaining');
      assert.equal(await page.getByRole('button', { name: 'Download' }).count(), 0);
    } finally {
      await browser.close();
    }
  });
});
