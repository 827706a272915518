// The panel's entry point: the shell (navigation, language), a hash router, and the session
// check. Every screen is a module under modules/views.
// First of all: a mail link's token leaves the address bar before anything else runs.
import "./modules/linktoken.js";
import { api, ApiError } from "./modules/api.js";
import { h } from "./modules/dom.js";
import { LANGUAGES, direction, language, setLanguage, t } from "./modules/i18n.js";
import { describe, toast } from "./modules/ui.js";
import { accountView } from "./modules/views/account.js";
import { confirmEmailView, forgotPasswordView, resetPasswordView, signInView, signUpView } from "./modules/views/auth.js";
import { eventView } from "./modules/views/event.js";
import { eventsView } from "./modules/views/events.js";
import { integrationsView } from "./modules/views/integrations.js";
import { overviewView } from "./modules/views/overview.js";
import { settingsView } from "./modules/views/settings.js";

const main = document.getElementById("main");
let user = null;

function navigate(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

/** The picker lists every language by its own name, marked with its language for screen readers. */
function fillLanguagePicker() {
  const select = document.getElementById("language-select");
  select.replaceChildren(...LANGUAGES.map(({ code, name, dir }) => h("option", { value: code, lang: code, dir }, name)));
}

function renderShell() {
  document.documentElement.lang = language();
  document.documentElement.dir = direction();
  document.getElementById("language-select").value = language();
  document.getElementById("language-label").textContent = t("language");
  document.getElementById("skip-link").textContent = t("skipToContent");
  document.getElementById("privacy-link").textContent = t("privacy");
  document.getElementById("terms-link").textContent = t("terms");
  const nav = document.getElementById("nav");
  nav.setAttribute("aria-label", t("mainNav"));
  nav.replaceChildren(...(user ? [
    h("a", { href: "#/events", id: "nav-events" }, t("navEvents")),
    h("a", { href: "#/overview", id: "nav-overview" }, t("navOverview")),
    h("a", { href: "#/events/new", id: "nav-new-event" }, t("navNew")),
    h("a", { href: "#/settings", id: "nav-settings" }, t("navSettings")),
    h("a", { href: "#/integrations", id: "nav-integrations" }, t("navIntegrations")),
    h("a", { href: "#/account", id: "nav-account" }, t("navAccount")),
    h("button", { type: "button", id: "nav-signout", class: "link", onclick: signOut }, t("navSignOut")),
  ] : [
    h("a", { href: "#/signin", id: "nav-signin" }, t("signIn")),
    h("a", { href: "#/signup", id: "nav-signup" }, t("signUp")),
  ]));
  // A route's query (the overview's choices) does not make it another page.
  const current = location.hash.split("?")[0];
  for (const link of nav.querySelectorAll("a")) {
    if (link.getAttribute("href") === current) link.setAttribute("aria-current", "page");
  }
}

async function signOut() {
  try {
    await api("POST", "/api/auth/logout");
  } catch {
    // Already signed out: nothing to undo.
  }
  user = null;
  toast(t("signedOut"));
  navigate("#/signin");
}

async function signedIn() {
  user = await api("GET", "/api/auth/me");
  navigate("#/events");
}

/** After the session ended on the server (this session revoked, the account deleted). */
function signedOutByServer(message) {
  user = null;
  toast(message);
  navigate("#/signin");
}

/** Re-reads who is signed in (a password reset signs every session of that account out). */
async function refreshSession() {
  try {
    ({ user } = await api("GET", "/api/auth/session"));
  } catch {
    user = null;
  }
}

/** Screens a mail's link opens, or that lead there: they work signed in or not. */
const PUBLIC_ROUTES = {
  "#/forgot-password": () => forgotPasswordView(main),
  "#/reset-password": () => resetPasswordView(main, {
    onReset: async () => {
      await refreshSession();
      navigate("#/signin");
    },
  }),
  "#/confirm-email": () => confirmEmailView(main, {
    onConfirmed: async () => {
      await refreshSession();
      renderShell();
    },
  }),
};

async function route() {
  const hash = location.hash || "#/events";
  renderShell();
  try {
    if (hash === "#/signup") return signUpView(main, { onSignedIn: signedIn });
    if (Object.hasOwn(PUBLIC_ROUTES, hash)) return await PUBLIC_ROUTES[hash]();
    if (hash === "#/signin" || !user) {
      if (!user && hash !== "#/signin") {
        location.replace("#/signin");
        return;
      }
      return signInView(main, { onSignedIn: signedIn });
    }
    if (hash === "#/events") return await eventsView(main);
    if (hash === "#/overview" || hash.startsWith("#/overview?")) return await overviewView(main);
    if (hash === "#/events/new") return await eventView(main, { id: null, navigate });
    const match = /^#\/events\/(\d+)$/.exec(hash);
    if (match) return await eventView(main, { id: Number(match[1]), navigate });
    if (hash === "#/settings") return await settingsView(main);
    if (hash === "#/account") return await accountView(main, { onSignedOut: signedOutByServer });
    if (hash === "#/integrations") return await integrationsView(main);
    main.replaceChildren(h("p", { class: "card" }, t("notFound")));
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      user = null;
      toast(t("signInFirst"));
      location.replace("#/signin");
      return;
    }
    main.replaceChildren(h("p", { class: "card error", role: "alert" }, error instanceof ApiError && error.status === 404 ? t("notFound") : describe(error)));
  } finally {
    // Move focus to the new screen for keyboard and screen-reader users, unless the screen
    // already placed it (e.g. on its first field).
    if (!main.contains(document.activeElement)) main.focus({ preventScroll: true });
  }
}

fillLanguagePicker();
document.getElementById("language-select").addEventListener("change", async (event) => {
  await setLanguage(event.target.value);
  route();
});
// Only routes ("#/...") re-render: the skip link's "#main" is an in-page jump, not a screen.
window.addEventListener("hashchange", () => {
  if (!location.hash || location.hash.startsWith("#/")) route();
});

try {
  ({ user } = await api("GET", "/api/auth/session"));
} catch {
  user = null;
}
route();
