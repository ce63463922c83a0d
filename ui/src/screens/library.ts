// Settings → Patron Notification Set-up: the signed-in staff's own library
// settings, kept by the server. Offline, the saved copy is shown read-only.

import { api, message } from "../api";
import type { LibrarySettingsView } from "../bindings/LibrarySettingsView";
import { h, toast } from "../dom";

export async function librarySetup(): Promise<HTMLElement> {
  let view: LibrarySettingsView;
  try {
    view = await api.librarySettings();
  } catch (e) {
    return h("section", { class: "card settings", id: "library-settings" },
      h("h2", {}, "Patron Notification Set-up"),
      h("p", { class: "error" }, message(e)));
  }
  const s = view.settings;
  const readOnly = view.offline;
  const illEmail = h("input", { id: "ill-email", type: "email", value: s.ill_email, disabled: readOnly });
  const timeZone = h("input", { id: "time-zone", value: s.time_zone, list: "time-zones", disabled: readOnly });
  const zones = h("datalist", { id: "time-zones" }, Intl.supportedValuesOf("timeZone").map((z) => h("option", { value: z })));
  const copyright = h("textarea", { id: "copyright-notice", rows: 5, disabled: readOnly });
  copyright.value = s.copyright_notice;
  const notice = h("input", { type: "checkbox", id: "received-notice", checked: s.received_with_attachments_notice, disabled: readOnly });
  const isoPartner = h("input", { type: "checkbox", id: "iso-partner", checked: s.iso_partner, disabled: readOnly });
  const error = h("p", { class: "error", role: "alert", id: "library-error" });

  return h("form", {
    class: "card settings",
    id: "library-settings",
    onsubmit: async (event: Event) => {
      event.preventDefault();
      error.textContent = "";
      try {
        await api.saveLibrarySettings({
          ill_email: illEmail.value.trim(),
          time_zone: timeZone.value.trim(),
          copyright_notice: copyright.value,
          received_with_attachments_notice: notice.checked,
          iso_partner: isoPartner.checked,
        });
        toast("Library settings saved");
      } catch (e) {
        error.textContent = message(e);
      }
    },
  },
    h("h2", {}, "Patron Notification Set-up"),
    h("p", { class: "muted small" }, `${s.name} (${s.symbol}): these settings are kept by the server for all of the library's staff.`),
    readOnly && h("p", { class: "offline", id: "library-offline" }, "Offline: the saved settings, read-only until the server is back."),
    h("label", {}, "ILL e-mail address", illEmail),
    h("p", { class: "muted small" }, "Lending libraries' document URLs are e-mailed here."),
    h("label", {}, "Time zone", timeZone, zones),
    h("p", { class: "muted small" }, "Access dates patrons and staff read (\u201cuntil mm/dd/yyyy\u201d) are in this zone."),
    h("label", {}, "Copyright notice", copyright),
    h("p", { class: "muted small" }, "Patrons read and confirm it before they download."),
    h("label", { class: "choice" }, notice, "Send the \u201cReceived with Attachments\u201d notice"),
    h("p", { class: "muted small" }, "When we mark a request received, its patron gets an e-mail with a link to each document."),
    h("label", { class: "choice" }, isoPartner, "ISO partner: we use another ILL system and get documents by URL"),
    error,
    !readOnly && h("button", { type: "submit", class: "primary", id: "save-library-settings" }, "Save"),
  );
}
