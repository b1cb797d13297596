// The transport as production uses it, against a real MTA: Postfix as a
// submission server that offers STARTTLS and implicit TLS with a certificate
// from the test's own CA, accepts mail only after SMTP AUTH (through Dovecot's
// SASL) and checks every message with OpenDKIM (Mode v, keys from a file, not
// DNS) before delivering into Dovecot over LMTP. A campaign and a system mail
// sent by the worker arrive, read over IMAP, with `dkim=pass` for our
// signature in OpenDKIM's Authentication-Results (RFC 8601), RSA and Ed25519
// (RFC 8463). Postfix refuses mail without AUTH, a wrong password, and our
// client refuses Postfix's certificate without the CA.
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ImapFlow } from "imapflow";
import nodemailer from "nodemailer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMailer } from "../../src/adapters/mailer.ts";
import { loadConfig } from "../../src/config/load-config.ts";
import { start } from "../../src/main.ts";
import { scheduleCampaign } from "../../src/newsletters/schedule-campaign.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";
import { startDovecot, type Dovecot } from "../support/dovecot.ts";
import { startPostfix, type Postfix } from "../support/postfix.ts";
import { makeTestCertificates, type TestCertificates } from "../support/tls-cert.ts";
import { newCampaign, testEnv } from "./campaign-fixture.ts";
import { waitUntil } from "./inbox-fixture.ts";

let database: TestDatabase;
let dovecot: Dovecot;
let postfix: Postfix;
let certs: TestCertificates;
let keyDir: string;
const passwords: Record<string, string> = {};
const keys: Record<"rsa" | "ed25519", { file: string; record: string }> = {} as never;

