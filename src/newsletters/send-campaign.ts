/**
 * The body of the `campaign.send` job. Walks the audience by keyset on
 * contact id in batches of SEND_BATCH_SIZE, re-reading subscriptions and
 * suppressions when each batch starts, writing the delivery ledger (unique on
 * campaign and contact) before anything is sent. Safe to run again at any
 * point: rows found `sending` belonged to a worker that died and become
 * `uncertain`; rows `sent`, `failed` or `uncertain` are never sent again.
 *
 * Temporary refusals (4xx) are retried within the batch (RETRY_IN_BATCH_MS);
 * if they persist the row goes back to `queued` and the job schedules itself
 * again after SEND_RETRY_DELAY_SECONDS × 2^(tries-1), up to MAX_TRIES tries,
 * after which the delivery is `failed` with the last answer.
 */
import os from "node:os";
import type { Config } from "../config/load-config.ts";
import { hashAddress } from "../consent/address-hash.ts";
import type { JobQueue } from "../jobs.ts";
import { recordAudit } from "../privacy/record-audit.ts";
import type { Clock, Db, Logger, Mailer } from "../types.ts";
import type { Segment } from "./create-campaign.ts";
import { deliverBatch, type BatchItem, type BatchOutcome } from "./deliver-batch.ts";
import {
  createLedgerWriter,
  insertDeliveries,
  markInterrupted,
  queuedDeliveries,
  resumeCursor,
} from "./delivery-ledger.ts";
import { deliveryMessageId, senderDomain } from "./message-id.ts";
import { createCampaignRenderer } from "./render-recipient-message.ts";
import { selectRecipients, suppressedHashes } from "./select-recipients.ts";
import { claimSendLease, releaseSendLease } from "./send-lease.ts";
import { createRateLimiter } from "./token-bucket.ts";

export const RETRY_IN_BATCH_MS = [250, 1000] as const;
export const MAX_TRIES = 5;

