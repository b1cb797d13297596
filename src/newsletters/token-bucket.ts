/**
 * Token buckets in messages per second: one for the transport, one per
 * recipient domain, so a large provider is not hit faster than it accepts.
 * A rate of 0 means unlimited. Capacity is one second's worth (at least 1),
 * which allows short bursts up to the rate and no more.
 */
export interface RateLimiter {
  take(domain: string): Promise<void>;
}

class Bucket {
  private tokens: number;
  private last: number;
  constructor(
    private readonly rate: number,
    private readonly capacity = Math.max(1, rate),
  ) {
    this.tokens = this.capacity;
    this.last = performance.now();
  }
  /** ms to wait before a token is available; takes it when 0 */
  tryTake(): number {
    const now = performance.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) * this.rate) / 1000);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) * 1000) / this.rate);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function createRateLimiter(opts: {
  perSecond: number;
  perDomainPerSecond: number;
}): RateLimiter {
  const global = opts.perSecond > 0 ? new Bucket(opts.perSecond) : undefined;
  const domains = new Map<string, Bucket>();
  const bucketFor = (domain: string) => {
    if (opts.perDomainPerSecond <= 0) return undefined;
    let bucket = domains.get(domain);
    if (!bucket) domains.set(domain, (bucket = new Bucket(opts.perDomainPerSecond)));
    return bucket;
  };
  return {
    async take(domain) {
      const perDomain = bucketFor(domain);
      // Domain first, so waiting for a slow domain does not burn a transport token.
      for (let wait = perDomain?.tryTake() ?? 0; wait > 0; wait = perDomain!.tryTake())
        await sleep(wait);
      for (let wait = global?.tryTake() ?? 0; wait > 0; wait = global!.tryTake()) await sleep(wait);
    },
  };
}
