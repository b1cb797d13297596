import { html, layout, messagePage } from "./layout.ts";

/** GET /u/:token/delete: explains what happens and asks; opening it changes nothing. */
export function deleteDataPage(token: string): string {
  return layout(
    "Delete my data",
    html`<h1>Delete my data</h1>
      <p>
        This withdraws your consent and deletes everything we hold about you: your contact details,
        your newsletter subscriptions, the record of your consent, what we sent you and your emails
        to us.
      </p>
      <p class="muted">
        We keep only a coded fingerprint of your address (it cannot be turned back into the address)
        so that an old list can never add you again. If you sign up again yourself later, it is
        removed.
      </p>
      <form method="post" action="/u/${token}/delete">
        <div class="actions">
          <button type="submit" name="confirm" value="yes" class="danger">
            Yes, delete all my data
          </button>
        </div>
      </form>
      <p class="muted">Nothing is deleted until you press the button.</p>`,
  );
}

/** After POST /u/:token/delete. */
export function dataDeletedPage(reference: string | null): string {
  return messagePage({
    title: "Your data is deleted",
    message:
      reference === null
        ? "We hold no data about you any more. You will get no emails from us."
        : `We have deleted everything we held about you. You will get no emails from us. Your request's reference is ${reference}.`,
  });
}
