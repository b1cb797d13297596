import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../generated/prisma/client.ts";
import { AppError } from "../errors.ts";
import type { Db, Logger, Sql } from "../types.ts";
import { lockDataDir } from "./data-dir-lock.ts";
import { createPoolSql } from "./pool-sql.ts";
import { ensurePrivateDir, findLooseModes, tightenTree } from "./private-files.ts";

export interface Database {
  db: Db;
  /** the pool Prisma uses; Agenda's Postgres backend shares it */
  pool: pg.Pool;
  /** plain SQL on the same pool, for the campaign sender's per-message statements */
  sql: Sql;
  url: string;
  embedded: boolean;
  /** embedded: entries under DATA_DIR that group or others could reach when it was opened (now tightened) */
  looseModes: Array<{ path: string; mode: string }>;
  close(): Promise<void>;
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export async function openDatabase(opts: {
  databaseUrl: string | undefined;
  dataDir: string;
  purpose: string;
  log: Logger;
  poolSize?: number;
}): Promise<Database> {
  if (opts.databaseUrl) {
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: opts.poolSize ?? 10 });
    logIdleErrors(pool, opts.log);
    await checkReachable(pool, opts.databaseUrl);
    const db = new PrismaClient({ adapter: new PrismaPg(pool) });
    return {
      db,
      pool,
      sql: createPoolSql(pool),
      url: opts.databaseUrl,
      embedded: false,
      looseModes: [],
      async close() {
        await db.$disconnect();
        await pool.end();
      },
    };
  }
  return openEmbedded(opts);
}

/**
 * The embedded default: a file-backed PGlite (PostgreSQL compiled to
 * WebAssembly) served on a Unix socket so Prisma's pg adapter and Agenda's
 * Postgres backend reach it like a server. The socket server has no
 * authentication, so it never listens on TCP: the socket lives in a 0700
 * directory inside the 0700 data directory, where no other local user can
 * reach it (a loopback port let anyone on the machine read every contact, or
 * hold the one connection in an open transaction and stall the worker).
 * Its connection multiplexer is only safe with ONE pool of ONE connection
 * shared by everything in the process; hence never await another query
 * inside an interactive transaction here.
 */
async function openEmbedded(opts: {
  dataDir: string;
  purpose: string;
  log: Logger;
}): Promise<Database> {
  const lock = lockDataDir(opts.dataDir, opts.purpose);
  let pglite: PGlite | undefined;
  let server: PGLiteSocketServer | undefined;
  let socketDir: string | undefined;
  try {
    const pgdata = path.join(opts.dataDir, "pgdata");
    // lockDataDir made DATA_DIR itself 0700; what was found below it before that counts too.
    const looseModes = findLooseModes(opts.dataDir);
    if (looseModes.length > 0)
      opts.log.warn("data directory entries were open to other users; tightened to 0700/0600", {
        entries: looseModes.length,
      });
    ensurePrivateDir(pgdata);
    tightenTree(opts.dataDir);
    pglite = await PGlite.create(pgdata);
    // Files PGlite created under a wide umask while opening.
    tightenTree(opts.dataDir);
    socketDir = privateSocketDir(opts.dataDir);
    const socketPath = path.join(socketDir, ".s.PGSQL.5432");
    // We hold the owner lock: a socket file left here is from a process that died.
    fs.rmSync(socketPath, { force: true });
    server = new PGLiteSocketServer({ db: pglite, path: socketPath, maxConnections: 4 });
    await server.start();
    fs.chmodSync(socketPath, 0o600);
    const url = `postgresql://postgres@localhost/postgres?host=${encodeURIComponent(socketDir)}`;
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    logIdleErrors(pool, opts.log);
    if (await pendingMigrations(pool)) await migrate(url, opts.log);
    tightenTree(opts.dataDir);
    const db = new PrismaClient({ adapter: new PrismaPg(pool) });
    const running = { pglite, server, socketDir };
    return {
      db,
      pool,
      sql: createPoolSql(pool),
      url,
      embedded: true,
      looseModes,
      async close() {
        await db.$disconnect();
        await pool.end();
        await running.server.stop();
        await running.pglite.close();
        removeSocketDir(opts.dataDir, running.socketDir);
        tightenTree(opts.dataDir);
        lock.release();
      },
    };
  } catch (error) {
    await server?.stop().catch(() => {});
    await pglite?.close().catch(() => {});
    if (socketDir) removeSocketDir(opts.dataDir, socketDir);
    lock.release();
    throw error;
  }
}

