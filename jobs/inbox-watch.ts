import { z } from "zod";
import { openImapInboxSession } from "../src/adapters/imap-inbox-session.ts";
import { createMessageReader } from "../src/adapters/message-reader.ts";
import { readOptionsOf } from "../src/inbox/read-message.ts";
import { watchMailbox } from "../src/inbox/watch-mailbox.ts";
import { defineJob } from "../src/jobs.ts";
import { scanSensitive } from "../src/privacy/scan-sensitive.ts";

/**
 * Watches one configured mailbox folder for as long as the worker runs (IDLE,
 * or polling), renewing its lock; queued per mailbox by inbox.ensure-watchers.
 * Another worker takes it over within the lock lifetime when this one dies.
 */
export const inboxWatch = defineJob({
  name: "inbox.watch",
  payload: z.object({ mailbox: z.string().min(1) }),
  // one run per mailbox, all at once: main.ts adds the mailboxes to the worker's concurrency
  concurrency: 1000,
  async handler({ mailbox }, ctx) {
    const reader = createMessageReader({
      threads: ctx.config.inbox.readThreads,
      ...readOptionsOf(ctx.config),
    });
    try {
      await watchMailbox(
        {
          ...ctx,
          touch: () => ctx.touch(),
          openSession: (m) => openImapInboxSession(m),
          read: (raw) => reader.read(raw),
          scan: (text) => scanSensitive(text),
        },
        mailbox,
      );
    } finally {
      await reader.close();
    }
  },
});
