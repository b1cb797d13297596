// The doctor's findings from configuration and what its probes report: pure
// logic with fake probes (the real probes are exercised in
// test/integration/doctor.test.ts against a real SMTP server and web server).
import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load-config.ts";
import { checkSetup } from "../../src/doctor/check-setup.ts";
import { generateDkimKey, dkimRecordText } from "../../src/doctor/dkim-key.ts";
import type { SetupCheck, SetupProbes } from "../../src/doctor/doctor-types.ts";

const key = generateDkimKey("ed25519");
const keys = `k1:${Buffer.alloc(32, 7).toString("base64")}`;

const production = {
  DATABASE_URL: "postgresql://mailsteward@db.internal/mailsteward",
  SIGNING_KEYS: keys,
  SUPPRESSION_KEY: "s".repeat(40),
  PUBLIC_BASE_URL: "https://news.example.com",
  POSTAL_ADDRESS: "Example Ltd, Harbour Street 1, 0150 Oslo",
  MAIL_FROM: "News <news@example.com>",
  SMTP_URL: "smtps://news:secret-pass@smtp.example.com:465",
  DKIM_DOMAIN: "example.com",
  DKIM_SELECTOR: "news",
  DKIM_PRIVATE_KEY_FILE: "/etc/mailsteward/dkim.pem",
  INBOX_MAILBOXES: "bounces,unsubscribe",
  INBOX_BOUNCES_URL: "imaps://bounces@imap.example.com/INBOX",
  INBOX_BOUNCES_PASSWORD: "x",
  INBOX_UNSUBSCRIBE_URL: "imaps://unsubscribe@imap.example.com/INBOX",
  INBOX_UNSUBSCRIBE_PASSWORD: "y",
};

function probes(over: Partial<SetupProbes> = {}): SetupProbes {
  return {
    fetchJson: async () => ({ status: 200, body: { status: "ok", database: true, jobs: true } }),
    probeSmtp: async () => ({ ok: true }),
    resolveTxt: async (name) =>
      name === "news._domainkey.example.com"
        ? [dkimRecordText("ed25519", key.publicKeyBase64)]
        : [],
    readFile: (file) =>
      file === "/etc/mailsteward/dkim.pem" ? { text: key.privateKeyPem } : { error: "ENOENT" },
    generatedSigningKeys: () => undefined,
    ...over,
  };
}

async function run(env: Record<string, string>, over?: Partial<SetupProbes>) {
  const checks = await checkSetup(
    loadConfig(env, () => {}),
    probes(over),
  );
  return Object.fromEntries(checks.map((c) => [c.id, c])) as Record<string, SetupCheck>;
}

describe("mailsteward doctor's checks", () => {
  it("finds nothing wrong with a complete production set-up", async () => {
    const checks = await run(production);
    expect(Object.values(checks).filter((c) => c.status !== "ok")).toEqual([]);
    expect(Object.keys(checks)).toEqual([
      "base-url-https",
      "base-url-reachable",
      "postal-address",
      "dkim-key",
      "dkim-dns",
      "unsubscribe-mailbox",
      "bounce-mailbox",
      "smtp",
      "signing-keys",
    ]);
  });

  it("says how to fix each part of an empty production set-up", async () => {
    const checks = await run({
      DATABASE_URL: production.DATABASE_URL,
      SIGNING_KEYS: keys,
      SUPPRESSION_KEY: production.SUPPRESSION_KEY,
      PUBLIC_BASE_URL: "http://news.example.com",
    });
    for (const id of [
      "base-url-https",
      "postal-address",
      "dkim-key",
      "unsubscribe-mailbox",
      "bounce-mailbox",
      "smtp",
    ]) {
      expect(checks[id]?.status, id).toBe("fail");
      expect(checks[id]?.fix, id).toMatch(/\w/);
    }
    expect(checks["dkim-key"]!.fix).toContain("mailsteward dkim generate");
    expect(checks["smtp"]!.fix).toContain("SMTP_URL=");
  });

  it("only warns about http on localhost and about generated keys on the embedded default", async () => {
    const checks = await run(
      { SIGNING_KEYS: keys, SUPPRESSION_KEY: production.SUPPRESSION_KEY },
      { generatedSigningKeys: () => keys },
    );
    expect(checks["base-url-https"]!.status).toBe("warn");
    expect(checks["signing-keys"]!.status).toBe("warn");
    expect(checks["dkim-key"]!.status).toBe("warn");
  });

  it("fails production that runs on the generated development signing keys", async () => {
    const checks = await run(production, { generatedSigningKeys: () => keys });
    expect(checks["signing-keys"]!.status).toBe("fail");
    expect(checks["signing-keys"]!.summary).not.toContain(keys);
  });

  it("tells a published key that differs from ours, and prints the record to publish", async () => {
    const other = generateDkimKey("ed25519");
    const checks = await run(production, {
      resolveTxt: async () => [dkimRecordText("ed25519", other.publicKeyBase64)],
    });
    expect(checks["dkim-dns"]!.status).toBe("fail");
    expect(checks["dkim-dns"]!.summary).toContain("different key");
    expect(checks["dkim-dns"]!.fix).toContain(
      `news._domainkey.example.com. IN TXT ( "v=DKIM1; k=ed25519; p=${key.publicKeyBase64}" )`,
    );
    const unknown = await run(production, { resolveTxt: async () => ({ error: "ECONNREFUSED" }) });
    expect(unknown["dkim-dns"]!.status).toBe("warn");
  });

  it("fails an unreadable or weak DKIM key", async () => {
    const unreadable = await run(production, { readFile: () => ({ error: "EACCES" }) });
    expect(unreadable["dkim-key"]!.summary).toContain("EACCES");
    expect(unreadable["dkim-key"]!.status).toBe("fail");
    const weak = crypto
      .generateKeyPairSync("rsa", { modulusLength: 1024 })
      .privateKey.export({ type: "pkcs8", format: "pem" })
      .toString();
    const checks = await run(production, { readFile: () => ({ text: weak }) });
    expect(checks["dkim-key"]!.status).toBe("warn");
    expect(checks["dkim-key"]!.summary).toContain("RSA-1024");
  });

  it("reports a watched mailbox whose watcher /health says is down, and an unreachable base URL", async () => {
    const down = await run(production, {
      fetchJson: async () => ({
        status: 503,
        body: {
          status: "unavailable",
          database: true,
          jobs: true,
          inbox: { ok: false, down: ["bounces"] },
        },
      }),
    });
    expect(down["bounce-mailbox"]!.status).toBe("fail");
    expect(down["unsubscribe-mailbox"]!.status).toBe("ok");
    expect(down["base-url-reachable"]!.summary).toContain("inbox watchers are down (bounces)");
    const unreachable = await run(production, {
      fetchJson: async () => ({ error: "ECONNREFUSED" }),
    });
    expect(unreachable["base-url-reachable"]!.status).toBe("fail");
    expect(unreachable["base-url-reachable"]!.fix).toContain("npm start");
  });

  it("warns about smtp:// without required TLS and about unchecked certificates", async () => {
    const checks = await run({
      ...production,
      SMTP_URL: "smtp://news:secret-pass@smtp.example.com:587",
      SMTP_REQUIRE_TLS: "false",
      SMTP_TLS_VERIFY: "false",
    });
    expect(checks["smtp-require-tls"]!.status).toBe("warn");
    expect(checks["smtp-tls-verify"]!.status).toBe("warn");
    expect(JSON.stringify(checks)).not.toContain("secret-pass");
  });
});
