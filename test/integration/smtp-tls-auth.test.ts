// The worker's one SMTP pool (src/adapters/mailer.ts) against real servers
// that require what production servers do: smtp-server with STARTTLS (RFC
// 3207) or implicit TLS (RFC 8314) and AUTH, with a certificate from a CA the
// test makes (trusted through SMTP_TLS_CA_FILE). A certificate that does not
// verify is refused unless SMTP_TLS_VERIFY=false; credentials go only over
// TLS; system mail and campaign messages share SMTP_POOL_SIZE connections;
// the password is in no error and no log line, even after an AUTH refusal or
// a connection failure during a campaign.
import util from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/adapters/logger.ts";
import { createMailer } from "../../src/adapters/mailer.ts";
import { loadConfig } from "../../src/config/load-config.ts";
import { start } from "../../src/main.ts";
import { scheduleCampaign } from "../../src/newsletters/schedule-campaign.ts";
import { SendError, type Mailer } from "../../src/types.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";
import { freePort } from "../support/dovecot.ts";
import { startSmtpSink, type SmtpSink } from "../support/smtp-sink.ts";
import { makeTestCertificates, type TestCertificates } from "../support/tls-cert.ts";
import { newCampaign, seedAudience, testEnv } from "./campaign-fixture.ts";
import pg from "pg";

// a password with characters that URL-encoding changes, so both forms are looked for
const user = "mailer@test.local";
const pass = "s3cret/pa+ss%word";
const url = (scheme: "smtp" | "smtps", port: number, password = pass) =>
  `${scheme}://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}`;

/** every form in which the password could leak: raw, URL-encoded, base64 (AUTH LOGIN and PLAIN) */
function leaks(text: string, password = pass): string[] {
  const forms = [
    password,
    encodeURIComponent(password),
    Buffer.from(password).toString("base64"),
    Buffer.from(`\u0000${user}\u0000${password}`).toString("base64"),
  ];
  return forms.filter((form) => text.includes(form));
}

/** the error as every place could show it: message, own fields, stack, util.inspect */
function errorText(error: unknown): string {
  return [
    String(error),
    JSON.stringify(error),
    (error as Error).stack ?? "",
    util.inspect(error, { depth: 5 }),
  ].join("\n");
}

let certs: TestCertificates;
let starttls: SmtpSink;
let smtps: SmtpSink;
let plain: SmtpSink;
const mailers: Mailer[] = [];

function mailer(env: Record<string, string>): Mailer {
  const config = loadConfig({ ...testEnv("postgresql://x@127.0.0.1/x", 1), ...env }, () => {});
  const m = createMailer({ ...config, dkim: undefined });
  mailers.push(m);
  return m;
}

const systemMail = (n: number) => ({
  from: "Example News <news@example.test>",
  to: `reader${n}@example.test`,
  subject: `System mail ${n}`,
  text: `Please confirm ${n}`,
  html: `<p>Please confirm ${n}</p>`,
  messageId: `system-${n}-${Date.now()}@example.test`,
});
const campaignMail = (n: number) =>
  Buffer.from(
    `From: news@example.test\r\nTo: reader${n}@example.test\r\nMessage-ID: <raw-${n}-${Date.now()}@example.test>\r\nSubject: Campaign ${n}\r\n\r\nHello ${n}\r\n`,
  );

beforeAll(async () => {
  certs = await makeTestCertificates();
  [starttls, smtps, plain] = await Promise.all([
    startSmtpSink({ tls: { key: certs.key, cert: certs.cert }, auth: { user, pass } }),
    startSmtpSink({
      tls: { key: certs.key, cert: certs.cert, secure: true },
      auth: { user, pass },
    }),
    startSmtpSink(),
  ]);
}, 30_000);

afterAll(async () => {
  for (const m of mailers) await m.close();
  await Promise.all([starttls?.close(), smtps?.close(), plain?.close()]);
  await certs?.remove();
});

