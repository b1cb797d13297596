// bench/handover: messages per second and MB/s of `handover --all` (select,
// copy, verify, empty) between two accounts of a real Dovecot, on loopback
// and with 11 ms of round trip added by the loopback proxy; in the same run
// the baseline: a single-connection imapflow FETCH (in batches) + sequential
// APPEND loop over the same set. Peak RSS per run.
//   (a) 2,000 messages of ~1 KB (the set imapsync was measured on here)
//   (b) N messages of realistic sizes (2 KB to 2 MB, most 10-50 KB); N=20000 by default
//   tsx bench/handover.ts [--b N] [--connections 4] [--fsync] [--only a|b] [--no-baseline]
// Dovecot runs with mail_fsync=never unless --fsync: this measures the
// copier, not this machine's disk (with fsync a maildir APPEND costs 15-70 ms).
import { randomBytes } from "node:crypto";
import { chmod, chown, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { ImapFlow } from "imapflow";
import { openDatabase } from "../src/adapters/database.ts";
import { openHandoverSession } from "../src/adapters/imap-handover-session.ts";
import { callHandoverHook } from "../src/adapters/handover-hook.ts";
import { defaultHandoverConfig } from "../src/config/handover-config.ts";
import { runHandover } from "../src/mailboxes/run-handover.ts";
import { systemClock, type Logger } from "../src/types.ts";
import { createTestDatabase } from "../test/support/database.ts";
import { startDovecot } from "../test/support/dovecot.ts";
import { startProxy } from "../test/support/tcp-proxy.ts";

const args = process.argv.slice(2);
const opt = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1]! : fallback;
};
const B_N = Number(opt("--b", "20000"));
const CONNECTIONS = Number(opt("--connections", "4"));
const ONLY = opt("--only", "");
const log: Logger = { debug() {}, info() {}, warn() {}, error: (m, f) => console.error(m, f) };

const dovecot = await startDovecot(args.includes("--fsync") ? {} : { mailFsync: "never" });
const database = await createTestDatabase();
const { db, close: closeDb } = await openDatabase({
  databaseUrl: database.url,
  dataDir: "/nonexistent",
  purpose: "bench",
  log,
});
const proxy = await startProxy({ targetPort: dovecot.port });
const run = promisify(execFile);
let users = 0;

function randomSize(random: () => number): number {
  const r = random();
  if (r < 0.2) return 2_048 + Math.floor(random() * 8_000);
  if (r < 0.9) return 10_240 + Math.floor(random() * 40_960);
  if (r < 0.98) return 51_200 + Math.floor(random() * 460_800);
  return 512_000 + Math.floor(random() * 1_585_152);
}

function mulberry32(a: number): () => number {
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Writes the messages as a maildir and lets `doveadm import` bring them into the user's INBOX. */
async function seed(user: string, sizes: number[]): Promise<number> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "ho-seed-"));
  await chmod(dir, 0o755);
  for (const sub of ["cur", "new", "tmp"])
    await mkdir(path.join(dir, "Maildir", sub), { recursive: true });
  let bytes = 0;
  const line = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod.\n";
  for (let i = 0; i < sizes.length; i++) {
    const head = `From: Sender ${i} <s${i}@customer.example>\nTo: ${user}\nSubject: Message ${i}\nDate: Mon, 1 Jun 2026 10:00:00 +0000\nMessage-ID: <bench.${i}.${randomBytes(4).toString("hex")}@customer.example>\n\n`;
    const body = line.repeat(Math.max(1, Math.ceil((sizes[i]! - head.length) / line.length)));
    const text = head + body;
    bytes += Buffer.byteLength(text);
    await writeFile(path.join(dir, "Maildir", "cur", `${1_700_000_000 + i}.${i}.bench:2,S`), text);
  }
  await run("chown", ["-R", "vmail:vmail", dir]);
  void chown;
  await dovecot.doveadm(["import", "-u", user, `maildir:${dir}/Maildir`, "", "all"]);
  await rm(dir, { recursive: true, force: true });
  return bytes;
}

