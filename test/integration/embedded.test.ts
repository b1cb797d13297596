import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli, startMain, type Started } from "../support/processes.ts";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ms-embedded-"));
const env = {
  DATA_DIR: path.join(dir, ".data"),
  OUTBOX_DIR: path.join(dir, "outbox"),
  DATABASE_URL: "",
  SMTP_URL: "",
};
let main: Started | undefined;

afterAll(async () => {
  if (main && main.child.exitCode === null) {
    main.child.kill("SIGKILL");
    await main.exited;
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("the embedded default (PGlite, no services)", () => {
  it("starts worker and web server, migrates, and answers /health", async () => {
    main = await startMain(env);
    const health = await fetch(`${main.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: "ok", database: true, jobs: true });
    expect(main.output()).toMatch(/"msg":"database migrated","migrations":\d+/);
    expect(fs.statSync(path.join(env.DATA_DIR, "secrets.json")).mode & 0o777).toBe(0o600);
  });

  it("runs a second process's CLI command in the running worker (cli-while-running.test.ts)", async () => {
    const result = await runCli(["status"], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`database: embedded PGlite in ${env.DATA_DIR}`);
  });

  it("stops cleanly on SIGTERM and releases the data directory", async () => {
    main!.child.kill("SIGTERM");
    expect(await main!.exited).toBe(0);
    expect(main!.output()).toContain("stopping: no new jobs");
    expect(fs.existsSync(path.join(env.DATA_DIR, "owner.lock"))).toBe(false);
  });

  it("lets a CLI command open the data directory itself when no worker holds it", async () => {
    const result = await runCli(["status"], env);
    expect(result.stderr).not.toMatch(/"level":"error"|mailsteward:/);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`database: embedded PGlite in ${env.DATA_DIR}`);
    expect(result.stdout).toMatch(/contacts: 0, lists: 0/);
  });

  it("takes over a lock left by a process that died", async () => {
    fs.writeFileSync(
      path.join(env.DATA_DIR, "owner.lock"),
      JSON.stringify({ pid: 2 ** 22 + 12345, purpose: "crashed worker", since: "2026-01-01" }),
    );
    const result = await runCli(["status"], env);
    expect(result.code).toBe(0);
  });
});
