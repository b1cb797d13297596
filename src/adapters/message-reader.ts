/**
 * Reads raw messages (parse + classify, read-message.ts) for the inbox
 * watcher, on worker threads.
 *
 * Why threads: parsing and classifying is about half of the watcher's CPU per
 * message; on its own thread it runs beside the IMAP reads and the database
 * writes instead of between them. And a thread can be given up: a message that
 * stalls the parser or a classifier (a pathological input) or exhausts its
 * memory costs that message a record as unparseable with the reason, and the
 * thread is replaced; on the watcher's own thread it would stall the mailbox.
 *
 * Each thread reads its messages one at a time in the order sent, so the
 * oldest unanswered request is the one a stalled or crashed thread was on; the
 * others are sent again to its replacement. A thread that cannot even start
 * (its modules do not load) fails the reads, which the watcher treats like a
 * lost connection: nothing is recorded and it retries with backoff.
 *
 * `threads: 0` reads on the calling thread (no stall guard).
 */
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { AppError } from "../errors.ts";
import { readMessage, unreadable, type ReadMessage } from "../inbox/read-message.ts";
import { readDepsOf, type ReadOptions } from "./read-worker.ts";

export interface MessageReader {
  read(raw: Buffer): Promise<ReadMessage>;
  close(): Promise<void>;
}

export interface MessageReaderOptions extends ReadOptions {
  /** worker threads; 0 reads on the calling thread */
  threads: number;
  /** a thread that answers nothing for this long is replaced (default 60 s) */
  stallMs?: number;
  /** heap limit of a thread, in MB (default 1024) */
  maxHeapMb?: number;
  /** the module the threads run (a file URL exporting serveReads); default read-worker.ts */
  entry?: string;
}

export function createMessageReader(opts: MessageReaderOptions): MessageReader {
  const { threads, stallMs = 60_000, maxHeapMb = 1024, entry = entryUrl, ...options } = opts;
  if (threads <= 0) {
    const deps = readDepsOf(options);
    return { read: (raw) => readMessage(deps, raw), close: async () => {} };
  }
  const slots: Array<ReaderThread | null> = Array.from({ length: threads }, () => null);
  const start = (): ReaderThread =>
    startReaderThread({ entry, options, stallMs, maxHeapMb, replaced: (old) => replace(old) });
  // A stalled or crashed thread's slot gets a fresh thread, which takes over its queue.
  const replace = (old: ReaderThread): ReaderThread => {
    const fresh = start();
    const i = slots.indexOf(old);
    if (i >= 0) slots[i] = fresh;
    return fresh;
  };
  let closed = false;
  return {
    read(raw) {
      if (closed) return Promise.reject(new AppError("refused", "the message reader is closed"));
      let best = 0;
      for (let i = 0; i < slots.length; i++) {
        const slot = slots[i];
        if (!slot || slot.dead) slots[i] = null;
        if ((slots[i]?.waiting ?? 0) < (slots[best]?.waiting ?? 0)) best = i;
      }
      const thread = (slots[best] ??= start());
      return thread.read(raw);
    },
    async close() {
      closed = true;
      await Promise.all(slots.flatMap((s) => (s ? [s.close()] : [])));
    },
  };
}

const START_MS = 60_000;

interface Pending {
  id: number;
  raw: Buffer;
  resolve(read: ReadMessage): void;
  reject(error: Error): void;
}

interface ReaderThread {
  readonly waiting: number;
  /** failed to start: its reads were rejected and a new one must be started */
  readonly dead: boolean;
  read(raw: Buffer): Promise<ReadMessage>;
  /** takes over requests a replaced thread had not answered */
  adopt(requests: Pending[]): void;
  close(): Promise<void>;
}

// The thread's entry is this eval'd script: it loads read-worker.ts as is where Node
// runs TypeScript through a loader (npm start runs under tsx, which threads inherit),
// and registers tsx itself where the parent's TypeScript came from elsewhere (vitest).
const bootstrap = `
const { parentPort, workerData } = require("node:worker_threads");
(async () => {
  let entry;
  try {
    entry = await import(workerData.entry);
  } catch (error) {
    if (!error || error.code !== "ERR_UNKNOWN_FILE_EXTENSION") throw error;
    (await import(workerData.tsx)).register();
    // another URL for the same file: the failed load stays cached under the first one
    entry = await import(workerData.entry + "?with-tsx");
  }
  entry.serveReads(parentPort, workerData.options);
})().catch((error) => parentPort.postMessage({ failed: String((error && error.stack) || error) }));
`;

