// Courier Desktop in a real window: the lender's day (Will Supply, the
// Upload window, the ship prompt both ways, a bulk ship with no prompt), the
// borrower's download from Uploaded Files, the token in the Secret Service
// and the notifications on the session bus.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";

import {
  SCAN, Staff, answerFileDialog, openRequest, press, signIn, signOut, startApp,
  waitForNotification, waitForServer, waitForWindow, windowsNamed,
} from "./harness.mjs";
import { sleep } from "./webdriver.mjs";

const PORT = 18470;
const BASE = `http://127.0.0.1:${PORT}`;
let app;
let browser;
let borrower;
let lenderSymbol;
const asked = {};

before(async () => {
  const started = Date.now();
  app = await startApp({ port: PORT, driverPort: 14444 });
  browser = app.browser;
  await waitForServer(BASE);
  console.log(`embedded server answered /healthz ${Date.now() - started} ms after launch`);

  const lender = await Staff.signIn(BASE, "lender");
  lenderSymbol = lender.staff.library.symbol;
  borrower = await Staff.signIn(BASE, "borrower");
  for (const title of ["E2E upload", "E2E ship prompt", "E2E bulk one", "E2E bulk two", "E2E arrives"]) {
    asked[title] = await borrower.askForCopy(lenderSymbol, `${title} ${Date.now()}`);
  }
});

after(async () => {
  await app?.stop();
});

test("the lender signs in and the token goes to the Secret Service, not to a file", async () => {
  await signIn(browser, "lender");

  const found = execFileSync("secret-tool", ["search", "--all", "service", "courier-desktop"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  }).toString();
  const secret = /secret = (\S+)/.exec(found)?.[1];
  assert.ok(secret && secret.length >= 16, `a token in the keyring: ${found}`);
  for (const file of walk(app.home)) {
    assert.ok(!readFileSync(file).includes(secret), `the token is in ${file}`);
  }
});

test("a copy request moves to Will Supply from Full Request Details", async () => {
  await openRequest(browser, asked["E2E upload"].number);
  await (await browser.find('button[data-status="will_supply"]')).click();
  await browser.waitFor("#status", (t) => t === "Will Supply / In Process");
});

test("the Upload window uploads the real scan with progress and lists its access", async () => {
  const main = await browser.window();
  await (await browser.find("#upload-document")).click();
  let handles = [];
  for (let i = 0; i < 40 && handles.length < 2; i++) {
    handles = await browser.windows();
    await sleep(250);
  }
  const upload = handles.find((h) => h !== main);
  assert.ok(upload, "the Upload window opened");
  await browser.switchTo(upload);

  const description = await browser.waitFor("#description");
  assert.match(await description.property("value"), /^E2E upload/);
  assert.equal(await (await browser.find("#max-downloads")).property("value"), "5");
  assert.equal(await (await browser.find("#expires-in-days")).property("value"), "90");
  await (await browser.find("#choose-file")).click();
  await answerFileDialog("Choose the scanned documents", SCAN);
  await browser.waitFor('li[data-file="c03-29.pdf"]');
  await (await browser.find("#upload")).click();

  const note = await browser.waitFor('li[data-file="c03-29.pdf"] .note.ok');
  assert.match(await note.text(), /uploaded · 5 downloads remaining until \d\d\/\d\d\/\d{4}/);
  const bar = await browser.find('li[data-file="c03-29.pdf"] progress');
  const size = statSync(SCAN).size;
  assert.equal(Number(await bar.property("value")), size);
  assert.equal(Number(await bar.property("max")), size);

  await browser.switchTo(main);
  const access = await browser.waitFor("#uploaded-files td.access");
  assert.match(await access.text(), /^5 downloads remaining until \d\d\/\d\d\/\d{4}$/);
});

test("shipping a copy request without attachment asks first: Cancel keeps it, OK ships", async () => {
  await openRequest(browser, asked["E2E ship prompt"].number);

  await (await browser.find('button[data-status="shipped"]')).click();
  let dialog = await waitForWindow("Ship without an attachment?");
  await press(dialog, "Escape");
  await sleep(1000);
  assert.equal(await (await browser.find("#status")).text(), "Pending");
  assert.equal((await borrower.request(asked["E2E ship prompt"].id)).status, "pending");

  await (await browser.find('button[data-status="shipped"]')).click();
  dialog = await waitForWindow("Ship without an attachment?");
  await press(dialog, "alt+o");
  await browser.waitFor("#status", (t) => t === "Shipped");
  assert.equal((await borrower.request(asked["E2E ship prompt"].id)).status, "shipped");
});

test("bulk shipping from the brief list asks nothing", async () => {
  await browser.run(`location.hash = "#/requests"`);
  await (await browser.waitFor("#list-lender-pending")).click();
  const search = await browser.waitFor("#search");
  await search.clear();
  await search.type("E2E bulk");
  for (const title of ["E2E bulk one", "E2E bulk two"]) {
    await (await browser.waitFor(`tr[data-number="${asked[title].number}"] input.pick`)).click();
  }
  const select = await browser.waitFor("#bulk-status");
  await browser.run(`const s = document.querySelector("#bulk-status"); s.value = "shipped";`);
  void select;
  await (await browser.find("#bulk-apply")).click();

  for (const title of ["E2E bulk one", "E2E bulk two"]) {
    let status = "";
    for (let i = 0; i < 40 && status !== "shipped"; i++) {
      status = (await borrower.request(asked[title].id)).status;
      await sleep(250);
    }
    assert.equal(status, "shipped", title);
  }
  assert.deepEqual(await windowsNamed("Ship without an attachment?"), [], "no ship prompt");
});

test("the lender hears that the borrower received a request", async () => {
  const { id, number } = asked["E2E bulk one"];
  await borrower.move(id, "received");
  await waitForNotification(`Received: ${number}`);
});

test("the borrower downloads from Uploaded Files and the count goes down by one", async () => {
  await signOut(browser);
  await signIn(browser, "borrower");
  await openRequest(browser, asked["E2E upload"].number);
  await browser.waitFor("#download-warning", (t) => t.includes("counts against"));
  const access = await browser.waitFor("#uploaded-files td.access");
  assert.match(await access.text(), /^5 downloads remaining/);

  const target = join(mkdtempSync(join(tmpdir(), "courier-save-")), "saved-scan.pdf");
  await (await browser.find("#uploaded-files button.download")).click();
  await answerFileDialog("Save the document", target);
  await browser.waitFor("#uploaded-files td.access", (t) => t.startsWith("4 downloads remaining"));
  for (let i = 0; i < 40 && !existsSync(target); i++) await sleep(250);
  assert.deepEqual(readFileSync(target), readFileSync(SCAN));
});

test("the borrower hears that a document arrived", async () => {
  const lender = await Staff.signIn(BASE, "lender");
  const { id, number } = asked["E2E arrives"];
  await lender.upload(id, SCAN, "Arrives");
  await waitForNotification(`Document arrived: ${number}`);
});

function* walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if (entry.isFile()) yield path;
  }
}
