/**
 * The send-rate token buckets of token-bucket.ts, held in PostgreSQL so that
 * the limits are global: every worker sharing the database draws from the
 * same bucket (one row per bucket: "transport", "domain:<name>"), so two
 * workers together send no faster than the configured rate. Same shape as the
 * in-process buckets: capacity one second's worth (at least 1), refilled at
 * the rate, a rate of 0 unlimited (no bucket, no query).
 *
 * A worker takes tokens in small grants (about 1/20 s of the rate) with one
 * UPDATE ... RETURNING, and spends them locally; a grant it does not spend (a
 * shard ended, the worker died) is lost, which only ever slows sending. So
 * over any t seconds all workers together send at most rate × t + capacity.
 */
import type { Db } from "../types.ts";
import type { RateLimiter } from "./token-bucket.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Grant {
  granted: number;
  /** tokens left in the shared bucket after this grant (fractional) */
  left: number;
}

/**
 * Refills the bucket for the time since its last refill (on the database's
 * clock, never backwards) and grants up to `want` whole tokens, in one
 * statement under the row's lock (a concurrent grant waits, then reads the
 * row as the first one left it). Raw SQL: Prisma cannot compute one column
 * from another in an update. The row is created full the first time.
 */
async function grantTokens(db: Db, key: string, rate: number, want: number): Promise<Grant> {
  const capacity = Math.max(1, rate);
  for (;;) {
    const rows = await db.$queryRawUnsafe<Grant[]>(
      `WITH locked AS (
         SELECT key, tokens, refilled_at, clock_timestamp() AS at
           FROM send_rate_buckets WHERE key = $1 FOR UPDATE
       ), cur AS (
         SELECT key, at, LEAST($2::float8, tokens + $3::float8 * GREATEST(0, EXTRACT(EPOCH FROM (at - refilled_at)))) AS avail
           FROM locked
       )
       UPDATE send_rate_buckets b
          SET tokens = cur.avail - LEAST($4::int, floor(cur.avail)),
              refilled_at = GREATEST(b.refilled_at, cur.at)
         FROM cur
        WHERE b.key = cur.key
       RETURNING LEAST($4::int, floor(cur.avail))::int AS granted, b.tokens AS "left"`,
      key,
      capacity,
      rate,
      want,
    );
    if (rows.length === 1) return rows[0]!;
    await db.$executeRawUnsafe(
      `INSERT INTO send_rate_buckets (key, tokens, refilled_at) VALUES ($1, $2, clock_timestamp())
       ON CONFLICT (key) DO NOTHING`,
      key,
      capacity,
    );
  }
}

/** One shared bucket seen from this process: local tokens from the last grant. */
function sharedBucket(db: Db, key: string, rate: number) {
  const chunk = Math.max(1, Math.floor(rate / 20));
  let local = 0;
  let refilling: Promise<void> | undefined;
  const refill = async () => {
    for (;;) {
      const { granted, left } = await grantTokens(db, key, rate, chunk);
      if (granted > 0) {
        local += granted;
        return;
      }
      // nothing to grant: wait for one token to accrue (others may take it first)
      await sleep(Math.max(2, Math.ceil(((1 - left) * 1000) / rate)));
    }
  };
  return async function take(): Promise<void> {
    while (local < 1) {
      refilling ??= refill().finally(() => (refilling = undefined));
      await refilling;
    }
    local -= 1;
  };
}

export function createSharedRateLimiter(opts: {
  db: Db;
  perSecond: number;
  perDomainPerSecond: number;
}): RateLimiter {
  const transport =
    opts.perSecond > 0 ? sharedBucket(opts.db, "transport", opts.perSecond) : undefined;
  const domains = new Map<string, () => Promise<void>>();
  const domainBucket = (domain: string) => {
    if (opts.perDomainPerSecond <= 0) return undefined;
    let bucket = domains.get(domain);
    if (!bucket)
      domains.set(
        domain,
        (bucket = sharedBucket(opts.db, `domain:${domain}`, opts.perDomainPerSecond)),
      );
    return bucket;
  };
  return {
    async take(domain) {
      // Domain first, so waiting for a slow domain does not burn a transport token.
      await domainBucket(domain)?.();
      await transport?.();
    },
  };
}
