import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load-config.ts";
import { isAppError } from "../../src/errors.ts";

const key = Buffer.alloc(32, 7).toString("base64");
const production = {
  DATABASE_URL: "postgresql://postgres@127.0.0.1:5432/x",
  SIGNING_KEYS: `k2:${key},k1:${Buffer.alloc(32, 1).toString("base64")}`,
  SUPPRESSION_KEY: "s".repeat(40),
};

function configErrorOf(env: NodeJS.ProcessEnv): string {
  try {
    loadConfig(env, () => {});
  } catch (error) {
    if (isAppError(error, "config")) return error.message;
    throw error;
  }
  throw new Error("expected a config error");
}

describe("loadConfig", () => {
  it("applies defaults and derives the unsubscribe address from MAIL_FROM", () => {
    const config = loadConfig({ ...production, MAIL_FROM: "News <news@example.com>" }, () => {});
    expect(config.port).toBe(8080);
    expect(config.unsubscribeAddress).toBe("unsubscribe@example.com");
    expect(config.signingKeys.map((k) => k.id)).toEqual(["k2", "k1"]);
    expect(config.smtp).toBeUndefined();
    expect(config.jobLockLifetimeMs).toBe(300_000);
  });

  it("treats empty values as unset", () => {
    const config = loadConfig({ ...production, PORT: "", SMTP_URL: "  " }, () => {});
    expect(config.port).toBe(8080);
    expect(config.smtp).toBeUndefined();
  });

  it("names the variable, shows the bad value and what was expected", () => {
    const message = configErrorOf({ ...production, PORT: "eighty", SMTP_URL: "http://x" });
    expect(message).toContain('PORT (got "eighty")');
    expect(message).toMatch(/SMTP_URL: expected smtp:\/\//);
  });

  it("never echoes secrets in errors", () => {
    const message = configErrorOf({ ...production, ADMIN_TOKEN: "short-secret" });
    expect(message).toContain("ADMIN_TOKEN");
    expect(message).not.toContain("short-secret");
  });

  it("requires stable keys when a real database is configured", () => {
    const message = configErrorOf({ DATABASE_URL: production.DATABASE_URL });
    expect(message).toMatch(/SIGNING_KEYS and SUPPRESSION_KEY must be set/);
  });

  it("rejects short or malformed signing keys", () => {
    expect(configErrorOf({ ...production, SIGNING_KEYS: "k1:c2hvcnQ=" })).toMatch(
      /entry 1 of 1 \(key id "k1"\) has 5 bytes; expected at least 32/,
    );
    expect(configErrorOf({ ...production, SIGNING_KEYS: `k1:${key},k1:${key}` })).toMatch(/unique/);
  });

  it("insists that DKIM settings come together", () => {
    expect(configErrorOf({ ...production, DKIM_DOMAIN: "example.com" })).toMatch(
      /DKIM_DOMAIN, DKIM_SELECTOR and DKIM_PRIVATE_KEY_FILE go together/,
    );
  });

  it("generates embedded secrets once, mode 0600, and keeps them", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ms-config-"));
    const warnings: string[] = [];
    const first = loadConfig({ DATA_DIR: dir }, (w) => warnings.push(w));
    const second = loadConfig({ DATA_DIR: dir }, (w) => warnings.push(w));
    expect(warnings).toHaveLength(1);
    expect(fs.statSync(path.join(dir, "secrets.json")).mode & 0o777).toBe(0o600);
    expect(second.signingKeys[0]!.secret.equals(first.signingKeys[0]!.secret)).toBe(true);
    expect(second.adminToken).toBe(first.adminToken);
    fs.rmSync(dir, { recursive: true });
  });

  it("reads CONFIG_FILE, with the environment winning", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ms-config-"));
    const file = path.join(dir, "c.json");
    fs.writeFileSync(file, JSON.stringify({ PORT: 9000, HOST: "0.0.0.0" }));
    const config = loadConfig({ ...production, CONFIG_FILE: file, HOST: "127.0.0.2" }, () => {});
    expect(config.port).toBe(9000);
    expect(config.host).toBe("127.0.0.2");
    fs.writeFileSync(file, "{nope");
    expect(configErrorOf({ ...production, CONFIG_FILE: file })).toMatch(/is not JSON/);
    fs.rmSync(dir, { recursive: true });
  });
});
