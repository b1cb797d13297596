// `mailsteward doctor` and `mailsteward dkim generate` run as an operator runs them, against a
// real SMTP server that requires STARTTLS and AUTH, the real web server's /health on real
// PostgreSQL, and a key checked by an independent DKIM verifier (Debian's python3-dkim).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDkimSigner } from "../../src/adapters/dkim.ts";
import type { SetupCheck } from "../../src/doctor/doctor-types.ts";
import { testKeys } from "../support/app-config.ts";
import { runCli } from "../support/processes.ts";
import { startSmtpSink, type SmtpSink } from "../support/smtp-sink.ts";
import { makeTestCertificates, type TestCertificates } from "../support/tls-cert.ts";
import { startTestServer, type TestServer } from "./http-server.ts";

const user = "newsletter";
const pass = "Sm7p-pass-never-shown";
let certs: TestCertificates;
let sink: SmtpSink;
let server: TestServer;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "doctor-"));

beforeAll(async () => {
  certs = await makeTestCertificates();
  [sink, server] = await Promise.all([
    startSmtpSink({ tls: { key: certs.key, cert: certs.cert }, auth: { user, pass } }),
    startTestServer(),
  ]);
}, 120_000);
afterAll(async () => {
  await Promise.all([sink?.close(), server?.close(), certs?.remove()]);
  fs.rmSync(dir, { recursive: true, force: true });
});

const verifier = `
import sys, dkim
record = sys.argv[1].encode()
print("PASS" if dkim.verify(sys.stdin.buffer.read(), dnsfunc=lambda name, timeout=5: record) else "FAIL")
`;

/** the TXT record's text as a resolver joins it: the quoted strings of the zone line, concatenated */
function recordOf(zoneLine: string): string {
  return [...zoneLine.matchAll(/"([^"]*)"/g)].map((m) => m[1]).join("");
}

