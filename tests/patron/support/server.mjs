// Starts a Courier server of its own for a test file: a fresh data folder
// filled with the demo, a free port on loopback, and a staff API client.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

const serverBin =
  process.env.COURIER_SERVER_BIN ?? path.join(repoRoot, 'target/debug/courier-server');

const STARTUP_MS = 30_000;

/** A port on 127.0.0.1 that nothing listens on right now. */
async function freePort() {
  const probe = net.createServer();
  await new Promise((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', resolve);
  });
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitUntilHealthy(url, child, log) {
  const deadline = Date.now() + STARTUP_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`courier-server exited with ${child.exitCode}:\n${log()}`);
    }
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await sleep(100);
  }
  throw new Error(`courier-server did not answer /healthz within ${STARTUP_MS} ms:\n${log()}`);
}

/**
 * Fills a temporary data folder with the demo, starts the server on it and
 * waits until `/healthz` answers. Call `stop()` when done.
 */
export async function startCourier() {
  if (!fs.existsSync(serverBin)) {
    throw new Error(`${serverBin} is missing: run \`cargo build -p courier-server\` first`);
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'courier-patron-'));
  const demo = spawnSync(serverBin, ['demo', '--data-dir', dataDir], { encoding: 'utf8' });
  if (demo.status !== 0) {
    throw new Error(`courier-server demo failed:\n${demo.stdout}${demo.stderr}`);
  }

  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const output = [];
  const child = spawn(
    serverBin,
    ['--data-dir', dataDir, '--listen', `127.0.0.1:${port}`, '--public-url', url],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } },
  );
  child.stdout.on('data', (chunk) => output.push(chunk));
  child.stderr.on('data', (chunk) => output.push(chunk));
  const log = () => Buffer.concat(output).toString('utf8').slice(-4000);
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  try {
    await waitUntilHealthy(url, child, log);
  } catch (error) {
    child.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }

  const stop = async () => {
    process.removeListener('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  };

  return { url, dataDir, stop, log, api: new StaffApi(url) };
}

/** The parts of the staff API the patron tests set things up with. */
export class StaffApi {
  constructor(url) {
    this.url = url;
    this.tokens = new Map();
  }

  async signIn(username) {
    if (!this.tokens.has(username)) {
      const response = await fetch(`${this.url}/api/v1/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password: 'courier-demo' }),
      });
      const body = await expectJson(response, 201, 'sign in');
      this.tokens.set(username, body.token);
    }
    return this.tokens.get(username);
  }

  async call(username, method, apiPath, { json, form, expect = 200 } = {}) {
    const headers = { authorization: `Bearer ${await this.signIn(username)}` };
    let body;
    if (json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(json);
    } else if (form !== undefined) {
      body = form;
    }
    const response = await fetch(`${this.url}/api/v1${apiPath}`, { method, headers, body });
    return expectJson(response, expect, `${method} ${apiPath}`);
  }

  /** The request as the borrowing library's staff see it. */
  request(id) {
    return this.call('borrower', 'GET', `/requests/${id}`);
  }

  /** The "Uploaded Files" list of a request. */
  attachments(requestId) {
    return this.call('borrower', 'GET', `/requests/${requestId}/attachments`);
  }

  async attachment(requestId, filename) {
    const found = (await this.attachments(requestId)).find((a) => a.filename === filename);
    if (!found) throw new Error(`request ${requestId} has no attachment ${filename}`);
    return found;
  }

  /** The lender uploads `file` (a path) to a request. */
  upload(
    requestId,
    file,
    { filename = path.basename(file), description, maxDownloads, expiresInDays } = {},
  ) {
    const form = new FormData();
    form.append('file', new Blob([fs.readFileSync(file)], { type: 'application/pdf' }), filename);
    if (description !== undefined) form.append('description', description);
    if (maxDownloads !== undefined) form.append('max_downloads', String(maxDownloads));
    if (expiresInDays !== undefined) form.append('expires_in_days', String(expiresInDays));
    return this.call('lender', 'POST', `/requests/${requestId}/attachments`, { form, expect: 201 });
  }
}

async function expectJson(response, status, what) {
  const text = await response.text();
  if (response.status !== status) {
    throw new Error(`${what}: expected ${status}, got ${response.status}: ${text}`);
  }
  return text ? JSON.parse(text) : null;
}
