// A campaign shared by two job runners on one database (two workers in one
// process): shards taken by both, each recipient sent once, the campaign
// finished once; the audience growing after planning; pause, resume and
// cancel reaching every shard; send-rate buckets shared through PostgreSQL.
import { afterEach, describe, expect, it } from "vitest";
import { openApp, type App } from "../../src/main.ts";
import { campaignReport } from "../../src/newsletters/campaign-report.ts";
import { cancelCampaign } from "../../src/newsletters/cancel-campaign.ts";
import { pauseCampaign } from "../../src/newsletters/pause-campaign.ts";
import { resumeCampaign } from "../../src/newsletters/resume-campaign.ts";
import { scheduleCampaign } from "../../src/newsletters/schedule-campaign.ts";
import { createSharedRateLimiter } from "../../src/newsletters/shared-rate-limiter.ts";
import { startCampaignSend } from "../../src/newsletters/start-campaign-send.ts";
import {
  deliveryCounts,
  newCampaign,
  openWorld,
  seedAudience,
  waitForStatus,
  type World,
} from "./campaign-fixture.ts";

let world: World | undefined;
let second: App | undefined;
afterEach(async () => {
  await second?.close();
  second = undefined;
  await world?.close();
  world = undefined;
});

const until = async (predicate: () => boolean | Promise<boolean>, timeoutMs = 60_000) => {
  const end = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 10));
  }
};

/** Two workers on the world's database: its app and a second one. */
async function twoWorkers(extra: Record<string, string>): Promise<World> {
  world = await openWorld({ SEND_SHARD_SIZE: "40", SEND_BATCH_SIZE: "20", ...extra });
  second = await openApp({ purpose: "test worker 2", config: world.config });
  return world;
}

async function shardRows(w: World, campaignId: number) {
  const { rows } = await w.pg.query<{
    after: number;
    up_to: number | null;
    done: boolean;
  }>(
    `SELECT after_contact_id AS after, up_to_contact_id AS up_to, done_at IS NOT NULL AS done
       FROM campaign_shards WHERE campaign_id = $1 ORDER BY after_contact_id`,
    [campaignId],
  );
  return rows;
}

