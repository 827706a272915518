// The organizer's account (`#/account`): the password, the e-mail address (confirmed by a link
// to the new one), the sessions signed in, the export of everything, and deleting the account.
import { clearProblems, instant, instantText, showProblem } from "../account-ui.js";
import { api } from "../api.js";
import { checkField, field, h } from "../dom.js";
import { t, tParts } from "../i18n.js";
import { confirmAction, describe, toast } from "../ui.js";
import { passwordsAgree } from "./auth.js";

function section(id, heading, ...children) {
  return h("section", { class: "card", id, "aria-labelledby": `${id}-heading` }, h("h2", { id: `${id}-heading` }, heading), ...children);
}

/** Current, new and repeated password: POST /api/auth/password. The server signs out the
 * account's other sessions, so the list below is reloaded. */
function passwordSection({ onChanged }) {
  const general = h("p", { id: "password-error", class: "error", role: "alert" });
  const submit = h("button", { type: "submit", id: "password-submit" }, t("changePassword"));
  const form = h("form", { id: "password-form", novalidate: true },
    field({ id: "current-password", label: t("currentPassword"), errorKey: "current_password", input: h("input", { type: "password", autocomplete: "current-password", required: true }) }),
    h("div", { class: "two-columns" },
      field({ id: "new-password", label: t("newPassword"), hint: t("passwordHint"), errorKey: "new_password", input: h("input", { type: "password", autocomplete: "new-password", required: true, minlength: 8 }) }),
      field({ id: "repeat-password", label: t("repeatPassword"), errorKey: "repeat_password", input: h("input", { type: "password", autocomplete: "new-password", required: true }) })),
    general,
    h("div", { class: "actions" }, submit));
  const current = form.querySelector("#current-password");
  const password = form.querySelector("#new-password");
  const repeat = form.querySelector("#repeat-password");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearProblems(form);
    if (!current.value) {
      form.querySelector("#error-current_password").textContent = t("passwordRequired");
      current.focus();
      return;
    }
    if (!passwordsAgree(form, password, repeat)) return;
    submit.disabled = true;
    try {
      await api("POST", "/api/auth/password", { current_password: current.value, new_password: password.value });
      form.reset();
      toast(t("passwordChanged"));
      onChanged();
    } catch (problem) {
      if (problem.status === 401) throw problem;
      showProblem(form, general, problem, { messages: { 403: { text: t("wrongCurrentPassword"), at: "error-current_password" } } });
    } finally {
      submit.disabled = false;
    }
  });
  return section("change-password", t("changePassword"), h("p", { class: "hint section-hint" }, t("changePasswordHint")), form);
}

/** New address and password: POST /api/auth/email. Nothing changes until the link in the mail
 * to the new address is opened. */
function emailSection(user) {
  const general = h("p", { id: "email-error", class: "error", role: "alert" });
  const status = h("p", { id: "email-status", class: "result", role: "status", "aria-live": "polite" });
  const submit = h("button", { type: "submit", id: "email-submit" }, t("changeEmail"));
  const form = h("form", { id: "email-form", novalidate: true },
    h("p", {}, t("currentEmail"), " ", h("strong", { id: "account-email", dir: "ltr" }, user?.email ?? "")),
    h("div", { class: "two-columns" },
      field({ id: "new-email", label: t("newEmail"), errorKey: "email-new_email", input: h("input", { type: "email", autocomplete: "email", required: true, dir: "ltr" }) }),
      field({ id: "email-password", label: t("password"), errorKey: "email-password", input: h("input", { type: "password", autocomplete: "current-password", required: true }) })),
    general,
    h("div", { class: "actions" }, submit),
    status);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearProblems(form);
    status.textContent = "";
    submit.disabled = true;
    try {
      const answer = await api("POST", "/api/auth/email", { new_email: form.querySelector("#new-email").value.trim(), password: form.querySelector("#email-password").value });
      form.querySelector("#email-password").value = "";
      status.replaceChildren(...pendingText(answer?.pending_email ?? form.querySelector("#new-email").value.trim()));
    } catch (problem) {
      if (problem.status === 401) throw problem;
      showProblem(form, general, problem, {
        prefix: "email-",
        messages: {
          403: { text: t("wrongPassword"), at: "error-email-password" },
          409: { text: t("emailTaken"), at: "error-email-new_email" },
        },
      });
    } finally {
      submit.disabled = false;
    }
  });
  return section("change-email", t("changeEmail"), h("p", { class: "hint section-hint" }, t("changeEmailHint")), form);
}

/** "Check your inbox at X": the address as its own (left-to-right) element inside the sentence. */
function pendingText(address) {
  const [before, after = ""] = t("checkInbox").split("{email}");
  return [before, h("strong", { id: "pending-email", dir: "ltr" }, address), after].filter((part) => part !== "");
}

