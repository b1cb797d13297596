/**
 * A per-key token bucket in memory: enough to blunt a script hammering the
 * public sign-up form from one address. One process's view only; a
 * multi-instance deployment wants it at the proxy as well.
 */
export interface RateLimiter {
  /** takes one token for `key`; false when the bucket is empty */
  take(key: string): boolean;
}

export function createRateLimiter(opts: {
  capacity: number;
  refillPerSecond: number;
  now?: () => number;
  maxKeys?: number;
}): RateLimiter {
  const now = opts.now ?? (() => performance.now());
  const maxKeys = opts.maxKeys ?? 10_000;
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    take(key) {
      const t = now();
      let bucket = buckets.get(key);
      if (bucket) {
        bucket.tokens = Math.min(
          opts.capacity,
          bucket.tokens + ((t - bucket.at) / 1000) * opts.refillPerSecond,
        );
        bucket.at = t;
      } else {
        if (buckets.size >= maxKeys)
          prune(buckets, t, opts.capacity, opts.refillPerSecond, maxKeys);
        bucket = { tokens: opts.capacity, at: t };
        buckets.set(key, bucket);
      }
      if (bucket.tokens < 1) return false;
      bucket.tokens -= 1;
      return true;
    },
  };
}

/** Forgets buckets that have refilled (they behave as new ones); failing that, the oldest. */
function prune(
  buckets: Map<string, { tokens: number; at: number }>,
  t: number,
  capacity: number,
  refillPerSecond: number,
  maxKeys: number,
): void {
  for (const [key, b] of buckets) {
    if (b.tokens + ((t - b.at) / 1000) * refillPerSecond >= capacity) buckets.delete(key);
  }
  if (buckets.size >= maxKeys) {
    const oldest = buckets.keys().next().value;
    if (oldest !== undefined) buckets.delete(oldest);
  }
}