describe("mailsteward dkim generate", () => {
  for (const type of ["rsa", "ed25519"] as const) {
    it(`writes a private ${type} key 0600 and prints the record that verifies its signatures`, async () => {
      const out = path.join(dir, `${type}.pem`);
      const { code, stdout, stderr } = await runCli(
        [
          "dkim",
          "generate",
          "--selector",
          "news",
          "--domain",
          "Example.TEST",
          "--type",
          type,
          "--out",
          out,
        ],
        {},
      );
      expect(stderr).toBe("");
      expect(code).toBe(0);
      expect(fs.statSync(out).mode & 0o777).toBe(0o600);
      const zone = stdout
        .split("\n")
        .find((line) => line.startsWith("news._domainkey.example.test. IN TXT"));
      expect(zone, stdout).toBeDefined();
      // RFC 1035: no character-string over 255 characters
      for (const m of zone!.matchAll(/"([^"]*)"/g)) expect(m[1]!.length).toBeLessThanOrEqual(255);
      expect(stdout).toContain(`DKIM_PRIVATE_KEY_FILE=${out}`);

      const signer = createDkimSigner({
        domain: "example.test",
        selector: "news",
        privateKey: fs.readFileSync(out, "utf8"),
      });
      const headers = [
        ["From", "news@example.test"],
        ["Subject", "Key check"],
      ] as const;
      const body = Buffer.from("Hello\r\n");
      const signature = signer.sign(headers, body);
      const message = Buffer.from(
        signature + headers.map(([n, v]) => `${n}: ${v}\r\n`).join("") + "\r\n" + body.toString(),
      );
      const result = spawnSync("/usr/bin/python3", ["-c", verifier, recordOf(zone!)], {
        input: message,
        encoding: "utf8",
      });
      expect(result.stderr).toBe("");
      expect(result.stdout.trim()).toBe("PASS");
    }, 60_000);
  }

  it("never overwrites a key and refuses a bad selector", async () => {
    const out = path.join(dir, "rsa.pem");
    const before = fs.readFileSync(out, "utf8");
    const again = await runCli(
      ["dkim", "generate", "--selector", "news", "--domain", "example.test", "--out", out],
      {},
    );
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("exists");
    expect(fs.readFileSync(out, "utf8")).toBe(before);
    const bad = await runCli(
      ["dkim", "generate", "--selector", "news;x", "--domain", "example.test"],
      {},
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--selector "news;x" is not valid');
  }, 60_000);
});

describe("mailsteward doctor", () => {
  const env = () => ({
    ...testKeys,
    DATABASE_URL: server.database.url,
    PUBLIC_BASE_URL: server.url,
    POSTAL_ADDRESS: "Example Ltd, 1 Harbour Street, 1000 Town",
    MAIL_FROM: "News <news@example.test>",
    SMTP_URL: `smtp://${user}:${pass}@127.0.0.1:${sink.port}`,
    SMTP_TLS_CA_FILE: certs.caFile,
    SMTP_REQUIRE_TLS: "true",
    DKIM_DOMAIN: "example.test",
    DKIM_SELECTOR: "news",
    DKIM_PRIVATE_KEY_FILE: path.join(dir, "rsa.pem"),
    INBOX_MAILBOXES: "bounces,unsubscribe",
    INBOX_BOUNCES_URL: "imap://bounces@127.0.0.1:1/INBOX",
    INBOX_BOUNCES_PASSWORD: "x",
    INBOX_UNSUBSCRIBE_URL: "imap://unsubscribe@127.0.0.1:1/INBOX",
    INBOX_UNSUBSCRIBE_PASSWORD: "y",
  });

  async function doctor(over: Record<string, string> = {}) {
    const { code, stdout, stderr } = await runCli(["doctor", "--json"], { ...env(), ...over });
    expect(stderr).toBe("");
    const checks = JSON.parse(stdout) as SetupCheck[];
    return { code, checks: new Map(checks.map((c) => [c.id, c])), stdout };
  }

  it("passes the worker, SMTP with STARTTLS and AUTH, the key and the mailboxes", async () => {
    const { checks, stdout, code } = await doctor();
    expect(checks.get("base-url-reachable")?.status).toBe("ok");
    expect(checks.get("smtp")?.status).toBe("ok");
    expect(checks.get("dkim-key")?.status).toBe("ok");
    expect(checks.get("unsubscribe-mailbox")?.status).toBe("ok");
    expect(checks.get("bounce-mailbox")?.status).toBe("ok");
    expect(checks.get("postal-address")?.status).toBe("ok");
    // http on 127.0.0.1 with DATABASE_URL: a production set-up must be https
    expect(checks.get("base-url-https")?.status).toBe("fail");
    // example.test is not in DNS: the record cannot match, and the fix says what to publish
    expect(checks.get("dkim-dns")?.status).not.toBe("ok");
    expect(checks.get("dkim-dns")?.fix).toContain("news._domainkey.example.test. IN TXT");
    expect(code).toBe(1);
    expect(sink.authFailures).toBe(0);
    expect(stdout).not.toContain(pass);
  }, 60_000);

  it("fails a wrong password, an untrusted certificate and a stopped worker, without showing the password", async () => {
    const wrong = "Wrong-pass-also-secret";
    const auth = await doctor({ SMTP_URL: `smtp://${user}:${wrong}@127.0.0.1:${sink.port}` });
    expect(auth.checks.get("smtp")?.status).toBe("fail");
    expect(auth.checks.get("smtp")?.summary).toMatch(/EAUTH|535/);
    expect(auth.stdout).not.toContain(wrong);
    const untrusted = await doctor({ SMTP_TLS_CA_FILE: "" });
    expect(untrusted.checks.get("smtp")?.status).toBe("fail");
    expect(untrusted.checks.get("smtp")?.summary).toContain("certificate");
    const stopped = await doctor({ PUBLIC_BASE_URL: "http://127.0.0.1:1" });
    expect(stopped.checks.get("base-url-reachable")?.status).toBe("fail");
  }, 90_000);

  it("prints findings with their fixes for a person", async () => {
    const { code, stdout } = await runCli(["doctor"], { ...env(), POSTAL_ADDRESS: "" });
    expect(code).toBe(1);
    expect(stdout).toMatch(/^mailsteward doctor: \d+ problems?, \d+ warnings?$/m);
    expect(stdout).toMatch(/^ {2}FAIL {2}POSTAL_ADDRESS is empty/m);
    expect(stdout).toMatch(/^ {8}fix: set POSTAL_ADDRESS=/m);
    expect(stdout).toMatch(/^ {2}ok {4}.*accepts a connection and the login/m);
  }, 60_000);
});
