import { z } from "zod";
import { ensureWatchers } from "../src/inbox/ensure-watchers.ts";
import { defineJob } from "../src/jobs.ts";

/** Queues an inbox.watch for every configured mailbox that has none (after a clean stop, say). */
export const inboxEnsureWatchers = defineJob({
  name: "inbox.ensure-watchers",
  payload: z.object({}),
  every: "1 minute",
  async handler(_payload, ctx) {
    await ensureWatchers(ctx);
  },
});
