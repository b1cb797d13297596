// The --workers mode of bench/send-campaign: the same campaign (a fresh copy
// per run, same audience) sent by 1 and then N worker processes (src/main.ts,
// as an operator runs them) sharing the benchmark's database, the SMTP sink in
// its own process. Rates are from scheduling to the campaign's status `sent`,
// with the workers already started.
import os from "node:os";
import type { App } from "../src/main.ts";
import { createCampaign } from "../src/newsletters/create-campaign.ts";
import { scheduleCampaign } from "../src/newsletters/schedule-campaign.ts";
import { startMain, type Started } from "../test/support/processes.ts";

export async function benchWorkers(
  ctx: { app: App; env: Record<string, string>; n: number; content: unknown },
  args: string[],
): Promise<void> {
  const at = args.indexOf("--workers");
  const most = Number(args[at + 1] ?? 2);
  const shardAt = args.indexOf("--shard");
  const shard = shardAt >= 0 ? args[shardAt + 1]! : "1000";
  const rates: number[] = [];
  for (const count of [...new Set([1, most])]) {
    const workers: Started[] = await Promise.all(
      Array.from({ length: count }, () =>
        startMain({ ...ctx.env, SEND_SHARD_SIZE: shard, LOG_LEVEL: "info" }, 120_000),
      ),
    );
    const slug = `bench-w${count}`;
    const { id } = await createCampaign(
      { db: ctx.app.db },
      {
        slug,
        template: "monthly",
        subject: "News for {{name}}",
        lists: ["news"],
        content: ctx.content as never,
      },
    );
    const load = os.loadavg()[0]!.toFixed(2);
    const started = performance.now();
    await scheduleCampaign(ctx.app, { slug });
    for (;;) {
      const c = await ctx.app.db.campaign.findUniqueOrThrow({
        where: { id },
        select: { status: true },
      });
      if (c.status === "sent") break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const seconds = (performance.now() - started) / 1000;
    const sent = await ctx.app.db.delivery.count({ where: { campaignId: id, status: "sent" } });
    const rate = sent / seconds;
    rates.push(rate);
    console.log(
      `${count} worker process(es), shards of ${shard}: ${sent} sent in ${seconds.toFixed(2)} s = ${rate.toFixed(0)} msg/s (load average ${load} at the start, ${os.loadavg()[0]!.toFixed(2)} at the end)`,
    );
    for (const w of workers) w.child.kill("SIGTERM");
    await Promise.all(workers.map((w) => w.exited));
  }
  console.log(
    JSON.stringify({
      n: ctx.n,
      workers: most,
      oneWorkerPerSecond: Math.round(rates[0]!),
      workersPerSecond: Math.round(rates[rates.length - 1]!),
      scaling: Number((rates[rates.length - 1]! / rates[0]!).toFixed(2)),
    }),
  );
}