/** The sessions signed in (GET /api/auth/sessions), each revocable; revoking this one signs out. */
function sessionsSection({ onSignedOut }) {
  const list = h("ul", { id: "sessions-list", class: "row-list" });
  const error = h("p", { id: "sessions-error", class: "error", role: "alert" });
  const body = section("sessions", t("sessionsTitle"), h("p", { class: "hint section-hint" }, t("sessionsHint")), error, list);

  function row(session) {
    const label = session.current ? t("thisSession") : t("otherSession");
    return h("li", { class: "row", dataset: { sessionId: session.id, current: String(Boolean(session.current)) } },
      h("div", { class: "row-text" },
        // "This session" in words; the badge's look only helps scanning.
        h("p", { class: "row-title" }, session.current ? h("span", { class: "marker" }, label) : label),
        h("p", { class: "row-meta" },
          h("span", {}, ...tParts("labelled", { label: t("signedInAt") }, "value", instant(session.created_at))),
          h("span", {}, ...tParts("labelled", { label: t("expiresAt") }, "value", instant(session.expires_at))))),
      h("button", {
        type: "button", class: "danger", id: `revoke-session-${session.id}`,
        // The name starts with the visible word (WCAG 2.5.3) and says which session.
        "aria-label": t("labelled", { label: t("revoke"), value: session.current ? t("thisSession") : instantText(session.created_at) }),
        onclick: () => revoke(session),
      }, t("revoke")));
  }

  async function revoke(session) {
    if (session.current && !(await confirmAction(t("confirmRevokeThis"), t("revokeThisSession"), { cancelLabel: t("staySignedIn") }))) return;
    error.textContent = "";
    try {
      await api("DELETE", `/api/auth/sessions/${session.id}`);
    } catch (problem) {
      if (problem.status === 401) throw problem;
      if (problem.status !== 404) {
        error.textContent = describe(problem);
        return;
      }
    }
    if (session.current) {
      onSignedOut(t("signedOut"));
      return;
    }
    toast(t("sessionRevoked"));
    await load();
    body.querySelector("h2").setAttribute("tabindex", "-1");
    body.querySelector("h2").focus();
  }

  async function load() {
    try {
      const { sessions } = await api("GET", "/api/auth/sessions");
      list.replaceChildren(...sessions.map(row));
    } catch (problem) {
      if (problem.status === 401) throw problem;
      error.textContent = describe(problem);
    }
  }
  body.load = load;
  return body;
}

/** The export: plain links, since the session cookie goes with a same-origin download and the
 * server names the files. */
function exportSection() {
  return section("export", t("exportTitle"),
    h("p", { class: "hint section-hint" }, t("exportHint")),
    h("div", { class: "actions" },
      h("a", { href: "/api/account/export", download: "attendify-export.json", id: "export-json", class: "button" }, t("exportJson")),
      h("a", { href: "/api/account/export/clicks.csv", download: "attendify-clicks.csv", id: "export-clicks", class: "button secondary-button" }, t("exportClicks"))));
}

/** Deleting the account: the password and a ticked "I understand", then DELETE /api/account. */
function deleteSection({ onSignedOut }) {
  const general = h("p", { id: "delete-account-error", class: "error", role: "alert" });
  const submit = h("button", { type: "submit", id: "delete-account-submit", class: "danger" }, t("deleteAccount"));
  const form = h("form", { id: "delete-account-form", novalidate: true },
    field({ id: "delete-password", label: t("password"), errorKey: "delete-password", input: h("input", { type: "password", autocomplete: "current-password", required: true }) }),
    checkField({ id: "delete-confirm", label: t("deleteUnderstand"), errorKey: "delete-confirm", input: h("input", {}) }),
    general,
    h("div", { class: "actions" }, submit));
  const password = form.querySelector("#delete-password");
  const understood = form.querySelector("#delete-confirm");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearProblems(form);
    if (!password.value) {
      form.querySelector("#error-delete-password").textContent = t("passwordRequired");
      password.setAttribute("aria-invalid", "true");
      password.focus();
      return;
    }
    if (!understood.checked) {
      form.querySelector("#error-delete-confirm").textContent = t("deleteTickFirst");
      understood.setAttribute("aria-invalid", "true");
      understood.focus();
      return;
    }
    submit.disabled = true;
    try {
      await api("DELETE", "/api/account", { password: password.value });
      onSignedOut(t("accountDeleted"));
    } catch (problem) {
      if (problem.status === 401) throw problem;
      showProblem(form, general, problem, { prefix: "delete-", messages: { 403: { text: t("wrongPassword"), at: "error-delete-password" } } });
    } finally {
      submit.disabled = false;
    }
  });
  const body = section("delete-account", t("deleteAccountTitle"), h("p", { class: "section-hint" }, t("deleteAccountHint")), form);
  body.classList.add("danger-zone");
  return body;
}

export async function accountView(main, { onSignedOut }) {
  // Asked afresh: the address may have changed since the shell learnt it (a confirmed link).
  const me = await api("GET", "/api/auth/me");
  const sessions = sessionsSection({ onSignedOut });
  await sessions.load();
  main.replaceChildren(
    h("div", { id: "account", class: "page" },
      h("h1", {}, t("accountTitle")),
      passwordSection({ onChanged: () => sessions.load() }),
      emailSection(me),
      sessions,
      exportSection(),
      deleteSection({ onSignedOut })));
}
