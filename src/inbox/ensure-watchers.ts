import type { Config } from "../config/load-config.ts";
import type { JobQueue } from "../jobs.ts";

/** One inbox.watch job per configured mailbox folder; a no-op for those already queued or running. */
export async function ensureWatchers(deps: {
  config: Pick<Config, "inbox">;
  queue: JobQueue;
}): Promise<number> {
  for (const m of deps.config.inbox.mailboxes)
    await deps.queue.ensure("inbox.watch", { mailbox: m.key });
  return deps.config.inbox.mailboxes.length;
}
