/**
 * The body of the `campaign.send-shard` job: one shard of a campaign's
 * audience (a contact-id range), walked by keyset in batches of
 * SEND_BATCH_SIZE. Each batch re-reads the campaign's state (pause, resume
 * and cancel reach every shard within a batch), the subscriptions and the
 * suppressions, and writes the delivery ledger (unique on campaign and
 * contact) before anything is sent. Safe to run again at any point: rows found
 * `sending` belonged to a run that died and become `uncertain`; rows `sent`,
 * `failed` or `uncertain` are never sent again.
 *
 * Temporary refusals (4xx) are retried within the batch (RETRY_IN_BATCH_MS);
 * if they persist the row goes back to `queued` and the shard's job runs again
 * after SEND_RETRY_DELAY_SECONDS × 2^(tries-1), up to MAX_TRIES tries, after
 * which the delivery is `failed` with the last answer. Other shards go on.
 */
import type { Config } from "../config/load-config.ts";
import { hashAddress } from "../consent/address-hash.ts";
import type { JobQueue } from "../jobs.ts";
import type { Clock, Db, Logger, Mailer, Sql } from "../types.ts";
import { claimShard, type ShardClaim } from "./claim-shard.ts";
import type { Segment } from "./create-campaign.ts";
import { deliverBatch, type BatchItem, type BatchOutcome } from "./deliver-batch.ts";
import { createLedgerWriter, queueDeliveries } from "./delivery-ledger.ts";
import { finishCampaign } from "./finish-campaign.ts";
import { deliveryMessageId, senderDomain } from "./message-id.ts";
import { createCampaignRenderer } from "./render-recipient-message.ts";
import { selectRecipients, suppressedHashes } from "./select-recipients.ts";
import { settleShard } from "./settle-shard.ts";
import { sqlOf } from "../adapters/sql-of.ts";

export { MAX_TRIES } from "./settle-shard.ts";
import { createSharedRateLimiter } from "./shared-rate-limiter.ts";
import {
  findShard,
  SHARD_JOB,
  markShardDone,
  queuedDeliveryIds,
  shardResumeCursor,
  splitOpenShard,
  type ShardRange,
} from "./shards.queries.ts";

export const RETRY_IN_BATCH_MS = [250, 1000] as const;

export interface SendDeps {
  db: Db;
  /** the worker's plain-SQL path for the per-message and per-batch statements (see Sql) */
  sql?: Sql | undefined;
  config: Config;
  mailer: Mailer;
  clock: Clock;
  log: Logger;
  queue: JobQueue;
  /** renew the job's lock */
  touch(progress?: number): Promise<void>;
  signal: AbortSignal;
  /** overrides for tests */
  retryInBatchMs?: readonly number[];
}

export type SendStop =
  "finished" | "paused" | "cancelled" | "aborted" | "deferred" | "busy" | "not-sendable";

/** What one run of a shard works with; `cursor` moves as batches go. */
interface ShardRun {
  shard: ShardRange;
  sql: Sql;
  claim: ShardClaim;
  segment: Segment | null;
  cursor: number;
  deliver(items: BatchItem[]): Promise<BatchOutcome>;
  deferredIds: Set<number>;
  batches: number;
}

export async function sendShard(
  deps: SendDeps,
  ref: { campaignId: number; shardId: number },
): Promise<SendStop> {
  const shard = await findShard(deps.db, ref.shardId);
  if (!shard || shard.done || shard.campaignId !== ref.campaignId) return "not-sendable";
  const claimed = await claimShard(deps, shard, Math.max(deps.config.jobLockLifetimeMs, 1000));
  if (!("owner" in claimed)) return comeBackLater(deps, shard, claimed.busyUntil);
  try {
    const run = await prepareRun(deps, shard, claimed);
    if (!run) return "not-sendable";
    for (;;) {
      const stop = await checkCampaign(deps, run);
      if (stop) return stop;
      const batch = await nextBatch(deps, run);
      if (batch.length === 0) break;
      await deliver(deps, run, batch);
      if (!(await run.claim.renew())) return "busy";
    }
    const settled = await settleShard(deps, run.shard, run.deferredIds);
    if (settled === "deferred") return "deferred";
    return await finishShard(deps, run);
  } finally {
    await claimed.release();
  }
}

/** Another run holds the shard: look again when its lease would have lapsed, in case it died. */
async function comeBackLater(deps: SendDeps, shard: ShardRange, until: Date | null) {
  const now = deps.clock.now().getTime();
  const at = new Date(Math.min(Math.max(now, until?.getTime() ?? 0) + 250, now + 2000));
  await deps.queue.at(at, SHARD_JOB, { campaignId: shard.campaignId, shardId: shard.id });
  deps.log.info("shard is being sent by another run; checking again later", {
    campaignId: shard.campaignId,
    shardId: shard.id,
    at: at.toISOString(),
  });
  return "busy" as const;
}

