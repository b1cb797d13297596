/**
 * A reader thread's module for message-reader tests: the real one, except that
 * a message carrying an `X-Test-Reader:` header makes the thread misbehave as
 * it says when its turn to be parsed comes: `stall` spins forever, `exit` ends
 * the thread, `hog` fills its heap until the heap limit ends it.
 */
import type { MessagePort } from "node:worker_threads";
import { parseMime } from "../../src/adapters/parse-mime.ts";
import { serveReads as realServeReads, type ReadOptions } from "../../src/adapters/read-worker.ts";

export function serveReads(port: MessagePort, options: ReadOptions): void {
  realServeReads(port, options, (raw) => {
    const how = /^X-Test-Reader: (\w+)/m.exec(raw.toString("latin1"))?.[1];
    if (how === "stall") for (;;);
    if (how === "exit") process.exit(3);
    if (how === "hog") {
      const held: number[][] = [];
      for (;;) held.push(Array.from({ length: 100_000 }, (_, i) => i));
    }
    return parseMime(raw);
  });
}
