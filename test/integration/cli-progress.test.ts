// The long CLI commands' progress, run as a user runs them (a separate process, real PostgreSQL,
// a real Dovecot): without a terminal, plain lines on stderr (no bar redraws, no escape codes);
// on a terminal (a pseudo-terminal from util-linux `script`), a cli-progress bar. Covered here:
// `campaign report --follow`, `handover` and `contacts import`; `cleanup`'s plain lines are
// checked in employees-cli-api.test.ts and `contacts import`'s in cli-while-running.test.ts.
import { spawn } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testKeys } from "../support/app-config.ts";
import { openHandoverWorld, type HandoverWorld } from "./handover-fixture.ts";
import { seedSubscribers } from "./http-server.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const tsx = path.join(root, "node_modules/.bin/tsx");
const entry = path.join(root, "src/cli/index.ts");
// cli-progress draws with cursor movements (ESC [) and carriage returns; plain lines have neither.
const redraws = (text: string) =>
  text.includes("\r") || text.includes(`${String.fromCharCode(27)}[`);

let world: HandoverWorld;
let tmp: string;

const env = () => ({
  ...process.env,
  ...testKeys,
  ...world.env,
  DATABASE_URL: world.database.url,
  LOG_LEVEL: "warn",
});

interface Run {
  /** stdout; on a terminal, everything the terminal showed */
  stdout: string;
  stderr: string;
  /** resolves when the output (stderr, or on a terminal everything) holds a match */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  done: Promise<number | null>;
}

