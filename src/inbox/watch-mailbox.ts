/**
 * Watches one mailbox folder until the worker stops: catch up on every UID
 * above the checkpoint in batches, then wait for IDLE's EXISTS (RFC 2177) or
 * the poll interval, and again. The checkpoint advances only inside the
 * batch's own transaction (record-batch.ts), so a dropped connection, a
 * crash or a restart resumes exactly after the last committed message. A
 * UIDVALIDITY change (RFC 3501 §2.3.1.1: the old UIDs mean nothing now)
 * restarts from UID 0; deduplication keeps the rescan from recording anything
 * twice. Connection failures reconnect with exponential backoff; a message
 * that cannot be parsed is recorded as unparseable and never stops the rest.
 */
import crypto from "node:crypto";
import os from "node:os";
import type { Config } from "../config/load-config.ts";
import type { WatchedMailbox } from "../config/inbox-config.ts";
import { AppError } from "../errors.ts";
import { sqlOf } from "../adapters/sql-of.ts";
import type { Clock, Db, Logger, Sql } from "../types.ts";
import { claimWatch, heartbeat, releaseWatch } from "./claim-watch.ts";
import type { InboxSession, OpenInboxSession } from "./inbox-session.ts";
import type { ReadMessage } from "./read-message.ts";
import { recordBatch, type BatchItem, type BatchResult, type RecordDeps } from "./record-batch.ts";

export interface WatchDeps {
  db: Db;
  /** the worker's plain-SQL path, for recording batches (see Sql); without it, through Prisma */
  sql?: Sql | undefined;
  clock: Clock;
  log: Logger;
  config: Config;
  signal: AbortSignal;
  /** renews the job lock */
  touch(): Promise<void>;
  openSession: OpenInboxSession;
  /** parse + classify one raw message (message-reader.ts: on worker threads) */
  read(raw: Buffer): Promise<ReadMessage>;
  scan: RecordDeps["scan"];
  /** called after each committed batch (progress on a terminal, tests) */
  onBatch?: (info: { mailbox: string; recorded: number; lastUid: number }) => void;
}

const MAX_BACKOFF_MS = 60_000;

