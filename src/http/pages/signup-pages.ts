import { html, layout, messagePage } from "./layout.ts";

/** GET /confirm/:token: a button, because mail scanners prefetch links and must not confirm for anyone. */
export function confirmPage(token: string, listName: string): string {
  return layout(
    "Confirm your subscription",
    html`<h1>Confirm your subscription</h1>
      <p>Please confirm that you want to receive “${listName}” by email.</p>
      <form method="post" action="/confirm/${token}">
        <div class="actions"><button type="submit">Yes, subscribe me</button></div>
      </form>
      <p class="muted">
        If you did not ask for this, ignore it: nothing happens unless you press the button.
      </p>`,
  );
}

export function confirmedPage(listName: string, changed: boolean): string {
  return messagePage({
    title: "Subscription confirmed",
    message: changed
      ? `Thank you. You are subscribed to “${listName}”. Every email has a link to unsubscribe at any time.`
      : `You were already subscribed to “${listName}”. Nothing needed to change.`,
  });
}

/** The same answer whatever the address's state, so the form reveals nothing about who is on file. */
export function subscriptionRequestedPage(): string {
  return messagePage({
    title: "Check your inbox",
    message:
      "If this address can receive our newsletter, we have sent it an email with a link to confirm your subscription. Nothing is sent to you until you confirm. If it does not arrive within a few minutes, look in your spam folder or try again later.",
  });
}

export function tooManyRequestsPage(): string {
  return messagePage({
    title: "Too many requests",
    message:
      "Too many sign-ups came from your network just now. Please wait a minute and try again.",
    kind: "error",
  });
}
