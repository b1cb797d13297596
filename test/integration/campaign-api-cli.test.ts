// The admin API and the CLI drive a campaign end to end against real services.
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load-config.ts";
import { start, type Running } from "../../src/main.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";
import { startSmtpSink, type SmtpSink } from "../support/smtp-sink.ts";
import { content, seedAudience, testEnv } from "./campaign-fixture.ts";
import pg from "pg";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
let database: TestDatabase;
let sink: SmtpSink;
let running: Running;
let env: Record<string, string>;
const auth = {
  authorization: "Bearer admin-token-0123456789abcdef",
  "content-type": "application/json",
};

beforeAll(async () => {
  database = await createTestDatabase();
  sink = await startSmtpSink();
  env = testEnv(database.url, sink.port, { PORT: "0" });
  running = await start({ purpose: "test", config: loadConfig(env) });
  const pool = new pg.Pool({ connectionString: database.url, max: 1 });
  await seedAudience(pool, 25);
  await pool.end();
});
afterAll(async () => {
  await running?.stop();
  await sink?.close();
  await database?.drop();
});

describe("campaigns through the admin API and the CLI", () => {
  it("creates, previews, schedules and reports over HTTP", async () => {
    const post = (p: string, body: unknown) =>
      fetch(`${running.url}/api${p}`, {
        method: "POST",
        headers: auth,
        body: JSON.stringify(body),
      });
    const unknown = await post("/campaigns", {
      slug: "api",
      template: "monthly",
      subject: "Hi {{name}}",
      lists: ["newz"],
      content,
    });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { message: string }).message).toMatch(
      /unknown list "newz"; known lists: news/,
    );
    const created = await post("/campaigns", {
      slug: "api",
      template: "monthly",
      subject: "Hi {{name}}",
      lists: ["news"],
      content,
    });
    expect(created.status).toBe(201);
    const preview = await fetch(`${running.url}/api/campaigns/api/preview`, { headers: auth });
    expect(preview.status).toBe(200);
    const html = await preview.text();
    expect(html).toMatch(/https:\/\/news\.example\.test\/u\/[a-z2-7]+/);
    // A sample reader unless a contact is named (issue 7): no real subscriber's data in a preview.
    expect(html).toMatch(/Hello Preview Reader,/);
    const named = await fetch(`${running.url}/api/campaigns/api/preview?contactId=1`, {
      headers: auth,
    });
    expect(await named.text()).toMatch(/Hello User 1,/);
    expect((await post("/campaigns/api/schedule", {})).status).toBe(200);
    for (let i = 0; i < 300; i++) {
      const report = (await (
        await fetch(`${running.url}/api/campaigns/api/report`, { headers: auth })
      ).json()) as { status: string; counts: Record<string, number> };
      if (report.status === "sent") {
        expect(report.counts).toMatchObject({ sent: 25, total: 25, failed: 0, uncertain: 0 });
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(sink.count).toBe(25);
    expect((await fetch(`${running.url}/api/campaigns/api/report`)).status).toBe(401);
  });

  it("the CLI writes a preview, sends a [TEST] message without a ledger row, and prints the report", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "preview-"));
    const cli = (...args: string[]) =>
      promisify(execFile)(
        process.execPath,
        ["--import", "tsx", path.join(repoRoot, "src/cli/index.ts"), ...args],
        { cwd: repoRoot, env: { ...process.env, ...env } },
      );
    const out = await cli(
      "campaign",
      "preview",
      "api",
      "--contact",
      "somebody@example.test",
      "--out",
      path.join(dir, "p.html"),
    );
    expect(out.stdout).toMatch(/wrote .*p\.html/);
    expect(fs.readFileSync(path.join(dir, "p.html"), "utf8")).toMatch(/<html/i);
    expect(fs.readFileSync(path.join(dir, "p.txt"), "utf8").length).toBeGreaterThan(100);

    // Issue 7: by default a sample reader, not the first real subscriber, and files only the owner reads.
    const real = await running.app.db.contact.findFirstOrThrow({
      orderBy: { id: "asc" },
      select: { email: true },
    });
    fs.writeFileSync(path.join(dir, "s.txt"), "older, world-readable", { mode: 0o644 });
    const sample = await cli("campaign", "preview", "api", "--out", path.join(dir, "s.html"));
    expect(sample.stdout).toMatch(/for contact \(sample\)/);
    for (const ext of ["html", "txt", "eml"]) {
      const file = path.join(dir, `s.${ext}`);
      expect(fs.statSync(file).mode & 0o777, file).toBe(0o600);
      expect(fs.readFileSync(file, "utf8")).not.toContain(real.email);
    }
    expect(fs.readFileSync(path.join(dir, "s.eml"), "utf8")).toMatch(
      /^To: .*preview@example\.com/m,
    );
    const before = sink.count;
    const test = await cli("campaign", "test", "api", "--to", "me@example.test");
    expect(test.stdout).toMatch(/sent test message .*250/);
    expect(sink.count).toBe(before + 1);
    const last = sink.messages[sink.messages.length - 1]!;
    expect(last.to).toEqual(["me@example.test"]);
    expect(last.raw.toString("utf8")).toMatch(/^Subject: \[TEST\] Hi/m);
    const report = await cli("campaign", "report", "api");
    expect(report.stdout).toMatch(/campaign api \(id \d+\): sent/);
    expect(report.stdout).toMatch(/progress: 25\/25 recipients done/);
    expect(report.stdout).toMatch(/sent 25, failed 0, uncertain 0/);
    expect(await running.app.db.delivery.count()).toBe(25);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 180_000); // five CLI processes; on a loaded 2-core machine each takes up to half a minute
});
