// Fault test: `mailsteward handover --all` runs as a child process and is
// killed with SIGKILL at seeded random points (during the copy, judged by
// the ledger's growth, and once after verification while emptying), then
// rerun. After each kill the target holds no message twice and the source is
// untouched unless verification had passed; at the end the target holds
// exactly the source's messages, each once, and the source is empty.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Employee } from "../../src/generated/prisma/client.ts";
import { testKeys } from "../support/app-config.ts";
import {
  message,
  openHandoverWorld,
  type HandoverWorld,
  type SeedMessage,
} from "./handover-fixture.ts";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const seed = Number(process.env.KILL_SEED ?? 20261201);
const FOLDERS = { INBOX: 1500, Archive: 700, "Projekte/Kunden Ärger": 300 };

function mulberry32(a: number): () => number {
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let world: HandoverWorld;
let from: Employee;
let to: Employee;
const children = new Set<ChildProcess>();
const total = Object.values(FOLDERS).reduce((a, b) => a + b, 0);

beforeAll(async () => {
  world = await openHandoverWorld();
  from = await world.addEmployee("leaver");
  to = await world.addEmployee("heir");
  const random = mulberry32(seed);
  for (const [folder, n] of Object.entries(FOLDERS)) {
    const messages: SeedMessage[] = [];
    for (let i = 0; i < n; i++) {
      // Some without a Message-ID, some exact duplicates of the one before.
      const raw =
        i % 50 === 7 && messages.length > 0
          ? (messages[messages.length - 1]!.raw as string)
          : message({
              id: i % 40 === 3 ? null : undefined,
              subject: `${folder} ${i}`,
              body: "x".repeat(200 + Math.floor(random() * 4000)) + "\r\n",
            });
      messages.push({ raw, flags: i % 3 === 0 ? ["\\Seen"] : [] });
    }
    await world.append(from.address, folder, messages);
  }
});
afterAll(async () => {
  for (const child of children) child.kill("SIGKILL");
  await world?.close();
});

function runCli(): { child: ChildProcess; done: Promise<{ code: number | null; out: string }> } {
  const env = {
    ...process.env,
    ...testKeys,
    ...world.env,
    DATABASE_URL: world.database.url,
    LOG_LEVEL: "warn",
    HANDOVER_CONNECTIONS: "4",
  };
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      path.join(repoRoot, "src/cli/index.ts"),
      "handover",
      from.address,
      "--to",
      to.address,
      "--all",
    ],
    { cwd: repoRoot, env, stdio: ["ignore", "pipe", "pipe"] },
  );
  children.add(child);
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const done = new Promise<{ code: number | null; out: string }>((resolve) =>
    child.on("exit", (code) => {
      children.delete(child);
      resolve({ code, out });
    }),
  );
  return { child, done };
}

async function snapshot(user: string, prefix = ""): Promise<Map<string, string[]>> {
  const all = new Map<string, string[]>();
  for (const folder of Object.keys(FOLDERS))
    all.set(folder, (await world.read(user, prefix + folder)).map((m) => m.sha).sort());
  return all;
}

const home = () => `Handover/${from.address.replace(/\./g, "_")}/`;

function counts(shas: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const s of shas) m.set(s, (m.get(s) ?? 0) + 1);
  return m;
}

it("survives SIGKILL at random points: nothing twice at the target, the source untouched until verified", async () => {
  const source = await snapshot(from.address);
  const random = mulberry32(seed ^ 0x5eed);
  const thresholds = [0.08, 0.3, 0.55, 0.8].map((f) => Math.floor(total * (f + random() * 0.1)));
  const kills: string[] = [];
  for (const threshold of [...thresholds, "verified" as const]) {
    const { child, done } = runCli();
    let killed = false;
    const deadline = Date.now() + 90_000;
    while (!killed && Date.now() < deadline && child.exitCode === null) {
      const handover = await world.db.handover.findFirst({ where: { employeeId: from.id } });
      const copies = await world.db.handoverCopy.count();
      if (
        (threshold === "verified" && handover && handover.status !== "running") ||
        (typeof threshold === "number" && copies >= threshold)
      ) {
        child.kill("SIGKILL");
        killed = true;
        kills.push(`${threshold}: ledger ${copies}, ${handover?.status}`);
      } else await new Promise((r) => setTimeout(r, 15));
    }
    await done;
    const status = (await world.db.handover.findFirst({ where: { employeeId: from.id } }))?.status;
    const target = await snapshot(to.address, home());
    for (const [folder, shas] of target) {
      const have = counts(source.get(folder)!);
      for (const [sha, n] of counts(shas))
        expect(
          n,
          `${folder}: a copy beyond the source's count after kill ${kills.length}`,
        ).toBeLessThanOrEqual(have.get(sha) ?? 0);
    }
    if (status === "running") expect(await snapshot(from.address)).toEqual(source);
  }
  const final = await runCli().done;
  expect(final.out).toMatch(/all [\d,]+ selected messages are on the target/);
  expect(final.code).toBe(0);
  expect(await snapshot(to.address, home())).toEqual(source);
  for (const folder of Object.keys(FOLDERS))
    expect(await world.read(from.address, folder)).toEqual([]);
  expect((await world.db.employee.findUniqueOrThrow({ where: { id: from.id } })).status).toBe(
    "departed",
  );
  console.log(`kills: ${kills.join("; ")}`);
}, 300_000);
