import { z } from "zod";
import { processSubscriptionRequest } from "../src/contacts/process-subscription-request.ts";
import { defineJob } from "../src/jobs.ts";

/**
 * Processes one sign-up or re-join request and mails its confirmation; queued
 * by the form and the preference centre, so their answer costs the same
 * whatever the outcome. One at a time: the one-mail-per-mailbox window is
 * checked and set in one transaction, which two concurrent runs could both pass.
 */
export const subscriptionRequest = defineJob({
  name: "subscription.request",
  payload: z.object({ requestId: z.number().int().positive() }),
  concurrency: 1,
  async handler({ requestId }, ctx) {
    await processSubscriptionRequest(ctx, requestId);
  },
});