export async function watchMailbox(deps: WatchDeps, key: string): Promise<void> {
  const mailbox = deps.config.inbox.mailboxes.find((m) => m.key === key);
  if (!mailbox) {
    // not thrown: a failed job would stay in the queue and block the unique re-queue
    deps.log.error("inbox.watch for a mailbox that is not configured; stopping", {
      mailbox: key,
      known: deps.config.inbox.mailboxes.map((m) => m.key),
    });
    return;
  }
  const watcher = `${os.hostname()}:${process.pid}:${crypto.randomBytes(4).toString("hex")}`;
  const lifetime = deps.config.jobLockLifetimeMs;
  const waitMs = Math.max(200, Math.min(deps.config.inbox.pollSeconds * 1000, lifetime / 3));
  let failures = 0;
  // Agenda cancels a run whose lock is not renewed within the lifetime: renew it on a
  // timer as well as after each batch, so a slow batch (a 30 MB message) is not taken
  // for a dead worker. Once Agenda has given the run up, another worker owns it: stop.
  let cancelled = false;
  const touch = async () => {
    try {
      await deps.touch();
    } catch (error) {
      cancelled = true;
      throw new JobCancelled(describe(error), { cause: error });
    }
  };
  const keepAlive = setInterval(() => void touch().catch(() => {}), Math.max(200, lifetime / 4));
  keepAlive.unref();
  const live = { ...deps, touch };
  try {
    while (!deps.signal.aborted && !cancelled) {
      // A claim the database does not answer (a pool timeout under load, a restart) is
      // retried like a lost connection: thrown out of here it would fail the job, and a
      // failed run's row is never run again, so the mailbox would lose its watcher.
      const claimed = await claimWatch(deps.db, {
        mailbox: key,
        watcher,
        now: deps.clock.now(),
        staleMs: lifetime,
      }).catch((error: unknown) => error as Error);
      if (claimed instanceof Error) {
        failures++;
        deps.log.warn("inbox watcher could not claim its mailbox; retrying", {
          mailbox: key,
          error: describe(claimed),
          attempt: failures,
        });
        await touch().catch(() => {});
        const backoff = Math.min(lifetime / 2, 500 * 2 ** Math.min(failures - 1, 10));
        await sleep(backoff * (0.75 + Math.random() * 0.5), deps.signal);
        continue;
      }
      if (!claimed) {
        // another worker is watching: stand by, take over when its heartbeat goes stale
        await touch().catch(() => {});
        await sleep(Math.min(waitMs, lifetime / 2), deps.signal);
        continue;
      }
      let session: InboxSession | undefined;
      try {
        session = await deps.openSession(mailbox);
        await watchSession(live, mailbox, watcher, session, waitMs, () => (failures = 0));
      } catch (error) {
        if (error instanceof LostClaim) continue;
        if (cancelled) {
          deps.log.warn("inbox.watch run given up by the job queue; another worker takes over", {
            mailbox: key,
          });
          break;
        }
        failures++;
        const message = describe(error);
        deps.log.warn("inbox watcher lost its connection; reconnecting", {
          mailbox: key,
          error: message,
          attempt: failures,
        });
        await heartbeat(deps.db, {
          mailbox: key,
          watcher,
          now: deps.clock.now(),
          error: message,
        }).catch(() => false);
        const backoff = Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.min(failures - 1, 10));
        await touch().catch(() => {});
        await sleep(backoff * (0.75 + Math.random() * 0.5), deps.signal);
      } finally {
        await session?.close().catch(() => {});
      }
    }
  } finally {
    clearInterval(keepAlive);
    await releaseWatch(deps.db, key, watcher).catch(() => {});
  }
}

class LostClaim extends Error {}
class JobCancelled extends Error {}

async function watchSession(
  deps: WatchDeps,
  mailbox: WatchedMailbox,
  watcher: string,
  session: InboxSession,
  waitMs: number,
  connected: () => void,
): Promise<void> {
  const state = await session.open();
  const checkpoint = await deps.db.inboxCheckpoint.findUnique({
    where: { mailbox: mailbox.key },
    select: { uidValidity: true, lastUid: true, source: true },
  });
  // UIDs mean something only within one folder of one account and one UIDVALIDITY
  const source = sourceOf(mailbox, state.path);
  let lastUid = Number(checkpoint?.lastUid ?? 0n);
  const moved = checkpoint?.source != null && checkpoint.source !== source;
  if (moved || (checkpoint?.uidValidity != null && checkpoint.uidValidity !== state.uidValidity)) {
    deps.log.warn(
      moved
        ? "the mailbox now points at another account or folder: rescanning it (nothing is recorded twice)"
        : "UIDVALIDITY changed: rescanning the whole folder (nothing is recorded twice)",
      {
        mailbox: mailbox.key,
        was: String(checkpoint?.uidValidity),
        now: String(state.uidValidity),
      },
    );
    lastUid = 0;
  }
  if (checkpoint?.uidValidity !== state.uidValidity || checkpoint?.source !== source)
    await deps.db.inboxCheckpoint.update({
      where: { mailbox: mailbox.key },
      data: { uidValidity: state.uidValidity, source, lastUid: BigInt(lastUid) },
    });
  else if (lastUid > 0) await restoreMarks(deps, mailbox, session, state.uidValidity, lastUid);
  connected();
  let serverUid = state.uidNext - 1;
  const beat = async () => {
    if (
      !(await heartbeat(deps.db, {
        mailbox: mailbox.key,
        watcher,
        now: deps.clock.now(),
        serverUid,
      }))
    )
      throw new LostClaim("another watcher took this mailbox over");
    await deps.touch();
  };
  await beat();
  while (!deps.signal.aborted) {
    const uids = await session.uidsAfter(lastUid);
    if (uids.length > 0) serverUid = Math.max(serverUid, uids[uids.length - 1]!);
    // Two batches in flight at most: the next one is fetched and parsed (CPU here) while
    // this one's transaction runs (CPU in PostgreSQL). Memory stays two batches whatever
    // the backlog; the next batch is only read, never recorded, before this one commits.
    const size = deps.config.inbox.batchSize;
    let next: Promise<BatchItem[]> | null = null;
    for (let i = 0; i < uids.length && !deps.signal.aborted; i += size) {
      const chunk = uids.slice(i, i + size);
      const items = await (next ?? readChunk(deps, session, chunk));
      const following = uids.slice(i + size, i + 2 * size);
      next = following.length > 0 ? readChunk(deps, session, following) : null;
      // Handled at once: a read that fails while this batch is recorded (the connection
      // dropped) would otherwise be reported as an unhandled rejection before anyone
      // awaits it; awaiting `next` on the next turn still sees the error.
      next?.catch(() => {});
      lastUid = await recordChunk(deps, mailbox, state.uidValidity, session, items, chunk);
      await beat();
    }
    await beat();
    const event = await session.waitForChange(waitMs, deps.signal);
    if (event === "aborted") return;
    if (event === "closed") throw new AppError("refused", "the IMAP connection closed");
  }
}

