import type { Translate } from "../../i18n/translate.ts";
import { html, layout, messagePage } from "./layout.ts";

/** GET /confirm/:token: a button, because mail scanners prefetch links and must not confirm for anyone. */
export function confirmPage(t: Translate, token: string, listName: string): string {
  return layout(
    t("signup.confirmTitle"),
    html`<h1>${t("signup.confirmTitle")}</h1>
      <p>${t("signup.confirmAsk", { lists: listName })}</p>
      <form method="post" action="/confirm/${token}">
        <div class="actions"><button type="submit">${t("signup.confirmButton")}</button></div>
      </form>
      <p class="muted">${t("signup.confirmIgnore")}</p>`,
    t.locale,
  );
}

export function confirmedPage(t: Translate, listName: string, changed: boolean): string {
  return messagePage({
    title: t("signup.confirmedTitle"),
    message: t(changed ? "signup.confirmed" : "signup.alreadyConfirmed", { lists: listName }),
    lang: t.locale,
  });
}

/** The same answer whatever the address's state, so the form reveals nothing about who is on file. */
export function subscriptionRequestedPage(t: Translate): string {
  return messagePage({
    title: t("signup.requestedTitle"),
    message: t("signup.requested"),
    lang: t.locale,
  });
}

export function tooManyRequestsPage(t: Translate): string {
  return messagePage({
    title: t("signup.tooManyTitle"),
    message: t("signup.tooMany"),
    kind: "error",
    lang: t.locale,
  });
}

/** A form post that cannot be taken; `problem` names the signup.<problem>Title / signup.<problem> texts. */
export function badSignupPage(
  t: Translate,
  problem: "control" | "address" | "name" | "form",
): string {
  return messagePage({
    title: t(`signup.${problem}Title`),
    message: t(`signup.${problem}`),
    kind: "error",
    lang: t.locale,
  });
}

/** A confirmation link that verifies but cannot be used: expired, replaced, used and cancelled since, or suppressed. */
export function linkRefusedPage(t: Translate, reason: string): string {
  const known = ["expired", "replaced", "cancelled", "suppressed"];
  return messagePage({
    title: t("signup.linkUsedTitle"),
    message: t(`signup.refused.${known.includes(reason) ? reason : "replaced"}`),
    kind: "error",
    lang: t.locale,
  });
}
