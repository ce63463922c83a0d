// A small W3C WebDriver client for tauri-driver: just the calls the tests use.

const ELEMENT = "element-6066-11e4-a52e-4f735466cecb";

export class Browser {
  constructor(base, session) {
    this.base = base;
    this.session = session;
  }

  static async start(base, application, env = {}) {
    const body = {
      capabilities: {
        alwaysMatch: { "tauri:options": { application, env } },
      },
    };
    const answer = await call("POST", `${base}/session`, body);
    return new Browser(base, answer.sessionId);
  }

  url(path) {
    return `${this.base}/session/${this.session}${path}`;
  }

  async quit() {
    await call("DELETE", this.url("")).catch(() => {});
  }

  async find(css) {
    const found = await call("POST", this.url("/element"), { using: "css selector", value: css });
    return new Element(this, elementId(found));
  }

  async findAll(css) {
    const found = await call("POST", this.url("/elements"), { using: "css selector", value: css });
    return found.map((e) => new Element(this, elementId(e)));
  }

  /** Waits until `css` matches an element (and `test` accepts its text). */
  async waitFor(css, test = () => true, timeout = 20000) {
    const until = Date.now() + timeout;
    let last = "";
    for (;;) {
      try {
        const element = await this.find(css);
        last = await element.text();
        if (test(last)) return element;
      } catch {
        // not there yet
      }
      if (Date.now() > until) throw new Error(`timed out waiting for ${css} (last text: ${last})`);
      await sleep(250);
    }
  }

  /** Waits until nothing matches `css`. */
  async waitForNone(css, timeout = 20000) {
    const until = Date.now() + timeout;
    while ((await this.findAll(css)).length > 0) {
      if (Date.now() > until) throw new Error(`timed out waiting for ${css} to go`);
      await sleep(250);
    }
  }

  async run(script, ...args) {
    return call("POST", this.url("/execute/sync"), { script, args });
  }

  async windows() {
    return call("GET", this.url("/window/handles"));
  }

  async window() {
    return call("GET", this.url("/window"));
  }

  async switchTo(handle) {
    return call("POST", this.url("/window"), { handle });
  }
}

export class Element {
  constructor(browser, id) {
    this.browser = browser;
    this.id = id;
  }

  async click() {
    return call("POST", this.browser.url(`/element/${this.id}/click`), {});
  }

  async type(text) {
    return call("POST", this.browser.url(`/element/${this.id}/value`), { text });
  }

  async clear() {
    return call("POST", this.browser.url(`/element/${this.id}/clear`), {});
  }

  async text() {
    return call("GET", this.browser.url(`/element/${this.id}/text`));
  }

  async property(name) {
    return call("GET", this.browser.url(`/element/${this.id}/property/${name}`));
  }
}

async function call(method, url, body) {
  const response = await fetch(url, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = await response.json();
  if (!response.ok) {
    throw new Error(`${method} ${url}: ${JSON.stringify(answer.value ?? answer)}`);
  }
  return answer.value;
}

/** The element reference of an answer: the W3C key, or the one key there is. */
function elementId(found) {
  return found[ELEMENT] ?? Object.values(found)[0];
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
