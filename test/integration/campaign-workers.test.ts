// Two worker processes (src/main.ts, as an operator runs them) share one
// campaign on real PostgreSQL with the SMTP sink: the send rate is global
// (their combined rate stays within SEND_RATE), and either may be killed
// with SIGKILL at seeded random points and restarted while the other goes
// on: no Message-ID arrives twice, everyone ends sent, failed or uncertain,
// and the uncertain are no more than the killed worker had in flight.
import { spawn, type ChildProcess } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { scheduleCampaign } from "../../src/newsletters/schedule-campaign.ts";
import { repoRoot } from "../support/processes.ts";
import {
  deliveryCounts,
  newCampaign,
  openWorld,
  seedAudience,
  testEnv,
  waitForStatus,
  type World,
} from "./campaign-fixture.ts";

const seed = Number(process.env.KILL_SEED ?? 20261202);
const POOL = 4;

function mulberry32(a: number): () => number {
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let world: World | undefined;
const children = new Set<ChildProcess>();
afterEach(async () => {
  for (const child of children) child.kill("SIGKILL");
  await world?.close();
  world = undefined;
});

function startWorker(w: World, extra: Record<string, string>): ChildProcess {
  const env = {
    ...process.env,
    ...testEnv(w.database.url, w.sink.port, {
      SMTP_POOL_SIZE: String(POOL),
      PORT: "0",
      LOG_LEVEL: "warn",
      ...extra,
    }),
  };
  const child = spawn(process.execPath, ["--import", "tsx", path.join(repoRoot, "src/main.ts")], {
    cwd: repoRoot,
    env,
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr = (stderr + d).slice(-4000)));
  child.on("exit", (code, signal) => {
    children.delete(child);
    if (signal !== "SIGKILL" && code !== 0) console.error(`worker exited ${code}: ${stderr}`);
  });
  children.add(child);
  return child;
}

async function until(
  predicate: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The worker processes that sent (or are sending) the campaign's shards, by pid. */
async function shardOwners(w: World, campaignId: number): Promise<Set<string>> {
  const { rows } = await w.pg.query<{ owner: string }>(
    `SELECT DISTINCT split_part(lease_owner, ':', 2) AS owner FROM campaign_shards WHERE campaign_id = $1 AND lease_owner IS NOT NULL`,
    [campaignId],
  );
  return new Set(rows.map((r) => r.owner));
}

describe("two worker processes", () => {
  it(
    "share one campaign and its send rate: together no faster than SEND_RATE",
    { timeout: 240_000 },
    async () => {
      const RATE = 80;
      const N = 480;
      world = await openWorld();
      const { app, sink, pg } = world;
      await seedAudience(pg, N);
      const extra = { SEND_RATE: String(RATE), SEND_SHARD_SIZE: "60", SEND_BATCH_SIZE: "20" };
      const workers = [startWorker(world, extra), startWorker(world, extra)];
      const campaignId = await newCampaign(app, "rated");
      await scheduleCampaign(app, { slug: "rated" });
      await waitForStatus(app, campaignId, ["sent"], 180_000);

      expect(sink.count).toBe(N);
      expect(sink.duplicates).toBe(0);
      const owners = await shardOwners(world, campaignId);
      expect(owners).toEqual(new Set(workers.map((w) => String(w.pid))));
      // A token bucket of RATE per second holding at most RATE tokens lets any window of
      // 2 s carry at most RATE (what had piled up) + 2 s of the rate, whenever the pile
      // is spent (a slow start under load spends it later, not in the first second);
      // 10% for the sink's clock. Two unshared buckets would reach about twice that.
      const times = sink.messages.map((m) => m.receivedAt.getTime()).sort((a, b) => a - b);
      const first = times[0]!;
      let worst = 0;
      for (let i = 0, j = 0; i < times.length; i++) {
        while (times[j]! < times[i]! - 2000) j++;
        worst = Math.max(worst, i - j + 1);
      }
      const seconds = (times[times.length - 1]! - first) / 1000;
      console.log(
        `two workers at SEND_RATE=${RATE}: ${N} messages in ${seconds.toFixed(1)} s (${(N / seconds).toFixed(1)}/s overall); busiest 2 s window ${worst} messages`,
      );
      expect(worst).toBeLessThanOrEqual((RATE + RATE * 2) * 1.1);
      expect(N / seconds).toBeLessThanOrEqual(RATE * 1.1 + RATE / seconds);
      expect(N / seconds).toBeGreaterThan(RATE * 0.5);
    },
  );

  it(
    "survive SIGKILLs of either one at random points: nothing twice, the uncertain bounded by what the killed one had in flight",
    { timeout: 480_000 },
    async () => {
      const N = 4000;
      const KILLS = 4;
      world = await openWorld({ SMTP_POOL_SIZE: String(POOL) });
      const { app, sink, pg } = world;
      await seedAudience(pg, N);
      const extra = { SEND_SHARD_SIZE: "400", SEND_BATCH_SIZE: "50" };
      const workers = [startWorker(world, extra), startWorker(world, extra)];
      const campaignId = await newCampaign(app, "killed");
      await scheduleCampaign(app, { slug: "killed" });

      const random = mulberry32(seed);
      const targets = Array.from({ length: KILLS }, () =>
        Math.floor(300 + random() * (N - 800)),
      ).sort((a, b) => a - b);
      const kills: Array<{ at: number; worker: number; inFlight: number; sendingAll: number }> = [];
      for (const target of targets) {
        await until(() => sink.count >= target, 240_000, `the sink to reach ${target} messages`);
        await new Promise((r) => setTimeout(r, Math.floor(random() * 40)));
        const victim = random() < 0.5 ? 0 : 1;
        const child = workers[victim]!;
        child.kill("SIGKILL");
        await new Promise((r) => child.once("exit", r));
        // rows in flight in the shards the killed process held (the other one goes on)
        const { rows } = await pg.query<{ mine: number; all: number }>(
          `SELECT count(*) FILTER (WHERE s.lease_owner LIKE $2)::int AS mine, count(*)::int AS all
           FROM deliveries d
           JOIN campaign_shards s ON s.campaign_id = d.campaign_id
            AND d.contact_id > s.after_contact_id AND (s.up_to_contact_id IS NULL OR d.contact_id <= s.up_to_contact_id)
          WHERE d.campaign_id = $1 AND d.status = 'sending'`,
          [campaignId, `${os.hostname()}:${child.pid}:%`],
        );
        kills.push({
          at: sink.count,
          worker: victim,
          inFlight: rows[0]!.mine,
          sendingAll: rows[0]!.all,
        });
        workers[victim] = startWorker(world, extra);
      }
      await waitForStatus(app, campaignId, ["sent"], 300_000);

      const counts = await deliveryCounts(pg, campaignId);
      const uncertain = counts.uncertain ?? 0;
      console.log(
        `two-worker kill test (seed ${seed}): kills at sink counts ${kills.map((k) => `${k.at} (worker ${k.worker}, ${k.inFlight} in flight of ${k.sendingAll} sending)`).join(", ")}; final ${JSON.stringify(counts)}; sink received ${sink.count}, duplicates ${sink.duplicates}; shard owners ${(await shardOwners(world, campaignId)).size}`,
      );
      expect(sink.duplicates).toBe(0);
      expect((counts.sent ?? 0) + (counts.failed ?? 0) + uncertain).toBe(N);
      expect(Object.keys(counts).every((s) => ["sent", "failed", "uncertain"].includes(s))).toBe(
        true,
      );
      // only the killed worker's in-flight rows become uncertain: at most one per pool connection per kill
      expect(uncertain).toBeLessThanOrEqual(kills.reduce((sum, k) => sum + k.inFlight, 0));
      expect(uncertain).toBeLessThanOrEqual(POOL * KILLS);
      const received = new Set(sink.messages.map((m) => m.messageId));
      const { rows: sent } = await pg.query<{ message_id: string }>(
        `SELECT message_id FROM deliveries WHERE campaign_id = $1 AND status = 'sent'`,
        [campaignId],
      );
      expect(sent.every((r) => received.has(`<${r.message_id}>`))).toBe(true);
      expect(sink.count).toBeGreaterThanOrEqual(counts.sent ?? 0);
      expect(sink.count).toBeLessThanOrEqual((counts.sent ?? 0) + uncertain);
      const { rows: audits } = await pg.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM audit_log WHERE action = 'campaign.sent' AND subject_id = $1`,
        [String(campaignId)],
      );
      expect(audits[0]!.n).toBe(1);
    },
  );
});
