// Pages that refuse: an unknown link, a document not shipped yet, a withdrawn
// one, a wrong e-mail address on guest tracking and the rate limit after it.

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { navigateBy, openBrowser } from './support/browser.mjs';
import { assertPatronHeaders, demoScan, patronOf, signInToTracking } from './support/patron.mjs';
import { startCourier } from './support/server.mjs';

describe('refusals', () => {
  let courier;
  let browser;

  before(async () => {
    courier = await startCourier();
    browser = await openBrowser({ javaScriptEnabled: false });
  });

  after(async () => {
    await browser?.close();
    await courier?.stop();
  });

  test('an unknown document link shows the "not recognised" page with 404', async () => {
    const { page } = browser;
    const token = crypto.randomBytes(32).toString('base64url');
    for (const url of [`${courier.url}/d/${token}`, `${courier.url}/d/short`]) {
      const response = await page.goto(url);
      assert.equal(response.status(), 404, url);
      assertPatronHeaders(assert, await response.allHeaders(), 'unknown token');
      assert.equal(
        await page.getByRole('heading', { level: 1 }).innerText(),
        'Link not recognised',
      );
      assert.match(await page.getByRole('status').innerText(), /not known/);
      assert.equal(await page.getByRole('button', { name: 'Download' }).count(), 0);
    }

    const posted = await fetch(`${courier.url}/d/${token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'accept_copyright=yes',
    });
    assert.equal(posted.status, 404);
    assert.equal(posted.headers.get('content-disposition'), null);
    assert.match(await posted.text(), /Link not recognised/);
  });

  test('a document of a request not shipped yet is not offered', async () => {
    const uploaded = await courier.api.upload(4, demoScan('skew.pdf'));
    const { page } = browser;

    const response = await page.goto(uploaded.document_url);
    assert.equal(response.status(), 403);
    assertPatronHeaders(assert, await response.allHeaders(), 'not shipped');
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Not available yet');
    assert.equal(await page.getByRole('button', { name: 'Download' }).count(), 0);

    await signInToTracking(page, courier.url, await patronOf(courier.api, 4));
    assert.equal(
      await page.locator('dt:has-text("Status") + dd').innerText(),
      'Will Supply / In Process',
    );
    assert.equal(await page.locator('ul.documents').count(), 0);
    assert.match(
      await page.locator('main').innerText(),
      /once the lending library has shipped them/,
    );
  });

  test('a withdrawn document answers 410 and leaves the tracking page', async () => {
    const listed = await courier.api.attachment(3, 'linn.pdf');
    await fetch(`${courier.url}/api/v1/attachments/${listed.id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${await courier.api.signIn('lender')}` },
    }).then((r) => assert.equal(r.status, 204));
    const { page } = browser;

    const response = await page.goto(listed.document_url);
    assert.equal(response.status(), 410);
    assert.equal(await page.locator('.access').innerText(), 'Withdrawn');
    assert.equal(await page.getByRole('button', { name: 'Download' }).count(), 0);

    await signInToTracking(page, courier.url, await patronOf(courier.api, 3));
    const descriptions = await page.locator('ul.documents h3').allInnerTexts();
    assert.deepEqual(descriptions, ['Typewriter scans as historical sources (Archival Practice), part 1']);
  });

  test('a wrong e-mail is refused without revealing the request, and the 6th failure gets 429', async () => {
    const patron = await patronOf(courier.api, 1);
    const listed = await courier.api.attachment(1, 'multipage.pdf');
    const wrong = { number: patron.number, email: 'someone.else@patrons.example.org' };
    const { page } = browser;

    const refused = await signInToTracking(page, courier.url, wrong);
    assert.equal(refused.status(), 404);
    assertPatronHeaders(assert, await refused.allHeaders(), 'refused sign-in');
    assert.equal(
      await page.getByRole('alert').innerText(),
      'No request matches that number and e-mail address. Check both and try again.',
    );
    const html = await page.content();
    for (const secret of [
      patron.title,
      'Shipped',
      listed.description,
      listed.filename,
      listed.document_url,
    ]) {
      assert.ok(!html.includes(secret), `the refusal reveals ${secret}`);
    }
    assert.equal(await page.getByLabel('Request number').inputValue(), wrong.number);

    // Failures 2 to 5 are refused the same way; the 6th is rate-limited.
    const attempt = (email) =>
      fetch(`${courier.url}/track`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ number: patron.number, email }).toString(),
      });
    for (let failure = 2; failure <= 5; failure += 1) {
      const response = await attempt(`wrong${failure}@patrons.example.org`);
      assert.equal(response.status, 404, `failure ${failure}`);
      assert.ok(!(await response.text()).includes(patron.title));
    }

    const limited = await signInToTracking(page, courier.url, wrong);
    assert.equal(limited.status(), 429);
    assertPatronHeaders(assert, await limited.allHeaders(), 'rate-limited sign-in');
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Too many attempts');
    assert.ok(!(await page.content()).includes(patron.title));

    // While limited, even the right details are not checked.
    const right = await attempt(patron.email);
    assert.equal(right.status, 429);
    assert.ok(!(await right.text()).includes(patron.title));
  });
});
