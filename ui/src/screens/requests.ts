// The Request Manager: the lender's and the borrower's lists, search, and the
// brief list from which one or many requests change status at once (without
// the ship prompt, which belongs to Full Request Details).

import { api, label, message } from "../api";
import type { RequestRow } from "../bindings/RequestRow";
import type { Role } from "../bindings/Role";
import type { Status } from "../bindings/Status";
import { h, mount, toast } from "../dom";

interface List {
  id: string;
  role: Role;
  title: string;
  statuses: Status[];
}

const LISTS: List[] = [
  { id: "lender-pending", role: "lender", title: "Pending", statuses: ["pending"] },
  { id: "lender-will-supply", role: "lender", title: "Will Supply / In Process", statuses: ["will_supply"] },
  { id: "lender-shipped", role: "lender", title: "Shipped", statuses: ["shipped"] },
  { id: "borrower-pending", role: "borrower", title: "Pending", statuses: ["pending", "will_supply"] },
  { id: "borrower-shipped", role: "borrower", title: "Shipped to us", statuses: ["shipped"] },
  { id: "borrower-received", role: "borrower", title: "Received", statuses: ["received", "returned"] },
];

let current: List = LISTS[0];
let search = "";

export async function showRequests(screen: HTMLElement): Promise<void> {
  const chosen = new Set<number>();
  const tabs = h("nav", { class: "lists" });
  const table = h("tbody");
  const bulk = h("div", { class: "bulk", id: "bulk" });
  const state = h("p", { class: "muted", id: "list-state" });
  const searchBox = h("input", {
    id: "search",
    type: "search",
    placeholder: "Search by number, title or patron",
    value: search,
    oninput: () => {
      search = searchBox.value;
      void load();
    },
  });

  const drawTabs = () => {
    mount(
      tabs,
      h("span", { class: "group" }, "Lending"),
      LISTS.filter((l) => l.role === "lender").map(tab),
      h("span", { class: "group" }, "Borrowing"),
      LISTS.filter((l) => l.role === "borrower").map(tab),
    );
  };
  const tab = (list: List) =>
    h(
      "button",
      {
        class: list === current ? "tab active" : "tab",
        id: `list-${list.id}`,
        onclick: () => {
          current = list;
          chosen.clear();
          drawTabs();
          void load();
        },
      },
      list.title,
    );

  let rows: RequestRow[] = [];
  const drawBulk = () => {
    const picked = rows.filter((r) => chosen.has(r.request.id));
    if (picked.length === 0) {
      mount(bulk, h("span", { class: "muted" }, "Tick requests to change their status together."));
      return;
    }
    const common = picked
      .map((r) => r.next_statuses)
      .reduce((a, b) => a.filter((s) => b.includes(s)));
    const select = h(
      "select",
      { id: "bulk-status" },
      common.map((s) => h("option", { value: s }, label(s))),
    );
    mount(
      bulk,
      h("span", {}, `${picked.length} selected: move to `),
      common.length ? select : h("em", {}, "no status they can all move to"),
      h(
        "button",
        {
          id: "bulk-apply",
          class: "primary",
          disabled: common.length === 0,
          onclick: async () => {
            try {
              const results = await api.changeStatuses([...chosen], select.value as Status);
              for (const r of results) {
                if (r.outcome === "refused") toast(`${r.number}: ${r.reason}`, "error");
              }
              const queued = results.filter((r) => r.outcome === "queued").length;
              const sent = results.filter((r) => r.outcome === "sent").length;
              toast(queued ? `${queued} queued until the server is back` : `${sent} changed`);
              chosen.clear();
              await load();
            } catch (e) {
              toast(message(e), "error");
            }
          },
        },
        "Apply",
      ),
    );
  };

  const load = async () => {
    try {
      // A search looks through every list, lending and borrowing.
      const searching = search.trim() !== "";
      const list = searching
        ? await api.listRequests(null, [], search)
        : await api.listRequests(current.role, current.statuses, search);
      rows = list.requests;
      const count = `${rows.length} request${rows.length === 1 ? "" : "s"}`;
      state.textContent = `${count}${searching ? " found in all lists" : ""}${list.offline ? " (offline: from the saved copy)" : ""}`;
      mount(table, rows.map((row) => line(row, chosen, drawBulk)));
      drawBulk();
    } catch (e) {
      state.textContent = message(e);
    }
  };

  drawTabs();
  const borrowing = current.role === "borrower";
  mount(
    screen,
    h("div", { class: "manager" },
      tabs,
      h("section", { class: "list" },
        h("div", { class: "toolbar" }, searchBox, state),
        h("table", { class: "brief", id: "brief-list" },
          h("thead", {}, h("tr", {},
            h("th", {}, ""),
            h("th", {}, "Number"),
            h("th", {}, "Title"),
            h("th", {}, borrowing ? "Patron" : "Borrower"),
            h("th", {}, borrowing ? "Lender" : "Kind"),
            h("th", {}, "Status"),
            h("th", {}, "Files"),
          )),
          table,
        ),
        bulk,
      ),
    ),
  );
  const refresh = () => void load();
  window.addEventListener("courier-sync", refresh, { once: true });
  await load();
}

function line(row: RequestRow, chosen: Set<number>, changed: () => void): HTMLTableRowElement {
  const r = row.request;
  const open = () => (location.hash = `#/request/${r.id}`);
  return h("tr", { "data-number": r.number },
    h("td", {}, h("input", {
      type: "checkbox",
      class: "pick",
      "aria-label": `select ${r.number}`,
      checked: chosen.has(r.id),
      onchange: (e: Event) => {
        if ((e.target as HTMLInputElement).checked) chosen.add(r.id);
        else chosen.delete(r.id);
        changed();
      },
    })),
    h("td", {}, h("a", { href: `#/request/${r.id}`, class: "number" }, r.number)),
    h("td", { class: "title", onclick: open }, r.title, r.author ? h("span", { class: "muted" }, ` \u2014 ${r.author}`) : ""),
    h("td", {}, r.role === "borrower" ? (r.patron_name ?? "") : r.borrower.symbol),
    h("td", {}, r.role === "borrower" ? r.lender.symbol : r.kind),
    h("td", {}, label(r.status), row.queued_status ? h("span", { class: "queued" }, ` \u2192 ${label(row.queued_status)} (waiting)`) : ""),
    h("td", {}, String(r.attachment_count)),
  );
}
