// The Notices section of Full Request Details: the e-mails sent about the
// request with their state, and Retry on the ones that failed.

import { api, message } from "../api";
import type { Notice } from "../bindings/Notice";
import type { NoticeKind } from "../bindings/NoticeKind";
import type { NoticeState } from "../bindings/NoticeState";
import type { RequestView } from "../bindings/RequestView";
import { h, mount, toast, when } from "../dom";

const kinds: Record<NoticeKind, string> = {
  received_with_attachments: "Received with Attachments",
  document_url: "Document URL",
};

const states: Record<NoticeState, string> = {
  queued: "Queued",
  sent: "Sent",
  failed: "Failed",
};

export function drawNotices(section: HTMLElement, view: RequestView, reload: () => void): void {
  const notices = view.request.notices;
  mount(
    section,
    h("h2", {}, "Notices"),
    notices.length === 0
      ? h("p", { class: "muted", id: "no-notices" }, "No e-mails sent about this request.")
      : h("table", { class: "notices-list" },
          h("thead", {}, h("tr", {},
            ["Notice", "To", "Subject", "State", "Tries", "Last error", "Sent", ""].map((t) => h("th", {}, t)))),
          h("tbody", {}, notices.map((n) => noticeRow(n, view.offline, reload))),
        ),
  );
}

function noticeRow(n: Notice, offline: boolean, reload: () => void): HTMLTableRowElement {
  return h("tr", { "data-notice": n.id, class: n.state },
    h("td", { class: "kind" }, kinds[n.kind]),
    h("td", { class: "recipient" }, n.recipient),
    h("td", { class: "subject" }, n.subject),
    h("td", { class: "state" }, states[n.state]),
    h("td", { class: "attempts" }, String(n.attempts)),
    h("td", { class: "last-error" }, n.last_error ?? ""),
    h("td", { class: "sent-at" }, n.sent_at ? when(n.sent_at) : n.next_attempt_at ? `next try ${when(n.next_attempt_at)}` : ""),
    h("td", {},
      n.state === "failed" &&
        h("button", {
          class: "retry",
          disabled: offline,
          onclick: async () => {
            try {
              await api.retryNotice(n.request_id, n.id);
              toast("The notice will be sent again");
              reload();
            } catch (e) {
              toast(message(e), "error");
            }
          },
        }, "Retry"),
    ),
  );
}
