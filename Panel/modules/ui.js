// Small shared pieces of the shell: the status toast, the confirmation dialog, copying links.
import { h } from "./dom.js";
import { t } from "./i18n.js";

let toastTimer;
export function toast(message) {
  const element = document.getElementById("toast");
  element.textContent = message;
  element.classList.add("visible");
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => element.classList.remove("visible"), 4000);
}

/**
 * Resolves true when the organizer confirms. Uses <dialog> with showModal(), so the page behind
 * is inert, Tab stays inside, and Escape answers "no" (the dialog's cancel event).
 * options.cancelLabel names the "no" button when a plain "Cancel" would be ambiguous (cancelling
 * an event: "Cancel" vs "Cancel event"); options.tone "danger" (default) or "primary" styles
 * the "yes" button, since reinstating is not destructive.
 */
export function confirmAction(message, confirmLabel, { cancelLabel = t("cancel"), tone = "danger" } = {}) {
  const dialog = document.getElementById("confirm-dialog");
  document.getElementById("confirm-text").textContent = message;
  const yes = document.getElementById("confirm-yes");
  const no = document.getElementById("confirm-no");
  yes.textContent = confirmLabel;
  yes.className = tone === "danger" ? "danger" : "";
  no.textContent = cancelLabel;
  // Where focus goes back to when the answer is "no"; on "yes" the caller moves it, since the
  // element that opened the dialog is usually replaced by then.
  const opener = document.activeElement;
  return new Promise((resolve) => {
    const finish = (answer) => {
      yes.removeEventListener("click", onYes);
      no.removeEventListener("click", onNo);
      dialog.removeEventListener("cancel", onCancel);
      dialog.close();
      if (!answer && opener instanceof HTMLElement && opener.isConnected) opener.focus();
      resolve(answer);
    };
    const onYes = () => finish(true);
    const onNo = () => finish(false);
    const onCancel = (event) => {
      event.preventDefault();  // close through finish(), so the listeners go too
      finish(false);
    };
    yes.addEventListener("click", onYes);
    no.addEventListener("click", onNo);
    dialog.addEventListener("cancel", onCancel);
    dialog.showModal();
    // The safe answer has focus: Enter or Space by reflex does not delete or cancel anything.
    no.focus();
  });
}

/** Copies `text`; falls back to selecting `fallbackInput` and execCommand where the Clipboard
 * API is missing or refused (plain http, an unfocused window in tests). */
export async function copyText(text, fallbackInput) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    fallbackInput?.select();
    document.execCommand("copy");
  }
}

/**
 * A read-only, labelled text field holding a link, with a copy button: ids `{id}` and `copy-{id}`.
 * The button says which link it copies (aria-label), since a page can hold several of them.
 */
export function copyableLink({ id, label, value, hint }) {
  const input = h("input", {
    // dir ltr: a link reads left to right in a right-to-left panel too.
    type: "text", id, readonly: true, value, class: "code", spellcheck: "false", dir: "ltr",
    "aria-describedby": hint ? `${id}-hint` : null,
    // One click selects the whole link, for those who copy by hand.
    onfocus: (event) => event.target.select(),
  });
  const copyLabel = t("copyLink");
  const button = h("button", {
    type: "button", id: `copy-${id}`, class: "secondary", "aria-label": t("copyLinkOf", { name: label }),
    onclick: async () => {
      await copyText(input.value, input);
      // The button says it briefly (a long text would widen it); the toast says it in full.
      button.textContent = t("copiedShort");
      toast(t("copied"));
      setTimeout(() => { button.textContent = copyLabel; }, 2500);
    },
  }, copyLabel);
  return h("div", { class: "field copy-field" },
    h("label", { for: id }, label),
    hint ? h("p", { class: "hint", id: `${id}-hint` }, hint) : null,
    h("div", { class: "copy-row" }, input, button));
}

/** A user-facing message for any error. */
export function describe(error) {
  return t("failed", { detail: error?.problem?.detail ?? error?.message ?? String(error) });
}
