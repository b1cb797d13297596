import { z } from "zod";
import { openHandoverSession } from "../src/adapters/imap-handover-session.ts";
import { callHandoverHook } from "../src/adapters/handover-hook.ts";
import { defineJob } from "../src/jobs.ts";
import { runHandover } from "../src/mailboxes/run-handover.ts";

const ref = z.union([z.string().min(1), z.number().int().positive()]);

/** One offboarding handover (queued by `mailsteward handover --queue` or POST /api/handovers); resumes from its ledger when rerun. */
export const mailboxHandover = defineJob({
  name: "mailbox.handover",
  payload: z.object({ employee: ref, successor: ref, all: z.boolean().default(false) }),
  concurrency: 1,
  async handler({ employee, successor, all }, ctx) {
    let lastTouch = Date.now();
    await runHandover(
      {
        db: ctx.db,
        log: ctx.log,
        clock: ctx.clock,
        settings: ctx.config.handover,
        openSession: openHandoverSession,
        callHook: callHandoverHook,
        secrets: {
          secretsDir: ctx.config.mailboxes.secretsDir,
          tlsVerify: ctx.config.mailboxes.tlsVerify,
        },
        actor: "worker",
        onProgress() {
          // Keep the job's lock while copying; fire-and-forget, a failed touch only risks a second worker later.
          if (Date.now() - lastTouch < 10_000) return;
          lastTouch = Date.now();
          void ctx.touch().catch(() => undefined);
        },
      },
      { employee, successor, all, dryRun: false },
    );
  },
});
