// Personal API tokens (`#tokens` on the integrations screen): for scripts, named and scoped,
// optionally expiring, used as `Authorization: Bearer atf_…`. The server keeps only a hash, so a
// new token's secret is shown exactly once, right after it is made.
import { clearProblems, instant, secretBox, showProblem } from "../account-ui.js";
import { api } from "../api.js";
import { field, h } from "../dom.js";
import { t, tParts } from "../i18n.js";
import { confirmAction, describe, toast } from "../ui.js";

/** The scopes of SPEC, each with its text key; ids use "_" for ":" (`#token-scope-events_read`). */
export const SCOPES = [
  ["events:read", "scopeEventsRead"],
  ["events:write", "scopeEventsWrite"],
  ["stats:read", "scopeStatsRead"],
];
const scopeId = (scope) => `token-scope-${scope.replace(":", "_")}`;
const scopeName = (scope) => t(SCOPES.find(([key]) => key === scope)?.[1] ?? "") || scope;

/** YYYY-MM-DD (the date input) -> the end of that day in the browser's zone, as RFC 3339 UTC. */
function endOfDay(date) {
  const end = new Date(`${date}T23:59:59`);
  return Number.isNaN(end.getTime()) ? null : end.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Tomorrow as YYYY-MM-DD in the browser's zone: the earliest expiry the date input offers. */
function tomorrow() {
  const day = new Date();
  day.setDate(day.getDate() + 1);
  return `${day.getFullYear()}-${String(day.getMonth() + 1).padStart(2, "0")}-${String(day.getDate()).padStart(2, "0")}`;
}

function detail(label, value) {
  return h("span", {}, ...tParts("labelled", { label }, "value", value));
}

export async function tokensSection() {
  const list = h("ul", { id: "tokens-list", class: "row-list" });
  const empty = h("p", { id: "tokens-empty", class: "hint" }, t("tokensEmpty"));
  const listError = h("p", { id: "tokens-error", class: "error", role: "alert" });
  const general = h("p", { id: "token-error", class: "error", role: "alert" });
  const secretSlot = h("div", { id: "token-secret-slot" });
  const name = h("input", { type: "text", maxlength: 100, autocomplete: "off", required: true, dir: "auto" });
  const expires = h("input", { type: "date", class: "date-input", min: tomorrow() });
  const scopes = h("fieldset", { id: "token-scopes", class: "nested", "aria-describedby": "error-token-scopes" },
    h("legend", {}, t("tokenScopes")),
    ...SCOPES.map(([scope, key]) => h("div", { class: "check" },
      h("input", { type: "checkbox", id: scopeId(scope), value: scope, "aria-describedby": `${scopeId(scope)}-hint` }),
      h("label", { for: scopeId(scope) }, t(key), " ", h("code", { dir: "ltr" }, scope)),
      h("p", { class: "hint", id: `${scopeId(scope)}-hint` }, t(`${key}Hint`)))),
    h("p", { class: "error", id: "error-token-scopes", role: "alert" }));
  const submit = h("button", { type: "submit", id: "token-submit" }, t("createToken"));
  const form = h("form", { id: "token-form", novalidate: true },
    h("h3", {}, t("newToken")),
    field({ id: "token-name", label: t("tokenName"), hint: t("tokenNameHint"), errorKey: "token-name", input: name }),
    scopes,
    field({ id: "token-expires", label: t("tokenExpires"), hint: t("tokenExpiresHint"), errorKey: "token-expires_at", input: expires }),
    general,
    h("div", { class: "actions tight" }, submit));
  let tokens = [];

  function row(token) {
    return h("li", { class: "row", dataset: { tokenId: token.id } },
      h("div", { class: "row-text" },
        h("p", { class: "row-title", dir: "auto", id: `token-name-${token.id}` }, token.name),
        h("p", { class: "row-meta" },
          detail(t("tokenScopes"), token.scopes.map(scopeName).join(", ")),
          detail(t("createdAt"), instant(token.created_at)),
          detail(t("expiresAt"), instant(token.expires_at, t("neverExpires"))),
          detail(t("lastUsed"), instant(token.last_used_at, t("neverUsed"))))),
      h("button", {
        type: "button", class: "danger", id: `revoke-token-${token.id}`,
        "aria-label": t("revokeTokenOf", { name: token.name }), onclick: () => revoke(token),
      }, t("revokeToken")));
  }

  function render() {
    list.replaceChildren(...tokens.map(row));
    list.hidden = tokens.length === 0;
    empty.hidden = tokens.length > 0;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearProblems(form);
    const chosen = SCOPES.map(([scope]) => scope).filter((scope) => form.querySelector(`#${scopeId(scope)}`).checked);
    if (!name.value.trim()) {
      form.querySelector("#error-token-name").textContent = t("tokenNameRequired");
      name.setAttribute("aria-invalid", "true");
      name.focus();
      return;
    }
    if (chosen.length === 0) {
      form.querySelector("#error-token-scopes").textContent = t("tokenScopesRequired");
      form.querySelector(`#${scopeId(SCOPES[0][0])}`).focus();
      return;
    }
    submit.disabled = true;
    try {
      const created = await api("POST", "/api/tokens", {
        name: name.value.trim(), scopes: chosen, expires_at: expires.value ? endOfDay(expires.value) : null,
      });
      const { token: secret, ...shown } = created;
      tokens.unshift(shown);
      render();
      form.reset();
      const box = secretBox({
        id: "token-secret", heading: t("tokenCreated", { name: shown.name }), label: t("tokenSecret"), value: secret,
        warning: t("tokenSecretWarning"), onDone: () => name.focus(),
      });
      secretSlot.replaceChildren(box);
      box.reveal();
      toast(t("tokenCreatedToast", { name: shown.name }));
    } catch (problem) {
      if (problem.status === 401) throw problem;
      showProblem(form, general, problem, { prefix: "token-", messages: { 409: { text: t("tokensLimit") } } });
    } finally {
      submit.disabled = false;
    }
  });

  async function revoke(token) {
    if (!(await confirmAction(t("confirmRevokeToken", { name: token.name }), t("revokeToken")))) return;
    listError.textContent = "";
    try {
      await api("DELETE", `/api/tokens/${token.id}`);
    } catch (problem) {
      if (problem.status === 401) throw problem;
      if (problem.status !== 404) {
        listError.textContent = describe(problem);
        return;
      }
    }
    tokens = tokens.filter((other) => other.id !== token.id);
    render();
    toast(t("tokenRevoked", { name: token.name }));
    name.focus();
  }

  const body = h("section", { class: "card", id: "tokens", "aria-labelledby": "tokens-heading" },
    h("h2", { id: "tokens-heading" }, t("tokensTitle")),
    h("p", { class: "hint section-hint" }, ...tParts("tokensHint", {}, "header", h("code", { dir: "ltr" }, "Authorization: Bearer atf_…"))),
    secretSlot, listError, empty, list, form);
  try {
    ({ tokens } = await api("GET", "/api/tokens"));
    render();
  } catch (problem) {
    if (problem.status === 401) throw problem;
    empty.hidden = true;
    list.hidden = true;
    listError.textContent = describe(problem);
  }
  return body;
}
