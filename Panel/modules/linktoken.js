// The token of a link from a mail (`{public_url}/?token=…#/reset-password`, `…#/confirm-email`).
// app.js imports this module first, so it runs before anything else: the token is taken into
// memory and dropped from the address at once (history.replaceState replaces the entry rather
// than adding one), so it lingers neither on screen, nor in the history, nor in a later Referer.
// A reload therefore loses it: the screen then asks for the mail's link again.

const params = new URLSearchParams(location.search);
let token = params.get("token");
if (params.has("token")) {
  params.delete("token");
  const query = params.toString();
  history.replaceState(history.state, "", `${location.pathname}${query ? `?${query}` : ""}${location.hash}`);
}

/** The link's token, or null when the page was not opened from a mail's link (or it was used). */
export function linkToken() {
  return token || null;
}

/** Forgets the token once it has done its job (a used link cannot work twice anyway). */
export function forgetLinkToken() {
  token = null;
}
