// The privacy commands as the privacy officer runs them: separate processes,
// real PostgreSQL. Each run starts tsx and Prisma, hence the long timeouts.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testKeys } from "../support/app-config.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
let database: TestDatabase;
let out: string;

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
  out = await mkdtemp(path.join(os.tmpdir(), "mailsteward-privacy-cli-"));
  const sql = new pg.Client({ connectionString: database.url });
  await sql.connect();
  await sql.query(`
    INSERT INTO contacts (email, name, last_contact_at, created_at, updated_at) VALUES
      ('stale@example.test', 'Stale Person', '2023-01-05 12:00', '2022-06-01', now()),
      ('fresh@example.test', 'Fresh Person', now() - interval '30 days', now() - interval '60 days', now())`);
  await sql.end();
});

afterAll(async () => {
  await database?.drop();
  if (out) await rm(out, { recursive: true, force: true });
});

describe("mailsteward privacy CLI", { timeout: 300_000 }, () => {
  it("touch moves the clock; show says which rule keeps the contact until when", async () => {
    const touched = await cli(
      "contacts",
      "touch",
      "fresh@example.test",
      "--via",
      "phone",
      "--note",
      "called about the offer",
    );
    expect(touched.stdout).toMatch(
      /^contact \d+: contact by phone registered; last contact now \d{4}-\d\d-\d\d\n$/,
    );
    const shown = await cli("contacts", "show", "fresh@example.test");
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain("contact by phone on ");
    expect(shown.stdout).toMatch(
      /retention: kept by rule dialogue \(active dialogue, counted from the last contact, from \d{4}-\d\d-\d\d\) until \d{4}-\d\d-\d\d/,
    );
    const bad = await cli("contacts", "touch", "fresh@example.test", "--via", "pigeon");
    expect(bad).toMatchObject({
      code: 1,
      stderr:
        'mailsteward: contact way "pigeon" is not known; expected one of phone, meeting, download, email, form\n',
    });
  });

  it("retention --dry-run lists who would go and why, and changes nothing; policy prints the rules", async () => {
    const dry = await cli("privacy", "retention", "--dry-run");
    expect(dry.stdout).toMatch(
      /^dry run: 1 contact\(s\) would be erased now \(nothing was changed\)\n {2}contact \d+ stale@example\.test: rule dialogue from 2023-01-05 ran out 2025-01-05\n/,
    );
    const policy = await cli("privacy", "policy");
    expect(policy.stdout).toContain(
      "Active dialogue: a contact's data is kept 2 years from the last contact",
    );
    expect(policy.stdout).toContain("Only name, email, phone and company");
  });

  it("export writes JSON and HTML readable by the operator only; requests lists it with its deadline", async () => {
    const exported = await cli(
      "privacy",
      "export",
      "fresh@example.test",
      "--verified-by",
      "signed-letter",
      "--reference",
      "DMS 9",
      "--out",
      out,
    );
    expect(exported.code).toBe(0);
    const reference = /request (DSR-\d{8}-[0-9A-F]{6})/.exec(exported.stdout)?.[1];
    expect(reference).toBeDefined();
    const json = JSON.parse(await readFile(path.join(out, `${reference}.json`), "utf8")) as {
      contact: { email: string };
      contactEvents: Array<{ note: string }>;
    };
    expect(json.contact.email).toBe("fresh@example.test");
    expect(json.contactEvents[0]!.note).toBe("called about the offer");
    expect((await stat(path.join(out, `${reference}.html`))).mode & 0o777).toBe(0o600);
    const requests = await cli("privacy", "requests");
    expect(requests.stdout).toContain(`${reference}  export     done`);
    expect(requests.stdout).toContain("verified by signed-letter (DMS 9)");
  });

  it("erase leaves nothing; audit finds the erasure by the address's keyed hash", async () => {
    const erased = await cli(
      "privacy",
      "erase",
      "fresh@example.test",
      "--verified-by",
      "email-from-address",
    );
    expect(erased.stdout).toMatch(
      /^erased; request DSR-\d{8}-[0-9A-F]{6}; suppression hash [0-9a-f]{64}\n$/,
    );
    const again = await cli(
      "privacy",
      "erase",
      "fresh@example.test",
      "--verified-by",
      "email-from-address",
    );
    expect(again.code).toBe(1);
    const audit = await cli("audit", "--subject", "fresh@example.test");
    expect(audit.stdout).toContain("contact.erased");
    expect(audit.stdout).not.toContain("fresh@example.test");
    const open = await cli("privacy", "requests", "--open");
    expect(open.stdout).toBe("no open requests\n");
  });
});
