// The console's mailboxes pages in Chromium against the real server on real PostgreSQL, a real
// Dovecot, an SMTP sink and the worker's job runner: an IT operator adds two employees (the
// password as an env: and a file: reference), checks a mailbox, sees the cleanup policy, queues
// a review digest (mailed in the employee's language) and sees it sent and the deletion waiting
// for its date, runs a handover dry run, starts the handover and watches the htmx progress reach
// the report, which says verified; the mail is at the successor. A marketing operator gets 403
// and sees no link. axe-core on each page; screenshots in test-output/screenshots/.
import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { ImapFlow } from "imapflow";
import { simpleParser } from "mailparser";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  checkAxe,
  createOperator,
  pageErrorsOf,
  screenshot,
  signIn,
  startConsole,
  type ConsoleTest,
} from "../support/console.ts";
import { startDovecot, type Dovecot } from "../support/dovecot.ts";
import { startSmtpSink, type SmtpSink } from "../support/smtp-sink.ts";
import { startProxy, type TcpProxy } from "../support/tcp-proxy.ts";

const tag = randomBytes(3).toString("hex");
const pat = `pat-${tag}@test.local`;
const sam = `sam-${tag}@test.local`;
const kari = `kari.${tag}@customer.example`;
const patSecretVar = `MAILBOX_PAT_${tag.toUpperCase()}`;
const day = 86_400_000;

let c: ConsoleTest;
let dovecot: Dovecot;
let proxy: TcpProxy;
let sink: SmtpSink;
let secretsDir: string;
let page: Page;
const passwords = new Map<string, string>();
let itOp: Awaited<ReturnType<typeof createOperator>>;

// A refused form answers 400 or 403 on purpose; anything else in the browser's console is a fault.
const scriptErrors = (p: Page) =>
  pageErrorsOf(p).filter(
    (e) => !e.startsWith("Failed to load resource: the server responded with a status of 4"),
  );

async function imap(user: string): Promise<ImapFlow> {
  const client = new ImapFlow({
    host: "127.0.0.1",
    port: dovecot.port,
    secure: false,
    auth: { user, pass: passwords.get(user)! },
    logger: false,
    disableAutoIdle: true,
  });
  client.on("error", () => {});
  await client.connect();
  return client;
}

interface Seed {
  folder: string;
  subject: string;
  from: string;
  to: string;
  ageDays: number;
  flagged?: boolean;
}

async function seed(user: string, messages: Seed[]): Promise<void> {
  const s = await imap(user);
  try {
    for (const m of messages) {
      const date = new Date(Date.now() - m.ageDays * day);
      const raw = [
        `From: ${m.from}`,
        `To: ${m.to}`,
        `Subject: ${m.subject}`,
        `Date: ${date.toUTCString()}`,
        `Message-ID: <${randomBytes(8).toString("hex")}@seed.test>`,
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
        "",
        `Body of ${m.subject}.`,
        "",
      ].join("\r\n");
      await s.append(m.folder, raw, m.flagged ? ["\\Flagged"] : [], date);
    }
  } finally {
    await s.logout();
  }
}

/** Every message of a user's mailbox: folder and subject. */
async function contents(user: string): Promise<{ folder: string; subject: string }[]> {
  const s = await imap(user);
  const out: { folder: string; subject: string }[] = [];
  try {
    for (const folder of await s.list()) {
      if (folder.flags.has("\\Noselect")) continue;
      const lock = await s.getMailboxLock(folder.path, { readOnly: true });
      try {
        if ((s.mailbox as { exists: number }).exists === 0) continue;
        for await (const m of s.fetch("1:*", { envelope: true }))
          out.push({ folder: folder.path, subject: m.envelope?.subject ?? "" });
      } finally {
        lock.release();
      }
    }
  } finally {
    await s.logout();
  }
  return out.sort((a, b) => a.subject.localeCompare(b.subject));
}

