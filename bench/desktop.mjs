// Courier Desktop's start and first sync, driven through tauri-driver:
// launch to the embedded server answering /healthz, launch to the sign-in
// screen, then 10,000 requests on that server, a sign-in, the first sync and
// the app's memory after it. Prints one JSON line.
//
// usage: node bench/desktop.mjs APP (inside an X display and a D-Bus session)

import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { Browser, sleep } from "../tests/desktop/webdriver.mjs";

const APP = process.argv[2];
const REQUESTS = 10_000;
const port = 20000 + Math.floor(Math.random() * 20000);
const driverPort = port + 1;
const server = `http://127.0.0.1:${port}`;
const home = mkdtempSync(join(tmpdir(), "courier-bench-desktop-"));
const env = {
  ...process.env,
  XDG_DATA_HOME: join(home, "data"),
  XDG_CONFIG_HOME: join(home, "config"),
  COURIER_LISTEN: `127.0.0.1:${port}`,
  COURIER_SYNC_SECONDS: "1",
};

const driver = spawn(
  "tauri-driver",
  ["--port", String(driverPort), "--native-port", String(driverPort + 1), "--native-driver", "/usr/bin/WebKitWebDriver"],
  { env, stdio: ["ignore", "ignore", "inherit"] },
);
let browser;
try {
  await until(async () => (await fetch(`http://127.0.0.1:${driverPort}/status`)).ok, 10_000);

  const launched = performance.now();
  let healthz;
  const health = until(async () => (await fetch(`${server}/healthz`)).ok, 60_000, 5).then(() => {
    healthz = performance.now() - launched;
  });
  browser = await Browser.start(`http://127.0.0.1:${driverPort}`, APP);
  await until(async () => (await browser.findAll("#username")).length > 0, 60_000, 10);
  const signInShown = performance.now() - launched;
  await health;

  await createRequests();
  const name = await browser.find("#username");
  await name.clear();
  await name.type("lender");
  const password = await browser.find("#password");
  await password.clear();
  await password.type("courier-demo");
  const clicked = performance.now();
  await (await browser.find("#sign-in")).click();
  await until(() => cachedRequests() >= REQUESTS, 300_000, 100);
  const synced = performance.now() - clicked;
  await sleep(2000); // let the screen draw the synced lists
  const app = processesUnder(driver.pid).find((p) => p.exe === APP);
  const web = processesUnder(driver.pid).filter((p) => p.comm.startsWith("WebKitWebProces"));

  console.log(
    JSON.stringify({
      healthz_ms: Math.round(healthz),
      sign_in_ms: Math.round(signInShown),
      sync_ms: Math.round(synced),
      rss_mib: mib(app.pid),
      webkit_rss_mib: web.reduce((sum, p) => sum + mib(p.pid), 0),
    }),
  );
} finally {
  if (browser) await browser.quit();
  driver.kill();
  rmSync(home, { recursive: true, force: true });
}

async function until(test, timeout, every = 50) {
  const end = performance.now() + timeout;
  for (;;) {
    try {
      if (await test()) return;
    } catch {
      // not yet
    }
    if (performance.now() > end) throw new Error(`timed out after ${timeout} ms`);
    await sleep(every);
  }
}

/** 10,000 requests from the borrower to the lender, eight at a time. */
async function createRequests() {
  const session = await fetch(`${server}/api/v1/sessions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: "borrower", password: "courier-demo" }),
  }).then((r) => r.json());
  let next = 0;
  const worker = async () => {
    while (next < REQUESTS) {
      const i = next++;
      const answer = await fetch(`${server}/api/v1/requests`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${session.token}` },
        body: JSON.stringify({
          lender: "RVUL",
          kind: "copy",
          title: `Serial fiction in the provincial press, part ${i}`,
          author: "A. Reader",
          journal: "Victorian Periodicals Review",
          year: "1998",
          pages: "101-119",
          patron: { name: `Patron ${i}`, email: `patron${i}@example.org` },
        }),
      });
      if (answer.status !== 201) throw new Error(`request ${i}: ${answer.status}`);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

/** How many requests the lender's cache holds. */
function cachedRequests() {
  const dir = findDir(join(home, "data"), "cache");
  if (!dir) return 0;
  const file = readdirSync(dir).find((f) => f.startsWith("lender@") && f.endsWith(".sqlite"));
  if (!file) return 0;
  const out = execFileSync("python3", [
    "-c",
    "import sqlite3,sys; print(sqlite3.connect(f'file:{sys.argv[1]}?mode=ro', uri=True).execute('select count(*) from requests').fetchone()[0])",
    join(dir, file),
  ]);
  return Number(out.toString().trim());
}

function findDir(root, name) {
  for (const entry of readdirSync(root, { withFileTypes: true, recursive: true })) {
    if (entry.isDirectory() && entry.name === name) return join(entry.parentPath ?? entry.path, name);
  }
  return null;
}

function processesUnder(root) {
  const all = [];
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      let exe = "";
      try {
        exe = readlinkSync(`/proc/${pid}/exe`);
      } catch {}
      all.push({ pid: Number(pid), ppid, comm, exe });
    } catch {}
  }
  const under = new Set([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of all) {
      if (!under.has(p.pid) && under.has(p.ppid)) {
        under.add(p.pid);
        grew = true;
      }
    }
  }
  return all.filter((p) => p.pid !== root && under.has(p.pid));
}

function mib(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024);
}