const entryUrl = new URL(
  import.meta.url.endsWith(".ts") ? "./read-worker.ts" : "./read-worker.js",
  import.meta.url,
).href;
// tsx's register(), from the ESM build of "tsx/esm/api": require.resolve finds the
// package's "require" file of that export, and the "import" one sits beside it
const tsxUrl = (): string =>
  pathToFileURL(
    createRequire(import.meta.url)
      .resolve("tsx/esm/api")
      .replace(/\.cjs$/, ".mjs"),
  ).href;

function startReaderThread(args: {
  entry: string;
  options: ReadOptions;
  stallMs: number;
  maxHeapMb: number;
  replaced(old: ReaderThread): ReaderThread;
}): ReaderThread {
  const worker = new Worker(bootstrap, {
    eval: true,
    workerData: { entry: args.entry, tsx: tsxUrl(), options: args.options },
    resourceLimits: { maxOldGenerationSizeMb: args.maxHeapMb },
  });
  worker.unref();
  const pending: Pending[] = [];
  let ready = false;
  let gone = false;
  let dead = false;
  let nextId = 0;
  let lastProgress = Date.now();

  const send = (p: Pending): void => {
    // A copy in a buffer of its own, handed over whole: a Buffer sliced from a larger
    // one would otherwise take all of that one along in the structured clone.
    const copy = new Uint8Array(p.raw);
    worker.postMessage({ id: p.id, raw: copy }, [copy.buffer]);
  };
  // Given up (stalled or crashed while reading): the oldest request is the message
  // it was on; that one is recorded as unparseable, the rest go to a replacement.
  const giveUp = (reason: string): void => {
    if (gone) return;
    gone = true;
    clearInterval(watchdog);
    void worker.terminate();
    const [culprit, ...rest] = pending.splice(0);
    culprit?.resolve(unreadable(culprit.raw, reason));
    const fresh = args.replaced(self);
    if (rest.length > 0) fresh.adopt(rest);
  };
  // Never started: nothing was read, so nothing is recorded; the reads fail.
  const failStart = (error: Error): void => {
    if (gone) return;
    gone = true;
    dead = true;
    clearInterval(watchdog);
    void worker.terminate();
    for (const p of pending.splice(0))
      p.reject(
        new AppError("refused", `the message reader thread could not start: ${error.message}`),
      );
  };

  worker.on("message", (m: { ready?: true; failed?: string; id?: number; read?: ReadMessage }) => {
    if (m.failed !== undefined) return failStart(new Error(m.failed.split("\n")[0]));
    if (m.ready) {
      ready = true;
      lastProgress = Date.now();
      return;
    }
    const i = pending.findIndex((p) => p.id === m.id);
    if (i < 0) return;
    const [p] = pending.splice(i, 1);
    lastProgress = Date.now();
    if (pending.length === 0) worker.unref();
    p!.resolve(m.read!);
  });
  worker.on("error", (error) => {
    if (!ready) failStart(error);
    else giveUp(`the reader thread failed while reading this message (${error.message})`);
  });
  worker.on("exit", (code) => {
    if (gone) return;
    if (!ready) failStart(new Error(`exited with code ${code}`));
    else giveUp(`the reader thread exited with code ${code} while reading this message`);
  });
  const startedAt = Date.now();
  const watchdog = setInterval(
    () => {
      // starting (loading the modules) is not reading: under load it can take seconds
      if (!ready) {
        if (Date.now() - startedAt > START_MS)
          failStart(new Error(`no answer within ${START_MS / 1000} s of starting`));
        return;
      }
      if (pending.length > 0 && Date.now() - lastProgress > args.stallMs)
        giveUp(
          `reading it took longer than ${args.stallMs} ms (the parser or a classifier stalled)`,
        );
    },
    Math.min(1000, args.stallMs / 4),
  );
  watchdog.unref();

  const enqueue = (p: Pending): void => {
    if (pending.length === 0) lastProgress = Date.now();
    pending.push(p);
    // only referenced while a read is awaited, so an idle reader never keeps the process alive
    worker.ref();
    send(p);
  };
  const self: ReaderThread = {
    get waiting() {
      return pending.length;
    },
    get dead() {
      return dead;
    },
    read(raw) {
      return new Promise((resolve, reject) => {
        if (dead) {
          reject(new AppError("refused", "the message reader thread could not start"));
          return;
        }
        enqueue({ id: nextId++, raw, resolve, reject });
      });
    },
    adopt(requests) {
      for (const p of requests) enqueue({ ...p, id: nextId++ });
    },
    async close() {
      gone = true;
      clearInterval(watchdog);
      await worker.terminate();
      for (const p of pending.splice(0))
        p.reject(new AppError("refused", "the message reader was closed"));
    },
  };
  return self;
}
