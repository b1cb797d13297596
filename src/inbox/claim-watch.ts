/**
 * Exactly one watcher per mailbox, also when two Agenda runs of inbox.watch
 * exist (two workers queued it at the same moment) or a lock expired under a
 * slow worker: the checkpoint row names the watcher and its heartbeat; a
 * claim succeeds only when the row is free, already ours, or its heartbeat is
 * older than the job lock lifetime (that worker is gone). One statement, so
 * two claimants cannot both win.
 */
import type { Db } from "../types.ts";

export async function claimWatch(
  db: Db,
  input: { mailbox: string; watcher: string; now: Date; staleMs: number },
): Promise<boolean> {
  const at = input.now.toISOString();
  const stale = new Date(input.now.getTime() - input.staleMs).toISOString();
  const rows = await db.$queryRaw<{ mailbox: string }[]>`
    INSERT INTO inbox_checkpoints (mailbox, watcher, heartbeat_at, updated_at)
    VALUES (${input.mailbox}, ${input.watcher}, ${at}::timestamp(3), ${at}::timestamp(3))
    ON CONFLICT (mailbox) DO UPDATE
       SET watcher = EXCLUDED.watcher, heartbeat_at = EXCLUDED.heartbeat_at, updated_at = EXCLUDED.updated_at
     WHERE inbox_checkpoints.watcher IS NULL
        OR inbox_checkpoints.watcher = EXCLUDED.watcher
        OR inbox_checkpoints.heartbeat_at IS NULL
        OR inbox_checkpoints.heartbeat_at < ${stale}::timestamp(3)
    RETURNING mailbox`;
  return rows.length === 1;
}

/** Renews the claim and records what the watcher saw; false when another watcher took over. */
export async function heartbeat(
  db: Db,
  input: {
    mailbox: string;
    watcher: string;
    now: Date;
    serverUid?: number;
    error?: string | null;
  },
): Promise<boolean> {
  const { count } = await db.inboxCheckpoint.updateMany({
    where: { mailbox: input.mailbox, watcher: input.watcher },
    data: {
      heartbeatAt: input.now,
      ...(input.serverUid !== undefined ? { serverUid: BigInt(input.serverUid) } : {}),
      ...(input.error ? { lastError: input.error.slice(0, 500), lastErrorAt: input.now } : {}),
    },
  });
  return count === 1;
}

/** On a clean stop: the next watcher need not wait for the heartbeat to go stale. */
export async function releaseWatch(db: Db, mailbox: string, watcher: string): Promise<void> {
  await db.inboxCheckpoint.updateMany({
    where: { mailbox, watcher },
    data: { watcher: null, heartbeatAt: null },
  });
}
