import type { Translate } from "../../i18n/translate.ts";
import type { ListPreference, Preferences } from "../../unsubscribe/load-preferences.ts";
import { html, layout, messagePage, type Html } from "./layout.ts";

function listLabel(t: Translate, lists: ListPreference[], slug: string | null): string {
  if (slug === null) return t("unsubscribe.allLists");
  const list = lists.find((l) => l.slug === slug);
  return list ? t("unsubscribe.list", { name: list.name }) : t("unsubscribe.unknownList", { slug });
}

const statusKey: Record<ListPreference["status"], string> = {
  subscribed: "unsubscribe.statusSubscribed",
  pending: "unsubscribe.statusPending",
  unsubscribed: "unsubscribe.statusUnsubscribed",
};

/** The preference centre form: a checkbox per list, save, or leave everything. */
export function preferenceForm(t: Translate, token: string, prefs: Preferences): Html {
  if (prefs.lists.length === 0) return html``;
  const rows = prefs.lists.map((l) => {
    const checked = l.status === "subscribed";
    // A list never confirmed cannot be joined here (that is double opt-in's job); it can only be left.
    const locked = !checked && !l.canSubscribe && l.status !== "pending";
    return html`<label class="list"
      ><input
        type="checkbox"
        name="list"
        value="${l.slug}"
        ${checked || l.status === "pending" ? html` checked` : ""}${locked ? html` disabled` : ""}
      />
      <span
        ><strong>${l.name}</strong>
        <small
          >${t(statusKey[l.status])}${l.description ? html` · ${l.description}` : ""}</small
        ></span
      ></label
    >`;
  });
  return html`<h2 id="preferences">${t("unsubscribe.yourNewsletters")}</h2>
    <form method="post" action="/u/${token}/preferences">
      <fieldset>
        <legend class="muted">${t("unsubscribe.tick")}</legend>
        ${rows}
      </fieldset>
      <div class="actions">
        <button type="submit" name="action" value="save">${t("unsubscribe.save")}</button>
        <button type="submit" name="action" value="all" class="danger">
          ${t("unsubscribe.leaveAll")}
        </button>
      </div>
    </form>
    <p class="muted">
      ${t("unsubscribe.forgetAsk")}
      <a href="/u/${token}/delete">${t("unsubscribe.forgetLink")}</a>
    </p>`;
}

/** GET /u/:token: asks, changes nothing (mail scanners prefetch links). */
export function unsubscribePage(
  t: Translate,
  token: string,
  list: string | null,
  prefs: Preferences,
): string {
  if (!prefs.found) {
    return messagePage({
      title: t("unsubscribe.nothingTitle"),
      message: t("unsubscribe.nothing"),
      lang: t.locale,
    });
  }
  const target = listLabel(t, prefs.lists, list);
  const live = prefs.lists.filter(
    (l) => (list === null || l.slug === list) && l.status !== "unsubscribed",
  );
  const ask =
    live.length === 0
      ? html`<p class="notice" role="status">${t("unsubscribe.notSubscribed", { target })}</p>`
      : html`<p>${t("unsubscribe.ask", { target })}</p>
          <form method="post" action="/u/${token}/confirm">
            <div class="actions">
              <button type="submit">${t("unsubscribe.confirmButton")}</button>
            </div>
          </form>
          <p class="muted">${t("page.nothingChanges")}</p>`;
  return layout(
    t("unsubscribe.title"),
    html`<h1>${t("unsubscribe.title")}</h1>
      ${ask} ${preferenceForm(t, token, prefs)}`,
    t.locale,
  );
}

/** After POST /u/:token/confirm. */
export function unsubscribedPage(
  t: Translate,
  token: string,
  list: string | null,
  changed: string[],
  prefs: Preferences,
): string {
  const target = listLabel(t, prefs.lists, list);
  const message = t(changed.length > 0 ? "unsubscribe.done" : "unsubscribe.already", { target });
  return layout(
    t("unsubscribe.doneTitle"),
    html`<h1>${t("unsubscribe.doneTitle")}</h1>
      <p class="notice" role="status">${message}</p>
      <p class="muted">${t("unsubscribe.kept")}</p>
      ${preferenceForm(t, token, prefs)}`,
    t.locale,
  );
}

/** After POST /u/:token/preferences. */
export function preferencesSavedPage(
  t: Translate,
  token: string,
  result: {
    subscribed: string[];
    unsubscribed: string[];
    everything: boolean;
    /** lists to re-join once the person follows the link mailed to them */
    confirmationSent?: string[];
  },
  prefs: Preferences,
): string {
  const names = (slugs: string[]) => slugs.map((s) => listLabel(t, prefs.lists, s)).join(", ");
  const lines: string[] = [];
  if (result.everything) lines.push(t("unsubscribe.savedAll"));
  else if (result.unsubscribed.length > 0)
    lines.push(t("unsubscribe.savedLeft", { lists: names(result.unsubscribed) }));
  if (result.subscribed.length > 0)
    lines.push(t("unsubscribe.savedJoined", { lists: names(result.subscribed) }));
  if (result.confirmationSent && result.confirmationSent.length > 0)
    lines.push(t("unsubscribe.savedConfirm", { lists: names(result.confirmationSent) }));
  if (lines.length === 0) lines.push(t("unsubscribe.savedNothing"));
  return layout(
    t("unsubscribe.savedTitle"),
    html`<h1>${t("unsubscribe.savedTitle")}</h1>
      <p class="notice" role="status">${lines.join(" ")}</p>
      ${preferenceForm(t, token, prefs)}`,
    t.locale,
  );
}

export function invalidLinkPage(t: Translate): string {
  return messagePage({
    title: t("page.invalidLinkTitle"),
    message: t("page.invalidLink"),
    kind: "error",
    lang: t.locale,
  });
}