describe("TLS and AUTH", () => {
  it("STARTTLS with AUTH: system mail and campaign messages share SMTP_POOL_SIZE connections", async () => {
    starttls.clear();
    const m = mailer({
      SMTP_URL: url("smtp", starttls.port),
      SMTP_TLS_CA_FILE: certs.caFile,
      SMTP_POOL_SIZE: "2",
    });
    const answers = await Promise.all([
      ...Array.from({ length: 10 }, (_, i) => m.send(systemMail(i))),
      ...Array.from({ length: 10 }, (_, i) =>
        m.sendRaw!(
          { from: "bounces@example.test", to: `reader${i}@example.test` },
          campaignMail(i),
        ),
      ),
    ]);
    expect(answers.every((a) => a.response.startsWith("250"))).toBe(true);
    expect(starttls.count).toBe(20);
    // one pool of two connections for both kinds of mail, not one pool each
    expect(starttls.maxOpenConnections).toBeLessThanOrEqual(2);
    expect(starttls.connections).toBeLessThanOrEqual(2);
    expect(starttls.messages.every((msg) => msg.secure && msg.user === user)).toBe(true);
    // the envelope sender of campaign mail is the one given (BOUNCE_ADDRESS / VERP), of system mail its From
    const froms = new Set(starttls.messages.map((msg) => msg.from));
    expect([...froms].sort()).toEqual(["bounces@example.test", "news@example.test"]);
  });

  it("implicit TLS (smtps) with AUTH", async () => {
    smtps.clear();
    const m = mailer({ SMTP_URL: url("smtps", smtps.port), SMTP_TLS_CA_FILE: certs.caFile });
    await m.send(systemMail(1));
    await m.sendRaw!({ from: "bounces@example.test", to: "reader1@example.test" }, campaignMail(1));
    expect(smtps.count).toBe(2);
    expect(smtps.messages.every((msg) => msg.secure && msg.user === user)).toBe(true);
  });

  for (const scheme of ["smtp", "smtps"] as const) {
    it(`${scheme}: a certificate that does not verify is refused before any credential is sent`, async () => {
      const sink = scheme === "smtp" ? starttls : smtps;
      sink.clear();
      // no SMTP_TLS_CA_FILE: the test CA is not among the system's
      const m = mailer({ SMTP_URL: url(scheme, sink.port) });
      const error = await m.send(systemMail(2)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SendError);
      expect(error).toMatchObject({ kind: "connection", maybeDelivered: false });
      expect((error as SendError).message).toMatch(/certificate/i);
      const raw = await m.sendRaw!(
        { from: "b@example.test", to: "r@example.test" },
        campaignMail(2),
      ).catch((e: unknown) => e);
      expect(raw).toMatchObject({ kind: "connection", maybeDelivered: false });
      expect(sink.count).toBe(0);
      expect(sink.authFailures).toBe(0);
      expect(leaks(errorText(error) + errorText(raw))).toEqual([]);
    });
  }

  it("SMTP_TLS_VERIFY=false is the operator's explicit opt-out", async () => {
    starttls.clear();
    const m = mailer({ SMTP_URL: url("smtp", starttls.port), SMTP_TLS_VERIFY: "false" });
    await m.send(systemMail(3));
    expect(starttls.messages.map((msg) => [msg.secure, msg.user])).toEqual([[true, user]]);
  });

  it("credentials are not sent to a server that offers no STARTTLS", async () => {
    plain.clear();
    const m = mailer({ SMTP_URL: url("smtp", plain.port) });
    const error = await m.send(systemMail(4)).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: "connection", maybeDelivered: false });
    expect((error as SendError).message).toMatch(/STARTTLS/);
    expect(plain.count).toBe(0);
    expect(leaks(errorText(error))).toEqual([]);
  });

  it("without credentials, STARTTLS is still used when offered, and a server without it is accepted", async () => {
    starttls.clear();
    plain.clear();
    const noAuth = await startSmtpSink({ tls: { key: certs.key, cert: certs.cert } });
    try {
      await mailer({
        SMTP_URL: `smtp://127.0.0.1:${noAuth.port}`,
        SMTP_TLS_CA_FILE: certs.caFile,
      }).send(systemMail(5));
      expect(noAuth.messages.map((msg) => msg.secure)).toEqual([true]);
      await mailer({ SMTP_URL: `smtp://127.0.0.1:${plain.port}` }).send(systemMail(6));
      expect(plain.messages.map((msg) => msg.secure)).toEqual([false]);
      // SMTP_REQUIRE_TLS=true refuses it
      const error = await mailer({
        SMTP_URL: `smtp://127.0.0.1:${plain.port}`,
        SMTP_REQUIRE_TLS: "true",
      })
        .send(systemMail(7))
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ kind: "connection" });
      expect(plain.count).toBe(1);
    } finally {
      await noAuth.close();
    }
  });

  it("a wrong password is a transport failure naming the server's answer, never the password", async () => {
    starttls.clear();
    const wrong = "Wr0ng/pass+word%";
    const m = mailer({
      SMTP_URL: url("smtp", starttls.port, wrong),
      SMTP_TLS_CA_FILE: certs.caFile,
    });
    const error = await m.send(systemMail(8)).catch((e: unknown) => e);
    expect(starttls.authFailures).toBe(1);
    // not a verdict on the recipient: the message may go once the password is fixed
    expect(error).toMatchObject({ kind: "connection", maybeDelivered: false, smtpCode: 535 });
    expect(leaks(errorText(error), wrong)).toEqual([]);
    expect(starttls.count).toBe(0);
  });
});

