// Sign in: the server (embedded by default), a user name and a password.

import { api, message } from "../api";
import { h, mount } from "../dom";
import { go, setSession } from "../main";

export async function showSignIn(screen: HTMLElement): Promise<void> {
  const settings = await api.getSettings();
  const server = settings.embedded
    ? `the server in this app (${settings.listen})`
    : settings.remote_url;
  const username = h("input", { id: "username", name: "username", autocomplete: "username", required: true });
  const password = h("input", { id: "password", name: "password", type: "password", required: true });
  const error = h("p", { class: "error", id: "sign-in-error", role: "alert" });
  const button = h("button", { type: "submit", id: "sign-in", class: "primary" }, "Sign in");

  const form = h(
    "form",
    {
      class: "card sign-in",
      onsubmit: async (event: Event) => {
        event.preventDefault();
        button.disabled = true;
        error.textContent = "";
        try {
          setSession(await api.signIn(username.value, password.value));
          go("#/requests");
        } catch (e) {
          error.textContent = message(e);
        } finally {
          button.disabled = false;
        }
      },
    },
    h("h1", {}, "Sign in to Courier"),
    h("p", { class: "muted" }, "Server: ", h("strong", { id: "server" }, server), " \u00b7 ", h("a", { href: "#/settings" }, "change")),
    h("label", {}, "User name", username),
    h("label", {}, "Password", password),
    error,
    button,
    settings.embedded &&
      h("p", { class: "muted small" }, "Demo staff: lender or borrower, password courier-demo."),
  );
  mount(screen, form);
  username.focus();
}