function watch(command: string, args: string[], extraEnv: Record<string, string> = {}): Run {
  const child = spawn(command, args, {
    cwd: root,
    env: { ...env(), ...extraEnv },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const onTerminal = command === "script";
  const run: Run = {
    stdout: "",
    stderr: "",
    async waitFor(pattern, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(onTerminal ? run.stdout : run.stderr)) {
        if (child.exitCode !== null || Date.now() > deadline)
          throw new Error(`never matched ${pattern}:\n${run.stderr}\nstdout:\n${run.stdout}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    done: new Promise((resolve) => child.on("exit", (code) => resolve(code))),
  };
  child.stdout.on("data", (d: Buffer) => (run.stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (run.stderr += d.toString()));
  return run;
}

/** The CLI with stdout and stderr as pipes: no terminal. */
function cliWithoutTerminal(...args: string[]): Run {
  return watch(tsx, [entry, ...args]);
}

/** The CLI on a pseudo-terminal (stdout and stderr both go to it, and `script` copies it to its stdout). */
function cliOnTerminal(...args: string[]): Run {
  const quote = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;
  const command = [tsx, entry, ...args].map(quote).join(" ");
  return watch(
    "script",
    ["--quiet", "--return", "--command", `stty cols 120; ${command}`, "/dev/null"],
    { TERM: "xterm" },
  );
}

beforeAll(async () => {
  world = await openHandoverWorld();
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), "mailsteward-cli-progress-"));
}, 120_000);

afterAll(async () => {
  await world?.close();
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
});

/** A campaign "sending" to `n` recipients, every delivery still queued. */
async function sendingCampaign(slug: string, n: number): Promise<number> {
  const { contactIds } = await seedSubscribers(world.db, {
    lists: [`list-${slug}`],
    contacts: n,
    emailPrefix: slug,
  });
  const campaign = await world.db.campaign.create({
    data: { slug, template: "monthly", subject: "News", status: "sending", startedAt: new Date() },
  });
  await world.db.delivery.createMany({
    data: contactIds.map((contactId) => ({
      campaignId: campaign.id,
      contactId,
      messageId: `<${slug}.${contactId}@example.test>`,
      status: "queued" as const,
    })),
  });
  return campaign.id;
}

/** Marks the next `k` queued deliveries sent, as a worker would. */
async function send(campaignId: number, k: number): Promise<void> {
  const next = await world.db.delivery.findMany({
    where: { campaignId, status: "queued" },
    orderBy: { id: "asc" },
    take: k,
    select: { id: true },
  });
  await world.db.delivery.updateMany({
    where: { id: { in: next.map((d) => d.id) } },
    data: { status: "sent", sentAt: new Date() },
  });
}

describe("campaign report --follow", () => {
  it("without a terminal: a plain line per tenth on stderr, then the report", async () => {
    const id = await sendingCampaign("follow-plain", 20);
    const run = cliWithoutTerminal("campaign", "report", "follow-plain", "--follow");
    const line = (done: number, status = "sending") =>
      new RegExp(
        `^campaign follow-plain: ${done}/20 recipients, ${status}: sent ${done}, failed 0, uncertain 0$`,
        "m",
      );
    await run.waitFor(line(0));
    for (const done of [5, 10, 15]) {
      await send(id, 5);
      await run.waitFor(line(done));
    }
    await send(id, 5);
    await world.db.campaign.update({
      where: { id },
      data: { status: "sent", finishedAt: new Date() },
    });
    await run.waitFor(line(20, "sent"));
    expect(await run.done).toBe(0);
    expect(redraws(run.stderr)).toBe(false);
    // One line per step, not one per poll: nothing is repeated.
    const lines = run.stderr.trim().split("\n");
    expect(lines).toHaveLength(5);
    expect(new Set(lines).size).toBe(5);
    expect(run.stdout).toMatch(/^campaign follow-plain \(id \d+\): sent$/m);
    expect(run.stdout).toContain("progress: 20/20 recipients done");
  }, 180_000);

  it("on a terminal: a progress bar", async () => {
    const id = await sendingCampaign("follow-tty", 10);
    await send(id, 4);
    const run = cliOnTerminal("campaign", "report", "follow-tty", "--follow");
    await run.waitFor(/campaign follow-tty \[[█░]+\] 4\/10 recipients/);
    // Then finish the campaign, so that it ends.
    await send(id, 6);
    await world.db.campaign.update({
      where: { id },
      data: { status: "sent", finishedAt: new Date() },
    });
    expect(await run.done, run.stdout).toBe(0);
    expect(run.stdout).toMatch(/campaign follow-tty \[[█░]+\] 10\/10 recipients/);
    expect(redraws(run.stdout)).toBe(true);
    expect(run.stdout).toContain("progress: 10/10 recipients done");
  }, 180_000);
});

describe("handover", () => {
  it("without a terminal: a plain line per phase and tenth on stderr", async () => {
    const from = await world.addEmployee("leaver");
    const to = await world.addEmployee("colleague");
    await world.append(
      from.address,
      "INBOX",
      Array.from({ length: 40 }, (_, i) => ({
        raw: `From: a${i}@elsewhere.example\r\nTo: ${from.address}\r\nSubject: Message ${i}\r\nMessage-ID: <m${i}.${from.id}@seed.test>\r\n\r\nBody ${i}.\r\n`,
      })),
    );
    const run = cliWithoutTerminal("handover", from.address, "--to", to.address, "--all");
    expect(await run.done, run.stderr).toBe(0);
    expect(redraws(run.stderr)).toBe(false);
    const lines = run.stderr.trim().split("\n");
    const line =
      /^(select|copy|verify|empty): (\d+)\/(\d+) messages, [\d.]+\/[\d.]+ MB, \d+ msg\/s, [\d.]+ MB\/s$/;
    for (const l of lines) expect(l).toMatch(line);
    const phases = lines.map((l) => line.exec(l)![1]);
    expect(phases).toContain("copy");
    expect(phases).toContain("empty");
    // The copy ends at the whole selection, reported once, not once per message.
    expect(lines.filter((l) => /^copy: 40\/40 messages/.test(l))).toHaveLength(1);
    expect(lines.length).toBeLessThan(40);
    expect(run.stdout).toMatch(/verified/i);
  }, 180_000);
});

describe("contacts import", () => {
  it("on a terminal: a progress bar over the rows", async () => {
    const file = path.join(tmp, "contacts.csv");
    const rows = Array.from({ length: 3000 }, (_, i) => `person${i}@import.example,Person ${i}`);
    await fs.writeFile(file, `email,name\n${rows.join("\n")}\n`);
    await world.db.list.create({ data: { slug: "imported", name: "Imported" } });
    const run = cliOnTerminal(
      "contacts",
      "import",
      file,
      "--list",
      "imported",
      "--consent-source",
      "test sign-up sheet",
    );
    expect(await run.done, run.stdout).toBe(0);
    expect(run.stdout).toMatch(/importing \[[█░]+\] 3000\/3000 rows/);
    expect(redraws(run.stdout)).toBe(true);
  }, 180_000);
});
