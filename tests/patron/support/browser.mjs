// Debian's Chromium, headless, one fresh profile per browser. Playwright's
// own browser downloads are never used.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const executablePath = process.env.COURIER_CHROMIUM ?? '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const DESKTOP = { width: 1000, height: 800 };
export const PHONE = { width: 390, height: 844 };

/**
 * Opens Chromium with a fresh temporary profile. `options` are Playwright
 * context options (`javaScriptEnabled`, `viewport`, `isMobile`, ...).
 * Returns the context, its page and `close()`, which also removes the profile.
 */
export async function openBrowser(options = {}) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'courier-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: ARGS,
    acceptDownloads: true,
    viewport: DESKTOP,
    ...options,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const close = async () => {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  };
  return { context, page, close };
}

/** Clicks `locator` and returns the response of the navigation it starts. */
export async function navigateBy(page, locator) {
  const [response] = await Promise.all([
    page.waitForResponse(
      (r) => r.request().isNavigationRequest() && r.frame() === page.mainFrame(),
    ),
    locator.click(),
  ]);
  return response;
}
