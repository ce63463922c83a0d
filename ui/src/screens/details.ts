// Full Request Details: citation, patron, status and its history, the
// status change (with the ship prompt, asked by the shell), Upload Document,
// the Uploaded Files panel and the request's notices.

import { listen, type UnlistenFn } from "@tauri-apps/api/event";

import { api, label, message } from "../api";
import type { Attachment } from "../bindings/Attachment";
import type { RequestView } from "../bindings/RequestView";
import type { Status } from "../bindings/Status";
import { h, mount, size, toast, when } from "../dom";
import { drawNotices } from "./notices";

/** The event listeners of the request on screen, dropped when it goes. */
const listening: UnlistenFn[] = [];
/** Redraws the request on screen when the connection changes. */
let redraw: (() => void) | null = null;

export async function showDetails(screen: HTMLElement, id: number): Promise<void> {
  for (const unlisten of listening.splice(0)) unlisten();
  if (redraw) window.removeEventListener("courier-sync", redraw);
  let view: RequestView;
  try {
    view = await api.requestDetails(id);
  } catch (e) {
    mount(screen, h("p", { class: "error" }, message(e)), h("a", { href: "#/requests" }, "Back to the Request Manager"));
    return;
  }
  const r = view.request;
  const files = h("section", { class: "card files", id: "uploaded-files" });
  const notices = h("section", { class: "card notices", id: "notices" });
  const reload = () => void showDetails(screen, id);

  mount(
    screen,
    h("div", { class: "details", id: "details", "data-number": r.number },
      h("a", { href: "#/requests", class: "back" }, "\u2190 Request Manager"),
      h("h1", {}, r.title),
      h("p", { class: "muted" }, `${r.number} \u00b7 ${r.kind === "copy" ? "Copy (non-returnable)" : "Loan (returnable)"} \u00b7 ${r.role === "lender" ? "we lend to" : "we borrow from"} ${r.role === "lender" ? r.borrower.name : r.lender.name}`),
      view.offline && h("p", { class: "banner warning" }, "Offline: these details are the saved copy."),
      h("div", { class: "columns" },
        h("section", { class: "card" },
          h("h2", {}, "Citation"),
          facts([
            ["Title", r.title],
            ["Author", r.author],
            ["Journal", r.journal],
            ["Volume", r.volume],
            ["Issue", r.issue],
            ["Year", r.year],
            ["Pages", r.pages],
          ]),
          r.patron && h("h2", {}, "Patron"),
          r.patron && facts([["Name", r.patron.name], ["E-mail", r.patron.email]]),
        ),
        h("section", { class: "card" },
          h("h2", {}, "Status"),
          h("p", { class: "status", id: "status" }, label(r.status)),
          statusButtons(view, reload),
          view.outbox.map((e) =>
            h("p", { class: e.state === "refused" ? "error" : "queued", "data-outbox": e.state },
              e.state === "refused"
                ? `Move to ${label(e.status)} refused: ${e.error ?? ""}`
                : `Move to ${label(e.status)} waiting for the server`),
          ),
          h("h3", {}, "History"),
          h("table", { class: "history" },
            h("tbody", {}, r.history.map((e) =>
              h("tr", {},
                h("td", {}, when(e.at)),
                h("td", {}, e.from ? `${label(e.from)} \u2192 ${label(e.to)}` : `Created as ${label(e.to)}`),
                h("td", { class: "muted" }, `${e.by_staff} (${e.by_library})`),
              ))),
          ),
        ),
      ),
      files,
      notices,
    ),
  );
  drawFiles(files, view, reload);
  drawNotices(notices, view, reload);

  const here = () => location.hash === `#/request/${id}`;
  listening.push(
    await listen<number>("attachments-changed", (event) => {
      if (event.payload === id && here()) reload();
    }),
    // A sync brought news of this request: redraw its notices, whose state
    // the server's mail worker moves on by itself.
    await listen<number[]>("requests-changed", async (event) => {
      if (!event.payload.includes(id) || !here()) return;
      try {
        drawNotices(notices, await api.requestDetails(id), reload);
      } catch (e) {
        console.warn("could not redraw the notices", e);
      }
    }),
  );
  // The server is back or gone: changes that waited were sent or refused
  // meanwhile, and the offline banner comes or goes.
  redraw = () => {
    if (here()) reload();
  };
  window.addEventListener("courier-sync", redraw, { once: true });
  window.addEventListener("hashchange", () => {
    listening.splice(0).forEach((unlisten) => unlisten());
    if (redraw) window.removeEventListener("courier-sync", redraw);
  }, { once: true });
}

