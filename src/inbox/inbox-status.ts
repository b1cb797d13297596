import type { Config } from "../config/load-config.ts";
import type { Clock, Db } from "../types.ts";

export interface MailboxStatus {
  mailbox: string;
  role: string;
  direction: "in" | "out";
  /** a watcher's heartbeat is fresher than the job lock lifetime */
  up: boolean;
  watcher: string | null;
  heartbeatAt: string | null;
  uidValidity: string | null;
  lastUid: number;
  /** UIDs on the server above the checkpoint at the last look (an upper bound: UIDs can have gaps) */
  lag: number;
  lastError: string | null;
  lastErrorAt: string | null;
  /** messages recorded since midnight UTC */
  messagesToday: number;
}

/** Per configured mailbox folder: where its watcher is and whether it is alive. */
export async function inboxStatus(deps: {
  db: Db;
  clock: Clock;
  config: Pick<Config, "inbox" | "jobLockLifetimeMs">;
}): Promise<MailboxStatus[]> {
  const mailboxes = deps.config.inbox.mailboxes;
  if (mailboxes.length === 0) return [];
  const now = deps.clock.now();
  const midnight = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const keys = mailboxes.map((m) => m.key);
  const [checkpoints, today] = await Promise.all([
    deps.db.inboxCheckpoint.findMany({ where: { mailbox: { in: keys } } }),
    deps.db.inboundMessage.groupBy({
      by: ["mailbox"],
      where: { mailbox: { in: keys }, createdAt: { gte: midnight } },
      _count: { _all: true },
    }),
  ]);
  const byKey = new Map(checkpoints.map((c) => [c.mailbox, c]));
  const counts = new Map(today.map((t) => [t.mailbox, t._count._all]));
  return mailboxes.map((m) => {
    const c = byKey.get(m.key);
    const heartbeat = c?.heartbeatAt ?? null;
    return {
      mailbox: m.key,
      role: m.role,
      direction: m.direction,
      up:
        !!c?.watcher &&
        heartbeat !== null &&
        now.getTime() - heartbeat.getTime() < deps.config.jobLockLifetimeMs,
      watcher: c?.watcher ?? null,
      heartbeatAt: heartbeat?.toISOString() ?? null,
      uidValidity: c?.uidValidity != null ? String(c.uidValidity) : null,
      lastUid: Number(c?.lastUid ?? 0n),
      lag: Math.max(0, Number((c?.serverUid ?? 0n) - (c?.lastUid ?? 0n))),
      lastError: c?.lastError ?? null,
      lastErrorAt: c?.lastErrorAt?.toISOString() ?? null,
      messagesToday: counts.get(m.key) ?? 0,
    };
  });
}
