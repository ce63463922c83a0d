// Notices in Courier Desktop: the borrower switches the "Received with
// Attachments" notice on in Settings (after seeing a refusal), marks a
// shipped request received and sees the patron's notice sent in Full Request
// Details, written by the embedded server to the outbox of the app's data
// folder; the lender e-mails a document URL from the Uploaded Files panel.

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";

import { SCAN, Staff, openRequest, signIn, signOut, startApp, waitForServer } from "./harness.mjs";
import { sleep } from "./webdriver.mjs";

const PORT = 18490;
const BASE = `http://127.0.0.1:${PORT}`;
let app;
let browser;
let borrower;
let lender;
let request;

before(async () => {
  app = await startApp({ port: PORT, driverPort: 15444 });
  browser = app.browser;
  await waitForServer(BASE);

  lender = await Staff.signIn(BASE, "lender");
  borrower = await Staff.signIn(BASE, "borrower");
  request = await borrower.askForCopy(lender.staff.library.symbol, `E2E notice ${Date.now()}`);
  await lender.upload(request.id, SCAN, "The article");
  await lender.move(request.id, "shipped");
});

after(async () => {
  await app?.stop();
});

/** The `.eml` files the embedded server wrote, with their text. */
function outbox() {
  const dir = join(app.home, "data", "org.courier.desktop", "server", "outbox");
  let names = [];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith(".eml"));
  } catch {
    // not created yet
  }
  return names.map((name) => readFileSync(join(dir, name), "utf8"));
}

test("Settings refuses a bad time zone with the server's message and saves the notice switch", async () => {
  await signIn(browser, "borrower");
  await browser.run(`location.hash = "#/settings"`);
  const notice = await browser.waitFor("#received-notice");
  assert.equal(await notice.property("checked"), false, "the notice starts switched off");
  assert.equal(await (await browser.find("#ill-email")).property("value"), "ill@bayview.example.org");

  const zone = await browser.find("#time-zone");
  const before = await zone.property("value");
  await zone.clear();
  await zone.type("Mars/Olympus_Mons");
  await (await browser.find("#save-library-settings")).click();
  const error = await browser.waitFor("#library-error", (t) => t.length > 0);
  assert.match(await error.text(), /Mars\/Olympus_Mons/);
  assert.equal((await borrower.call("GET", "/api/v1/library")).time_zone, before, "nothing changed");

  await zone.clear();
  await zone.type(before);
  await notice.click();
  await (await browser.find("#save-library-settings")).click();
  let saved = null;
  for (let i = 0; i < 40 && !saved?.received_with_attachments_notice; i++) {
    await sleep(250);
    saved = await borrower.call("GET", "/api/v1/library");
  }
  assert.equal(saved.received_with_attachments_notice, true);
  assert.equal(saved.time_zone, before);
  assert.equal(await (await browser.find("#library-error")).text(), "");
});

test("the borrower marks the request received and sees the patron's notice sent", async () => {
  assert.deepEqual(outbox(), [], "no notice before received");
  await openRequest(browser, request.number);
  await browser.waitFor("#no-notices");
  await (await browser.find('button[data-status="received"]')).click();
  await browser.waitFor("#status", (t) => t === "Received");

  const row = '#notices tr[data-notice]';
  await browser.waitFor(`${row} td.state`, (t) => t === "Sent");
  assert.equal(await (await browser.find(`${row} td.kind`)).text(), "Received with Attachments");
  assert.equal(await (await browser.find(`${row} td.recipient`)).text(), "pat@example.org");
  assert.equal(await (await browser.find(`${row} td.attempts`)).text(), "1");
  assert.equal(await (await browser.find(`${row} td.last-error`)).text(), "");
  assert.notEqual(await (await browser.find(`${row} td.sent-at`)).text(), "");
  assert.deepEqual(await browser.findAll(`${row} button.retry`), [], "nothing to retry");

  const mails = outbox();
  assert.equal(mails.length, 1, "one .eml in the app's data folder");
  assert.match(mails[0], /^To: .*pat@example\.org/m);
  assert.ok(mails[0].includes(request.number), "the mail names the request");
});

test("the lender e-mails a document URL from Uploaded Files and sees it listed", async () => {
  await signOut(browser);
  await signIn(browser, "lender");
  await openRequest(browser, request.number);
  const patron = await browser.waitFor('#notices tr[data-notice] td.recipient');
  assert.equal(await patron.text(), "the patron");

  await (await browser.find("#uploaded-files button.send-url")).click();
  const row = '#notices tr[data-notice]:nth-child(2)';
  await browser.waitFor(`${row} td.kind`, (t) => t === "Document URL");
  assert.equal(await (await browser.find(`${row} td.recipient`)).text(), "ill@bayview.example.org");
  await browser.waitFor(`${row} td.state`, (t) => t === "Sent");
  assert.equal(outbox().length, 2);
});
