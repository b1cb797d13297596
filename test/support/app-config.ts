// Config for tests: real PostgreSQL (a cloned database), fixed keys, short job locks.
import { loadConfig, type Config } from "../../src/config/load-config.ts";

export const testKeys = {
  SIGNING_KEYS: `t1:${Buffer.alloc(32, 3).toString("base64")}`,
  SUPPRESSION_KEY: "test-suppression-key-0123456789abcdef",
  ADMIN_TOKEN: "test-admin-token-0123456789abcdef",
};

export function testConfig(env: Record<string, string | undefined> = {}): Config {
  return loadConfig(
    {
      ...testKeys,
      JOB_LOCK_LIFETIME_SECONDS: "5",
      PUBLIC_BASE_URL: "http://127.0.0.1:8080",
      MAIL_FROM: "Example News <news@example.test>",
      POSTAL_ADDRESS: "Example Ltd, 1 Harbour Street, 1000 Town",
      PORT: "0",
      LOG_LEVEL: "warn",
      ...env,
    },
    () => {},
  );
}
