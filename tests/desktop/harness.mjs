// What the desktop tests share: starting the app through tauri-driver in a
// home of its own, a shared server the tests can stop and start again, the
// native dialogs (driven with xdotool), files dropped on the Upload window,
// the staff API (for the other library's side), and the notifications seen
// on the D-Bus session.

import { execFile, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";

import { Browser, sleep } from "./webdriver.mjs";

const run = promisify(execFile);
export const ROOT = resolve(import.meta.dirname, "../..");
export const APP = join(ROOT, "target/debug/courier-desktop");
export const SERVER = join(ROOT, "target/debug/courier-server");
export const SCAN = join(ROOT, "tests/desktop/fixtures/c03-29.pdf");
export const PASSWORD = "courier-demo";

/** Starts the app in a fresh home, with its embedded server on `port`. */
export async function startApp({ port, driverPort, settings }) {
  const home = mkdtempSync(join(tmpdir(), "courier-desktop-"));
  const env = {
    ...process.env,
    XDG_DATA_HOME: join(home, "data"),
    XDG_CONFIG_HOME: join(home, "config"),
    COURIER_LISTEN: `127.0.0.1:${port}`,
    COURIER_SYNC_SECONDS: "1",
  };
  if (settings) {
    const dir = join(home, "config", "org.courier.desktop");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "settings.json"), JSON.stringify(settings));
  }
  const driver = spawn(
    "tauri-driver",
    ["--port", String(driverPort), "--native-port", String(driverPort + 1), "--native-driver", "/usr/bin/WebKitWebDriver"],
    { env, stdio: ["ignore", "inherit", "inherit"] },
  );
  await waitForPort(driverPort);
  const browser = await Browser.start(`http://127.0.0.1:${driverPort}`, APP);
  return {
    browser,
    home,
    async stop() {
      await browser.quit();
      driver.kill();
    },
  };
}

async function waitForPort(port) {
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(`http://127.0.0.1:${port}/status`);
      return;
    } catch {
      await sleep(100);
    }
  }
  throw new Error(`nothing listens on ${port}`);
}

/** Signs in through the sign-in screen. */
export async function signIn(browser, username) {
  const name = await browser.waitFor("#username");
  await name.clear();
  await name.type(username);
  const password = await browser.find("#password");
  await password.clear();
  await password.type(PASSWORD);
  await (await browser.find("#sign-in")).click();
  await browser.waitFor("#who", (t) => t.startsWith(username));
}

export async function signOut(browser) {
  await (await browser.find("#sign-out")).click();
  await browser.waitFor("#username");
}

/** Opens Full Request Details of the request with `number`. */
export async function openRequest(browser, number) {
  await browser.run(`location.hash = "#/requests"`);
  const search = await browser.waitFor("#search");
  await search.clear();
  await search.type(number);
  // The list redraws itself when a sync lands, which can replace the link
  // between finding it and clicking it: find it again then.
  for (let tries = 1; ; tries++) {
    const link = await browser.waitFor(`tr[data-number="${number}"] a.number`);
    try {
      await link.click();
      break;
    } catch (error) {
      if (tries >= 5 || !String(error).includes("stale element")) throw error;
    }
  }
  await browser.waitFor(`#details[data-number="${number}"]`);
}

// ---- native windows ------------------------------------------------------

/** The X window ids whose title matches `name`. */
export async function windowsNamed(name) {
  try {
    const { stdout } = await run("xdotool", ["search", "--name", name]);
    return stdout.split("\n").filter(Boolean);
  } catch {
    return [];
  }
}

export async function waitForWindow(name, timeout = 15000) {
  const until = Date.now() + timeout;
  for (;;) {
    const found = await windowsNamed(name);
    if (found.length) return found[0];
    if (Date.now() > until) throw new Error(`no window named ${name}`);
    await sleep(200);
  }
}

/** Presses keys in a native window, after focusing it. */
export async function press(window, ...keys) {
  await run("xdotool", ["windowactivate", "--sync", window]).catch(() => {});
  await run("xdotool", ["windowfocus", "--sync", window]).catch(() => {});
  await sleep(300);
  await run("xdotool", ["key", "--clearmodifiers", ...keys]);
}

/** Types into a native window. */
export async function typeInto(window, text) {
  await run("xdotool", ["windowfocus", "--sync", window]).catch(() => {});
  await run("xdotool", ["type", "--delay", "20", text]);
}

/** Answers a GTK file dialog with `path`. */
export async function answerFileDialog(title, path) {
  const dialog = await waitForWindow(title);
  await sleep(800);
  await press(dialog, "ctrl+l");
  await sleep(300);
  await press(dialog, "ctrl+a");
  await sleep(200);
  await typeInto(dialog, path);
  await sleep(300);
  await press(dialog, "Return");
}

// ---- the other library, through the staff API ---------------------------

export class Staff {
  constructor(base, token) {
    this.base = base;
    this.token = token;
  }

