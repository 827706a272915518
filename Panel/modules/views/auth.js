// Sign up and sign in. The session is the HttpOnly cookie the login response sets.
import { api } from "../api.js";
import { field, h, showFieldErrors } from "../dom.js";
import { t } from "../i18n.js";
import { describe } from "../ui.js";

export function signInView(main, { onSignedIn }) {
  const error = h("p", { id: "signin-error", class: "error", role: "alert" });
  const form = h("form", { id: "signin-form", class: "card narrow", novalidate: true },
    h("h1", {}, t("signInTitle")),
    field({ id: "signin-email", label: t("email"), input: h("input", { type: "email", autocomplete: "username", required: true, dir: "ltr" }) }),
    field({ id: "signin-password", label: t("password"), input: h("input", { type: "password", autocomplete: "current-password", required: true }) }),
    error,
    h("button", { type: "submit", id: "signin-submit" }, t("signIn")),
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