export interface SendDeps {
  db: Db;
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

export async function sendCampaign(deps: SendDeps, campaignId: number): Promise<SendStop> {
  const { db, config, log } = deps;
  const campaign = await db.campaign.findUnique({
    where: { id: campaignId },
    select: {
      id: true,
      status: true,
      segment: true,
      frozenHtml: true,
      frozenText: true,
      frozenSubject: true,
      startedAt: true,
      lists: { select: { list: { select: { slug: true } } } },
    },
  });
  if (
    !campaign ||
    !["scheduled", "sending"].includes(campaign.status) ||
    campaign.frozenHtml === null
  ) {
    log.info("campaign not sendable; send job ends", {
      campaignId,
      status: campaign?.status ?? "missing",
    });
    return "not-sendable";
  }
  const owner = `${os.hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
  const leaseMs = Math.max(config.jobLockLifetimeMs, 1000);
  const lease = await claimSendLease(db, campaignId, owner, leaseMs);
  if (!lease.ok) {
    // Another worker holds it; come back when its lease would have lapsed, in case it died.
    const at = new Date(Math.max(deps.clock.now().getTime(), lease.until?.getTime() ?? 0) + 500);
    await deps.queue.at(at, "campaign.send", { campaignId });
    log.info("campaign is being sent by another worker; checking again later", {
      campaignId,
      at: at.toISOString(),
    });
    return "busy";
  }
  // Between batches is not often enough: a batch waiting out 4xx retries or a
  // slow server can outlast the lock, and another worker would then take the
  // job over while this one still has messages in flight.
  let leaseLost = false;
  const heartbeat = setInterval(
    () => {
      void Promise.all([deps.touch(), claimSendLease(db, campaignId, owner, leaseMs)]).then(
        ([, renewed]) => {
          if (!renewed.ok) leaseLost = true;
        },
        (error: unknown) =>
          log.warn("could not renew the send job's lock", { campaignId, error: String(error) }),
      );
    },
    Math.max(250, Math.floor(leaseMs / 3)),
  );
  try {
    const interrupted = await markInterrupted(db, campaignId);
    if (interrupted > 0) {
      log.warn("deliveries left in flight by a stopped worker marked uncertain", {
        campaignId,
        count: interrupted,
      });
      await recordAudit(db, {
        actor: "worker",
        action: "campaign.uncertain",
        subjectType: "campaign",
        subjectId: campaignId,
        detail: { count: interrupted },
      });
    }
    if (campaign.status === "scheduled") {
      await db.campaign.updateMany({
        where: { id: campaignId, status: "scheduled" },
        data: { status: "sending", startedAt: campaign.startedAt ?? deps.clock.now() },
      });
    }
    const lists = campaign.lists.map((l) => l.list.slug).sort();
    const render = createCampaignRenderer(
      { config, mailer: deps.mailer },
      {
        id: campaignId,
        lists,
        frozen: {
          subject: campaign.frozenSubject ?? "",
          html: campaign.frozenHtml,
          text: campaign.frozenText ?? "",
        },
      },
    );
    const totals: BatchOutcome = {
      sent: 0,
      failed: 0,
      uncertain: 0,
      deferred: 0,
      suppressed: 0,
      skipped: 0,
    };
    const deferredIds = new Set<number>();
    const domain = senderDomain(config.mailFrom);
    const secret = config.signingKeys[0]!.secret;
    const limiter = createRateLimiter({
      perSecond: config.sendRate,
      perDomainPerSecond: config.sendRatePerDomain,
    });
    const write = createLedgerWriter(db);
    const expected = await db.delivery.count({ where: { campaignId } });
    let cursor = await resumeCursor(db, campaignId);
    let batchNo = 0;

    for (;;) {
      const state = await db.campaign.findUnique({
        where: { id: campaignId },
        select: { status: true, sendLeaseOwner: true },
      });
      if (leaseLost || state?.sendLeaseOwner !== owner) return "busy";
      if (state.status === "paused") {
        log.info("campaign paused; send job stops between batches", {
          campaignId,
          batches: batchNo,
          ...totals,
        });
        return "paused";
      }
      if (state.status === "cancelled") {
        await db.delivery.updateMany({
          where: { campaignId, status: "queued" },
          data: {
            status: "skipped",
            response: "campaign cancelled before this message was handed to SMTP",
          },
        });
        return "cancelled";
      }
      if (deps.signal.aborted) {
        await deps.queue.now("campaign.send", { campaignId });
        log.info("worker stopping; campaign re-queued to continue", { campaignId });
        return "aborted";
      }
      const page = await selectRecipients(db, {
        campaignId,
        after: cursor,
        limit: config.sendBatchSize,
        segment: (campaign.segment ?? null) as Segment | null,
      });
      if (page.length === 0) break;
      cursor = page[page.length - 1]!.contactId;
      const hashes = page.map((r) => hashAddress(config.suppressionKey, r.email));
      const suppressed = await suppressedHashes(db, hashes);
      const recipients = page.filter((_, i) => !suppressed.has(hashes[i]!));
      await insertDeliveries(
        db,
        campaignId,
        recipients.map((r) => ({
          contactId: r.contactId,
          messageId: deliveryMessageId(secret, campaignId, r.contactId, domain),
        })),
      );
      const queued = await queuedDeliveries(
        db,
        campaignId,
        recipients.map((r) => r.contactId),
      );
      const byContact = new Map(recipients.map((r) => [r.contactId, r]));
      const items: BatchItem[] = queued.map((delivery) => ({
        delivery,
        recipient: byContact.get(delivery.contactId)!,
      }));
      const outcome = await deliverBatch(
        {
          db,
          mailer: deps.mailer,
          log,
          limiter,
          write,
          suppressionKey: config.suppressionKey,
          concurrency: deps.mailer.poolSize ?? config.smtp?.poolSize ?? 1,
          retryDelaysMs: deps.retryInBatchMs ?? RETRY_IN_BATCH_MS,
          render: (item) => render(item.recipient, item.delivery.messageId, deps.clock.now()),
        },
        items,
      );
      for (const key of Object.keys(totals) as Array<keyof BatchOutcome>)
        totals[key] += outcome[key];
      if (outcome.deferred > 0) {
        const rows = await db.delivery.findMany({
          where: {
            campaignId,
            contactId: { in: items.map((i) => i.recipient.contactId) },
            status: "queued",
          },
          select: { id: true },
        });
        for (const r of rows) deferredIds.add(r.id);
      }
      batchNo++;
      await deps.touch();
      const renewed = await claimSendLease(db, campaignId, owner, leaseMs);
      if (!renewed.ok) return "busy";
      log.info("campaign batch sent", {
        campaignId,
        batch: batchNo,
        recipients: items.length,
        sent: totals.sent,
        failed: totals.failed,
        deferred: totals.deferred,
        total: Math.max(expected, totals.sent + totals.failed),
      });
    }

    // Rows still queued: deferred here (retry later), or their contact left the audience (skipped).
    const leftover = await db.delivery.findMany({
      where: { campaignId, status: "queued" },
      select: { id: true, attempts: true, response: true },
    });
    const retry = leftover.filter((d) => deferredIds.has(d.id) && d.attempts < MAX_TRIES);
    const exhausted = leftover.filter((d) => deferredIds.has(d.id) && d.attempts >= MAX_TRIES);
    const gone = leftover.filter((d) => !deferredIds.has(d.id));
    if (gone.length > 0) {
      await db.delivery.updateMany({
        where: { id: { in: gone.map((d) => d.id) }, status: "queued" },
        data: {
          status: "skipped",
          response: "no longer subscribed, or suppressed, when its batch started",
        },
      });
    }
    for (const d of exhausted) {
      await db.delivery.updateMany({
        where: { id: d.id, status: "queued" },
        data: {
          status: "failed",
          response: `gave up after ${d.attempts} tries; last answer: ${d.response ?? "none"}`,
        },
      });
    }
    if (retry.length > 0) {
      const tries = Math.max(...retry.map((d) => d.attempts));
      const at = new Date(
        deps.clock.now().getTime() + config.sendRetryDelaySeconds * 1000 * 2 ** (tries - 1),
      );
      await deps.queue.at(at, "campaign.send", { campaignId });
      log.info("campaign has deferred deliveries; retrying later", {
        campaignId,
        deferred: retry.length,
        at: at.toISOString(),
      });
      return "deferred";
    }
    await finishCampaign(db, campaignId, deps.clock.now());
    log.info("campaign sent", { campaignId, batches: batchNo });
    return "finished";
  } finally {
    clearInterval(heartbeat);
    await releaseSendLease(db, campaignId, owner);
  }
}

async function finishCampaign(db: Db, campaignId: number, now: Date): Promise<void> {
  const groups = await db.delivery.groupBy({
    by: ["status"],
    where: { campaignId },
    _count: { _all: true },
  });
  const counts = Object.fromEntries(groups.map((g) => [g.status, g._count._all]));
  await db.$transaction([
    db.campaign.updateMany({
      where: { id: campaignId, status: "sending" },
      data: { status: "sent", finishedAt: now },
    }),
    db.auditEntry.create({
      data: {
        actor: "worker",
        action: "campaign.sent",
        subjectType: "campaign",
        subjectId: String(campaignId),
        detail: counts,
      },
    }),
  ]);
}
