// The inbox's message reader on real worker threads: the same ReadMessage as
// reading on the watcher's own thread, in the order asked; a message that
// stalls its thread, ends it or exhausts its heap is recorded as unparseable
// with the reason, the thread is replaced, and the messages queued behind it
// are still read.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { createMessageReader, type MessageReader } from "../../src/adapters/message-reader.ts";

const dir = path.join(import.meta.dirname, "../fixtures/eml");
const files = readdirSync(dir).filter((f) => f.endsWith(".eml"));
const options = {
  unsubscribeAddresses: ["unsubscribe@example.test"],
  ownAddresses: ["bounces@example.test", "news@example.test"],
};
const misbehaving = pathToFileURL(
  path.join(import.meta.dirname, "../support/misbehaving-read-worker.ts"),
).href;

const message = (n: number, extra = "") =>
  Buffer.from(
    `${extra}From: Person ${n} <p${n}@example.net>\r\nTo: news@example.test\r\n` +
      `Subject: Re: News ${n}\r\nMessage-ID: <m${n}@example.net>\r\n\r\nThanks for number ${n}.\r\n`,
  );

let readers: MessageReader[] = [];
afterEach(async () => {
  await Promise.all(readers.map((r) => r.close()));
  readers = [];
});
const reader = (opts: Partial<Parameters<typeof createMessageReader>[0]> & { threads: number }) => {
  const r = createMessageReader({ ...options, ...opts });
  readers.push(r);
  return r;
};

describe("message reader", () => {
  it("reads every fixture on two threads exactly as on the calling thread", async () => {
    const raws = files.map((f) => readFileSync(path.join(dir, f)));
    const [onCaller, onThreads] = [reader({ threads: 0 }), reader({ threads: 2 })];
    const here = await Promise.all(raws.map((raw) => onCaller.read(raw)));
    const there = await Promise.all(raws.map((raw) => onThreads.read(raw)));
    expect(files.length).toBeGreaterThan(20);
    expect(there).toEqual(here);
    expect(new Set(there.map((r) => r.classification.kind)).size).toBeGreaterThan(4);
  });

  it("hands a Buffer sliced from a larger one over as the message alone", async () => {
    const big = Buffer.concat([message(1), Buffer.alloc(4 * 1024 * 1024, 0x41)]);
    const slice = big.subarray(0, message(1).length);
    const read = await reader({ threads: 1 }).read(slice);
    expect(read.messageId).toBe("m1@example.net");
    expect(read.size).toBe(slice.length);
  });

  it.each([
    // The stall guard's wait is long enough for a loaded machine to read the good messages,
    // and longer still where the thread must end by itself: a heap filling up collects ever
    // longer before it gives out (seconds under load).
    ["stall", /took longer than 3000 ms/, 3000],
    ["exit", /exited with code 3/, 45_000],
    ["hog", /failed while reading this message.*(memory|heap)/i, 45_000],
  ])(
    "records a message that makes its thread %s as unparseable and reads the rest",
    async (how, reason, stallMs) => {
      const r = reader({ threads: 1, stallMs, maxHeapMb: 48, entry: misbehaving });
      const raws = [
        message(1),
        message(2),
        message(3, `X-Test-Reader: ${how}\r\n`),
        message(4),
        message(5),
      ];
      const reads = await Promise.all(raws.map((raw) => r.read(raw)));
      expect(reads.map((x) => x.classification.kind)).toEqual([
        "reply",
        "reply",
        "unparseable",
        "reply",
        "reply",
      ]);
      expect(reads.map((x) => x.messageId)).toEqual([
        "m1@example.net",
        "m2@example.net",
        null,
        "m4@example.net",
        "m5@example.net",
      ]);
      const bad = reads[2]!.classification;
      expect(bad.kind === "unparseable" && bad.reason).toMatch(reason);
      expect(reads[2]!.dedupeKey).toMatch(/^sha256:[0-9a-f]{64}$/);
      // and the replacement thread goes on reading
      expect((await r.read(message(6))).messageId).toBe("m6@example.net");
    },
    60_000,
  );

  it("fails the reads, recording nothing, when its thread cannot start", async () => {
    const r = reader({ threads: 1, entry: pathToFileURL("/nonexistent/reader.ts").href });
    await expect(r.read(message(1))).rejects.toThrow(/reader thread could not start/);
  });
});
