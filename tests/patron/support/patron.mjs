// What a patron does and sees, in the words of the pages.

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import { navigateBy } from './browser.mjs';
import { repoRoot } from './server.mjs';

/** The demo's borrowing library (BVAS) keeps its dates in this zone. */
export const BORROWER_ZONE = 'America/New_York';

export const demoScan = (name) => path.join(repoRoot, 'crates/courier-server/demo', name);

export const sha256 = (bytes) => crypto.createHash('sha256').update(bytes).digest('hex');

export const sha256OfFile = (file) => sha256(fs.readFileSync(file));

/** A date as the access text shows it: mm/dd/yyyy in the borrower's zone. */
export function accessDate(isoInstant, zone = BORROWER_ZONE) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    })
      .formatToParts(new Date(isoInstant))
      .map((p) => [p.type, p.value]),
  );
  return `${parts.month}/${parts.day}/${parts.year}`;
}

/** The patron's details of a demo request, read from the staff API. */
export async function patronOf(api, requestId) {
  const request = await api.request(requestId);
  return { number: request.number, email: request.patron.email, title: request.title };
}

/** Fills in and sends the guest-tracking form; returns the response. */
export async function signInToTracking(page, url, { number, email }) {
  await page.goto(`${url}/track`);
  await page.getByLabel('Request number').fill(number);
  await page.getByLabel('Your e-mail address').fill(email);
  return navigateBy(page, page.getByRole('button', { name: 'Show my request' }));
}

/** The card of one document on the tracking page. */
export const documentCard = (page, description) =>
  page
    .locator('ul.documents > li')
    .filter({ has: page.getByRole('heading', { name: description }) });

/** Sends the Download button's form without a browser. */
export function postDownload(documentUrl, fields) {
  return fetch(documentUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
}

/** The security headers every patron page must send. */
export function assertPatronHeaders(assert, headers, what) {
  const csp = headers['content-security-policy'];
  assert.ok(csp, `${what}: no Content-Security-Policy header`);
  assert.match(csp, /default-src 'none'/, `${what}: CSP does not default to 'none'`);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, `${what}: CSP allows inline code`);
  assert.match(csp, /frame-ancestors 'none'/, `${what}: CSP lets other sites frame the page`);
}