function facts(rows: [string, string | null | undefined][]): HTMLElement {
  return h("dl", {}, rows.filter(([, v]) => v).flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
}

function statusButtons(view: RequestView, reload: () => void): HTMLElement {
  const r = view.request;
  if (r.next_statuses.length === 0) return h("p", { class: "muted" }, "No further moves for you.");
  return h("div", { class: "moves" },
    r.next_statuses.map((status: Status) =>
      h("button", {
        class: status === "shipped" || status === "received" ? "primary" : "",
        "data-status": status,
        onclick: async () => {
          try {
            const result = await api.changeStatus(r.id, status);
            if (result.outcome === "refused") toast(result.reason, "error");
            else if (result.outcome === "queued") toast(`${result.number}: waiting for the server`);
            else if (result.outcome === "kept") toast(`${result.number} was not changed`);
            else toast(`${result.number}: ${label(status)}`);
            reload();
          } catch (e) {
            toast(message(e), "error");
          }
        },
      }, label(status)),
    ),
  );
}

function drawFiles(panel: HTMLElement, view: RequestView, reload: () => void): void {
  const r = view.request;
  const live = r.attachments.filter((a) => !a.withdrawn_at);
  const borrower = r.role === "borrower";
  mount(
    panel,
    h("div", { class: "panel-head" },
      h("h2", {}, "Uploaded Files"),
      view.accepts_uploads &&
        h("button", {
          id: "upload-document",
          class: "primary",
          onclick: () => void api.openUploadWindow(r.id, r.number).catch((e) => toast(message(e), "error")),
        }, "Upload Document"),
    ),
    borrower && live.length > 0 &&
      h("p", { class: "banner warning", id: "download-warning" },
        "Each download counts against the document's download limit, the same limit the patron's downloads use."),
    live.length === 0
      ? h("p", { class: "muted", id: "no-files" }, "No documents attached.")
      : h("table", { class: "attachments" },
          h("thead", {}, h("tr", {},
            ["Description", "File", "Size", "Pages", "SHA-256", "Uploaded", "Access", ""].map((t) => h("th", {}, t)))),
          h("tbody", {}, live.map((a) => attachmentRow(a, borrower, view.offline, reload))),
        ),
  );
}

function attachmentRow(a: Attachment, borrower: boolean, offline: boolean, reload: () => void): HTMLTableRowElement {
  return h("tr", { "data-attachment": a.id },
    h("td", {}, a.description),
    h("td", {}, a.filename),
    h("td", {}, size(a.size)),
    h("td", {}, a.pages === null ? "" : String(a.pages)),
    h("td", { class: "hash", title: a.sha256 }, `${a.sha256.slice(0, 12)}\u2026`),
    h("td", {}, when(a.uploaded_at)),
    h("td", { class: "access" }, a.access_text),
    h("td", { class: "actions" },
      borrower &&
        h("button", {
          class: "download",
          disabled: !a.downloadable,
          onclick: async () => {
            try {
              const saved = await api.downloadAttachment(a.request_id, a.id, a.filename);
              if (saved) {
                toast(`Saved to ${saved}`);
                reload();
              }
            } catch (e) {
              toast(message(e), "error");
            }
          },
        }, "Download"),
      h("button", {
        class: "copy-url",
        onclick: async () => {
          try {
            await api.copyDocumentUrl(a.document_url);
            toast("Document URL copied");
          } catch (e) {
            toast(message(e), "error");
          }
        },
      }, "Copy document URL"),
      !borrower &&
        h("button", {
          class: "send-url",
          disabled: offline,
          title: "E-mail the document URL to the borrowing library's ILL address",
          onclick: async () => {
            try {
              const notice = await api.sendDocumentUrl(a.request_id, a.id);
              toast(notice.state === "sent"
                ? `Document URL e-mailed to ${notice.recipient}`
                : `Document URL e-mail to ${notice.recipient} is queued`);
              reload();
            } catch (e) {
              toast(message(e), "error");
            }
          },
        }, "Send document URL"),
    ),
  );
}
