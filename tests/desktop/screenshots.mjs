// Takes a screenshot of every screen of Courier Desktop into docs/desktop/.
// Run with `scripts/test-desktop --screenshots`, which starts the session
// the tests use: it needs DISPLAY, the keyring and tauri-driver.

import { execFileSync } from "node:child_process";
import { join } from "node:path";

import {
  ROOT, SCAN, Staff, answerFileDialog, openRequest, press, signIn, signOut, startApp,
  waitForServer, waitForWindow,
} from "./harness.mjs";
import { sleep } from "./webdriver.mjs";

const PORT = 18480;
const BASE = `http://127.0.0.1:${PORT}`;
const shot = (name) => execFileSync("import", ["-window", "root", join(ROOT, "docs/desktop", `${name}.png`)]);

const app = await startApp({ port: PORT, driverPort: 16444 });
const b = app.browser;
try {
  await waitForServer(BASE);
  const borrower = await Staff.signIn(BASE, "borrower");
  const lender = await Staff.signIn(BASE, "lender");
  const symbol = lender.staff.library.symbol;
  const withFile = await borrower.askForCopy(symbol, "The Mill on the Floss, chapter III");
  const bare = await borrower.askForCopy(symbol, "Notes on scanning old print");

  await b.waitFor("#username");
  await sleep(500);
  shot("01-sign-in");

  await signIn(b, "lender");
  await b.waitFor("#brief-list tbody tr");
  await (await b.find("#brief-list tbody tr input.pick")).click();
  await sleep(500);
  shot("02-request-manager-lender");

  await openRequest(b, withFile.number);
  await (await b.find('button[data-status="will_supply"]')).click();
  await b.waitFor("#status", (t) => t.startsWith("Will Supply"));
  const main = await b.window();
  await (await b.find("#upload-document")).click();
  await sleep(1500);
  const upload = (await b.windows()).find((h) => h !== main);
  await b.switchTo(upload);
  await (await b.waitFor("#choose-file")).click();
  await answerFileDialog("Choose the scanned documents", SCAN);
  await b.waitFor('li[data-file="c03-29.pdf"]');
  await (await b.waitFor("#upload")).click();
  await b.waitFor(".note.ok");
  await sleep(300);
  shot("03-upload-window");
  // Xvfb has no window manager: move the Upload window out of sight.
  execFileSync("xdotool", ["search", "--name", "Upload Document", "windowmove", "%@", "1400", "0"]);
  await b.switchTo(main);
  await sleep(800);
  await b.waitFor("#uploaded-files td.access");
  shot("04-full-request-details-lender");

  await openRequest(b, bare.number);
  await (await b.find('button[data-status="shipped"]')).click();
  const dialog = await waitForWindow("Ship without an attachment?");
  await sleep(600);
  shot("05-ship-prompt");
  await press(dialog, "Escape");
  await sleep(500);

  // A document URL e-mailed to the borrowing library, for the notices below.
  await openRequest(b, withFile.number);
  await (await b.waitFor("#uploaded-files button.send-url")).click();
  await b.waitFor("#notices td.state", (t) => t === "Sent");
  await lender.move(withFile.id, "shipped");

  await signOut(b);
  await signIn(b, "borrower");
  await (await b.waitFor("#list-borrower-pending")).click();
  await sleep(1000);
  shot("06-request-manager-borrower");
  await openRequest(b, withFile.number);
  await b.waitFor("#download-warning");
  await sleep(300);
  shot("07-uploaded-files-borrower");

  await b.run(`location.hash = "#/settings"`);
  await (await b.waitFor("#received-notice")).click();
  await (await b.find("#save-library-settings")).click();
  await sleep(600);
  shot("08-settings");

  await openRequest(b, withFile.number);
  await (await b.waitFor('button[data-status="received"]')).click();
  await b.waitFor('#notices tr[data-notice]:nth-child(2) td.state', (t) => t === "Sent");
  await b.run(`document.querySelector("#notices").scrollIntoView()`);
  await sleep(4500); // until the status toast has gone
  shot("09-notices-borrower");
} finally {
  await app.stop();
}