/**
 * DATA_DIR/run (0700), or, when that path is too long for a Unix socket
 * address (108 bytes on Linux, 104 on macOS), a fresh 0700 directory under
 * the system's temporary directory.
 */
function privateSocketDir(dataDir: string): string {
  const inside = path.join(dataDir, "run");
  if (Buffer.byteLength(path.join(inside, ".s.PGSQL.5432")) < 100) {
    ensurePrivateDir(inside);
    return inside;
  }
  return fs.mkdtempSync(path.join(os.tmpdir(), "mailsteward-"));
}

function removeSocketDir(dataDir: string, socketDir: string): void {
  if (socketDir === path.join(dataDir, "run"))
    fs.rmSync(path.join(socketDir, ".s.PGSQL.5432"), { force: true });
  else fs.rmSync(socketDir, { recursive: true, force: true });
}

/**
 * An idle pooled connection that breaks (the server restarts, an admin
 * terminates it) emits "error" on the pool; unhandled, that kills the worker.
 * The pool drops the connection and opens a new one on the next query.
 */
function logIdleErrors(pool: pg.Pool, log: Logger): void {
  pool.on("error", (error) =>
    log.warn("idle database connection lost; it will be replaced", { error: error.message }),
  );
}

const migrationsDir = path.join(repoRoot, "prisma", "migrations");

/**
 * Whether any committed migration is not yet applied. Spawning the Prisma CLI
 * costs seconds, so the worker and every CLI command ask first.
 */
async function pendingMigrations(pool: pg.Pool): Promise<boolean> {
  const committed = fs
    .readdirSync(migrationsDir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name);
  try {
    const { rows } = await pool.query<{ migration_name: string }>(
      "select migration_name from _prisma_migrations where finished_at is not null and rolled_back_at is null",
    );
    const applied = new Set(rows.map((r) => r.migration_name));
    return committed.some((name) => !applied.has(name));
  } catch {
    return true; // no _prisma_migrations table yet: a new database
  }
}

/** Applies the committed migrations with Prisma's own `migrate deploy`. */
export async function migrate(url: string, log: Logger): Promise<void> {
  const started = Date.now();
  const prismaBin = path.join(repoRoot, "node_modules", "prisma", "build", "index.js");
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, [prismaBin, "migrate", "deploy"], {
      cwd: repoRoot,
      env: { ...process.env, DATABASE_URL: url },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let text = "";
    child.stdout.on("data", (d) => (text += d));
    child.stderr.on("data", (d) => (text += d));
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code === 0) resolve(text);
      else
        reject(
          new AppError(
            "config",
            `applying migrations failed (prisma migrate deploy exited ${code}):\n${text.trim()}`,
          ),
        );
    });
  });
  const applied = /(\d+) migrations? found/.exec(output)?.[1];
  log.info("database migrated", {
    migrations: applied ? Number(applied) : undefined,
    ms: Date.now() - started,
  });
}

async function checkReachable(pool: pg.Pool, url: string): Promise<void> {
  try {
    await pool.query("select 1");
  } catch (error) {
    const safe = url.replace(/\/\/[^@/]*@/, "//***@");
    await pool.end().catch(() => {});
    throw new AppError(
      "config",
      `DATABASE_URL: cannot connect to ${safe} (${(error as Error).message}); start PostgreSQL or unset DATABASE_URL to use the embedded database`,
    );
  }
}
