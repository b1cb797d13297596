// Shared set-up for the cleanup tests: a fresh PostgreSQL database, real
// Dovecot servers, employees with throw-away accounts, and helpers that seed
// and read mailboxes over IMAP (imapflow APPEND with an internal date).
import { randomBytes } from "node:crypto";
import { ImapFlow } from "imapflow";
import { openDatabase, type Database } from "../../src/adapters/database.ts";
import type { Config } from "../../src/config/load-config.ts";
import type { Employee } from "../../src/generated/prisma/client.ts";
import { addEmployee } from "../../src/mailboxes/add-employee.ts";
import type { CleanupDeps } from "../../src/mailboxes/cleanup-mailbox.ts";
import { systemClock, type Clock, type Logger } from "../../src/types.ts";
import { testConfig } from "../support/app-config.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";
import type { Dovecot } from "../support/dovecot.ts";

export const quietLog: Logger = { debug() {}, info() {}, warn() {}, error() {} };

export interface Seed {
  subject: string;
  /** internal date */
  date: Date;
  flags?: string[];
  messageId?: string;
  from?: string;
  to?: string;
  inReplyTo?: string;
  /** body padding in bytes */
  pad?: number;
}

export interface Stored {
  uid: number;
  subject: string;
  flags: string[];
}

export function daysAgo(days: number, now = new Date()): Date {
  return new Date(now.getTime() - days * 86_400_000);
}

export function rawMessage(s: Seed): string {
  const id = s.messageId ?? `${randomBytes(8).toString("hex")}@seed.test`;
  return [
    `From: ${s.from ?? "someone@elsewhere.test"}`,
    `To: ${s.to ?? "me@test.local"}`,
    `Subject: ${s.subject}`,
    `Date: ${s.date.toUTCString()}`,
    `Message-ID: <${id}>`,
    ...(s.inReplyTo ? [`In-Reply-To: <${s.inReplyTo}>`] : []),
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=utf-8",
    "",
    `Body of ${s.subject}.`,
    "x".repeat(s.pad ?? 0),
    "",
  ].join("\r\n");
}

export interface CleanupWorld {
  database: TestDatabase;
  db: Database["db"];
  env: Record<string, string>;
  config: Config;
  deps(overrides?: { clock?: Clock; config?: Config }): CleanupDeps;
  /** an employee with a fresh account on `server`, connecting through `port` (a proxy) if given */
  employee(
    server: Dovecot,
    local: string,
    opts?: { port?: number; password?: string },
  ): Promise<Employee>;
  session(server: Dovecot, address: string): Promise<ImapFlow>;
  seed(server: Dovecot, address: string, folder: string, messages: Seed[]): Promise<void>;
  read(server: Dovecot, address: string, folder: string): Promise<Stored[]>;
  close(): Promise<void>;
}

export async function openCleanupWorld(env: Record<string, string> = {}): Promise<CleanupWorld> {
  const database = await createTestDatabase();
  const { db, close } = await openDatabase({
    databaseUrl: database.url,
    dataDir: "/nonexistent",
    purpose: "cleanup test",
    log: quietLog,
  });
  const secrets: Record<string, string> = {};
  const passwords = new Map<string, string>();
  const tag = randomBytes(3).toString("hex");
  const config = testConfig({ DATABASE_URL: database.url, ...env });
  const world: CleanupWorld = {
    database,
    db,
    env: secrets,
    config,
    deps: (o = {}) => ({
      db,
      config: o.config ?? config,
      log: quietLog,
      clock: o.clock ?? systemClock,
      env: secrets,
    }),
    async employee(server, local, o = {}) {
      const address = `${local}-${tag}@test.local`;
      const password = randomBytes(9).toString("base64url");
      await server.addUser(address, password);
      passwords.set(address, password);
      // Dovecot re-reads the passwd-file lazily: wait until the login works.
      for (let i = 0; ; i++) {
        const ok = await world.session(server, address).then(
          (s) => s.logout().then(() => true),
          () => false,
        );
        if (ok) break;
        if (i === 40) throw new Error(`Dovecot never accepted ${address}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const name = `CLEANUP_PW_${local.toUpperCase().replace(/\W/g, "_")}_${tag}`;
      secrets[name] = o.password ?? password;
      const view = await addEmployee(
        { db, clock: { now: () => new Date() } },
        {
          address,
          imapHost: "127.0.0.1",
          imapPort: o.port ?? server.port,
          tlsMode: "none",
          secretRef: `env:${name}`,
        },
        "test",
      );
      return db.employee.findUniqueOrThrow({ where: { id: view.id } });
    },
    async session(server, address) {
      const client = new ImapFlow({
        host: "127.0.0.1",
        port: server.port,
        secure: false,
        auth: { user: address, pass: passwords.get(address) ?? "secret" },
        logger: false,
        disableAutoIdle: true,
      });
      client.on("error", () => {});
      await client.connect();
      return client;
    },
    async seed(server, address, folder, messages) {
      const s = await world.session(server, address);
      try {
        if (!(await s.list()).some((f) => f.path === folder)) await s.mailboxCreate(folder);
        for (const m of messages) await s.append(folder, rawMessage(m), m.flags ?? [], m.date);
      } finally {
        await s.logout();
      }
    },
    async read(server, address, folder) {
      const s = await world.session(server, address);
      try {
        await s.mailboxOpen(folder, { readOnly: true });
        const out: Stored[] = [];
        for await (const m of s.fetch("1:*", { uid: true, envelope: true, flags: true }))
          out.push({ uid: m.uid, subject: m.envelope?.subject ?? "", flags: [...(m.flags ?? [])] });
        return out.sort((a, b) => a.uid - b.uid);
      } catch (error) {
        if ((error as { mailboxMissing?: boolean }).mailboxMissing) return [];
        throw error;
      } finally {
        await s.logout();
      }
    },
    async close() {
      await close();
      await database.drop();
    },
  };
  return world;
}
