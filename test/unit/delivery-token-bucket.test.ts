import { describe, expect, it } from "vitest";
import { createRateLimiter } from "../../src/newsletters/token-bucket.ts";

async function timeTakes(
  limiter: ReturnType<typeof createRateLimiter>,
  domains: string[],
): Promise<number> {
  const start = performance.now();
  for (const d of domains) await limiter.take(d);
  return performance.now() - start;
}

describe("rate limiter", () => {
  it("0 means unlimited", async () => {
    expect(
      await timeTakes(
        createRateLimiter({ perSecond: 0, perDomainPerSecond: 0 }),
        Array(1000).fill("a.example"),
      ),
    ).toBeLessThan(100);
  });
  it("holds the transport to its rate after the first second's burst", async () => {
    // capacity 20, then 20/s: 30 takes need about half a second
    const ms = await timeTakes(
      createRateLimiter({ perSecond: 20, perDomainPerSecond: 0 }),
      Array(30).fill("a.example"),
    );
    expect(ms).toBeGreaterThan(400);
    expect(ms).toBeLessThan(900);
  });
  it("limits each recipient domain on its own", async () => {
    const limiter = createRateLimiter({ perSecond: 0, perDomainPerSecond: 5 });
    // five per domain go at once; other domains are not held up by a busy one
    expect(
      await timeTakes(
        limiter,
        [..."abcde"].flatMap((d) => Array(5).fill(`${d}.example`)),
      ),
    ).toBeLessThan(100);
    const ms = await timeTakes(limiter, Array(3).fill("a.example"));
    expect(ms).toBeGreaterThan(400);
  });
});
