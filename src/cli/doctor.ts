import type { Command } from "commander";
import { createSetupProbes } from "../adapters/setup-probes.ts";
import { loadConfig } from "../config/load-config.ts";
import { checkSetup } from "../doctor/check-setup.ts";
import type { SetupCheck } from "../doctor/doctor-types.ts";

const label = { ok: "ok  ", warn: "warn", fail: "FAIL" } as const;

/**
 * `mailsteward doctor [--json]`: checks what a deliverable set-up needs and
 * says how to fix each problem. Needs no database, so it runs beside a
 * worker; exits 1 when anything fails.
 */
export function register(program: Command): void {
  program
    .command("doctor")
    .description(
      "check what a deliverable set-up needs (https base URL, postal address, DKIM, SMTP, watched mailboxes, keys) and say how to fix each problem",
    )
    .option("--json", "print the findings as one JSON array")
    .action(async (opts: { json?: boolean }) => {
      const config = loadConfig();
      const checks = await checkSetup(config, createSetupProbes(config));
      process.stdout.write(opts.json ? JSON.stringify(checks) + "\n" : formatChecks(checks));
      if (checks.some((c) => c.status === "fail")) process.exitCode = 1;
    });
}

export function formatChecks(checks: SetupCheck[]): string {
  const fails = checks.filter((c) => c.status === "fail").length;
  const warns = checks.filter((c) => c.status === "warn").length;
  const head =
    fails + warns === 0
      ? "mailsteward doctor: everything checked is ready"
      : `mailsteward doctor: ${fails} problem${fails === 1 ? "" : "s"}, ${warns} warning${warns === 1 ? "" : "s"}`;
  const lines = [head];
  for (const check of checks) {
    lines.push(`  ${label[check.status]}  ${check.summary}`);
    if (check.fix) {
      const [first, ...rest] = check.fix.split("\n");
      lines.push(`        fix: ${first}`, ...rest.map((line) => `        ${line}`));
    }
  }
  return lines.join("\n") + "\n";
}
