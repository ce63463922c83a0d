// The Upload window: files dropped from the file manager (Tauri's drag and
// drop events) or chosen with "Choose File", a description suggested from the
// request's title, the download limit and expiry, a progress bar per file fed
// by the bytes actually sent, and the reason for each file refused.

import { getCurrentWebview } from "@tauri-apps/api/webview";

import { api, message } from "./api";
import { h, mount, size } from "./dom";

interface Queued {
  index: number;
  path: string;
  bar: HTMLProgressElement;
  note: HTMLElement;
  done: boolean;
}

const screen = document.getElementById("screen") as HTMLElement;
const id = Number(new URLSearchParams(location.search).get("request"));
const files: Queued[] = [];

async function start(): Promise<void> {
  const view = await api.requestDetails(id);
  const r = view.request;
  const list = h("ul", { class: "upload-list", id: "upload-list" });
  const drop = h("div", { class: "drop-zone", id: "drop-zone" },
    h("strong", {}, "Drop scanned documents here"),
    h("span", { class: "muted" }, "PDF, TIFF, JPEG or PNG, up to 125 MiB each"),
  );
  const description = h("input", { id: "description", value: r.journal ? `${r.title} (${r.journal})` : r.title });
  const limit = h("input", { id: "max-downloads", type: "number", min: 1, max: 5, value: 5 });
  const expiry = h("input", { id: "expires-in-days", type: "number", min: 1, max: 90, value: 90 });
  const upload = h("button", { id: "upload", class: "primary", disabled: true }, "Upload");
  const summary = h("p", { class: "muted", id: "upload-summary" });

  const add = (paths: string[]) => {
    for (const path of paths) {
      const name = path.split(/[\\/]/).pop() ?? path;
      const bar = h("progress", { max: 1, value: 0 });
      const note = h("span", { class: "note" }, "ready");
      files.push({ index: files.length, path, bar, note, done: false });
      list.append(h("li", { "data-file": name }, h("span", { class: "name" }, name), bar, note));
    }
    upload.disabled = !files.some((f) => !f.done);
  };

  upload.onclick = async () => {
    upload.disabled = true;
    let accepted = 0;
    let refused = 0;
    for (const file of files.filter((f) => !f.done)) {
      file.note.textContent = "sending\u2026";
      try {
        const result = await api.uploadFile(
          id, file.index, file.path, description.value,
          Number(limit.value), Number(expiry.value),
          (p) => {
            file.bar.max = Math.max(p.total, 1);
            file.bar.value = p.sent;
            file.note.textContent = `${size(p.sent)} of ${size(p.total)}`;
          },
        );
        if (result.outcome === "uploaded") {
          accepted += 1;
          file.bar.value = file.bar.max;
          file.note.className = "note ok";
          file.note.textContent = `uploaded \u00b7 ${result.attachment.access_text}`;
        } else {
          refused += 1;
          file.note.className = "note error";
          file.note.textContent = `refused: ${result.reason}`;
        }
      } catch (e) {
        refused += 1;
        file.note.className = "note error";
        file.note.textContent = `refused: ${message(e)}`;
      }
      file.done = true;
    }
    summary.textContent = `${accepted} uploaded, ${refused} refused`;
    upload.disabled = !files.some((f) => !f.done);
  };

  await getCurrentWebview().onDragDropEvent((event) => {
    const kind = event.payload.type;
    drop.classList.toggle("over", kind === "enter" || kind === "over");
    if (kind === "drop") add(event.payload.paths);
  });

  mount(
    screen,
    h("h1", {}, "Upload Document"),
    h("p", { class: "muted" }, `${r.number} \u00b7 ${r.title}`),
    drop,
    h("div", { class: "row" },
      h("button", { id: "choose-file", onclick: async () => add(await api.chooseFiles()) }, "Choose File"),
    ),
    list,
    h("label", {}, "Description", description),
    h("div", { class: "row" },
      h("label", {}, "Download limit (1\u20135)", limit),
      h("label", {}, "Expires after (1\u201390 days)", expiry),
    ),
    h("div", { class: "row" }, upload, summary),
  );
}

start().catch((e) => mount(screen, h("p", { class: "error" }, message(e))));
