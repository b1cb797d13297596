// Shared set-up for the handover tests: a fresh PostgreSQL database, a real
// Dovecot, employees with throw-away accounts, and helpers that seed and
// read mailboxes over IMAP (MULTIAPPEND, so seeding is fast).
import { createHash, randomBytes } from "node:crypto";
import { openDatabase, type Database } from "../../src/adapters/database.ts";
import { openHandoverSession } from "../../src/adapters/imap-handover-session.ts";
import { callHandoverHook } from "../../src/adapters/handover-hook.ts";
import { ImapWire, quote } from "../../src/adapters/imap-wire.ts";
import { defaultHandoverConfig, type HandoverConfig } from "../../src/config/handover-config.ts";
import type { Employee } from "../../src/generated/prisma/client.ts";
import { encodeModifiedUtf7 } from "../../src/mailboxes/modified-utf7.ts";
import type { HandoverDeps } from "../../src/mailboxes/run-handover.ts";
import { systemClock, type Logger } from "../../src/types.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";
import { startDovecot, type Dovecot, type DovecotOptions } from "../support/dovecot.ts";

export const quietLog: Logger = { debug() {}, info() {}, warn() {}, error() {} };

export interface SeedMessage {
  raw: string | Buffer;
  flags?: string[];
  date?: string;
}

export interface StoredMessage {
  uid: number;
  size: number;
  flags: string[];
  date: string;
  sha: string;
}

export interface HandoverWorld {
  database: TestDatabase;
  dovecot: Dovecot;
  db: Database["db"];
  /** secrets the employees' `env:` references resolve to */
  env: Record<string, string>;
  addEmployee(
    local: string,
    opts?: { port?: number; quota?: string; noAccount?: boolean; password?: string },
  ): Promise<Employee>;
  deps(
    overrides?: Partial<Omit<HandoverDeps, "settings">> & { settings?: Partial<HandoverConfig> },
  ): HandoverDeps;
  wire(user: string): Promise<ImapWire>;
  append(user: string, folder: string, messages: SeedMessage[]): Promise<void>;
  createFolder(user: string, folder: string): Promise<void>;
  read(user: string, folder: string): Promise<StoredMessage[]>;
  folders(user: string): Promise<string[]>;
  close(): Promise<void>;
}

