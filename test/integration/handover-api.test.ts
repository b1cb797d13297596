// The handover on the admin API: a dry run answers with the selection report,
// a real one is queued as a mailbox.handover job (202), unknown employees are
// a 404 before anything is queued.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { testKeys } from "../support/app-config.ts";
import { startDovecot, type Dovecot } from "../support/dovecot.ts";
import { message } from "./handover-fixture.ts";
import { startTestServer, type TestServer } from "./http-server.ts";
import { ImapWire, quote } from "../../src/adapters/imap-wire.ts";

let server: TestServer;
let dovecot: Dovecot;
const auth = {
  authorization: `Bearer ${testKeys.ADMIN_TOKEN}`,
  "content-type": "application/json",
};

beforeAll(async () => {
  dovecot = await startDovecot({ mailFsync: "never" });
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
  await dovecot?.stop();
});

async function employee(local: string) {
  const address = `${local}-${randomBytes(3).toString("hex")}@test.local`;
  const password = randomBytes(9).toString("hex");
  const env = `HO_API_${randomBytes(4).toString("hex").toUpperCase()}`;
  process.env[env] = password;
  await dovecot.addUser(address, password);
  const row = await server.db.employee.create({
    data: {
      address,
      imapHost: "127.0.0.1",
      imapPort: dovecot.port,
      tlsMode: "none",
      login: address,
      secretRef: `env:${env}`,
    },
  });
  for (let i = 0; ; i++) {
    const wire = await ImapWire.open({
      host: "127.0.0.1",
      port: dovecot.port,
      tls: "none",
      user: address,
      password,
    }).catch(() => undefined);
    if (wire) return { row, wire };
    if (i > 40) throw new Error("Dovecot never accepted the user");
    await new Promise((r) => setTimeout(r, 100));
  }
}

it("dry run over the API, then a queued job; 404 for an unknown employee", async () => {
  const from = await employee("api-from");
  const to = await employee("api-to");
  await to.wire.close();
  for (const raw of [message({}), message({})]) {
    const bytes = Buffer.from(raw);
    const { sink, answer } = from.wire.commandWithLiteral(
      `APPEND ${quote("INBOX")} (\\Flagged)`,
      bytes.length,
    );
    sink.write(bytes);
    sink.end();
    expect((await answer).status).toBe("OK");
  }
  await from.wire.close();

  const dry = await fetch(`${server.url}/api/handovers`, {
    method: "POST",
    headers: auth,
    body: JSON.stringify({ employee: from.row.address, to: to.row.id, dryRun: true }),
  });
  expect(dry.status).toBe(200);
  const report = (await dry.json()) as { selected: number; dryRun: boolean; sample: unknown[] };
  expect(report).toMatchObject({ selected: 2, dryRun: true });
  expect(report.sample).toHaveLength(2);

  const queued = await fetch(`${server.url}/api/handovers`, {
    method: "POST",
    headers: auth,
    body: JSON.stringify({ employee: from.row.id, to: to.row.address, all: true }),
  });
  expect(queued.status).toBe(202);
  const jobs = await server.db.$queryRaw<
    Array<{ n: number }>
  >`select count(*)::int as n from agenda_jobs where name = 'mailbox.handover'`;
  expect(jobs[0]!.n).toBe(1);

  const unknown = await fetch(`${server.url}/api/handovers`, {
    method: "POST",
    headers: auth,
    body: JSON.stringify({ employee: "nobody@test.local", to: to.row.id }),
  });
  expect(unknown.status).toBe(404);
  expect(await unknown.text()).toContain("nobody@test.local");
  const none = await fetch(`${server.url}/api/handovers/${to.row.id}`, { headers: auth });
  expect(none.status).toBe(404);
  const bad = await fetch(`${server.url}/api/handovers`, {
    method: "POST",
    headers: auth,
    body: JSON.stringify({ employee: 1 }),
  });
  expect(bad.status).toBe(400);
});
