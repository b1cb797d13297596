import { z } from "zod";
import { ensureWatchers } from "../src/inbox/ensure-watchers.ts";
import { defineJob } from "../src/jobs.ts";

/** Queues an inbox.watch for every configured mailbox that has none (after a clean stop, say). */
export const inboxEnsureWatchers = defineJob({
  name: "inbox.ensure-watchers",
  payload: z.object({}),
  // often enough that a mailbox left without a run (see queue.ensure) gets one back
  // within about a lock lifetime, the time a takeover takes anyway; at most once a minute
  every: (config) =>
    `${Math.min(60, Math.max(5, Math.round(config.jobLockLifetimeMs / 1000)))} seconds`,
  async handler(_payload, ctx) {
    await ensureWatchers(ctx);
  },
});
