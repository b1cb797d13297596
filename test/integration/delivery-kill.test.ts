// Fault test: the worker is killed with SIGKILL at seeded random points of a
// 5,000-recipient campaign and restarted each time. Nobody may be sent the
// same Message-ID twice, everyone ends sent, failed or uncertain, and the
// uncertain are no more than the messages in flight at the kills.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scheduleCampaign } from "../../src/newsletters/schedule-campaign.ts";
import {
  deliveryCounts,
  newCampaign,
  openWorld,
  seedAudience,
  testEnv,
  waitForStatus,
  type World,
} from "./campaign-fixture.ts";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const RECIPIENTS = 5000;
const KILLS = 5;
const POOL = 4;
const seed = Number(process.env.KILL_SEED ?? 20261125);

function mulberry32(a: number): () => number {
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let world: World;
const children = new Set<ChildProcess>();
beforeAll(async () => {
  world = await openWorld({ SMTP_POOL_SIZE: String(POOL) });
});
afterAll(async () => {
  for (const child of children) child.kill("SIGKILL");
  await world?.close();
});

function startWorker(): ChildProcess {
  const env = {
    ...process.env,
    ...testEnv(world.database.url, world.sink.port, {
      SMTP_POOL_SIZE: String(POOL),
      PORT: "0",
      LOG_LEVEL: "warn",
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

describe("SIGKILL during a campaign", () => {
  it(
    `resumes after ${KILLS} kills without sending any Message-ID twice`,
    { timeout: 300_000 },
    async () => {
      const { app, sink, pg } = world;
      await seedAudience(pg, RECIPIENTS);
      const campaignId = await newCampaign(app, "killed");
      await scheduleCampaign(app, { slug: "killed" });

      const random = mulberry32(seed);
      const targets = Array.from({ length: KILLS }, () =>
        Math.floor(200 + random() * (RECIPIENTS - 400)),
      ).sort((a, b) => a - b);
      const kills: Array<{ at: number; sending: number }> = [];
      for (const target of targets) {
        const worker = startWorker();
        await until(() => sink.count >= target, 120_000, `the sink to reach ${target} messages`);
        // a seeded extra delay moves the kill off the sink's clock
        await new Promise((r) => setTimeout(r, Math.floor(random() * 40)));
        worker.kill("SIGKILL");
        await new Promise((r) => worker.once("exit", r));
        const { rows } = await pg.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM deliveries WHERE campaign_id = $1 AND status = 'sending'`,
          [campaignId],
        );
        kills.push({ at: sink.count, sending: rows[0]!.n });
      }
      startWorker();
      await waitForStatus(app, campaignId, ["sent"], 180_000);

      const counts = await deliveryCounts(pg, campaignId);
      const uncertain = counts.uncertain ?? 0;
      console.log(
        `kill test (seed ${seed}): kills at sink counts ${kills.map((k) => `${k.at} (${k.sending} in flight)`).join(", ")}; final ${JSON.stringify(counts)}; sink received ${sink.count}, duplicates ${sink.duplicates}`,
      );
      expect(sink.duplicates).toBe(0);
      expect((counts.sent ?? 0) + (counts.failed ?? 0) + uncertain).toBe(RECIPIENTS);
      expect(Object.keys(counts).every((s) => ["sent", "failed", "uncertain"].includes(s))).toBe(
        true,
      );
      // at most one message per pool connection is in flight at a kill
      expect(uncertain).toBeLessThanOrEqual(kills.reduce((sum, k) => sum + k.sending, 0));
      expect(uncertain).toBeLessThanOrEqual(POOL * KILLS);
      // every message the ledger calls sent reached the sink
      const received = new Set(sink.messages.map((m) => m.messageId));
      const { rows: sent } = await pg.query<{ message_id: string }>(
        `SELECT message_id FROM deliveries WHERE campaign_id = $1 AND status = 'sent'`,
        [campaignId],
      );
      expect(sent.every((r) => received.has(`<${r.message_id}>`))).toBe(true);
      expect(sink.count).toBeGreaterThanOrEqual(counts.sent ?? 0);
      expect(sink.count).toBeLessThanOrEqual((counts.sent ?? 0) + uncertain);
    },
  );
});
