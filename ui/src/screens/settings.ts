// Settings: the embedded server's address and the public URL patrons get,
// or a shared server instead; below, once signed in, the library's Patron
// Notification Set-up.

import { api, message } from "../api";
import { h, mount, toast } from "../dom";
import { go, setSession, signedIn } from "../main";
import { librarySetup } from "./library";

export async function showSettings(screen: HTMLElement): Promise<void> {
  const s = await api.getSettings();
  const embedded = h("input", { type: "radio", name: "mode", id: "mode-embedded", checked: s.embedded });
  const remote = h("input", { type: "radio", name: "mode", id: "mode-remote", checked: !s.embedded });
  const listen = h("input", { id: "listen", value: s.listen });
  const publicUrl = h("input", { id: "public-url", value: s.public_url, placeholder: "http://this-computer.example.org:8470" });
  const remoteUrl = h("input", { id: "remote-url", value: s.remote_url, placeholder: "https://courier.consortium.example.org" });
  const error = h("p", { class: "error", role: "alert" });
  const port = s.listen.split(":").pop() ?? "8470";
  const library = signedIn() ? await librarySetup() : null;

  mount(
    screen,
    h("div", { class: "settings-page" },
      h("form", {
        class: "card settings",
        onsubmit: async (event: Event) => {
          event.preventDefault();
          error.textContent = "";
          try {
            const before = signedIn()?.server_url;
            const saved = await api.saveSettings({
              embedded: embedded.checked,
              listen: listen.value.trim(),
              public_url: publicUrl.value.trim(),
              remote_url: remoteUrl.value.trim(),
            });
            toast("Settings saved");
            const after = saved.embedded ? `http://127.0.0.1:${saved.listen.split(":").pop()}` : saved.remote_url;
            if (before && before !== after) {
              setSession(null);
              go("#/signin");
            }
          } catch (e) {
            error.textContent = message(e);
          }
        },
      },
        h("h1", {}, "Settings"),
        h("label", { class: "choice" }, embedded, "Run the Courier server in this app"),
        h("label", {}, "Listen on (address:port)", listen),
        h("label", {}, "Public URL patrons get", publicUrl),
        h("p", { class: "muted small" },
          "Patrons' document links use this address. Left empty, they use this computer's name and port ",
          port, "; patrons must be able to reach it."),
        h("label", { class: "choice" }, remote, "Use a shared Courier server"),
        h("label", {}, "Shared server address", remoteUrl),
        error,
        h("button", { type: "submit", class: "primary", id: "save-settings" }, "Save"),
      ),
      library,
    ),
  );
}
