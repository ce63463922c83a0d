// Every kind of patron page, set up on a demo server and ready to open, so
// that header, phone and screenshot checks walk the same list.

import crypto from 'node:crypto';

import { navigateBy } from './browser.mjs';
import { demoScan, patronOf, postDownload, signInToTracking } from './patron.mjs';

/** A file name with no place to break, as scanners name their files. */
export const LONG_FILENAME =
  'Proceedings_of_the_International_Conference_on_Interlibrary_Loan_and_Document_Delivery_volume_12_part_3.pdf';

/**
 * Puts the demo server into the states the pages need (a used-up document,
 * one on a request not shipped yet, one with a very long name) and returns
 * the pages: `name`, the `status` it answers, and `open(page)`, which
 * returns the navigation's response.
 */
export async function preparePages(courier) {
  const { api, url } = courier;

  const usedUp = await api.attachment(2, 'c03-29.pdf');
  for (let n = usedUp.downloads_used; n < usedUp.max_downloads; n += 1) {
    const response = await postDownload(usedUp.document_url, { accept_copyright: 'yes' });
    if (response.status !== 200) throw new Error(`using up request 2 failed: ${response.status}`);
    await response.arrayBuffer();
  }
  const notShipped = await api.upload(4, demoScan('skew.pdf'));
  const longName = await api.upload(3, demoScan('c03-29.pdf'), {
    filename: LONG_FILENAME,
    description: 'Conference_proceedings_scan_without_spaces_in_its_description_at_all',
  });
  const shipped = await api.attachment(1, 'multipage.pdf');
  const request1 = await patronOf(api, 1);
  const request3 = await patronOf(api, 3);
  const unknown = `${url}/d/${crypto.randomBytes(32).toString('base64url')}`;

  return [
    { name: 'track-form', status: 200, open: (page) => page.goto(`${url}/track`) },
    {
      name: 'track-refused',
      status: 404,
      open: (page) =>
        signInToTracking(page, url, { ...request1, email: 'nobody@patrons.example.org' }),
    },
    { name: 'track-result', status: 200, open: (page) => signInToTracking(page, url, request1) },
    {
      name: 'track-result-long-names',
      status: 200,
      open: (page) => signInToTracking(page, url, request3),
    },
    { name: 'document', status: 200, open: (page) => page.goto(shipped.document_url) },
    {
      name: 'document-unconfirmed',
      status: 422,
      open: async (page) => {
        await page.goto(shipped.document_url);
        const checkbox = page.getByLabel(/I have read the copyright notice/);
        await checkbox.evaluate((el) => el.removeAttribute('required'));
        return navigateBy(page, page.getByRole('button', { name: 'Download' }));
      },
    },
    { name: 'document-long-names', status: 200, open: (page) => page.goto(longName.document_url) },
    { name: 'used-up', status: 410, open: (page) => page.goto(usedUp.document_url) },
    { name: 'not-shipped', status: 403, open: (page) => page.goto(notShipped.document_url) },
    { name: 'unknown-link', status: 404, open: (page) => page.goto(unknown) },
  ];
}
