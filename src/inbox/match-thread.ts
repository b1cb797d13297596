/**
 * Which exchange a message belongs to, in the order: a signed token
 * in a recipient address (VERP, bounces+TOKEN@), then In-Reply-To and
 * References against the Message-IDs we sent (the delivery ledger's
 * deterministic ones) or recorded, nearest reference first; the subject only
 * breaks a tie between candidates, it never makes a match on its own
 * (subjects like "Question" repeat across unrelated threads).
 */
import type { SigningKey } from "../config/signing-keys.ts";
import {
  referencedIds,
  tokenPairs,
  type BatchContext,
  type DeliveryRef,
  type DialogueRef,
} from "./load-batch-context.ts";
import type { ReadMessage } from "./read-message.ts";

export interface ThreadMatch {
  delivery: DeliveryRef | null;
  campaignId: number | null;
  /** the root Message-ID of the thread; matching nothing, the oldest one it references, or its own */
  threadId: string;
  /** token, reference, subject, none */
  via: "token" | "reference" | "subject" | "none";
}

type Candidate = { delivery: DeliveryRef | null; dialogue: DialogueRef | null; subject: string };

export function matchThread(
  keys: SigningKey[],
  ctx: BatchContext,
  m: ReadMessage,
  /** this batch's own records so far: a reply to a reply in the same batch */
  batchThreads: Map<
    string,
    { threadId: string; campaignId: number | null; delivery: DeliveryRef | null }
  >,
): ThreadMatch {
  for (const pair of tokenPairs(keys, m)) {
    const delivery = ctx.deliveriesByPair.get(pair);
    if (delivery)
      return {
        delivery,
        campaignId: delivery.campaignId,
        threadId: delivery.messageId,
        via: "token",
      };
  }
  const candidates: Candidate[] = [];
  for (const ref of referencedIds(m)) {
    const delivery = ctx.deliveriesByMessageId.get(ref);
    if (delivery) candidates.push({ delivery, dialogue: null, subject: delivery.subject ?? "" });
    const dialogue = ctx.dialoguesByMessageId.get(ref);
    if (dialogue) candidates.push({ delivery: null, dialogue, subject: dialogue.subject ?? "" });
    const same = batchThreads.get(ref);
    if (same && !delivery && !dialogue) return { ...same, via: "reference" };
  }
  if (candidates.length === 0) {
    // Nothing recorded to join: the thread is named after its root, the oldest message
    // the references name (RFC 5322 section 3.6.4), so an answer recorded before the
    // question it answers (two folders watched at once) lands in the question's thread.
    const root = m.parsed?.references[0] ?? m.parsed?.inReplyTo ?? m.messageId ?? m.dedupeKey;
    return { delivery: null, campaignId: null, threadId: root, via: "none" };
  }
  let chosen = candidates[0]!;
  let via: ThreadMatch["via"] = "reference";
  const distinctThreads = new Set(candidates.map(threadOf));
  if (distinctThreads.size > 1) {
    const subject = normaliseSubject(m.parsed?.subject ?? "");
    const bySubject = candidates.find((c) => normaliseSubject(c.subject) === subject);
    if (bySubject) {
      chosen = bySubject;
      via = "subject";
    }
  }
  const delivery =
    chosen.delivery ??
    (chosen.dialogue?.deliveryId
      ? ([...ctx.deliveriesByMessageId.values()].find(
          (d) => d.id === chosen.dialogue!.deliveryId,
        ) ?? null)
      : null);
  return {
    delivery,
    campaignId: chosen.delivery?.campaignId ?? chosen.dialogue?.campaignId ?? null,
    threadId: threadOf(chosen),
    via,
  };
}

function threadOf(c: Candidate): string {
  return c.delivery?.messageId ?? c.dialogue?.threadId ?? "";
}

/** "Re: SV: Aw: Fwd: News" → "news": reply and forward prefixes in the languages we serve and their neighbours */
export function normaliseSubject(subject: string): string {
  let s = subject.trim().toLowerCase();
  for (;;) {
    const next = s.replace(/^(re|sv|aw|vs|antw|fw|fwd|wg|tr|doorst|rif|odp)(\[\d+\])?\s*:\s*/i, "");
    if (next === s) break;
    s = next;
  }
  return s.replace(/\s+/g, " ");
}