async function readChunk(
  deps: WatchDeps,
  session: InboxSession,
  chunk: number[],
): Promise<BatchItem[]> {
  const fetched = await session.fetch(chunk);
  // all of the chunk at once: the reader threads take them in turn, in UID order
  return Promise.all(fetched.map(async (m) => ({ uid: m.uid, read: await deps.read(m.source) })));
}

async function recordChunk(
  deps: WatchDeps,
  mailbox: WatchedMailbox,
  uidValidity: bigint,
  session: InboxSession,
  items: BatchItem[],
  chunk: number[],
): Promise<number> {
  // UIDs that vanished between SEARCH and FETCH (expunged by someone) are passed over
  const lastUid = chunk[chunk.length - 1]!;
  const recordDeps: RecordDeps = {
    sql: sqlOf(deps),
    clock: deps.clock,
    signingKeys: deps.config.signingKeys,
    suppressionKey: deps.config.suppressionKey,
    createContacts: deps.config.inbox.createContacts,
    softBounceLimit: deps.config.inbox.softBounceLimit,
    softBounceWindowDays: deps.config.inbox.softBounceWindowDays,
    scan: deps.scan,
  };
  const result = await recordIsolating(deps, recordDeps, mailbox, uidValidity, items, lastUid);
  // After the commit: marks for the people reading the mailbox. Losing them to a
  // dropped connection loses nothing recorded; nothing is ever deleted.
  const unparseable = new Set(result.unparseableUids);
  const done = items.map((i) => i.uid).filter((u) => !unparseable.has(u));
  await session.addFlags(done, [deps.config.inbox.doneKeyword]);
  await session.addFlags([...unparseable], ["\\Flagged"]);
  if (deps.config.inbox.moveTo) await session.move(done, deps.config.inbox.moveTo);
  deps.log.debug("inbox batch recorded", {
    mailbox: mailbox.key,
    recorded: result.recorded,
    duplicates: result.duplicates,
    lastUid,
  });
  deps.onBatch?.({ mailbox: mailbox.key, recorded: result.recorded, lastUid });
  return lastUid;
}

/**
 * A batch's marks are set after its commit (recordChunk): a connection cut
 * between the two leaves recorded messages unmarked while the checkpoint has
 * moved past them, so the people reading the mailbox would never see them as
 * handled. On every (re)connect the last two batches below the checkpoint are
 * looked at again: what is still unmarked (or, with INBOX_MOVE_TO, still in
 * the folder) gets the marks its records say it should have. STORE +FLAGS and
 * MOVE of what is already done change nothing, so doing it twice is harmless.
 */
