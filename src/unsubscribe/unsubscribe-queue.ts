import type { Clock, Db, Logger, Sql } from "../types.ts";
import { sqlOf } from "../adapters/sql-of.ts";
import { unsubscribeContacts, type UnsubscribeInput } from "./unsubscribe-contact.ts";

export interface UnsubscribeQueue {
  /** resolves once the change is committed, like unsubscribeContact */
  unsubscribe(input: UnsubscribeInput): Promise<{ changed: string[] }>;
}

interface Waiting {
  input: UnsubscribeInput;
  resolve(result: { changed: string[] }): void;
  reject(error: unknown): void;
}

/**
 * Group commit for one-click unsubscribes. Right after a campaign goes out,
 * mail providers and people fire many one-click POSTs at once; writing each in
 * its own statement spends most of the time on per-statement overhead (ORM,
 * round trip, commit). Requests that arrive while earlier writes are in flight
 * wait and go together in one statement when a slot frees. At low load a
 * request is written at once, alone, so nothing waits on a timer.
 *
 * A failed batch is retried one request at a time, so one bad request cannot
 * fail the others. Every promise resolves only after its commit.
 */
export function createUnsubscribeQueue(
  deps: { db: Db; sql?: Sql | undefined; clock: Clock; log: Logger },
  opts: {
    maxBatch?: number;
    maxInFlight?: number;
    onBatch?: (size: number, ms: number) => void;
  } = {},
): UnsubscribeQueue {
  const maxBatch = opts.maxBatch ?? 256;
  const maxInFlight = opts.maxInFlight ?? 2;
  let waiting: Waiting[] = [];
  let inFlight = 0;

  /** contacts in a batch being written */
  const busy = new Set<number>();

  const pump = () => {
    while (inFlight < maxInFlight && waiting.length > 0) {
      const batch: Waiting[] = [];
      const rest: Waiting[] = [];
      // A contact is in at most one batch at a time: a repeat for the same person waits for the
      // write before it to commit, and then finds nothing to change.
      for (const w of waiting) {
        if (batch.length < maxBatch && !busy.has(w.input.contactId)) {
          busy.add(w.input.contactId);
          batch.push(w);
        } else rest.push(w);
      }
      waiting = rest;
      if (batch.length === 0) return;
      inFlight++;
      void write(batch).finally(() => {
        for (const w of batch) busy.delete(w.input.contactId);
        inFlight--;
        pump();
      });
    }
  };

  const write = async (batch: Waiting[]) => {
    try {
      const started = performance.now();
      const results = await unsubscribeContacts(
        { sql: sqlOf(deps), clock: deps.clock },
        batch.map((w) => w.input),
      );
      opts.onBatch?.(batch.length, performance.now() - started);
      batch.forEach((w, i) => w.resolve(results[i]!));
    } catch (error) {
      if (batch.length === 1) return batch[0]!.reject(error);
      deps.log.warn("unsubscribe batch failed; retrying one by one", {
        size: batch.length,
        error: error instanceof Error ? error.name : "unknown",
      });
      for (const w of batch) {
        try {
          const [result] = await unsubscribeContacts({ sql: sqlOf(deps), clock: deps.clock }, [
            w.input,
          ]);
          w.resolve(result!);
        } catch (single) {
          w.reject(single);
        }
      }
    }
  };

  return {
    unsubscribe(input) {
      return new Promise((resolve, reject) => {
        waiting.push({ input, resolve, reject });
        pump();
      });
    },
  };
}
