// The mailbox directory as people use it: the CLI in a separate process and
// the admin API through the real Fastify server, against real PostgreSQL and
// a real Dovecot (mailbox check and cleanup log in).
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testKeys } from "../support/app-config.ts";
import { startDovecot, type Dovecot } from "../support/dovecot.ts";
import { startTestServer, type TestServer } from "./http-server.ts";
import { daysAgo, rawMessage } from "./mailbox-cleanup-fixture.ts";
import { ImapFlow } from "imapflow";

const root = fileURLToPath(new URL("../..", import.meta.url));
let t: TestServer;
let dovecot: Dovecot;
const tag = randomBytes(3).toString("hex");
const password = randomBytes(9).toString("base64url");
const pat = `pat-${tag}@test.local`;
const ana = `ana-${tag}@test.local`;
const secretEnv = `CLI_TEST_PW_${tag}`;
const auth = { authorization: `Bearer ${testKeys.ADMIN_TOKEN}` };
const json = { ...auth, "content-type": "application/json" };
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- intended: JSON of any shape
const read = (response: Response) => response.json() as Promise<any>;

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      path.join(root, "node_modules/.bin/tsx"),
      [path.join(root, "src/cli/index.ts"), ...args],
      {
        cwd: root,
        env: {
          ...process.env,
          ...testKeys,
          DATABASE_URL: t.database.url,
          LOG_LEVEL: "warn",
          [secretEnv]: password,
        },
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  [t, dovecot] = await Promise.all([startTestServer(), startDovecot({ mailFsync: "never" })]);
  await dovecot.addUser(pat, password);
  await dovecot.addUser(ana, password);
  // Dovecot re-reads the passwd-file lazily: wait until the login works, then seed.
  for (let i = 0; ; i++) {
    const client = new ImapFlow({
      host: "127.0.0.1",
      port: dovecot.port,
      secure: false,
      auth: { user: pat, pass: password },
      logger: false,
    });
    client.on("error", () => {});
    try {
      await client.connect();
      await client.append(
        "INBOX",
        rawMessage({ subject: "old", date: daysAgo(800) }),
        [],
        daysAgo(800),
      );
      await client.append(
        "INBOX",
        rawMessage({ subject: "young", date: daysAgo(3) }),
        [],
        daysAgo(3),
      );
      await client.logout();
      break;
    } catch (error) {
      if (i === 40) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}, 60_000);
afterAll(async () => {
  await Promise.all([t?.close(), dovecot?.stop()]);
});

describe("employees CLI", () => {
  it("adds, changes and removes an employee; refuses a bad secret reference; checks and cleans the mailbox", async () => {
    const added = await cli(
      "employees",
      "add",
      pat,
      "--host",
      "127.0.0.1",
      "--port",
      String(dovecot.port),
      "--tls",
      "none",
      "--secret-ref",
      `env:${secretEnv}`,
    );
    expect(added).toMatchObject({ code: 0 });
    expect(added.stdout).toMatch(new RegExp(`^employee \\d+: ${pat} \\(active\\)\n`));
    expect(added.stdout).toContain(`secret: env:${secretEnv}`);
    expect(added.stdout).not.toContain(password);

    const bad = await cli(
      "employees",
      "add",
      "sam@test.local",
      "--host",
      "h",
      "--port",
      "143",
      "--secret-ref",
      "hunter2",
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(
      /secret reference "hunter2" is not valid; expected env:VARIABLE_NAME or file:/,
    );

    const set = await cli(
      "employees",
      "set",
      pat,
      "--cleanup-older-than",
      "18",
      "--cleanup-keep-folders",
      "Verträge",
    );
    expect(set.code).toBe(0);
    // PostgreSQL's jsonb keeps keys in its own order
    expect(set.stdout).toMatch(/cleanup policy: \{.*"olderThanMonths":18/);
    expect(set.stdout).toMatch(/cleanup policy: \{.*"keepFolders":\["Verträge"\]/);

    const check = await cli("mailbox", "check", pat);
    expect(check.code).toBe(0);
    expect(check.stdout).toMatch(/UIDPLUS +yes/);
    expect(check.stdout).toMatch(/ +2 +INBOX +\\Inbox/);

    const dry = await cli("cleanup", pat, "--dry-run");
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^dry run \(nothing changed\): would delete/);
    expect(dry.stdout).toMatch(/INBOX \(\\Inbox\): 1 messages/);
    expect(dry.stdout).toMatch(/\n {2}UID 1 {2}\d{4}-\d\d-\d\d {2}[\d.]+ KB\n/);
    // not a terminal: progress as plain lines on stderr
    expect(dry.stderr).toMatch(/selecting INBOX: 1\/1/);

    const run = await cli("cleanup", pat);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/total: 1 messages deleted/);

    const removed = await cli("employees", "remove", pat);
    expect(removed.stdout).toMatch(/^removed employee \d+ from the directory\n$/);
  }, 300_000);
});

describe("employees admin API", () => {
  it("manages the directory and runs a dry-run cleanup and a mailbox check", async () => {
    process.env[secretEnv] = password;
    const created = await fetch(`${t.url}/api/employees`, {
      method: "POST",
      headers: json,
      body: JSON.stringify({
        address: ana.toUpperCase(),
        imapHost: "127.0.0.1",
        imapPort: dovecot.port,
        tlsMode: "none",
        secretRef: `env:${secretEnv}`,
      }),
    });
    expect(created.status).toBe(201);
    const body = await read(created);
    expect(body).toMatchObject({ address: ana, login: ana, status: "active", successor: null });

    const sam = await read(
      await fetch(`${t.url}/api/employees`, {
        method: "POST",
        headers: json,
        body: JSON.stringify({
          address: `sam-${tag}@test.local`,
          imapHost: "imap.example.test",
          imapPort: 993,
          secretRef: "file:sam.pass",
        }),
      }),
    );
    const patched = await fetch(`${t.url}/api/employees/${ana}`, {
      method: "PATCH",
      headers: json,
      body: JSON.stringify({ status: "departing", successor: String(sam.id) }),
    });
    expect(await read(patched)).toMatchObject({ status: "departing", successor: { id: sam.id } });
    const refused = await fetch(`${t.url}/api/employees/${body.id}`, {
      method: "DELETE",
      headers: auth,
    });
    expect(refused.status).toBe(409);
    const self = await fetch(`${t.url}/api/employees/${sam.id}`, {
      method: "PATCH",
      headers: json,
      body: JSON.stringify({ successor: String(sam.id) }),
    });
    expect(self.status).toBe(400);
    await fetch(`${t.url}/api/employees/${body.id}`, {
      method: "PATCH",
      headers: json,
      body: JSON.stringify({ status: "active" }),
    });

    const check = await read(
      await fetch(`${t.url}/api/employees/${body.id}/mailbox`, { headers: auth }),
    );
    expect(check.capabilities.UIDPLUS).toBe(true);
    const dry = await read(
      await fetch(`${t.url}/api/employees/${body.id}/cleanup`, {
        method: "POST",
        headers: json,
        body: JSON.stringify({ dryRun: true }),
      }),
    );
    expect(dry).toMatchObject({ dryRun: true, employeeId: body.id });
    const list = await read(await fetch(`${t.url}/api/employees?status=active`, { headers: auth }));
    expect(list.employees.map((e: { id: number }) => e.id)).toEqual(
      expect.arrayContaining([body.id, sam.id]),
    );
    const unreachable = await read(
      await fetch(`${t.url}/api/employees/${sam.id}/mailbox`, { headers: auth }),
    );
    expect(unreachable.error).toBe("config");
    expect(unreachable.message).toMatch(/cannot read the password file .*sam\.pass/);
  }, 60_000);
});