async function prepareRun(deps: SendDeps, shard: ShardRange, claim: ShardClaim) {
  const { db, config } = deps;
  const campaign = await db.campaign.findUnique({
    where: { id: shard.campaignId },
    select: {
      segment: true,
      frozenHtml: true,
      frozenText: true,
      frozenSubject: true,
      lists: { select: { list: { select: { slug: true } } } },
    },
  });
  if (!campaign || campaign.frozenHtml === null) return null;
  const render = createCampaignRenderer(
    { config, mailer: deps.mailer },
    {
      id: shard.campaignId,
      lists: campaign.lists.map((l) => l.list.slug).sort(),
      frozen: {
        subject: campaign.frozenSubject ?? "",
        html: campaign.frozenHtml,
        text: campaign.frozenText ?? "",
      },
    },
  );
  const limiter = createSharedRateLimiter({
    db,
    perSecond: config.sendRate,
    perDomainPerSecond: config.sendRatePerDomain,
  });
  const sql = sqlOf(deps);
  const write = createLedgerWriter(sql);
  const run: ShardRun = {
    shard,
    sql,
    claim,
    segment: (campaign.segment ?? null) as Segment | null,
    cursor: await shardResumeCursor(db, shard),
    deferredIds: new Set(),
    batches: 0,
    deliver: (items) =>
      deliverBatch(
        {
          db,
          mailer: deps.mailer,
          log: deps.log,
          limiter,
          write,
          suppressionKey: config.suppressionKey,
          concurrency: deps.mailer.poolSize ?? config.smtp?.poolSize ?? 1,
          retryDelaysMs: deps.retryInBatchMs ?? RETRY_IN_BATCH_MS,
          render: (item) => render(item.recipient, item.delivery.messageId, deps.clock.now()),
        },
        items,
      ),
  };
  return run;
}

/** The campaign's state when a batch starts: pause and cancel stop every shard here. */
async function checkCampaign(deps: SendDeps, run: ShardRun): Promise<SendStop | undefined> {
  const { db, log } = deps;
  const { campaignId } = run.shard;
  const state = await db.campaign.findUnique({
    where: { id: campaignId },
    select: { status: true },
  });
  if (run.claim.lost) return "busy";
  if (state?.status === "paused") {
    log.info("campaign paused; shard stops between batches", {
      campaignId,
      shardId: run.shard.id,
      batches: run.batches,
    });
    return "paused";
  }
  if (state?.status !== "sending") {
    if (state?.status === "cancelled") {
      await db.delivery.updateMany({
        where: { campaignId, status: "queued" },
        data: {
          status: "skipped",
          response: "campaign cancelled before this message was handed to SMTP",
        },
      });
      return "cancelled";
    }
    return "not-sendable";
  }
  if (deps.signal.aborted) {
    await deps.queue.now(SHARD_JOB, { campaignId, shardId: run.shard.id });
    log.info("worker stopping; shard re-queued to continue", { campaignId, shardId: run.shard.id });
    return "aborted";
  }
  return undefined;
}

/**
 * The next page of the shard's audience, read now (opt-in and suppression at
 * send time), with its ledger rows created: the deliveries still queued.
 */
async function nextBatch(deps: SendDeps, run: ShardRun): Promise<BatchItem[]> {
  const { db, config } = deps;
  const { shard } = run;
  if (shard.upToContactId === null) {
    const at = Math.max(shard.afterContactId + config.sendShardSize, run.cursor);
    const split = await splitOpenShard(db, shard, at);
    if (split !== null) {
      await deps.queue.now(SHARD_JOB, { campaignId: shard.campaignId, shardId: split });
      deps.log.info("audience grew past the last shard; split off another", {
        campaignId: shard.campaignId,
        shardId: split,
        after: at,
      });
    }
  }
  const page = await selectRecipients(run.sql, {
    campaignId: shard.campaignId,
    after: run.cursor,
    limit: config.sendBatchSize,
    segment: run.segment,
    upTo: shard.upToContactId,
  });
  if (page.length === 0) return [];
  run.cursor = page[page.length - 1]!.contactId;
  const hashes = page.map((r) => hashAddress(config.suppressionKey, r.email));
  const suppressed = await suppressedHashes(run.sql, hashes);
  const recipients = page.filter((_, i) => !suppressed.has(hashes[i]!));
  const domain = senderDomain(config.mailFrom);
  const secret = config.signingKeys[0]!.secret;
  const queued = await queueDeliveries(
    run.sql,
    shard.campaignId,
    recipients.map((r) => ({
      contactId: r.contactId,
      messageId: deliveryMessageId(secret, shard.campaignId, r.contactId, domain),
    })),
  );
  const byContact = new Map(recipients.map((r) => [r.contactId, r]));
  return queued.map((delivery) => ({ delivery, recipient: byContact.get(delivery.contactId)! }));
}

async function deliver(deps: SendDeps, run: ShardRun, items: BatchItem[]): Promise<void> {
  const outcome = await run.deliver(items);
  if (outcome.deferred > 0) {
    const ids = await queuedDeliveryIds(
      deps.db,
      run.shard.campaignId,
      items.map((i) => i.recipient.contactId),
    );
    for (const id of ids) run.deferredIds.add(id);
  }
  run.batches++;
  deps.log.debug("shard batch sent", {
    campaignId: run.shard.campaignId,
    shardId: run.shard.id,
    batch: run.batches,
    recipients: items.length,
    ...outcome,
  });
}

/** The shard is done; the last shard to end finishes the campaign. */
async function finishShard(deps: SendDeps, run: ShardRun): Promise<SendStop> {
  const { campaignId, id } = run.shard;
  await markShardDone(deps.db, id, run.claim.owner);
  const finished = await finishCampaign(deps.db, campaignId, deps.clock.now());
  if (finished) deps.log.info("campaign sent", { campaignId, lastShard: id });
  return "finished";
}
