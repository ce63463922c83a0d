// A patron signs in to guest tracking, opens the document page, confirms the
// copyright notice and downloads the real scan, all with JavaScript off.

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
  sha256OfFile,
  signInToTracking,
} from './support/patron.mjs';
import { startCourier } from './support/server.mjs';

describe('patron download', () => {
  let courier;

  before(async () => {
    courier = await startCourier();
  });

  after(async () => {
    await courier?.stop();
  });

  test('a patron tracks a shipped request and downloads the scan it holds, without JavaScript', async () => {
    const patron = await patronOf(courier.api, 1);
    const listed = await courier.api.attachment(1, 'multipage.pdf');
    const scanSha = sha256OfFile(demoScan('multipage.pdf'));
    const remaining = `5 downloads remaining until ${accessDate(listed.expires_at)}`;
    assert.equal(listed.downloads_used, 0);
    assert.equal(listed.sha256, scanSha);

    const browser = await openBrowser({ javaScriptEnabled: false });
    try {
      const { page } = browser;
      const tracked = await signInToTracking(page, courier.url, patron);
      assert.equal(tracked.status(), 200);
      assertPatronHeaders(assert, await tracked.allHeaders(), 'POST /track');
      await assert.doesNotReject(
        page.getByRole('heading', { name: `Request ${patron.number}` }).waitFor(),
      );
      assert.equal(await page.locator('dt:has-text("Status") + dd').innerText(), 'Shipped');
      assert.equal(await page.locator('dt:has-text("Title") + dd').innerText(), patron.title);

      const card = documentCard(page, listed.description);
      assert.equal(await card.locator('.access').innerText(), remaining);
      assert.equal(remaining, listed.access_text);
      const link = card.getByRole('link', { name: /Open the download page/ });
      assert.equal(await link.getAttribute('href'), listed.document_url);

      const landing = await navigateBy(page, link);
      assert.equal(landing.status(), 200);
      assert.equal(page.url(), listed.document_url);
      assertPatronHeaders(assert, await landing.allHeaders(), 'GET /d/{token}');
      await page.getByRole('heading', { name: 'Copyright notice' }).waitFor();
      assert.match(await page.locator('.copyright').innerText(), /copyright/i);
      assert.equal(await page.locator('.access').innerText(), remaining);
      assert.equal(
        (await courier.api.attachment(1, 'multipage.pdf')).downloads_used,
        0,
        'opening the document page counts nothing',
      );

      await page.getByLabel(/I have read the copyright notice/).check();
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: 'Download' }).click(),
      ]);
      assert.equal(download.suggestedFilename(), 'multipage.pdf');
      const received = fs.readFileSync(await download.path());
      assert.equal(received.length, listed.size);
      assert.equal(sha256OfFile(await download.path()), scanSha);
      assert.equal(sha256OfFile(await download.path()), listed.sha256);
    } finally {
      await browser.close();
    }

    const afterwards = await courier.api.attachment(1, 'multipage.pdf');
    assert.equal(afterwards.downloads_used, 1, 'the download counted exactly once');
    assert.equal(
      afterwards.access_text,
      `4 downloads remaining until ${accessDate(listed.expires_at)}`,
    );
  });

  test('Download without the copyright confirmation downloads nothing and counts nothing', async () => {
    const listed = await courier.api.attachment(3, 'skew.pdf');
    const usedBefore = listed.downloads_used;

    const browser = await openBrowser({ javaScriptEnabled: false });
    try {
      const { page } = browser;
      const landing = await page.goto(listed.document_url);
      assert.equal(landing.status(), 200);

      // The browser itself refuses to send the form while the box is unticked.
      const checkbox = page.getByLabel(/I have read the copyright notice/);
      assert.equal(await checkbox.isChecked(), false);
      assert.equal(await checkbox.getAttribute('required'), '');
      let downloads = 0;
      let posts = 0;
      page.on('download', () => (downloads += 1));
      page.on('request', (r) => (r.method() === 'POST' ? (posts += 1) : null));
      await page.getByRole('button', { name: 'Download' }).click();
      await page.waitForTimeout(1500);
      assert.equal(downloads, 0);
      assert.equal(posts, 0, 'the unticked form was sent');
      assert.equal(page.url(), listed.document_url);
      assert.equal(await checkbox.evaluate((el) => el.validity.valueMissing), true);

      // A browser that ignores `required` gets the page again with the reason.
      await checkbox.evaluate((el) => el.removeAttribute('required'));
      const refused = await navigateBy(page, page.getByRole('button', { name: 'Download' }));
      assert.equal(refused.status(), 422);
      assertPatronHeaders(assert, await refused.allHeaders(), 'POST /d/{token} refused');
      assert.equal(
        await page.getByRole('alert').innerText(),
        'Confirm that you have read the copyright notice to download.',
      );
      assert.equal(await page.getByRole('button', { name: 'Download' }).count(), 1);
      assert.equal(downloads, 0);
    } finally {
      await browser.close();
    }

    // Without the field, or with anything but "yes", the server answers 422.
    for (const fields of [{}, { accept_copyright: 'no' }, { accept_copyright: '' }]) {
      const response = await postDownload(listed.document_url, fields);
      assert.equal(response.status, 422, `fields ${JSON.stringify(fields)}`);
      assert.equal(response.headers.get('content-disposition'), null);
      assert.match(response.headers.get('content-type'), /^text\/html/);
      assert.match(await response.text(), /Confirm that you have read the copyright notice/);
    }

    const afterwards = await courier.api.attachment(3, 'skew.pdf');
    assert.equal(afterwards.downloads_used, usedBefore, 'a refused download counted');
  });
});
