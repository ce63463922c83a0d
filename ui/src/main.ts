// The main window: sign-in, the Request Manager, Full Request Details and
// Settings, chosen by the address's hash.

import { listen } from "@tauri-apps/api/event";

import { api, loadLabels } from "./api";
import type { SignedIn } from "./bindings/SignedIn";
import type { SyncState } from "./bindings/SyncState";
import { h, mount } from "./dom";
import { showDetails } from "./screens/details";
import { showRequests } from "./screens/requests";
import { showSettings } from "./screens/settings";
import { showSignIn } from "./screens/signin";

const top = document.getElementById("top") as HTMLElement;
const screen = document.getElementById("screen") as HTMLElement;
let session: SignedIn | null = null;
let syncState: SyncState | null = null;

export function signedIn(): SignedIn | null {
  return session;
}

export function setSession(next: SignedIn | null): void {
  session = next;
  if (next) syncState = { offline: next.offline, queued: 0, last_synced_at: null, message: null };
  drawTop();
}

export function go(hash: string): void {
  if (location.hash === hash) void route();
  else location.hash = hash;
}

function drawTop(): void {
  const offline = syncState?.offline ?? false;
  const queued = syncState?.queued ?? 0;
  mount(
    top,
    h("span", { class: "brand" }, "Courier"),
    session &&
      h(
        "nav",
        {},
        h("a", { href: "#/requests" }, "Request Manager"),
        h("a", { href: "#/settings" }, "Settings"),
      ),
    h("span", { class: "spacer" }),
    offline &&
      h(
        "span",
        { class: "offline", id: "offline-mark", title: syncState?.message ?? "" },
        "Offline: showing saved requests",
        queued > 0 ? ` \u00b7 ${queued} change${queued === 1 ? "" : "s"} waiting` : "",
      ),
    session &&
      h(
        "span",
        { class: "who", id: "who" },
        `${session.staff.username} \u00b7 ${session.staff.library.name} (${session.staff.library.symbol})`,
      ),
    session &&
      h(
        "button",
        {
          class: "link",
          id: "sign-out",
          onclick: async () => {
            await api.signOut();
            setSession(null);
            go("#/signin");
          },
        },
        "Sign out",
      ),
  );
  if (session?.keyring_warning) {
    top.append(h("div", { class: "banner warning", id: "keyring-warning" }, session.keyring_warning));
  }
}

async function route(): Promise<void> {
  const hash = location.hash || "#/requests";
  if (hash.startsWith("#/settings")) return showSettings(screen);
  if (!session) return showSignIn(screen);
  const details = /^#\/request\/(\d+)/.exec(hash);
  if (details) return showDetails(screen, Number(details[1]));
  return showRequests(screen);
}

async function start(): Promise<void> {
  await loadLabels();
  try {
    setSession(await api.resume());
  } catch (error) {
    console.warn("could not resume the session", error);
  }
  await listen<SyncState>("sync-state", (event) => {
    const changed = syncState?.offline !== event.payload.offline;
    syncState = event.payload;
    drawTop();
    if (changed) window.dispatchEvent(new Event("courier-sync"));
  });
  window.addEventListener("hashchange", () => void route());
  drawTop();
  await route();
}

void start();
