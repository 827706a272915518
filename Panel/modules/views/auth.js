// Sign up and sign in, and the screens a mail's link opens (a new password, a new e-mail
// address) with the request for a reset link. The session is the HttpOnly cookie the login
// response sets; the screens opened from a link work signed in or not.
import { clearProblems, showProblem } from "../account-ui.js";
import { api } from "../api.js";
import { field, h, showFieldErrors } from "../dom.js";
import { t } from "../i18n.js";
import { forgetLinkToken, linkToken } from "../linktoken.js";
import { describe, toast } from "../ui.js";

export function signInView(main, { onSignedIn }) {
  const error = h("p", { id: "signin-error", class: "error", role: "alert" });
  const form = h("form", { id: "signin-form", class: "card narrow", novalidate: true },
    h("h1", {}, t("signInTitle")),
    field({ id: "signin-email", label: t("email"), input: h("input", { type: "email", autocomplete: "username", required: true, dir: "ltr" }) }),
    field({ id: "signin-password", label: t("password"), input: h("input", { type: "password", autocomplete: "current-password", required: true }) }),
    error,
    h("button", { type: "submit", id: "signin-submit" }, t("signIn")),
    h("p", {}, h("a", { href: "#/forgot-password", id: "forgot-password-link" }, t("forgotPassword"))),
    h("p", {}, t("noAccount"), " ", h("a", { href: "#/signup" }, t("signUpLink"))));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    try {
      await api("POST", "/api/auth/login", { email: form.querySelector("#signin-email").value, password: form.querySelector("#signin-password").value });
      onSignedIn();
    } catch (problem) {
      error.textContent = problem.problem?.detail ?? describe(problem);
    }
  });
  main.replaceChildren(form);
  form.querySelector("#signin-email").focus();
}

export function signUpView(main, { onSignedIn }) {
  const general = h("p", { class: "error", role: "alert" });
  const form = h("form", { id: "signup-form", class: "card narrow", novalidate: true },
    h("h1", {}, t("signUpTitle")),
    field({ id: "signup-name", label: t("fullName"), errorKey: "full_name", input: h("input", { type: "text", autocomplete: "name", maxlength: 200 }) }),
    field({ id: "signup-email", label: t("email"), input: h("input", { type: "email", autocomplete: "email", required: true, dir: "ltr" }) }),
    field({ id: "signup-password", label: t("password"), hint: t("passwordHint"), input: h("input", { type: "password", autocomplete: "new-password", required: true, minlength: 8 }) }),
    general,
    h("button", { type: "submit", id: "signup-submit" }, t("signUp")),
    h("p", {}, t("haveAccount"), " ", h("a", { href: "#/signin" }, t("signInLink"))));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    general.textContent = "";
    const email = form.querySelector("#signup-email").value;
    const password = form.querySelector("#signup-password").value;
    const name = form.querySelector("#signup-name").value.trim();
    try {
      await api("POST", "/api/auth/register", { email, password, ...(name ? { full_name: name } : {}) });
      await api("POST", "/api/auth/login", { email, password });
      onSignedIn();
    } catch (problem) {
      const rest = showFieldErrors(form, problem.problem);
      general.textContent = problem.problem?.errors ? rest.join("; ") : problem.problem?.detail ?? describe(problem);
    }
  });
  main.replaceChildren(form);
  form.querySelector("#signup-name").focus();
}

/**
 * "Forgot your password?": asks for a reset link. The server answers 202 whether or not the
 * address has an account, and so does this screen: always the same sentence.
 */
export function forgotPasswordView(main) {
  const result = h("p", { id: "forgot-result", class: "result", role: "status", "aria-live": "polite" });
  const general = h("p", { id: "forgot-error", class: "error", role: "alert" });
  const submit = h("button", { type: "submit", id: "forgot-submit" }, t("sendResetLink"));
  const form = h("form", { id: "forgot-form", class: "card narrow", novalidate: true },
    h("h1", {}, t("forgotTitle")),
    h("p", { class: "hint section-hint" }, t("forgotHint")),
    field({ id: "forgot-email", label: t("email"), errorKey: "forgot-email", input: h("input", { type: "email", autocomplete: "email", required: true, dir: "ltr" }) }),
    general,
    h("div", { class: "actions" }, submit),
    result,
    h("p", {}, h("a", { href: "#/signin" }, t("backToSignIn"))));
  const input = form.querySelector("#forgot-email");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearProblems(form);
    result.textContent = "";
    const email = input.value.trim();
    if (!email) {
      form.querySelector("#error-forgot-email").textContent = t("emailRequired");
      input.setAttribute("aria-invalid", "true");
      input.focus();
      return;
    }
    submit.disabled = true;
    try {
      await api("POST", "/api/auth/password-reset", { email });
      result.textContent = t("resetLinkSent");
    } catch (problem) {
      showProblem(form, general, problem, { prefix: "forgot-", messages: { 429: { text: t("tooManyRequests") } } });
    } finally {
      submit.disabled = false;
    }
  });
  main.replaceChildren(form);
  input.focus();
}