async function restoreMarks(
  deps: WatchDeps,
  mailbox: WatchedMailbox,
  session: InboxSession,
  uidValidity: bigint,
  lastUid: number,
): Promise<void> {
  const { doneKeyword, moveTo, batchSize } = deps.config.inbox;
  const from = Math.max(1, lastUid - 2 * batchSize + 1);
  const left = await session.uidsBetween(from, lastUid, moveTo ? {} : { unmarked: doneKeyword });
  if (left.length === 0) return;
  const unparseable = await deps.db.inboundMessage.findMany({
    where: {
      mailbox: mailbox.key,
      uidValidity,
      uid: { in: left.map(BigInt) },
      kind: "unparseable",
    },
    select: { uid: true },
  });
  const flagged = new Set(unparseable.map((m) => Number(m.uid)));
  const done = left.filter((u) => !flagged.has(u));
  await session.addFlags(done, [doneKeyword]);
  await session.addFlags([...flagged], ["\\Flagged"]);
  if (moveTo) await session.move(done, moveTo);
}

/**
 * The batch in one transaction; when that fails for a reason of the data
 * (not the database being away), each message alone, and one that still
 * fails is recorded as unparseable with the reason: one message the
 * database refuses must not stall the mailbox.
 */
async function recordIsolating(
  deps: WatchDeps,
  recordDeps: RecordDeps,
  mailbox: WatchedMailbox,
  uidValidity: bigint,
  items: BatchItem[],
  lastUid: number,
): Promise<BatchResult> {
  try {
    return await recordBatch(recordDeps, mailbox, { uidValidity }, items, lastUid);
  } catch (error) {
    if (items.length === 0 || !(await databaseAnswers(deps.db))) throw error;
    deps.log.warn("a batch could not be recorded; recording its messages one by one", {
      mailbox: mailbox.key,
      messages: items.length,
      error: describe(error),
    });
  }
  const total: BatchResult = {
    recorded: 0,
    duplicates: 0,
    byKind: {},
    unparseableUids: [],
    dialogues: 0,
    suppressed: 0,
  };
  for (const [i, item] of items.entries()) {
    const through = i === items.length - 1 ? lastUid : item.uid;
    let r: BatchResult;
    try {
      r = await recordBatch(recordDeps, mailbox, { uidValidity }, [item], through);
    } catch (error) {
      if (!(await databaseAnswers(deps.db))) throw error;
      const reason = `could not be recorded: ${describe(error)}`;
      r = await recordBatch(
        recordDeps,
        mailbox,
        { uidValidity },
        [
          {
            uid: item.uid,
            read: { ...item.read, parsed: null, classification: { kind: "unparseable", reason } },
          },
        ],
        through,
      );
    }
    total.recorded += r.recorded;
    total.duplicates += r.duplicates;
    total.dialogues += r.dialogues;
    total.suppressed += r.suppressed;
    total.unparseableUids.push(...r.unparseableUids);
  }
  return total;
}

async function databaseAnswers(db: Db): Promise<boolean> {
  return db.$queryRaw`select 1`.then(
    () => true,
    () => false,
  );
}

function sourceOf(mailbox: WatchedMailbox, path: string): string {
  const { user } = mailbox.credentials();
  return crypto
    .createHash("sha256")
    .update(`${mailbox.host}\0${mailbox.port}\0${user}\0${path}`)
    .digest("hex")
    .slice(0, 32);
}

function describe(error: unknown): string {
  const e = error as { code?: string; message?: string };
  // imapflow's messages quote server responses, never our credentials; keep them short
  return `${e.code ? `${e.code}: ` : ""}${e.message ?? String(error)}`
    .replace(/\s+/g, " ")
    .slice(0, 300);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done);
  });
}
