// The campaign sender's SMTP pool (src/adapters/raw-smtp-pool.ts) against the
// real sink: connections are reused up to maxMessages, and a connection the
// server closes while idle gives its slot back instead of starving the pool.
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createRawSmtpPool, type RawSmtpPool } from "../../src/adapters/raw-smtp-pool.ts";
import { startSmtpSink, type SmtpSink } from "../support/smtp-sink.ts";

const message = (n: number) =>
  Buffer.from(`Message-ID: <pool-${n}@example.com>\r\nSubject: n\r\n\r\nbody ${n}\r\n`);
const envelope = { from: "news@example.com", to: ["reader@example.net"] };

function pool(port: number, size: number, maxMessages: number): RawSmtpPool {
  return createRawSmtpPool({
    secure: false,
    size,
    maxMessages,
    connect: () =>
      new Promise((resolve, reject) => {
        const socket = net.connect({ host: "127.0.0.1", port, noDelay: true });
        socket.once("error", reject);
        socket.once("connect", () => resolve(socket));
      }),
  });
}

let sinks: SmtpSink[] = [];
let pools: RawSmtpPool[] = [];
afterEach(async () => {
  for (const p of pools) p.close();
  for (const s of sinks) await s.close().catch(() => {});
  sinks = [];
  pools = [];
});

describe("raw SMTP pool", () => {
  it("sends concurrently over its connections, replacing each after maxMessages", async () => {
    const sink = await startSmtpSink();
    sinks.push(sink);
    // 2 connections of at most 3 messages each: 10 messages need at least 4 connections in turn
    const p = pool(sink.port, 2, 3);
    pools.push(p);
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => p.send(envelope, message(i))),
    );
    expect(answers.every((a) => a.response.startsWith("250"))).toBe(true);
    expect(sink.count).toBe(10);
    expect(sink.duplicates).toBe(0);
  });

  it("a connection the server closed while idle frees its slot", async () => {
    const first = await startSmtpSink();
    const port = first.port;
    const p = pool(port, 1, 100);
    pools.push(p);
    await p.send(envelope, message(1));
    // the only connection is idle in the pool; the server goes away and comes back
    await first.close();
    await new Promise((r) => setTimeout(r, 50));
    const second = await startSmtpSink({ port });
    sinks.push(second);
    const answer = await Promise.race([
      p.send(envelope, message(2)).then(
        (a) => a.response,
        // the stale connection may fail the first attempt; a retry must get a fresh one, not hang
        () => p.send(envelope, message(3)).then((a) => a.response),
      ),
      new Promise<string>((resolve) => setTimeout(() => resolve("hung"), 5000)),
    ]);
    expect(answer).toMatch(/^250/);
    expect(second.count).toBe(1);
  });
});
