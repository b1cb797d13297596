import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../generated/prisma/client.ts";
import { AppError } from "../errors.ts";
import type { Db, Logger } from "../types.ts";
import { lockDataDir } from "./data-dir-lock.ts";

export interface Database {
  db: Db;
  /** the pool Prisma uses; Agenda's Postgres backend shares it */
  pool: pg.Pool;
  url: string;
  embedded: boolean;
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
      url: opts.databaseUrl,
      embedded: false,
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
 * WebAssembly) served on a loopback port so Prisma's pg adapter and Agenda's
 * Postgres backend reach it like a server. Its connection multiplexer is only
 * safe with ONE pool of ONE connection shared by everything in the process;
 * hence never await another query inside an interactive transaction here.
 */
async function openEmbedded(opts: {
  dataDir: string;
  purpose: string;
  log: Logger;
}): Promise<Database> {
  const lock = lockDataDir(opts.dataDir, opts.purpose);
  let pglite: PGlite | undefined;
  let server: PGLiteSocketServer | undefined;
  try {
    pglite = await PGlite.create(path.join(opts.dataDir, "pgdata"));
    server = new PGLiteSocketServer({ db: pglite, host: "127.0.0.1", port: 0, maxConnections: 4 });
    await server.start();
    const url = `postgresql://postgres@${server.getServerConn()}/postgres?sslmode=disable`;
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    logIdleErrors(pool, opts.log);
    if (await pendingMigrations(pool)) await migrate(url, opts.log);
    const db = new PrismaClient({ adapter: new PrismaPg(pool) });
    const running = { pglite, server };
    return {
      db,
      pool,
      url,
      embedded: true,
      async close() {
        await db.$disconnect();
        await pool.end();
        await running.server.stop();
        await running.pglite.close();
        lock.release();
      },
    };
  } catch (error) {
    await server?.stop().catch(() => {});
    await pglite?.close().catch(() => {});
    lock.release();
    throw error;
  }
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
