import { z } from "zod";
import { defineJob } from "../src/jobs.ts";
import { applyRetention } from "../src/privacy/apply-retention.ts";
import { pruneAuditLog } from "../src/privacy/prune-audit-log.ts";

/**
 * Daily: erases every contact whom no retention rule covers any more, then
 * prunes the audit log past its own retention. Renews its lock per page.
 */
export const privacyRetention = defineJob({
  name: "privacy.retention",
  payload: z.object({}).passthrough(),
  every: "1 day",
  concurrency: 1,
  async handler(_payload, ctx) {
    await applyRetention(ctx, {
      dryRun: false,
      actor: "job:privacy.retention",
      signal: ctx.signal,
      onProgress: () => ctx.touch(),
    });
    if (!ctx.signal.aborted)
      await pruneAuditLog(ctx, {
        months: ctx.config.privacy.auditMonths,
        actor: "job:privacy.retention",
      });
  },
});