async function pair(port: number) {
  const tag = `${++users}-${randomBytes(3).toString("hex")}`;
  const make = async (role: string) => {
    const address = `${role}${tag}@bench.local`;
    const password = randomBytes(9).toString("hex");
    await dovecot.addUser(address, password);
    process.env[`BENCH_PW_${role}${users}`] = password;
    const employee = await db.employee.create({
      data: {
        address,
        imapHost: "127.0.0.1",
        imapPort: port,
        tlsMode: "none",
        login: address,
        secretRef: `env:BENCH_PW_${role}${users}`,
      },
    });
    return { employee, password };
  };
  const from = await make("from");
  const to = await make("to");
  // Dovecot re-reads its passwd-file lazily: wait until both logins work.
  for (const who of [from, to]) {
    for (let i = 0; ; i++) {
      const ok = await openHandoverSession({
        host: "127.0.0.1",
        port: dovecot.port,
        tls: "none",
        user: who.employee.address,
        password: who.password,
      }).then(
        (s) => s.close().then(() => true),
        () => false,
      );
      if (ok) break;
      if (i > 50) throw new Error("Dovecot never accepted the bench user");
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { from, to };
}

function rssSampler() {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 50);
  return () => {
    clearInterval(timer);
    return Math.round(Math.max(peak, process.memoryUsage.rss()) / 1048576);
  };
}

interface Figure {
  set: string;
  n: number;
  mb: number;
  rtt: string;
  what: string;
  seconds: number;
  rss: number;
}
const figures: Figure[] = [];

function print(f: Figure) {
  figures.push(f);
  console.log(
    `${f.set} N=${f.n} (${f.mb.toFixed(1)} MB) ${f.rtt.padEnd(8)} ${f.what.padEnd(34)} ${f.seconds.toFixed(2)} s  ${Math.round(f.n / f.seconds)} msg/s  ${(f.mb / f.seconds).toFixed(1)} MB/s  peak RSS ${f.rss} MB`,
  );
}

async function handoverRun(set: string, sizes: number[], rtt: string, port: number) {
  const { from, to } = await pair(port);
  const bytes = await seed(from.employee.address, sizes);
  const peak = rssSampler();
  const t0 = performance.now();
  const report = await runHandover(
    {
      db,
      log,
      clock: systemClock,
      settings: defaultHandoverConfig({ connections: CONNECTIONS }),
      openSession: openHandoverSession,
      callHook: callHandoverHook,
      secrets: { secretsDir: "/nonexistent", tlsVerify: true },
      actor: "bench",
    },
    { employee: from.employee.id, successor: to.employee.id, all: true, dryRun: false },
  );
  const seconds = (performance.now() - t0) / 1000;
  if (!report.verifiedOk || report.verified !== sizes.length || report.status !== "completed")
    throw new Error(
      `handover did not complete: ${JSON.stringify({ ...report, folders: undefined })}`,
    );
  print({
    set,
    n: sizes.length,
    mb: bytes / 1048576,
    rtt,
    what: `handover --all, ${CONNECTIONS} connections`,
    seconds,
    rss: peak(),
  });
  const p = report.phases;
  console.log(
    `    phases: select ${p.select} s, copy ${p.copy} s, verify ${p.verify} s, empty ${p.empty} s`,
  );
}

async function baselineRun(set: string, sizes: number[], rtt: string, port: number) {
  const { from, to } = await pair(port);
  const bytes = await seed(from.employee.address, sizes);
  const client = (user: string, pass: string) =>
    new ImapFlow({ host: "127.0.0.1", port, secure: false, auth: { user, pass }, logger: false });
  const src = client(from.employee.address, from.password);
  const dst = client(to.employee.address, to.password);
  await Promise.all([src.connect(), dst.connect()]);
  for (const c of [src, dst])
    (c as unknown as { socket?: { setNoDelay(v: boolean): void } }).socket?.setNoDelay(true);
  const peak = rssSampler();
  const t0 = performance.now();
  await dst.mailboxCreate("Copy").catch(() => undefined);
  const lock = await src.getMailboxLock("INBOX");
  let copied = 0;
  try {
    // UIDs first, then FETCH by UID batches: what a careful single-connection copier does.
    const uids: number[] = [];
    for await (const m of src.fetch("1:*", { uid: true })) uids.push(m.uid);
    for (let i = 0; i < uids.length; i += 200) {
      const batch: Array<{ source: Buffer; flags: Set<string>; internalDate: Date | string }> = [];
      for await (const m of src.fetch(
        uids.slice(i, i + 200).join(","),
        { source: true, flags: true, internalDate: true },
        { uid: true },
      ))
        batch.push({
          source: m.source!,
          flags: m.flags ?? new Set(),
          internalDate: m.internalDate!,
        });
      for (const m of batch) {
        await dst.append("Copy", m.source, [...m.flags], m.internalDate);
        copied++;
      }
    }
  } finally {
    lock.release();
  }
  const seconds = (performance.now() - t0) / 1000;
  await Promise.all([src.logout(), dst.logout()]);
  if (copied !== sizes.length)
    console.log(`    note: the baseline copied ${copied} of ${sizes.length}`);
  print({
    set,
    n: sizes.length,
    mb: bytes / 1048576,
    rtt,
    what: "baseline imapflow 1 conn FETCH+APPEND",
    seconds,
    rss: peak(),
  });
}

/** median NOOP round trip through the given port, in ms */
async function measureRtt(port: number): Promise<string> {
  const { from } = await pair(port);
  const s = await openHandoverSession({
    host: "127.0.0.1",
    port,
    tls: "none",
    user: from.employee.address,
    password: from.password,
  });
  const wire = (s as unknown as { wire: { ok(line: string): Promise<unknown> } }).wire;
  const times: number[] = [];
  for (let i = 0; i < 21; i++) {
    const t = performance.now();
    await wire.ok("NOOP");
    times.push(performance.now() - t);
  }
  await s.close();
  return times.sort((a, b) => a - b)[10]!.toFixed(1);
}

const random = mulberry32(20261201);
const setA = Array.from({ length: 2000 }, () => 1024);
const setB = Array.from({ length: B_N }, () => randomSize(random));
console.log(
  `Dovecot ${args.includes("--fsync") ? "default mail_fsync" : "mail_fsync=never"}; ${os.cpus().length} cores; load ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")}`,
);
try {
  for (const [set, sizes] of [
    ["(a)", setA],
    ["(b)", setB],
  ] as const) {
    if (ONLY && `(${ONLY})` !== set) continue;
    for (const [label, latency] of [
      ["loopback", 0],
      ["11ms RTT", 5.5],
    ] as const) {
      proxy.setLatency(latency);
      const port = latency === 0 ? dovecot.port : proxy.port;
      const rtt = latency === 0 ? label : `${await measureRtt(port)}ms RTT`;
      await handoverRun(set, sizes, rtt, port);
      if (!args.includes("--no-baseline")) await baselineRun(set, sizes, rtt, port);
    }
  }
} finally {
  console.log(`process peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`);
  await proxy.close();
  await closeDb();
  await dovecot.stop();
  await database.drop();
}