export async function openHandoverWorld(opts: DovecotOptions = {}): Promise<HandoverWorld> {
  const database = await createTestDatabase();
  const dovecot = await startDovecot({ mailFsync: "never", ...opts });
  const { db, close } = await openDatabase({
    databaseUrl: database.url,
    dataDir: "/nonexistent",
    purpose: "handover test",
    log: quietLog,
  });
  const env: Record<string, string> = {};
  const passwords = new Map<string, string>();
  const tag = randomBytes(3).toString("hex");
  const world: HandoverWorld = {
    database,
    dovecot,
    db,
    env,
    async addEmployee(local, o = {}) {
      const address = `${local}-${tag}@test.local`;
      const password = o.password ?? randomBytes(9).toString("base64url");
      if (!o.noAccount) await dovecot.addUser(address, password, { quota: o.quota });
      passwords.set(address, password);
      // Dovecot re-reads the passwd-file lazily (a change within the second it
      // last read it can go unseen for a moment): wait until the login works.
      for (let i = 0; !o.noAccount; i++) {
        const ok = await world.wire(address).then(
          (w) => w.close().then(() => true),
          () => false,
        );
        if (ok) break;
        if (i === 40) throw new Error(`Dovecot never accepted the new user ${address}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const name = `HO_PW_${local.toUpperCase().replace(/\W/g, "_")}_${tag}`;
      env[name] = password;
      return db.employee.create({
        data: {
          address,
          imapHost: "127.0.0.1",
          imapPort: o.port ?? dovecot.port,
          tlsMode: "none",
          login: address,
          secretRef: `env:${name}`,
        },
      });
    },
    deps(overrides = {}) {
      const { settings, ...rest } = overrides;
      return {
        db,
        log: quietLog,
        clock: systemClock,
        settings: defaultHandoverConfig(settings),
        openSession: openHandoverSession,
        callHook: callHandoverHook,
        secrets: { secretsDir: "/nonexistent", tlsVerify: true, env },
        actor: "test",
        ...rest,
      };
    },
    async wire(user) {
      return ImapWire.open({
        host: "127.0.0.1",
        port: dovecot.port,
        tls: "none",
        user,
        password: passwords.get(user) ?? "secret",
      });
    },
    async createFolder(user, folder) {
      const w = await world.wire(user);
      await w.command(`CREATE ${quote(encodeModifiedUtf7(folder))}`);
      await w.close();
    },
    async append(user, name, messages) {
      const folder = encodeModifiedUtf7(name);
      const w = await world.wire(user);
      await w.command(`CREATE ${quote(folder)}`);
      for (let i = 0; i < messages.length; i += 200) {
        const cmd = w.startRawCommand(`APPEND ${quote(folder)}`);
        for (const m of messages.slice(i, i + 200)) {
          const raw = Buffer.isBuffer(m.raw) ? m.raw : Buffer.from(m.raw);
          cmd.write(
            ` (${(m.flags ?? []).join(" ")}) ${quote(m.date ?? "01-Jun-2026 10:00:00 +0000")} {${raw.length}+}\r\n`,
          );
          cmd.write(raw);
        }
        cmd.end();
        const answer = await cmd.answer;
        if (answer.status !== "OK") throw new Error(`seed APPEND failed: ${answer.text}`);
      }
      await w.close();
    },
    async read(user, name) {
      const folder = encodeModifiedUtf7(name);
      const w = await world.wire(user);
      const out: StoredMessage[] = [];
      const state = await w.command(`EXAMINE ${quote(folder)}`);
      if (state.status !== "OK") {
        await w.close();
        return [];
      }
      await w.ok("UID FETCH 1:* (UID RFC822.SIZE FLAGS INTERNALDATE BODY.PEEK[])", (t) => {
        if (t[1] !== "FETCH" || !Array.isArray(t[2])) return;
        const items = new Map<string, unknown>();
        for (let i = 0; i + 1 < t[2].length; i += 2) items.set(String(t[2][i]), t[2][i + 1]);
        const body = items.get("BODY[]") as Buffer;
        out.push({
          uid: Number(items.get("UID")),
          size: Number(items.get("RFC822.SIZE")),
          flags: (items.get("FLAGS") as string[]).filter((f) => f !== "\\Recent").sort(),
          date: String(items.get("INTERNALDATE")),
          sha: createHash("sha256").update(body).digest("hex"),
        });
      });
      await w.close();
      return out.sort((a, b) => a.uid - b.uid);
    },
    async folders(user) {
      const s = await openHandoverSession({
        host: "127.0.0.1",
        port: dovecot.port,
        tls: "none",
        user,
        password: passwords.get(user) ?? "secret",
      });
      const list = (await s.listFolders()).map((f) => f.name);
      await s.close();
      return list.sort();
    },
    async close() {
      await close();
      await dovecot.stop();
      await database.drop();
    },
  };
  return world;
}

let counter = 0;
/** A plain message; `id: null` leaves out the Message-ID. */
export function message(opts: {
  from?: string;
  to?: string;
  subject?: string;
  id?: string | null;
  body?: string;
  extraHeaders?: string;
}): string {
  const id =
    opts.id === undefined
      ? `<m${++counter}.${randomBytes(4).toString("hex")}@test.example>`
      : opts.id;
  return (
    `From: ${opts.from ?? "Someone <someone@stranger.example>"}\r\n` +
    `To: ${opts.to ?? "me@test.local"}\r\n` +
    `Subject: ${opts.subject ?? "Hello"}\r\n` +
    `Date: Mon, 1 Jun 2026 10:00:00 +0000\r\n` +
    (id ? `Message-ID: ${id}\r\n` : "") +
    (opts.extraHeaders ?? "") +
    `\r\n${opts.body ?? "Body text.\r\n"}`
  );
}
