import { z } from "zod";
import { defineJob } from "../src/jobs.ts";
import { deleteAnnouncedCleanup } from "../src/mailboxes/delete-announced-cleanup.ts";

/** After the grace period: deletes what the policy still selects in the run's mailbox. */
export const mailboxCleanupDelete = defineJob({
  name: "mailbox.cleanup-delete",
  payload: z.object({ runId: z.number().int().positive() }),
  concurrency: 2,
  async handler({ runId }, ctx) {
    await deleteAnnouncedCleanup(ctx, runId);
  },
});