describe("a campaign whose transport fails", () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  beforeAll(async () => {
    database = await createTestDatabase();
    pool = new pg.Pool({ connectionString: database.url, max: 2 });
  }, 60_000);
  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  it("leaves the password out of every log line and every stored response (AUTH refused, then no server)", async () => {
    const lines: string[] = [];
    const closedPort = await freePort();
    const wrong = "An0ther/secret+pw%";
    for (const [n, smtpUrl] of [
      [1, url("smtp", starttls.port, wrong)],
      [2, url("smtp", closedPort, wrong)],
    ] as const) {
      const config = loadConfig(
        testEnv(database.url, 1, {
          SMTP_URL: smtpUrl,
          SMTP_TLS_CA_FILE: certs.caFile,
          SEND_RETRY_DELAY_SECONDS: "60",
          LOG_LEVEL: "debug",
        }),
      );
      const running = await start({
        purpose: "test",
        config,
        http: false,
        log: createLogger("debug", {}, (line) => lines.push(line)),
      });
      try {
        const app = running.app;
        if (n === 1) await seedAudience(pool, 3);
        const campaignId = await newCampaign(app, `fails-${n}`);
        await scheduleCampaign({ ...app, actor: "test" }, { slug: `fails-${n}` });
        // every delivery deferred (queued for a later try), none failed: the transport is at fault
        const deadline = Date.now() + 60_000;
        for (;;) {
          const { rows } = await pool.query<{ status: string; response: string | null }>(
            `SELECT status::text, response FROM deliveries WHERE campaign_id = $1`,
            [campaignId],
          );
          if (rows.length === 3 && rows.every((r) => r.status === "queued" && r.response)) {
            expect(rows.map((r) => r.response).join("\n")).toMatch(
              n === 1 ? /535/ : /ECONNREFUSED|connect/,
            );
            expect(leaks(rows.map((r) => r.response).join("\n"), wrong)).toEqual([]);
            break;
          }
          if (Date.now() > deadline)
            throw new Error(`deliveries not deferred: ${JSON.stringify(rows)}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      } finally {
        await running.stop();
      }
    }
    expect(lines.length).toBeGreaterThan(0);
    expect(leaks(lines.join("\n"), wrong)).toEqual([]);
  }, 120_000);
});
