// Courier Desktop without its server: signed in to a shared server that the
// test runs itself, the app keeps answering from its cache when that server
// stops, queues the status changes made meanwhile, and sends each exactly
// once when the server is back on the same port and data folder; a queued
// change the server refuses is reported in the app and on the session bus,
// and never sent again.

import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { after, before, test } from "node:test";

import {
  SharedServer, Staff, notificationsSeen, openRequest, signIn, startApp, waitForNotification,
} from "./harness.mjs";

const EMBEDDED_PORT = 18500;
let dataDir;
let server;
let app;
let browser;
let lender;
let borrower;
let toReceive;
let toCancel;

before(async () => {
  dataDir = await SharedServer.demo();
  server = await SharedServer.start(dataDir);
  lender = await Staff.signIn(server.base, "lender");
  borrower = await Staff.signIn(server.base, "borrower");
  const stamp = Date.now();
  toReceive = await borrower.askForCopy(lender.staff.library.symbol, `E2E offline receive ${stamp}`);
  await lender.move(toReceive.id, "shipped");
  toCancel = await borrower.askForCopy(lender.staff.library.symbol, `E2E offline cancel ${stamp}`);

  app = await startApp({ port: EMBEDDED_PORT, driverPort: 16444 });
  browser = app.browser;
});

after(async () => {
  await app?.stop();
  await server?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** Stops the shared server and waits for the app's offline mark. */
async function goOffline() {
  await server.stop();
  await browser.waitFor("#offline-mark", (t) => t.startsWith("Offline"));
}

/** Starts the shared server again on its port and data folder, and waits for
 * the app to see it. */
async function comeBack() {
  server = await SharedServer.start(dataDir, server.port);
  await browser.waitForNone("#offline-mark");
}

/** Opens one Request Manager list and waits until its rows are drawn. */
async function showList(id, present, absent) {
  await browser.run(`location.hash = "#/requests"`);
  // WebDriver's clear fires no input event: the screen would go on searching.
  await (await browser.waitFor("#search")).clear();
  await browser.run(`document.querySelector("#search").dispatchEvent(new Event("input"))`);
  await (await browser.waitFor(`#list-${id}`)).click();
  await browser.waitFor(`#list-${id}.active`);
  if (present) await browser.waitFor(`tr[data-number="${present}"]`);
  if (absent) await browser.waitForNone(`tr[data-number="${absent}"]`);
}

test("staff choose a shared server in Settings and sign in to it", async () => {
  await browser.run(`location.hash = "#/settings"`);
  await (await browser.waitFor("#mode-remote")).click();
  const remote = await browser.find("#remote-url");
  await remote.clear();
  await remote.type(server.base);
  await (await browser.find("#save-settings")).click();
  await browser.waitFor(".toast", (t) => t.includes("Settings saved"));

  await browser.run(`location.hash = "#/requests"`);
  await signIn(browser, "borrower");
  await showList("borrower-shipped", toReceive.number);
});

test("offline, the lists, search and Full Request Details answer from the cache", async () => {
  await goOffline();

  await showList("borrower-pending", toCancel.number, toReceive.number);
  assert.match(await (await browser.find("#list-state")).text(), /offline: from the saved copy/);
  await showList("borrower-shipped", toReceive.number, toCancel.number);
  assert.match(await (await browser.find("#list-state")).text(), /offline: from the saved copy/);

  const search = await browser.find("#search");
  await search.type("E2E offline cancel");
  await browser.waitFor("#list-state", (t) => t.startsWith("1 request found in all lists (offline"));
  assert.equal((await browser.findAll("#brief-list tbody tr")).length, 1);
  await browser.waitFor(`tr[data-number="${toCancel.number}"]`);

  await openRequest(browser, toReceive.number);
  await browser.waitFor("#details .banner", (t) => t === "Offline: these details are the saved copy.");
  assert.equal(await (await browser.find("#details h1")).text(), toReceive.title);
  assert.equal(await (await browser.find("#status")).text(), "Shipped");
  assert.ok((await (await browser.find("#details .history")).text()).includes("Pending \u2192 Shipped"));
});

test("a change made offline waits, then reaches the server exactly once when it is back", async () => {
  await openRequest(browser, toReceive.number);
  await (await browser.waitFor('button[data-status="received"]')).click();
  await browser.waitFor('#details p[data-outbox="queued"]', (t) => t === "Move to Received waiting for the server");
  await browser.waitFor("#offline-mark", (t) => t.includes("1 change waiting"));
  assert.equal(await (await browser.find("#status")).text(), "Shipped");
  await showList("borrower-shipped", toReceive.number);
  assert.match(await (await browser.find(`tr[data-number="${toReceive.number}"]`)).text(), /Shipped \u2192 Received \(waiting\)/);

  await openRequest(browser, toReceive.number);
  await comeBack();
  // Full Request Details redraw themselves when the server is back.
  await browser.waitFor("#status", (t) => t === "Received");
  await browser.waitForNone("#details p[data-outbox]");
  await browser.waitForNone("#details .banner");

  const request = await borrower.request(toReceive.id);
  assert.equal(request.status, "received");
  const moves = request.history.filter((e) => e.to === "received");
  assert.equal(moves.length, 1, "one move to Received in the history");
  assert.equal(moves[0].from, "shipped");
  assert.equal(moves[0].by_staff, "borrower");
  assert.equal(server.entries("status moved", toReceive.id).length, 1, "sent once");
});

test("a queued change the server refuses is reported in the app and on the bus, and not retried", async () => {
  await goOffline();
  await openRequest(browser, toCancel.number);
  await (await browser.waitFor('button[data-status="cancelled"]')).click();
  await browser.waitFor('#details p[data-outbox="queued"]', (t) => t === "Move to Cancelled waiting for the server");

  // Meanwhile the lender ships it, on the same data folder but a port the
  // app does not know, so that the app stays offline.
  const aside = await SharedServer.start(dataDir);
  await new Staff(aside.base, lender.token).move(toCancel.id, "shipped");
  await aside.stop();
  assert.ok(await browser.find("#offline-mark"), "still offline");

  await comeBack();
  await waitForNotification(`Change refused: ${toCancel.number}`);
  const refused = await browser.waitFor('#details p[data-outbox="refused"]');
  assert.match(await refused.text(), /^Move to Cancelled refused: .*shipped.*cancelled/);
  await browser.waitFor("#status", (t) => t === "Shipped");

  // Each list load syncs first, and a sync sends whatever is queued: three
  // syncs later the refused change has still not gone out again.
  for (let i = 0; i < 3; i++) {
    await showList("borrower-pending", null, toCancel.number);
    await showList("borrower-shipped", toCancel.number);
  }
  assert.equal(server.entries("status move refused", toCancel.id).length, 1, "tried once");
  const shown = notificationsSeen().split(`Change refused: ${toCancel.number}`).length - 1;
  assert.equal(shown, 1, "one notification");
  const request = await borrower.request(toCancel.id);
  assert.equal(request.status, "shipped");
  assert.deepEqual(request.history.filter((e) => e.to === "cancelled"), []);
});