async function addDovecotUser(user: string): Promise<void> {
  const password = randomBytes(9).toString("base64url");
  await dovecot.addUser(user, password);
  passwords.set(user, password);
  // Dovecot re-reads the passwd-file lazily: wait until the login works.
  for (let i = 0; ; i++) {
    const ok = await imap(user).then(
      (s) => s.logout().then(() => true),
      () => false,
    );
    if (ok) return;
    if (i === 40) throw new Error(`Dovecot never accepted ${user}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  dovecot = await startDovecot({ mailFsync: "never" });
  // Pat's mailbox is reached through a proxy, so the test can slow the handover down enough
  // to watch its progress.
  proxy = await startProxy({ targetPort: dovecot.port });
  sink = await startSmtpSink();
  secretsDir = await fs.mkdtemp(path.join(os.tmpdir(), "mailsteward-console-secrets-"));
  await addDovecotUser(pat);
  await addDovecotUser(sam);
  process.env[patSecretVar] = passwords.get(pat)!;
  await fs.writeFile(path.join(secretsDir, "sam.password"), `${passwords.get(sam)}\n`, {
    mode: 0o600,
  });
  await seed(pat, [
    { folder: "INBOX", subject: "Quote for the harbour project", from: kari, to: pat, ageDays: 20 },
    { folder: "INBOX", subject: "Re: delivery dates", from: kari, to: pat, ageDays: 40 },
    { folder: "INBOX", subject: "Invoice 2291", from: kari, to: pat, ageDays: 60 },
    {
      folder: "INBOX",
      subject: "Weekly vendor offers",
      from: "news@vendor.example",
      to: pat,
      ageDays: 10,
    },
    ...[1, 2, 3, 4].map((i) => ({
      folder: "INBOX",
      subject: `Old circular ${i}`,
      from: "circulars@elsewhere.example",
      to: pat,
      ageDays: 1100 + i,
    })),
    {
      folder: "INBOX",
      subject: "Signed contract (keep)",
      from: "legal@elsewhere.example",
      to: pat,
      ageDays: 1200,
      flagged: true,
    },
    { folder: "Sent", subject: "Offer for the harbour project", from: pat, to: kari, ageDays: 15 },
    {
      folder: "Sent",
      subject: "Old lunch plans",
      from: pat,
      to: "friend@elsewhere.example",
      ageDays: 800,
    },
  ]);
  c = await startConsole({
    env: {
      SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
      MAILBOX_SECRETS_DIR: secretsDir,
      // The handover is slowed down below; its job must keep its lock meanwhile.
      JOB_LOCK_LIFETIME_SECONDS: "120",
    },
  });
  await c.db.contact.create({ data: { email: kari, name: "Kari Kunde", company: "Customer AS" } });
  await c.app.jobs.start();
  itOp = await createOperator(c.db, "it");
  page = await c.newPage();
  await signIn(page, c.url, itOp.email, itOp.password);
}, 180_000);

afterAll(async () => {
  await c?.close();
  await proxy?.close();
  await dovecot?.stop();
  await sink?.close();
  if (secretsDir) await fs.rm(secretsDir, { recursive: true, force: true });
  delete process.env[patSecretVar];
});

async function employeeId(address: string): Promise<number> {
  return (await c.db.employee.findUniqueOrThrow({ where: { address }, select: { id: true } })).id;
}

async function addEmployeeThroughForm(fields: {
  address: string;
  port: number;
  secretRef: string;
  language?: string;
}): Promise<void> {
  await page.goto(`${c.url}/admin/mailboxes`);
  await page.getByLabel("Address", { exact: true }).fill(fields.address);
  await page.getByLabel("IMAP host").fill("127.0.0.1");
  await page.getByLabel("IMAP port").fill(String(fields.port));
  await page.getByLabel("Connection security").selectOption("none");
  await page.getByLabel("Password reference").fill(fields.secretRef);
  if (fields.language)
    await page.getByLabel("Language of the review digest").selectOption({ label: fields.language });
  await Promise.all([
    page.waitForURL(/\/admin\/mailboxes\/employees\/\d+\?notice=added$/),
    page.getByRole("button", { name: "Add employee" }).click(),
  ]);
  await expect(page.getByRole("status").first().textContent()).resolves.toContain(
    "Employee added.",
  );
}

describe("mailboxes in the console", () => {
  it("adds employees with env: and file: references, checks a mailbox and shows its cleanup policy", async () => {
    await page.getByRole("link", { name: "Mailboxes", exact: true }).click();
    await page.waitForURL(`${c.url}/admin/mailboxes`);
    await expect(page.locator("main").textContent()).resolves.toContain(
      "No employee is in the directory yet.",
    );
    await checkAxe(page);

    // A password typed where its reference belongs is refused, and the field keeps the address.
    await page.getByLabel("Address", { exact: true }).fill(pat);
    await page.getByLabel("IMAP host").fill("127.0.0.1");
    await page.getByLabel("IMAP port").fill(String(proxy.port));
    await page.getByLabel("Connection security").selectOption("none");
    await page.getByLabel("Password reference").fill("hunter2");
    await page.getByRole("button", { name: "Add employee" }).click();
    await expect(page.getByRole("alert").textContent()).resolves.toContain(
      'secret reference "hunter2" is not valid; expected env:VARIABLE_NAME or file:',
    );
    expect(await page.getByLabel("Address", { exact: true }).inputValue()).toBe(pat);
    expect(await c.db.employee.count()).toBe(0);
    await checkAxe(page);

    await addEmployeeThroughForm({
      address: sam,
      port: dovecot.port,
      secretRef: "file:sam.password",
    });
    await addEmployeeThroughForm({
      address: pat,
      port: proxy.port,
      secretRef: `env:${patSecretVar}`,
      language: "Norsk bokmål",
    });
    const patId = await employeeId(pat);
    expect(page.url()).toContain(`/admin/mailboxes/employees/${patId}`);
    // Only the reference is stored and shown; the password is nowhere.
    const stored = await c.db.employee.findUniqueOrThrow({ where: { id: patId } });
    expect(stored.secretRef).toBe(`env:${patSecretVar}`);
    expect(stored.language).toBe("nb");
    expect(await page.getByLabel("Language of the review digest").inputValue()).toBe("nb");
    expect(await page.locator("main").innerText()).toContain(`env:${patSecretVar}`);
    expect(await page.content()).not.toContain(passwords.get(pat)!);
    const added = await c.db.auditEntry.findMany({
      where: { action: { startsWith: "employee." } },
    });
    expect(added.map((a) => a.actor)).toEqual([`operator:${itOp.id}`, `operator:${itOp.id}`]);
    expect(JSON.stringify(added)).not.toContain(passwords.get(pat)!);

    // The cleanup policy at a glance: the default.
    await expect(page.locator("main").innerText()).resolves.toMatch(
      /Default policy: mail older than 12 months in INBOX, \\Sent, \\Archive, \\Trash, \\Junk/,
    );
    await checkAxe(page);

    await page.getByRole("button", { name: "Check the mailbox" }).click();
    await page.getByRole("heading", { name: "Mailbox check" }).waitFor();
    await expect(page.getByRole("status").first().textContent()).resolves.toContain(
      "Logged in. The server offers UIDPLUS",
    );
    const folders = page.getByRole("table", { name: "Folders" });
    await expect(folders.getByRole("row", { name: /^INBOX/ }).textContent()).resolves.toMatch(
      /INBOX\s*\\Inbox\s*9/,
    );
    await expect(folders.getByRole("row", { name: /^Sent/ }).textContent()).resolves.toMatch(
      /Sent\s*\\Sent\s*2/,
    );
    await checkAxe(page);
    await screenshot(page, "mailboxes-employee-check");

    // The file: reference works as well: Sam's mailbox opens.
    await page.goto(`${c.url}/admin/mailboxes/employees/${await employeeId(sam)}`);
    await page.getByRole("button", { name: "Check the mailbox" }).click();
    await page.getByRole("heading", { name: "Mailbox check" }).waitFor();
    await expect(page.getByRole("status").first().textContent()).resolves.toContain("Logged in.");

    await page.goto(`${c.url}/admin/mailboxes`);
    const directory = page.getByRole("table", { name: "Employees and their mailboxes" });
    expect(await directory.getByRole("row").count()).toBe(3);
    await checkAxe(page);
    await screenshot(page, "mailboxes-directory");
    expect(scriptErrors(page)).toEqual([]);
  }, 180_000);

  it("queues a review digest: the worker mails it, and the deletion waits for its date", async () => {
    const patId = await employeeId(pat);
    await page.goto(`${c.url}/admin/mailboxes/employees/${patId}`);
    await Promise.all([
      page.waitForURL(/notice=review-queued/),
      page.getByRole("button", { name: "Send the review digest now" }).click(),
    ]);
    const [digest] = await sink.waitFor(1, 60_000);
    expect(digest!.to).toEqual([pat]);
    // In Pat's language, chosen when Pat was added.
    const parsed = await simpleParser(digest!.raw);
    expect(parsed.subject).toMatch(
      /^Den årlige gjennomgangen av e-postkassen din: 5 gamle meldinger slettes \d+\. \p{L}+ \d{4}$/u,
    );
    expect(parsed.text).toContain("Vil du beholde en melding, flagg den");
    expect(parsed.html).toContain('lang="nb"');

    await page.getByRole("link", { name: "Cleanup", exact: true }).click();
    await page.waitForURL(`${c.url}/admin/mailboxes/cleanup`);
    await expect(page.locator("main").innerText()).resolves.toContain(
      "14 days later it is deleted if the policy still selects it",
    );
    const waiting = page.getByRole("table", {
      name: "Deletions announced and waiting for the grace period",
    });
    const row = waiting.getByRole("row", { name: new RegExp(pat) });
    await expect(row.textContent()).resolves.toMatch(/review/);
    await expect(row.textContent()).resolves.toMatch(/\(in 1[34] days\)/);
    const sent = page.getByRole("table", { name: "Review digests sent, latest first" });
    await expect(sent.getByRole("row", { name: new RegExp(pat) }).count()).resolves.toBe(1);
    await checkAxe(page);
    await screenshot(page, "mailboxes-cleanup");
    // Nothing was deleted by the review.
    expect((await contents(pat)).length).toBe(11);
    expect(scriptErrors(page)).toEqual([]);
  }, 120_000);

  it("runs a handover dry run, starts it and follows the progress to a verified report", async () => {
    const patId = await employeeId(pat);
    const samId = await employeeId(sam);
    await page.goto(`${c.url}/admin/mailboxes/employees/${patId}`);
    await page.getByRole("link", { name: "Handover", exact: true }).click();
    await page.waitForURL(`${c.url}/admin/mailboxes/employees/${patId}/handover`);
    await expect(page.locator("#handover-progress").textContent()).resolves.toContain(
      "No handover has been started for this employee.",
    );
    await checkAxe(page);

    await page.getByLabel("Successor (receives the mail)").selectOption(String(samId));
    await page.getByRole("button", { name: "Dry run" }).click();
    await page.getByRole("heading", { name: "Dry run" }).waitFor();
    // Kari's three, the reply to her and the flagged contract; not the vendor's or the old mail.
    await expect(
      page.locator("section[aria-labelledby=dry-run] [role=status]").textContent(),
    ).resolves.toMatch(/Would copy 5 messages .* nothing\s+was changed/);
    const sample = page.getByRole("table", { name: "Sample of the selection" });
    await expect(sample.textContent()).resolves.toMatch(/contacts/);
    await expect(sample.textContent()).resolves.toMatch(/flagged/);
    await checkAxe(page);
    await screenshot(page, "mailboxes-handover-dry-run");
    // The dry run changed nothing anywhere.
    expect(await c.db.handover.count()).toBe(0);
    expect((await contents(sam)).length).toBe(0);

    // Slow Pat's server down, so that the page shows the handover while it runs.
    const polls: string[] = [];
    page.on("request", (r) => {
      if (r.url().endsWith(`/employees/${patId}/handover/progress`)) polls.push(r.url());
    });
    proxy.setLatency(400);
    await Promise.all([
      page.waitForURL(/handover\?notice=handover-queued$/),
      page.getByRole("button", { name: "Start the handover" }).click(),
    ]);
    await page.evaluate(() => {
      (globalThis as unknown as { stillThisPage: boolean }).stillThisPage = true;
    });
    const progress = page.locator("#handover-progress");
    await expect(progress.getAttribute("hx-trigger")).resolves.toBe("every 2s");
    await expect.poll(() => polls.length, { timeout: 30_000 }).toBeGreaterThan(0);
    await expect(progress.textContent()).resolves.toMatch(/waiting for a worker|under way/);
    await screenshot(page, "mailboxes-handover-progress");
    proxy.setLatency(0);

    await expect
      .poll(async () => (await progress.textContent()) ?? "", { timeout: 90_000, interval: 500 })
      .toContain("all verified");
    // The report came by htmx into the same page, not by a reload.
    expect(
      await page.evaluate(
        () => (globalThis as unknown as { stillThisPage?: boolean }).stillThisPage,
      ),
    ).toBe(true);
    expect(await progress.getAttribute("hx-trigger")).toBeNull();
    const report = page.locator("section[aria-labelledby=handover-report]");
    await expect(report.textContent()).resolves.toMatch(/5 by UID, size and key/);
    await expect(page.locator("#handover-copied").getAttribute("value")).resolves.toBe("5");
    await checkAxe(page);
    await screenshot(page, "mailboxes-handover-report");

    // The mail is at the successor, under Handover/<pat>/..., and Pat's mailbox was emptied.
    const atSam = await contents(sam);
    expect(atSam.map((m) => m.subject)).toEqual([
      "Invoice 2291",
      "Offer for the harbour project",
      "Quote for the harbour project",
      "Re: delivery dates",
      "Signed contract (keep)",
    ]);
    expect(atSam.every((m) => m.folder.startsWith(`Handover/`))).toBe(true);
    const handover = await c.db.handover.findFirstOrThrow({ where: { employeeId: patId } });
    expect(handover.verifiedAt).not.toBeNull();
    expect(handover.emptiedAt!.getTime()).toBeGreaterThanOrEqual(handover.verifiedAt!.getTime());
    expect(await contents(pat)).toEqual([]);
    const departed = await c.db.employee.findUniqueOrThrow({ where: { id: patId } });
    expect(departed.status).toBe("departed");
    await page.reload();
    await expect(page.locator("main").innerText()).resolves.toContain(
      "This employee has departed; their mailbox was handed over.",
    );
    expect(await page.getByRole("button", { name: "Dry run" }).count()).toBe(0);
    const queued = await c.db.auditEntry.findFirstOrThrow({ where: { action: "handover.queued" } });
    expect(queued.actor).toBe(`operator:${itOp.id}`);
    expect(queued.detail).toMatchObject({ successorId: samId, expected: 5 });

    await page.getByRole("link", { name: "Handovers", exact: true }).click();
    await page.waitForURL(`${c.url}/admin/mailboxes/handovers`);
    const list = page.getByRole("table", { name: "Handovers, latest first" });
    await expect(list.getByRole("row", { name: new RegExp(pat) }).textContent()).resolves.toMatch(
      new RegExp(`${sam}.*relevant`, "s"),
    );
    await checkAxe(page);
    await screenshot(page, "mailboxes-handovers");
    expect(scriptErrors(page)).toEqual([]);
  }, 180_000);

  it("answers 403 to a marketing operator and shows them no link", async () => {
    const op = await createOperator(c.db, "marketing");
    const marketing = await c.newPage();
    await signIn(marketing, c.url, op.email, op.password);
    expect(await marketing.getByRole("link", { name: "Mailboxes", exact: true }).count()).toBe(0);
    const patId = await employeeId(pat);
    for (const url of [
      "/admin/mailboxes",
      "/admin/mailboxes/cleanup",
      "/admin/mailboxes/handovers",
      `/admin/mailboxes/employees/${patId}`,
      `/admin/mailboxes/employees/${patId}/handover`,
    ]) {
      const denied = await marketing.goto(`${c.url}${url}`);
      expect(denied?.status(), url).toBe(403);
      expect(await marketing.locator("main").innerText(), url).not.toContain(pat);
    }
    await checkAxe(marketing);
    // A POST is refused too, and changes nothing.
    const token = await marketing.locator('meta[name="csrf-token"]').getAttribute("content");
    const before = await c.db.employee.count();
    const post = await marketing.request.post(`${c.url}/admin/mailboxes/employees`, {
      form: {
        _csrf: token!,
        address: "intruder@test.local",
        imapHost: "127.0.0.1",
        imapPort: "143",
        secretRef: "env:X",
      },
      maxRedirects: 0,
    });
    expect(post.status()).toBe(403);
    expect(await c.db.employee.count()).toBe(before);
  }, 120_000);
});