  static async signIn(base, username) {
    const answer = await fetch(`${base}/api/v1/sessions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username, password: PASSWORD }),
    });
    if (answer.status !== 201) throw new Error(`sign in as ${username}: ${answer.status}`);
    const session = await answer.json();
    return Object.assign(new Staff(base, session.token), { staff: session.staff });
  }

  async call(method, path, body, headers = {}) {
    const answer = await fetch(`${this.base}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...headers, ...(body && !(body instanceof FormData) ? { "content-type": "application/json" } : {}) },
      body: body instanceof FormData ? body : body && JSON.stringify(body),
    });
    const text = await answer.text();
    if (!answer.ok) throw new Error(`${method} ${path}: ${answer.status} ${text}`);
    return text ? JSON.parse(text) : null;
  }

  /** The borrower asks `lender` (a symbol) for a copy. */
  async askForCopy(lender, title) {
    return this.call("POST", "/api/v1/requests", {
      lender,
      kind: "copy",
      title,
      author: "E. Tester",
      journal: "Journal of End-to-End Tests",
      year: "2026",
      pages: "1-10",
      patron: { name: "Pat Patron", email: "pat@example.org" },
    });
  }

  async move(id, status) {
    return this.call("POST", `/api/v1/requests/${id}/status`, { status }, { "idempotency-key": `e2e-${id}-${status}-${Date.now()}` });
  }

  async upload(id, path, description) {
    const form = new FormData();
    form.append("description", description);
    form.append("max_downloads", "5");
    form.append("expires_in_days", "90");
    form.append("file", new Blob([readFileSync(path)]), path.split("/").pop());
    return this.call("POST", `/api/v1/requests/${id}/attachments`, form);
  }

  async request(id) {
    return this.call("GET", `/api/v1/requests/${id}`);
  }
}

export async function waitForServer(base, timeout = 20000) {
  const until = Date.now() + timeout;
  for (;;) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) return;
    } catch {
      // starting
    }
    if (Date.now() > until) throw new Error(`${base} did not answer /healthz`);
    await sleep(200);
  }
}

// ---- notifications --------------------------------------------------------

/** The summaries of notifications sent on the session bus, as seen by the
 * listener that scripts/test-desktop starts (COURIER_NOTIFY_LOG). */
export function notificationsSeen() {
  const log = process.env.COURIER_NOTIFY_LOG;
  if (!log) return "";
  try {
    return readFileSync(log, "utf8");
  } catch {
    return "";
  }
}

export async function waitForNotification(text, timeout = 20000) {
  const until = Date.now() + timeout;
  while (!notificationsSeen().includes(text)) {
    if (Date.now() > until) throw new Error(`no notification with ${JSON.stringify(text)}`);
    await sleep(250);
  }
}

// ---- a shared server -------------------------------------------------------

/** A `courier-server` process of the test's own, on loopback, with the demo
 * data in `dataDir`. Its log lines (JSON) are kept, one list per run. */
export class SharedServer {
  constructor(child, address, log) {
    this.child = child;
    this.address = address;
    this.base = `http://${address}`;
    this.port = Number(address.split(":").pop());
    this.log = log;
    this.exited = new Promise((resolve) => child.once("exit", resolve));
  }

  /** Writes the demo data to a new folder. */
  static async demo() {
    const dataDir = mkdtempSync(join(tmpdir(), "courier-shared-"));
    await run(SERVER, ["demo", "--data-dir", dataDir]);
    return dataDir;
  }

  /** Starts the server on `port` (0 for any free one); resolves once it listens. */
  static async start(dataDir, port = 0) {
    const child = spawn(
      SERVER,
      ["--data-dir", dataDir, "--listen", `127.0.0.1:${port}`, "--log-format", "json"],
      { env: { ...process.env, RUST_LOG: "info,courier_server=debug,tower_http=warn" }, stdio: ["ignore", "pipe", "pipe"] },
    );
    const log = [];
    lines(child.stderr, (line) => log.push(line));
    const address = await new Promise((resolve, reject) => {
      lines(child.stdout, (line) => {
        const found = /listening on http:\/\/(\S+)/.exec(line);
        if (found) resolve(found[1]);
      });
      child.once("exit", (code) => reject(new Error(`courier-server exited (${code}): ${log.join("\n")}`)));
    });
    const server = new SharedServer(child, address, log);
    await waitForServer(server.base);
    return server;
  }

  /** Stops the server and waits until it has exited and its port is closed. */
  async stop() {
    this.child.kill("SIGTERM");
    const stopped = await Promise.race([this.exited.then(() => true), sleep(10000).then(() => false)]);
    if (!stopped) {
      this.child.kill("SIGKILL");
      await this.exited;
    }
  }

  /** The log entries whose message is `message`, for request `id`. */
  entries(message, id) {
    return this.log
      .map((line) => {
        try {
          return JSON.parse(line);
        } catch {
          return null;
        }
      })
      .filter((e) => e?.fields?.message === message && Number(e?.span?.request_id) === id);
  }
}

function lines(stream, each) {
  let rest = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk) => {
    const parts = (rest + chunk).split("\n");
    rest = parts.pop();
    parts.forEach(each);
  });
}

// ---- files dropped on the Upload window ------------------------------------

/** Delivers one of Tauri's drag-and-drop events (`tauri://drag-enter`,
 * `-over`, `-drop`, `-leave`) to the page of the current window, through the
 * function the shell itself calls when the window system reports a drop:
 * Tauri 2 injects it into every page, with the page's listeners by event. No
 * IPC is involved, so no permission is needed. Returns how many listeners got
 * the event. */
export async function deliverDragEvent(browser, event, payload) {
  return browser.run(
    `const [event, payload] = arguments;
     const deliver = window.__internal_unstable_listeners_function_id__;
     const byEvent = window.__internal_unstable_listeners_object_id__ || {};
     if (typeof deliver !== "function") throw new Error("no event delivery function in this page");
     const ids = Object.getOwnPropertyNames(byEvent[event] || {}).map(Number);
     deliver({ event, payload }, ids);
     return ids.length;`,
    event,
    payload,
  );
}

/** Drags `paths` over the current window and drops them, as the window
 * system would: enter, over, drop. */
export async function dropFiles(browser, paths, position = { x: 120, y: 160 }) {
  await deliverDragEvent(browser, "tauri://drag-enter", { paths, position });
  await deliverDragEvent(browser, "tauri://drag-over", { position });
  return deliverDragEvent(browser, "tauri://drag-drop", { paths, position });
}
