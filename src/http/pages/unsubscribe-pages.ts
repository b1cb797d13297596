import type { ListPreference, Preferences } from "../../unsubscribe/load-preferences.ts";
import { html, layout, messagePage, type Html } from "./layout.ts";

function listLabel(lists: ListPreference[], slug: string | null): string {
  if (slug === null) return "all our newsletters";
  const list = lists.find((l) => l.slug === slug);
  return list ? `“${list.name}”` : `the list “${slug}”`;
}

const statusText: Record<ListPreference["status"], string> = {
  subscribed: "subscribed",
  pending: "waiting for you to confirm",
  unsubscribed: "not subscribed",
};

/** The preference centre form: a checkbox per list, save, or leave everything. */
export function preferenceForm(token: string, prefs: Preferences): Html {
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
          >${statusText[l.status]}${l.description ? html` · ${l.description}` : ""}</small
        ></span
      ></label
    >`;
  });
  return html`<h2 id="preferences">Your newsletters</h2>
    <form method="post" action="/u/${token}/preferences">
      <fieldset>
        <legend class="muted">Tick the newsletters you want to receive.</legend>
        ${rows}
      </fieldset>
      <div class="actions">
        <button type="submit" name="action" value="save">Save my choices</button>
        <button type="submit" name="action" value="all" class="danger">
          Unsubscribe from everything
        </button>
      </div>
    </form>
    <p class="muted">
      Want us to forget you altogether?
      <a href="/u/${token}/delete">Withdraw my consent and delete my data</a>
    </p>`;
}

/** GET /u/:token: asks, changes nothing (mail scanners prefetch links). */
export function unsubscribePage(token: string, list: string | null, prefs: Preferences): string {
  if (!prefs.found) {
    return messagePage({
      title: "Nothing to unsubscribe",
      message: "We no longer hold any data about you, so you will get no newsletters from us.",
    });
  }
  const target = listLabel(prefs.lists, list);
  const live = prefs.lists.filter(
    (l) => (list === null || l.slug === list) && l.status !== "unsubscribed",
  );
  const ask =
    live.length === 0
      ? html`<p class="notice" role="status">
          You are not subscribed to ${target}. You will not get it.
        </p>`
      : html`<p>Do you want to stop receiving ${target}?</p>
          <form method="post" action="/u/${token}/confirm">
            <div class="actions"><button type="submit">Yes, unsubscribe me</button></div>
          </form>
          <p class="muted">Nothing changes until you press the button.</p>`;
  return layout(
    "Unsubscribe",
    html`<h1>Unsubscribe</h1>
      ${ask} ${preferenceForm(token, prefs)}`,
  );
}

/** After POST /u/:token/confirm. */
export function unsubscribedPage(
  token: string,
  list: string | null,
  changed: string[],
  prefs: Preferences,
): string {
  const target = listLabel(prefs.lists, list);
  const message =
    changed.length > 0
      ? `You are unsubscribed from ${target}. You will get no more emails from it.`
      : `You were already unsubscribed from ${target}. Nothing needed to change.`;
  return layout(
    "Unsubscribed",
    html`<h1>Unsubscribed</h1>
      <p class="notice" role="status">${message}</p>
      <p class="muted">
        We keep a record of your choice so that we respect it; your newsletter data is deleted two
        years after you unsubscribe.
      </p>
      ${preferenceForm(token, prefs)}`,
  );
}

/** After POST /u/:token/preferences. */
export function preferencesSavedPage(
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
  const names = (slugs: string[]) => slugs.map((s) => listLabel(prefs.lists, s)).join(", ");
  const lines: string[] = [];
  if (result.everything) lines.push("You are unsubscribed from all our newsletters.");
  else if (result.unsubscribed.length > 0)
    lines.push(`You are unsubscribed from ${names(result.unsubscribed)}.`);
  if (result.subscribed.length > 0)
    lines.push(`You are subscribed again to ${names(result.subscribed)}.`);
  if (result.confirmationSent && result.confirmationSent.length > 0)
    lines.push(
      `To receive ${names(result.confirmationSent)} again, follow the link in the email we have just sent you.`,
    );
  if (lines.length === 0) lines.push("Your choices are saved. Nothing needed to change.");
  return layout(
    "Preferences saved",
    html`<h1>Preferences saved</h1>
      <p class="notice" role="status">${lines.join(" ")}</p>
      ${preferenceForm(token, prefs)}`,
  );
}

export function invalidLinkPage(): string {
  return messagePage({
    title: "This link is not valid",
    message:
      "The link may have been cut short or changed on its way to you. Nothing was changed. Please open the link from the email again, or reply to the email with the word “unsubscribe”.",
    kind: "error",
  });
}
