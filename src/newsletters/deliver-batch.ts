/**
 * Sends one batch through the pooled transport with at most `concurrency`
 * messages in flight (one per SMTP connection). Each slot marks its next
 * delivery `sending` just before handing it over and records the answer
 * before taking another, so when a worker dies at most `concurrency` rows
 * are left in `sending` (and become `uncertain`). Ledger writes from the
 * slots are coalesced into one statement (see createLedgerWriter).
 */
import { suppressAddress } from "../consent/suppress-address.ts";
import { SendError, type Db, type Logger, type Mailer } from "../types.ts";
import { classifySmtpAnswer } from "./classify-smtp-answer.ts";
import type { QueuedDelivery, Transition } from "./delivery-ledger.ts";
import {
  addressProblem,
  domainOfAddress,
  type RecipientInput,
  type RenderedMessage,
} from "./render-recipient-message.ts";
import type { RateLimiter } from "./token-bucket.ts";

export interface BatchItem {
  delivery: QueuedDelivery;
  recipient: RecipientInput;
}

export interface BatchOutcome {
  sent: number;
  failed: number;
  uncertain: number;
  /** refused with 4xx (or the connection failed before the message was complete) on every try here: left queued */
  deferred: number;
  suppressed: number;
  /** no longer queued when its turn came (cancelled, or another worker) */
  skipped: number;
}

export interface DeliverDeps {
  db: Db;
  mailer: Mailer;
  log: Logger;
  limiter: RateLimiter;
  write: (transitions: Transition[]) => Promise<Set<number>>;
  suppressionKey: string;
  render: (item: BatchItem) => Promise<RenderedMessage>;
  concurrency: number;
  /** waits before each retry within the batch after a 4xx or a connection failed early */
  retryDelaysMs: readonly number[];
}

type Result = {
  to: "sent" | "failed" | "uncertain" | "queued";
  response: string;
  suppress?: boolean;
};

export async function deliverBatch(deps: DeliverDeps, items: BatchItem[]): Promise<BatchOutcome> {
  const outcome: BatchOutcome = {
    sent: 0,
    failed: 0,
    uncertain: 0,
    deferred: 0,
    suppressed: 0,
    skipped: 0,
  };
  const sendRaw = deps.mailer.sendRaw?.bind(deps.mailer);
  if (!sendRaw) throw new Error("the mailer cannot send raw messages");
  let next = 0;

  const tally = async (item: BatchItem, result: Result) => {
    if (result.to === "queued") outcome.deferred++;
    else outcome[result.to]++;
    if (result.suppress) {
      const { created } = await suppressAddress(deps.db, deps.suppressionKey, {
        address: item.recipient.email,
        reason: "hard_bounce",
        detail: result.response.slice(0, 500),
        actor: "worker",
      });
      if (created) outcome.suppressed++;
    }
  };

  // Rendering and signing the slot's next message overlaps the SMTP exchange
  // of the current one, so the private-key operation is off the critical path.
  type Prepared = { item: BatchItem; message?: RenderedMessage; problem?: string };
  const prepare = (): Promise<Prepared> | undefined => {
    if (next >= items.length) return undefined;
    const item = items[next++]!;
    const problem = addressProblem(item.recipient.email);
    if (problem) return Promise.resolve({ item, problem });
    return deps.render(item).then(
      (message) => ({ item, message }),
      (error: unknown) => ({ item, problem: `could not be rendered: ${(error as Error).message}` }),
    );
  };

  // The next message's rendering is synchronous work: started only after
  // this turn of the event loop, it no longer holds back the write of the
  // envelope just handed to the pool.
  const prepareAfterThisTurn = () =>
    next >= items.length
      ? undefined
      : new Promise<void>((resolve) => setImmediate(resolve)).then(
          () => prepare() ?? Promise.resolve(undefined),
        );

  const slot = async () => {
    let pending: { item: BatchItem; result: Result } | undefined;
    const settle = (): Transition[] =>
      pending
        ? [
            {
              id: pending.item.delivery.id,
              from: "sending",
              to: pending.result.to,
              response: pending.result.response,
            },
          ]
        : [];
    let upcoming: Promise<Prepared | undefined> | undefined = prepare();
    for (;;) {
      const prepared = await upcoming;
      if (!prepared) break;
      const { item, message, problem } = prepared;
      if (problem || !message) {
        const moved = await deps.write([
          ...settle(),
          {
            id: item.delivery.id,
            from: "queued",
            to: "failed",
            response: problem ?? "not rendered",
          },
        ]);
        if (pending) await tally(pending.item, pending.result);
        pending = undefined;
        if (moved.has(item.delivery.id)) outcome.failed++;
        else outcome.skipped++;
        upcoming = prepare();
        continue;
      }
      await deps.limiter.take(domainOfAddress(item.recipient.email));
      const moved = await deps.write([
        ...settle(),
        { id: item.delivery.id, from: "queued", to: "sending", attempt: true },
      ]);
      if (pending) await tally(pending.item, pending.result);
      pending = undefined;
      if (!moved.has(item.delivery.id)) {
        outcome.skipped++;
        upcoming = prepare();
        continue;
      }
      const sent = attempt(deps, sendRaw, message);
      upcoming = prepareAfterThisTurn();
      pending = { item, result: await sent };
    }
    if (pending) {
      await deps.write(settle());
      await tally(pending.item, pending.result);
    }
  };

  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(deps.concurrency, items.length)) }, slot),
  );
  return outcome;
}

async function attempt(
  deps: DeliverDeps,
  sendRaw: NonNullable<Mailer["sendRaw"]>,
  message: RenderedMessage,
): Promise<Result> {
  for (let i = 0; ; i++) {
    try {
      const { response } = await sendRaw(message.envelope, message.raw);
      return { to: "sent", response };
    } catch (error) {
      const e =
        error instanceof SendError
          ? error
          : new SendError(String(error), undefined, String(error), "connection", true);
      if (e.kind === "connection" && e.maybeDelivered) {
        // The whole message, final dot included, may have reached the server,
        // which may have accepted it before the connection broke: sending it
        // again could deliver it twice, so it is left for a person to judge.
        return {
          to: "uncertain",
          response: `connection failed after the whole message was sent; it may have been delivered: ${e.response}`,
        };
      }
      if (e.kind === "permanent") {
        const verdict = classifySmtpAnswer(e.smtpCode, e.response);
        return { to: "failed", response: e.response, suppress: verdict.suppress };
      }
      // 4xx, or a connection that failed before the message was complete: safe to retry.
      const delay = deps.retryDelaysMs[i];
      if (delay === undefined)
        return { to: "queued", response: `deferred after ${i + 1} tries: ${e.response}` };
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
