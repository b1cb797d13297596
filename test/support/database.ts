// Per-test-file PostgreSQL databases: a template migrated once per state of
// prisma/migrations, cloned with CREATE DATABASE ... TEMPLATE (tens of ms).
import { createHash, randomBytes } from "node:crypto";
import { execFile } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import pg from "pg";
import { isAlive } from "../../src/adapters/data-dir-lock.ts";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const migrationsDir = path.join(repoRoot, "prisma", "migrations");
const TEMPLATE_PREFIX = "mailsteward_tmpl_";
const CLONE_PREFIX = "mailsteward_t_";
// Any constant works; it only has to be the same in every worker and run.
const TEMPLATE_LOCK = 7_243_117;

export const adminUrl =
  process.env.TEST_DATABASE_URL || "postgresql://postgres@127.0.0.1:5432/postgres";

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

export function databaseUrl(name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function migrationsHash(): Promise<string> {
  const hash = createHash("sha256");
  const entries = await readdir(migrationsDir, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(migrationsDir, path.join(entry.parentPath, entry.name)))
    .sort();
  for (const file of files) {
    hash
      .update(file)
      .update("\0")
      .update(await readFile(path.join(migrationsDir, file)))
      .update("\0");
  }
  return hash.digest("hex").slice(0, 16);
}

// "_" is a LIKE wildcard: unescaped, "mailsteward_t_%" also matches the templates.
function startsWith(prefix: string): string {
  return `${prefix.replace(/[\\_%]/g, "\\$&")}%`;
}

async function databaseExists(client: pg.Client, name: string): Promise<boolean> {
  const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
  return rowCount === 1;
}

async function migrate(name: string): Promise<void> {
  const prisma = path.join(repoRoot, "node_modules", ".bin", "prisma");
  try {
    await promisify(execFile)(prisma, ["migrate", "deploy"], {
      cwd: repoRoot,
      env: { ...process.env, DATABASE_URL: databaseUrl(name) },
    });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`prisma migrate deploy failed on ${name}:\n${stdout ?? ""}${stderr ?? ""}`, {
      cause: error,
    });
  }
}

let template: Promise<string> | undefined;

/** Creates the migrated template database if this state of the migrations has none yet; returns its name. */
export function ensureTemplate(): Promise<string> {
  template ??= buildTemplate().catch((error: unknown) => {
    template = undefined;
    throw error;
  });
  return template;
}

async function buildTemplate(): Promise<string> {
  const name = TEMPLATE_PREFIX + (await migrationsHash());
  // A half-migrated template must never be cloned: migrate under another name, rename when done.
  const building = `${name}_building`;
  return withAdmin(async (client) => {
    // Serialises vitest workers and concurrent runs; released when the session ends.
    await client.query("SELECT pg_advisory_lock($1)", [TEMPLATE_LOCK]);
    if (await databaseExists(client, name)) return name;
    await client.query(`DROP DATABASE IF EXISTS "${building}" WITH (FORCE)`);
    await client.query(`CREATE DATABASE "${building}"`);
    await migrate(building);
    await client.query(`ALTER DATABASE "${building}" RENAME TO "${name}"`);
    const stale = await client.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname LIKE $1 AND datname <> $2",
      [startsWith(TEMPLATE_PREFIX), name],
    );
    for (const { datname } of stale.rows) {
      // Without FORCE: a run still cloning an old template keeps it.
      await client.query(`DROP DATABASE IF EXISTS "${datname}"`).catch(() => {});
    }
    return name;
  });
}

// The vitest main process's pid (set by global-setup, inherited by the forked
// workers) goes into each clone's name, so a later run can tell leftovers of
// dead runs from databases of a run still going.
function runId(): string {
  process.env.MAILSTEWARD_TEST_RUN ??= String(process.pid);
  return process.env.MAILSTEWARD_TEST_RUN;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `${CLONE_PREFIX}${runId()}_${randomBytes(6).toString("hex")}`;
  const create = async () => {
    const source = await ensureTemplate();
    await withAdmin((client) => client.query(`CREATE DATABASE "${name}" TEMPLATE "${source}"`));
  };
  try {
    await create();
  } catch (error) {
    // 3D000: a newer run replaced our template after a migration changed; build it again.
    if ((error as { code?: string }).code !== "3D000") throw error;
    template = undefined;
    await create();
  }
  return {
    url: databaseUrl(name),
    drop: () =>
      withAdmin(async (client) => {
        // pool.end() resolves before its sockets close; forcing the drop while
        // they close sends them a fatal 57P01 that surfaces as an unhandled
        // error in the test. Give closing connections a moment to go first.
        for (let i = 0; i < 40; i++) {
          const { rows } = await client.query(
            "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1",
            [name],
          );
          if (rows[0].n === 0) break;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      }),
  };
}

/** Drops clones left behind by runs that are no longer running. */
export async function dropLeftoverDatabases(): Promise<string[]> {
  return withAdmin(async (client) => {
    const { rows } = await client.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname LIKE $1",
      [startsWith(CLONE_PREFIX)],
    );
    const leftovers = rows
      .map((row) => row.datname)
      .filter((name) => {
        const pid = Number(name.slice(CLONE_PREFIX.length).split("_")[0]);
        return !Number.isInteger(pid) || pid <= 0 || !isAlive(pid);
      });
    for (const name of leftovers)
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    return leftovers;
  });
}
