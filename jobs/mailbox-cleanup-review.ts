import { z } from "zod";
import { defineJob } from "../src/jobs.ts";
import { sendCleanupDigests } from "../src/mailboxes/send-cleanup-digests.ts";

/** Yearly (CLEANUP_SCHEDULE): the review digest to each active employee; queues the deletions. */
export const mailboxCleanupReview = defineJob({
  name: "mailbox.cleanup-review",
  payload: z.object({ employeeIds: z.array(z.number().int().positive()).optional() }),
  every: (config) => config.cleanup.schedule,
  concurrency: 1,
  async handler({ employeeIds }, ctx) {
    await sendCleanupDigests(ctx, { actor: "worker", employeeIds });
  },
});
