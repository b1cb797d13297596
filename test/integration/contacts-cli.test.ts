// The CLI commands as a user runs them: a separate process, real PostgreSQL.
// Each run starts tsx and Prisma (seconds on a busy machine), hence the long timeouts.
import { execFile } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testKeys } from "../support/app-config.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const fixture = path.join(root, "test/fixtures/csv/contacts-mixed.csv");
let database: TestDatabase;

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      path.join(root, "node_modules/.bin/tsx"),
      [path.join(root, "src/cli/index.ts"), ...args],
      {
        cwd: root,
        env: { ...process.env, ...testKeys, DATABASE_URL: database.url, LOG_LEVEL: "warn" },
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database?.drop());

describe("mailsteward CLI: lists, contacts import, subscribe", () => {
  it("creates a list, imports a file with bad lines (exit 0, each bad line shown), subscribes, and shows counts", async () => {
    expect(await cli("lists", "create", "news", "--name", "Monthly news")).toMatchObject({
      code: 0,
      stdout: "created list news (id 1, double opt-in, not open to the sign-up form)\n",
    });
    const duplicate = await cli("lists", "create", "news", "--name", "Again");
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toBe('mailsteward: list "news" already exists; choose another slug\n');

    const imported = await cli(
      "contacts",
      "import",
      fixture,
      "--list",
      "news",
      "--consent-source",
      "webinar-2026-10 signup form",
    );
    expect(imported.code).toBe(0);
    expect(imported.stdout).toMatch(/12 rows read from contacts-mixed\.csv/);
    expect(imported.stdout).toMatch(/new contacts: +6\n/);
    expect(imported.stdout).toMatch(/subscribed to news: 4 \(already subscribed: 0\)/);
    expect(imported.stdout).toMatch(/bad rows: +6\n/);
    for (const line of [4, 5, 7, 8, 9, 13]) expect(imported.stdout).toContain(`    line ${line}: `);

    const missingList = await cli(
      "contacts",
      "import",
      fixture,
      "--list",
      "newz",
      "--consent-source",
      "x",
    );
    expect(missingList).toMatchObject({
      code: 1,
      stderr: 'mailsteward: unknown list "newz"; known lists: news\n',
    });
    const missingFile = await cli(
      "contacts",
      "import",
      path.join(root, "no-such.csv"),
      "--consent-source",
      "x",
    );
    expect(missingFile.code).toBe(1);
    expect(missingFile.stderr).toMatch(/cannot read .*no-such\.csv: ENOENT/);

    const subscribed = await cli(
      "subscribe",
      "Pat@Example.com",
      "--list",
      "news",
      "--source",
      "paper form, trade fair 2026-10",
      "--evidence",
      "scan 4711",
    );
    expect(subscribed.code).toBe(0);
    expect(subscribed.stdout).toMatch(/^subscribed contact \d+ to news\n$/);

    const lists = await cli("lists");
    expect(lists.code).toBe(0);
    expect(lists.stdout.split("\n")[1]).toMatch(/^news +Monthly news +double +- +5 +0 +0$/);
  }, 240_000);

  it("has --help for each command", async () => {
    const help = await cli("contacts", "import", "--help");
    expect(help.stdout).toMatch(/--consent-source <text>/);
    expect(help.stdout).toMatch(/known|Columns/);
    expect((await cli("subscribe", "--help")).stdout).toMatch(/--source <text>/);
    expect((await cli("lists", "create", "--help")).stdout).toMatch(/--name <name>/);
  }, 120_000);
});
