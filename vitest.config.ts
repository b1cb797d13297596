import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/support/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    // memory tests collect garbage before they measure (handover-faults)
    execArgv: ["--expose-gc"],
    // The CI machines have 2 cores; Dovecot and PostgreSQL need some of them too.
    maxWorkers: 2,
  },
});