async function sentAudits(w: World, campaignId: number): Promise<number> {
  const { rows } = await w.pg.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM audit_log WHERE action = 'campaign.sent' AND subject_id = $1`,
    [String(campaignId)],
  );
  return rows[0]!.n;
}

describe("a campaign in shards", () => {
  it("two workers send it once to everyone, the last shard finishes it once, the report sums the shards", async () => {
    const { app, sink, pg } = await twoWorkers({});
    await seedAudience(pg, 300);
    const id = await newCampaign(app, "shared");
    await scheduleCampaign(app, { slug: "shared" });
    await Promise.all([app.jobs.start(), second!.jobs.start()]);
    await waitForStatus(app, id, ["sent"], 120_000);

    expect(sink.count).toBe(300);
    expect(sink.duplicates).toBe(0);
    expect(await deliveryCounts(pg, id)).toEqual({ sent: 300 });
    const shards = await shardRows(world!, id);
    expect(shards.length).toBeGreaterThanOrEqual(7);
    expect(shards.every((s) => s.done)).toBe(true);
    // contiguous ranges, the last one open-ended
    for (let i = 1; i < shards.length; i++) expect(shards[i]!.after).toBe(shards[i - 1]!.up_to);
    expect(shards[shards.length - 1]!.up_to).toBeNull();
    expect(await sentAudits(world!, id)).toBe(1);
    const report = await campaignReport(app.db, "shared");
    expect(report.counts).toMatchObject({ sent: 300, total: 300 });
    expect(report.shards).toEqual({ total: shards.length, done: shards.length, sending: 0 });
    expect(report.finishedAt).not.toBeNull();
  });

  it("contacts added after the shards were planned are sent by the open last shard, which splits", async () => {
    const { app, sink, pg } = await twoWorkers({});
    await seedAudience(pg, 100);
    const id = await newCampaign(app, "growing");
    await scheduleCampaign(app, { slug: "growing" });
    // planned now, at 100 contacts; 150 more arrive before any worker runs
    expect(await startCampaignSend(app, id)).toHaveLength(3);
    await seedAudience(pg, 150);
    await Promise.all([app.jobs.start(), second!.jobs.start()]);
    await waitForStatus(app, id, ["sent"], 120_000);

    expect(sink.count).toBe(250);
    expect(sink.duplicates).toBe(0);
    const shards = await shardRows(world!, id);
    expect(shards.length).toBeGreaterThanOrEqual(7);
    for (let i = 1; i < shards.length; i++) expect(shards[i]!.after).toBe(shards[i - 1]!.up_to);
    expect(shards.every((s) => s.done)).toBe(true);
    expect(await sentAudits(world!, id)).toBe(1);
  });

  it("pause stops every shard within a batch; resume sends everyone else exactly once", async () => {
    const { app, sink, pg } = await twoWorkers({ SEND_RATE: "120" });
    await seedAudience(pg, 300);
    const id = await newCampaign(app, "paused");
    await scheduleCampaign(app, { slug: "paused" });
    await Promise.all([app.jobs.start(), second!.jobs.start()]);
    await until(() => sink.count >= 60);
    await pauseCampaign({ db: app.db }, { slug: "paused" });
    // each shard ends the batch it is in (20 messages at most), then nothing more
    await until(async () => (await app.db.delivery.count({ where: { status: "sending" } })) === 0);
    await new Promise((r) => setTimeout(r, 1500));
    const atPause = sink.count;
    expect(atPause).toBeLessThanOrEqual(60 + 2 * 20 + 5);
    await new Promise((r) => setTimeout(r, 1000));
    expect(sink.count).toBe(atPause);
    expect((await app.db.campaign.findUniqueOrThrow({ where: { id } })).status).toBe("paused");

    await resumeCampaign(app, { slug: "paused" });
    await waitForStatus(app, id, ["sent"], 120_000);
    expect(sink.count).toBe(300);
    expect(sink.duplicates).toBe(0);
    expect(await deliveryCounts(pg, id)).toEqual({ sent: 300 });
    expect(await sentAudits(world!, id)).toBe(1);
  });

  it("cancel stops every shard within a batch; what was not handed over is skipped", async () => {
    const { app, sink, pg } = await twoWorkers({ SEND_RATE: "120" });
    await seedAudience(pg, 300);
    const id = await newCampaign(app, "cancelled");
    await scheduleCampaign(app, { slug: "cancelled" });
    await Promise.all([app.jobs.start(), second!.jobs.start()]);
    await until(() => sink.count >= 60);
    await cancelCampaign(app, { slug: "cancelled" });
    await until(async () => (await app.db.delivery.count({ where: { status: "sending" } })) === 0);
    await new Promise((r) => setTimeout(r, 1500));
    const atCancel = sink.count;
    await new Promise((r) => setTimeout(r, 1000));
    expect(sink.count).toBe(atCancel);
    expect(sink.duplicates).toBe(0);
    const counts = await deliveryCounts(pg, id);
    expect(counts.sent).toBe(atCancel);
    expect(Object.keys(counts).every((s) => ["sent", "skipped"].includes(s))).toBe(true);
    expect((await app.db.campaign.findUniqueOrThrow({ where: { id } })).status).toBe("cancelled");
    expect(await sentAudits(world!, id)).toBe(0);
  });

  it("two limiters on one database together stay within the shared rate", async () => {
    world = await openWorld();
    const rate = 100;
    const seconds = 3;
    const limiters = [0, 1].map(() =>
      createSharedRateLimiter({ db: world!.app.db, perSecond: rate, perDomainPerSecond: 0 }),
    );
    const domainLimiters = [0, 1].map(() =>
      createSharedRateLimiter({ db: world!.app.db, perSecond: 0, perDomainPerSecond: 30 }),
    );
    const taken = [0, 0];
    const domainTaken = [0, 0];
    const end = Date.now() + seconds * 1000;
    const drain = async (take: () => Promise<void>, onTaken: () => void) => {
      for (;;) {
        await take();
        if (Date.now() >= end) return;
        onTaken();
      }
    };
    await Promise.all([
      // four slots per limiter, as a worker's SMTP pool would
      ...[0, 1].flatMap((w) =>
        [0, 1, 2, 3].map(() =>
          drain(
            () => limiters[w]!.take("x.test"),
            () => taken[w]!++,
          ),
        ),
      ),
      ...[0, 1].flatMap((w) =>
        [0, 1].map(() =>
          drain(
            () => domainLimiters[w]!.take("slow.test"),
            () => domainTaken[w]!++,
          ),
        ),
      ),
    ]);
    const total = taken[0]! + taken[1]!;
    // the bucket starts full (one second's worth), then refills at the rate
    expect(total).toBeLessThanOrEqual(rate * seconds + rate);
    expect(total).toBeGreaterThanOrEqual(rate * seconds * 0.7);
    // both got a share
    expect(Math.min(...taken)).toBeGreaterThan(rate * 0.5);
    const domainTotal = domainTaken[0]! + domainTaken[1]!;
    expect(domainTotal).toBeLessThanOrEqual(30 * seconds + 30);
    expect(domainTotal).toBeGreaterThanOrEqual(30 * seconds * 0.7);
  });
});
