// Files dropped on the Upload window. A real drag from a file manager cannot
// be driven under Xvfb, so the test hands the page the drag-and-drop events
// the shell would deliver after such a drop (see harness.mjs, dropFiles):
// the real scan uploads with a full progress bar and lists its access, and
// each refused file says why.

import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";

import {
  ROOT, SCAN, Staff, deliverDragEvent, dropFiles, openRequest, signIn, startApp, waitForServer,
} from "./harness.mjs";
import { sleep } from "./webdriver.mjs";

const PORT = 18510;
const BASE = `http://127.0.0.1:${PORT}`;
let app;
let browser;
let request;
let dir;
const files = {};

before(async () => {
  app = await startApp({ port: PORT, driverPort: 17444 });
  browser = app.browser;
  await waitForServer(BASE);

  const lender = await Staff.signIn(BASE, "lender");
  const borrower = await Staff.signIn(BASE, "borrower");
  request = await borrower.askForCopy(lender.staff.library.symbol, `E2E drop ${Date.now()}`);
  await lender.move(request.id, "will_supply");

  dir = mkdtempSync(join(tmpdir(), "courier-drop-"));
  files.damaged = join(dir, "damaged-scan.pdf");
  copyFileSync(join(ROOT, "tests/desktop/fixtures/invalid.pdf"), files.damaged);
  files.text = join(dir, "notes.pdf");
  writeFileSync(files.text, "These are notes, not a scan.\n");
});

after(async () => {
  await app?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test("files dropped on the Upload window upload, or say why they are refused", async () => {
  await signIn(browser, "lender");
  await openRequest(browser, request.number);
  const main = await browser.window();
  await (await browser.waitFor("#upload-document")).click();
  let handles = [];
  for (let i = 0; i < 40 && handles.length < 2; i++) {
    handles = await browser.windows();
    await sleep(250);
  }
  const upload = handles.find((h) => h !== main);
  assert.ok(upload, "the Upload window opened");
  await browser.switchTo(upload);
  const zone = await browser.waitFor("#drop-zone");

  // Dragging over the window marks the drop zone; leaving unmarks it.
  assert.equal(await deliverDragEvent(browser, "tauri://drag-enter", { paths: [SCAN], position: { x: 120, y: 160 } }), 1);
  assert.match(await zone.property("className"), /\bover\b/);
  assert.equal(await deliverDragEvent(browser, "tauri://drag-leave", null), 1);
  assert.doesNotMatch(await zone.property("className"), /\bover\b/);

  assert.equal(await dropFiles(browser, [SCAN, files.damaged, files.text]), 1, "one drop listener");
  assert.doesNotMatch(await zone.property("className"), /\bover\b/);
  for (const name of ["c03-29.pdf", "damaged-scan.pdf", "notes.pdf"]) {
    await browser.waitFor(`li[data-file="${name}"] .note`, (t) => t === "ready");
  }
  await (await browser.find("#upload")).click();

  await browser.waitFor("#upload-summary", (t) => t === "1 uploaded, 2 refused");
  const note = await browser.find('li[data-file="c03-29.pdf"] .note.ok');
  assert.match(await note.text(), /^uploaded · 5 downloads remaining until \d\d\/\d\d\/\d{4}$/);
  const bar = await browser.find('li[data-file="c03-29.pdf"] progress');
  const size = statSync(SCAN).size;
  assert.equal(Number(await bar.property("value")), size);
  assert.equal(Number(await bar.property("max")), size);
  const damaged = await browser.find('li[data-file="damaged-scan.pdf"] .note.error');
  assert.match(await damaged.text(), /^refused: .*looks damaged/);
  const text = await browser.find('li[data-file="notes.pdf"] .note.error');
  assert.match(await text.text(), /^refused: .*file type not accepted/);

  await browser.switchTo(main);
  await browser.waitFor("#uploaded-files td.access", (t) => /^5 downloads remaining until \d\d\/\d\d\/\d{4}$/.test(t));
  assert.equal((await browser.findAll("#uploaded-files tr[data-attachment]")).length, 1, "only the scan is attached");
});