function makeKey(type: "rsa" | "ed25519"): { file: string; record: string } {
  const { privateKey, publicKey } =
    type === "rsa"
      ? crypto.generateKeyPairSync("rsa", { modulusLength: 2048 })
      : crypto.generateKeyPairSync("ed25519");
  const file = path.join(keyDir, `${type}.pem`);
  fs.writeFileSync(file, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
  const der = publicKey.export({ type: "spki", format: "der" });
  // RFC 8463 §4.2: an Ed25519 record holds the bare 32-byte key, not the SPKI structure
  const p = (type === "rsa" ? der : der.subarray(der.length - 32)).toString("base64");
  return { file, record: `v=DKIM1; k=${type}; p=${p}` };
}

beforeAll(async () => {
  keyDir = fs.mkdtempSync(path.join(os.tmpdir(), "mailsteward-dkim-"));
  keys.rsa = makeKey("rsa");
  keys.ed25519 = makeKey("ed25519");
  [database, dovecot, certs] = await Promise.all([
    createTestDatabase(),
    startDovecot({ lmtp: true, saslSocket: true }),
    makeTestCertificates(),
  ]);
  for (const user of ["news", "anna", "bert"])
    passwords[user] = (await dovecot.addUser(`${user}@test.local`)).password;
  postfix = await startPostfix({
    lmtpSocket: dovecot.lmtpSocket,
    tls: { keyFile: certs.keyFile, certFile: certs.certFile },
    sasl: { dovecotSocket: dovecot.authSocket },
    opendkim: {
      keys: [
        { selector: "rsa", domain: "test.local", record: keys.rsa.record },
        { selector: "ed", domain: "test.local", record: keys.ed25519.record },
      ],
    },
  });
}, 120_000);

afterAll(async () => {
  await postfix?.stop();
  await Promise.all([database?.drop(), dovecot?.stop(), certs?.remove()]);
  fs.rmSync(keyDir, { recursive: true, force: true });
});

async function fetchInbox(user: string): Promise<string[]> {
  const client = new ImapFlow({
    host: "127.0.0.1",
    port: dovecot.port,
    secure: false,
    auth: { user: `${user}@test.local`, pass: passwords[user]! },
    logger: false,
  });
  await client.connect();
  try {
    const box = await client.mailboxOpen("INBOX");
    if (box.exists === 0) return [];
    return (await client.fetchAll("1:*", { source: true })).map((m) => m.source!.toString());
  } finally {
    await client.logout();
  }
}

/** the header block, folds undone */
const headOf = (raw: string) => raw.split(/\r?\n\r?\n/, 1)[0]!.replace(/\r?\n[ \t]+/g, " ");

function env(scheme: "smtp" | "smtps", selector: "rsa" | "ed", extra: Record<string, string> = {}) {
  const port = scheme === "smtp" ? postfix.port : postfix.smtpsPort;
  return testEnv(database.url, port, {
    SMTP_URL: `${scheme}://${encodeURIComponent("news@test.local")}:${encodeURIComponent(passwords.news!)}@127.0.0.1:${port}`,
    SMTP_TLS_CA_FILE: certs.caFile,
    SMTP_POOL_SIZE: "2",
    MAIL_FROM: "Example News <news@test.local>",
    BOUNCE_ADDRESS: "news@test.local",
    BOUNCE_VERP: "true",
    DKIM_DOMAIN: "test.local",
    DKIM_SELECTOR: selector,
    DKIM_PRIVATE_KEY_FILE: selector === "rsa" ? keys.rsa.file : keys.ed25519.file,
    ...extra,
  });
}

describe("through Postfix with STARTTLS or smtps, AUTH and OpenDKIM", () => {
  const cases = [
    { scheme: "smtp", selector: "rsa", algorithm: "rsa-sha256" },
    { scheme: "smtps", selector: "ed", algorithm: "ed25519-sha256" },
  ] as const;
  for (const { scheme, selector, algorithm } of cases) {
    it(`${scheme}, ${algorithm}: a campaign and a system mail arrive with dkim=pass`, async () => {
      const config = loadConfig(env(scheme, selector));
      const running = await start({ purpose: "test", config, http: false });
      const slug = `e2e-${selector}`;
      try {
        const db = running.app.db;
        const list = await db.list.upsert({
          where: { slug: "news" },
          create: { slug: "news", name: "News", doubleOptIn: false },
          update: {},
        });
        for (const name of ["anna", "bert"]) {
          const c = await db.contact.upsert({
            where: { email: `${name}@test.local` },
            create: { email: `${name}@test.local`, name },
            update: {},
          });
          await db.subscription.upsert({
            where: { contactId_listId: { contactId: c.id, listId: list.id } },
            create: {
              contactId: c.id,
              listId: list.id,
              status: "subscribed",
              confirmedAt: new Date(),
            },
            update: {},
          });
        }
        const campaignId = await newCampaign(running.app, slug, { subject: `News ${selector}` });
        await scheduleCampaign({ ...running.app, actor: "test" }, { slug });
        await waitUntil(
          "the campaign to be sent",
          async () => {
            const c = await db.campaign.findUnique({ where: { id: campaignId } });
            return c?.status === "sent" ? true : undefined;
          },
          60_000,
        );
        // system mail goes through the same pool and the same signer
        await running.app.mailer.send({
          from: "Example News <news@test.local>",
          to: "bert@test.local",
          subject: `Please confirm ${selector}`,
          html: "<p>Please confirm</p>",
          text: "Please confirm",
          messageId: `confirm-${selector}-${Date.now()}@test.local`,
        });
      } finally {
        await running.stop();
      }
      const annaCopy = await waitUntil("anna's copy", async () =>
        (await fetchInbox("anna")).find((m) => headOf(m).includes(`Subject: News ${selector}`)),
      );
      const bert = await waitUntil("bert's copies", async () => {
        const all = await fetchInbox("bert");
        const mine = all.filter((m) =>
          new RegExp(`Subject: (News|Please confirm) ${selector}`).test(headOf(m)),
        );
        return mine.length === 2 ? mine : undefined;
      });
      for (const raw of [annaCopy, ...bert]) {
        const head = headOf(raw);
        const signature = new RegExp(`^DKIM-Signature: (.*a=${algorithm};.*)$`, "m").exec(head);
        expect(signature, head).not.toBeNull();
        expect(signature![1]).toMatch(new RegExp(`\\bs=${selector};`));
        const b = /\bb=([A-Za-z0-9+/= ]+)/.exec(signature![1]!)![1]!.replace(/ /g, "");
        // OpenDKIM's verdict, added on the receiving side, names our signature by its first
        // characters of b= (RFC 6008 header.b)
        const verdict = /^Authentication-Results: mx\.test\.local;(.*)$/m.exec(head)?.[1] ?? "";
        expect(verdict, head).toMatch(/dkim=pass[^;]*header\.d=test\.local/);
        const named = /header\.b="?([A-Za-z0-9+/]+)/.exec(verdict)?.[1];
        expect(named && b.startsWith(named), `${verdict} vs b=${b}`).toBe(true);
        // Postfix's Received: line says the session was TLS and authenticated
        expect(head).toMatch(/^Received: from .*\(using TLSv1\.[23]/m);
        expect(head).toMatch(/Authenticated sender: news@test\.local/);
      }
      // campaign mail keeps its VERP envelope sender: Return-Path news+TOKEN@
      expect(headOf(annaCopy)).toMatch(/^Return-Path: <news\+[a-z2-7]+@test\.local>/m);
    }, 120_000);
  }

  it("a tampered message is dkim=fail: OpenDKIM really checks", async () => {
    const config = loadConfig(env("smtp", "rsa"));
    const mailer = createMailer(config);
    try {
      // sign a message, then change its Subject after signing
      const signer = mailer.dkim!;
      const body = Buffer.from("Hello\r\n");
      const headers: Array<[string, string]> = [
        ["From", " news@test.local"],
        ["To", " anna@test.local"],
        ["Subject", " original"],
        ["Message-ID", ` <tampered-${Date.now()}@test.local>`],
      ];
      const signature = signer.sign(headers, body);
      const head = headers.map(([k, v]) => `${k}:${k === "Subject" ? " changed" : v}\r\n`).join("");
      await mailer.sendRaw!(
        { from: "news@test.local", to: "anna@test.local" },
        Buffer.concat([Buffer.from(signature + head + "\r\n"), body]),
      );
    } finally {
      await mailer.close();
    }
    const copy = await waitUntil("the tampered copy", async () =>
      (await fetchInbox("anna")).find((m) => headOf(m).includes("Subject: changed")),
    );
    expect(headOf(copy)).toMatch(/^Authentication-Results: mx\.test\.local;.*dkim=fail/m);
  }, 60_000);

  it("Postfix refuses mail without AUTH and a wrong password; our client refuses its certificate without the CA", async () => {
    const anonymous = nodemailer.createTransport({
      host: "127.0.0.1",
      port: postfix.port,
      secure: false,
      tls: { ca: fs.readFileSync(certs.caFile) },
    });
    const refused = await anonymous
      .sendMail({ from: "x@test.local", to: "anna@test.local", text: "hi" })
      .catch((e: unknown) => e);
    anonymous.close();
    expect(String((refused as Error).message)).toMatch(/5\.7\.1|Relay access denied|554/);

    const wrong = "Wr0ng/password+%";
    const badAuth = createMailer(
      loadConfig(
        env("smtp", "rsa", {
          SMTP_URL: `smtp://news%40test.local:${encodeURIComponent(wrong)}@127.0.0.1:${postfix.port}`,
        }),
      ),
    );
    const authError = await badAuth.sendRaw!(
      { from: "news@test.local", to: "anna@test.local" },
      Buffer.from("Subject: x\r\n\r\nx\r\n"),
    ).catch((e: unknown) => e);
    await badAuth.close();
    expect(authError).toMatchObject({ kind: "connection", maybeDelivered: false, smtpCode: 535 });
    const text = `${String(authError)} ${JSON.stringify(authError)} ${(authError as Error).stack}`;
    for (const form of [wrong, encodeURIComponent(wrong), Buffer.from(wrong).toString("base64")])
      expect(text).not.toContain(form);

    for (const scheme of ["smtp", "smtps"] as const) {
      const untrusted = createMailer(loadConfig(env(scheme, "rsa", { SMTP_TLS_CA_FILE: "" })));
      const tlsError = await untrusted.sendRaw!(
        { from: "news@test.local", to: "anna@test.local" },
        Buffer.from("Subject: x\r\n\r\nx\r\n"),
      ).catch((e: unknown) => e);
      await untrusted.close();
      expect(tlsError).toMatchObject({ kind: "connection", maybeDelivered: false });
      expect((tlsError as Error).message).toMatch(/certificate/i);
    }
  }, 60_000);
});
