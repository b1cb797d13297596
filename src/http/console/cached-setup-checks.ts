/**
 * `mailsteward doctor`'s checks for the dashboard, run at most once a
 * minute per worker: they open an SMTP connection, look up DNS and fetch our
 * own /health (up to 8 s each when something hangs), which a dashboard that
 * several operators keep open must not repeat on every visit. Concurrent
 * visits share one run.
 */
import { createSetupProbes } from "../../adapters/setup-probes.ts";
import type { Config } from "../../config/load-config.ts";
import { checkSetup } from "../../doctor/check-setup.ts";
import type { SetupCheck } from "../../doctor/doctor-types.ts";
import type { Clock } from "../../types.ts";

export type SetupChecksResult = { checks: SetupCheck[]; at: Date };

export function cachedSetupChecks(
  config: Config,
  clock: Clock,
  ttlMs = 60_000,
): () => Promise<SetupChecksResult> {
  let last: { at: Date; run: Promise<SetupChecksResult> } | undefined;
  return () => {
    const now = clock.now();
    if (last && now.getTime() - last.at.getTime() < ttlMs) return last.run;
    const run = checkSetup(config, createSetupProbes(config)).then((checks) => ({
      checks,
      at: now,
    }));
    // Not awaited: only forgets a run that threw, so the next visit tries again (the caller
    // awaits `run` itself and sees the error).
    void run.catch(() => {
      if (last?.run === run) last = undefined;
    });
    last = { at: now, run };
    return run;
  };
}
