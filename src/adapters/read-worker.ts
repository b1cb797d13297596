/**
 * The inside of a message-reader thread (message-reader.ts): raw messages in,
 * ReadMessage out, one at a time and in the order they came, so that the
 * parent knows which message a stalled or crashed thread was reading.
 */
import type { MessagePort } from "node:worker_threads";
import { classifyMessage } from "../inbox/classify-message.ts";
import { readMessage, unreadable, type ReadDeps } from "../inbox/read-message.ts";
import { parseMime } from "./parse-mime.ts";

export type ReadOptions = Pick<ReadDeps, "unsubscribeAddresses" | "ownAddresses">;

interface ReadRequest {
  id: number;
  raw: Uint8Array;
}

/** The production parse and classification, on whichever thread reads. */
export function readDepsOf(
  options: ReadOptions,
  parse: ReadDeps["parse"] = (raw) => parseMime(raw),
): ReadDeps {
  return { parse, classify: classifyMessage, ...options };
}

export function serveReads(
  port: MessagePort,
  options: ReadOptions,
  parse?: ReadDeps["parse"],
): void {
  const deps = readDepsOf(options, parse);
  let queue = Promise.resolve();
  port.on("message", ({ id, raw }: ReadRequest) => {
    const bytes = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    queue = queue.then(async () => {
      const read = await readMessage(deps, bytes);
      try {
        port.postMessage({ id, read });
      } catch (error) {
        // a value the structured clone refuses: the message is recorded, not lost
        const reason = `the parsed message could not be handed over (${(error as Error).message})`;
        port.postMessage({ id, read: unreadable(bytes, reason) });
      }
    });
  });
  port.postMessage({ ready: true });
}
