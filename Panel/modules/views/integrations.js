// The integrations screen (`#/integrations`): personal API tokens for scripts and webhooks for
// the organizer's other tools.
import { h } from "../dom.js";
import { t } from "../i18n.js";
import { tokensSection } from "./tokens.js";
import { webhooksSection } from "./webhooks.js";

export async function integrationsView(main) {
  const [tokens, webhooks] = await Promise.all([tokensSection(), webhooksSection()]);
  main.replaceChildren(h("div", { id: "integrations", class: "page" },
    h("h1", {}, t("integrationsTitle")),
    h("p", { class: "hint section-hint" }, t("integrationsHint")),
    tokens, webhooks));
}