/** The message for a link that cannot work (none, used, expired), with the way to a new one. */
function invalidLink(id, text, requestHref, requestText) {
  return h("div", { id, class: "notice", role: "alert" },
    h("p", {}, text),
    h("p", {}, h("a", { href: requestHref, id: `${id}-request` }, requestText)));
}

/**
 * A new password from a reset mail's link. The token came in the address's query and was taken
 * out of it at once (linktoken.js). Success signs out every session of that account (the server
 * does): the sign-in screen follows with a toast.
 */
export function resetPasswordView(main, { onReset }) {
  const token = linkToken();
  const card = h("div", { class: "card narrow", id: "reset" }, h("h1", {}, t("resetTitle")));
  if (!token) {
    card.append(invalidLink("reset-invalid", t("resetNoToken"), "#/forgot-password", t("requestNewLink")));
    main.replaceChildren(card);
    return;
  }
  const general = h("p", { id: "reset-error", class: "error", role: "alert" });
  const slot = h("div", {});
  const submit = h("button", { type: "submit", id: "reset-submit" }, t("setNewPassword"));
  const form = h("form", { id: "reset-form", novalidate: true },
    field({ id: "reset-new-password", label: t("newPassword"), hint: t("passwordHint"), errorKey: "new_password", input: h("input", { type: "password", autocomplete: "new-password", required: true, minlength: 8 }) }),
    field({ id: "reset-repeat-password", label: t("repeatPassword"), errorKey: "repeat_password", input: h("input", { type: "password", autocomplete: "new-password", required: true }) }),
    general,
    h("div", { class: "actions" }, submit));
  const password = form.querySelector("#reset-new-password");
  const repeat = form.querySelector("#reset-repeat-password");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearProblems(form);
    if (!passwordsAgree(form, password, repeat)) return;
    submit.disabled = true;
    try {
      await api("POST", "/api/auth/password-reset/confirm", { token, new_password: password.value });
      forgetLinkToken();
      toast(t("passwordResetDone"));
      onReset();
    } catch (problem) {
      const issues = problem.problem?.errors ?? [];
      if (problem.status === 422 && (issues.length === 0 || issues.some((issue) => issue.field === "token"))) {
        forgetLinkToken();
        form.remove();
        slot.replaceChildren(invalidLink("reset-invalid", t("linkInvalid"), "#/forgot-password", t("requestNewLink")));
        slot.querySelector("a").focus();
        return;
      }
      showProblem(form, general, problem);
    } finally {
      submit.disabled = false;
    }
  });
  card.append(h("p", { class: "hint section-hint" }, t("resetHint")), form, slot);
  main.replaceChildren(card);
  password.focus();
}

/** The repeat field's check (before anything is sent): false, with the message and focus there. */
export function passwordsAgree(form, password, repeat) {
  if (password.value.length < 8) {
    form.querySelector("#error-new_password").textContent = t("passwordTooShort");
    password.setAttribute("aria-invalid", "true");
    password.focus();
    return false;
  }
  if (password.value !== repeat.value) {
    form.querySelector("#error-repeat_password").textContent = t("passwordsDiffer");
    repeat.setAttribute("aria-invalid", "true");
    repeat.focus();
    return false;
  }
  return true;
}

/**
 * The new address's confirmation link: sends its token at once (a person opened the link; the
 * page's script is what confirms, so a mail scanner fetching the link changes nothing) and
 * shows the address the account now has.
 */
let confirmedAddress = null;  // shown again when the screen re-renders (a language switch)

function confirmedText(address) {
  return h("p", {}, t("emailConfirmedPrefix"), " ", h("strong", { id: "confirmed-email", dir: "ltr" }, address));
}

export async function confirmEmailView(main, { onConfirmed }) {
  const token = linkToken();
  const status = h("div", { id: "confirm-email-status", role: "status", "aria-live": "polite" });
  const card = h("div", { class: "card narrow", id: "confirm-email" }, h("h1", {}, t("confirmEmailTitle")), status);
  main.replaceChildren(card);
  if (!token && confirmedAddress) {
    status.replaceChildren(confirmedText(confirmedAddress));
    return;
  }
  if (!token) {
    card.append(invalidLink("confirm-email-invalid", t("confirmNoToken"), "#/account", t("changeEmailAgain")));
    return;
  }
  status.textContent = t("confirmingEmail");
  try {
    const user = await api("POST", "/api/auth/email/confirm", { token });
    forgetLinkToken();
    confirmedAddress = user.email;
    status.replaceChildren(confirmedText(user.email));
    toast(t("emailConfirmed"));
    await onConfirmed(user);
  } catch (problem) {
    status.textContent = "";
    if (problem.status === 422 || problem.status === 409) {
      forgetLinkToken();
      card.append(invalidLink("confirm-email-invalid", problem.status === 409 ? t("emailTakenMeanwhile") : t("linkInvalid"), "#/account", t("changeEmailAgain")));
    } else {
      card.append(h("p", { class: "error", role: "alert", id: "confirm-email-error" }, describe(problem)));
    }
  }
}
