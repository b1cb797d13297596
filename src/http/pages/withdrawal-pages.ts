import type { Translate } from "../../i18n/translate.ts";
import { html, layout, messagePage } from "./layout.ts";

/** GET /u/:token/delete: explains what happens and asks; opening it changes nothing. */
export function deleteDataPage(t: Translate, token: string): string {
  return layout(
    t("withdraw.title"),
    html`<h1>${t("withdraw.title")}</h1>
      <p>${t("withdraw.explain")}</p>
      <p class="muted">${t("withdraw.fingerprint")}</p>
      <form method="post" action="/u/${token}/delete">
        <div class="actions">
          <button type="submit" name="confirm" value="yes" class="danger">
            ${t("withdraw.button")}
          </button>
        </div>
      </form>
      <p class="muted">${t("withdraw.nothingYet")}</p>`,
    t.locale,
  );
}

/** After POST /u/:token/delete. */
export function dataDeletedPage(t: Translate, reference: string | null): string {
  return messagePage({
    title: t("withdraw.doneTitle"),
    message: reference === null ? t("withdraw.doneNone") : t("withdraw.done", { reference }),
    lang: t.locale,
  });
}
