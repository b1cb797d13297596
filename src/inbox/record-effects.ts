/**
 * What a batch's bounces, complaints and mailed unsubscribes change, written
 * in a few statements per batch rather than several per message, inside the
 * batch's transaction (so they commit exactly with the checkpoint, DESIGN.md
 * invariant 4). The outcome of each message is what it would have been had
 * the messages been recorded one by one, in UID order: the first reason to
 * suppress an address wins, soft bounces are counted in order, and a contact
 * unsubscribed twice in one batch is unsubscribed by the first message.
 *
 * - bounce: see plan-bounce.ts.
 * - complaint (ARF, RFC 5965): the person marked our mail as spam: unsubscribed
 *   from everything (with the consent-ledger entry) and the address suppressed;
 *   never a dialogue record, never contact.
 * - mailed unsubscribe (RFC 2369 mailto List-Unsubscribe): only the signed token
 *   in `unsubscribe+TOKEN@` proves who asked (From can be forged). With a valid
 *   token it is applied like a one-click one; no reply, no dialogue record. With
 *   no token, a message from a known contact's own address is held for an
 *   operator (confirm-held-unsubscribe.ts); anything else is ignored.
 */
import type { SigningKey } from "../config/signing-keys.ts";
import { hashAddress } from "../consent/address-hash.ts";
import { isAppError } from "../errors.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import type { Clock, Sql } from "../types.ts";
import { unsubscribeContacts, type UnsubscribeInput } from "../unsubscribe/unsubscribe-contact.ts";
import { verifyToken, type TokenScope } from "../unsubscribe/tokens.ts";
import type { Classification } from "./inbox-types.ts";
import type { DeliveryRef } from "./load-batch-context.ts";
import {
  bounceRecipients,
  planBounce,
  type BouncePlan,
  type SuppressRequest,
} from "./plan-bounce.ts";
import { writeInboxEffects } from "./write-inbox-effects.ts";

export interface EffectDeps {
  clock: Clock;
  signingKeys: SigningKey[];
  suppressionKey: string;
  softBounceLimit: number;
  softBounceWindowDays: number;
}

export interface EffectInput {
  inboundMessageId: number;
  classification: Extract<Classification, { kind: "bounce" | "complaint" | "unsubscribe" }>;
  delivery: DeliveryRef | null;
  /** the contact whose address the From line names, if any */
  senderContactId: number | null;
  contactIdOf(address: string): number | null;
}

export interface EffectResult {
  outcome: string;
  detail: Prisma.InputJsonValue;
  contactId: number | null;
  suppressed: number;
}

type Pending =
  | { kind: "bounce"; plan: BouncePlan; contactId: number | null; matched: boolean }
  | {
      kind: "complaint";
      contactId: number | null;
      hash: string | null;
      feedbackType: string | null;
      matched: boolean;
    }
  | { kind: "unsubscribe"; contactId: number; scope: TokenScope }
  | { kind: "final"; result: EffectResult };

export async function recordEffects(
  sql: Sql,
  deps: EffectDeps,
  now: Date,
  items: EffectInput[],
): Promise<EffectResult[]> {
  if (items.length === 0) return [];
  const softCounts = await softBouncesInWindow(sql, deps, now, items);
  const tokenContacts = await existingTokenContacts(sql, deps, items);
  const pending: Pending[] = items.map((item): Pending => {
    const c = item.classification;
    if (c.kind === "bounce") {
      const plan = planBounce(
        deps,
        {
          recipients: c.recipients,
          delivery: item.delivery,
          inboundMessageId: item.inboundMessageId,
        },
        softCounts,
      );
      return {
        kind: "bounce",
        plan,
        contactId: item.delivery?.contactId ?? null,
        matched: item.delivery !== null,
      };
    }
    if (c.kind === "complaint") {
      const contactId =
        item.delivery?.contactId ?? (c.address ? item.contactIdOf(c.address) : null);
      const address = item.delivery?.contactEmail ?? c.address;
      return {
        kind: "complaint",
        contactId,
        hash: address ? hashAddress(deps.suppressionKey, address) : null,
        feedbackType: c.feedbackType,
        matched: item.delivery !== null,
      };
    }
    if (!c.token) {
      const result: EffectResult =
        item.senderContactId !== null
          ? { outcome: "held", detail: {}, contactId: item.senderContactId, suppressed: 0 }
          : { outcome: "ignored", detail: {}, contactId: null, suppressed: 0 };
      return { kind: "final", result };
    }
    const scope = verified(deps.signingKeys, c.token);
    if (!scope) return final("invalid_token");
    if (!tokenContacts.has(scope.contactId)) return final("unknown_contact");
    return { kind: "unsubscribe", contactId: scope.contactId, scope };
  });

  // suppressions: the first request per address, in message order, owns it
  const owner = new Map<string, number>();
  const suppress: SuppressRequest[] = [];
  const want = (i: number, s: SuppressRequest) => {
    if (owner.has(s.addressHash)) return;
    owner.set(s.addressHash, i);
    suppress.push(s);
  };
  const deliveryOwner = new Map<number, { index: number; response: string }>();
  pending.forEach((p, i) => {
    if (p.kind === "bounce") {
      for (const s of p.plan.suppress) want(i, s);
      for (const d of p.plan.bounceDeliveries)
        if (!deliveryOwner.has(d.id)) deliveryOwner.set(d.id, { index: i, response: d.response });
    } else if (p.kind === "complaint" && p.hash)
      want(i, { addressHash: p.hash, reason: "complaint", detail: p.feedbackType ?? "abuse" });
  });
  const written = await writeInboxEffects(sql, {
    now,
    events: pending.flatMap((p) => (p.kind === "bounce" ? p.plan.events : [])),
    suppress,
    bounceDeliveries: [...deliveryOwner].map(([id, d]) => ({ id, response: d.response })),
  });
  const changed = await unsubscribeInOrder(sql, deps.clock, pending, items);

  return pending.map((p, i): EffectResult => {
    const suppressed = [...owner].filter(([h, o]) => o === i && written.suppressed.has(h)).length;
    if (p.kind === "final") return p.result;
    if (p.kind === "bounce") {
      const bouncedDelivery = [...deliveryOwner].some(
        ([id, d]) => d.index === i && written.bounced.has(id),
      );
      return {
        outcome: suppressed > 0 ? "suppressed" : "recorded",
        detail: { verdicts: p.plan.verdicts, bouncedDelivery, matched: p.matched },
        contactId: p.contactId,
        suppressed,
      };
    }
    if (p.kind === "complaint")
      return {
        outcome: "unsubscribed",
        detail: { feedbackType: p.feedbackType, lists: changed.get(i) ?? [], matched: p.matched },
        contactId: p.contactId,
        suppressed,
      };
    return {
      outcome: "unsubscribed",
      detail: { lists: changed.get(i) ?? [] },
      contactId: p.contactId,
      suppressed: 0,
    };
  });
}

function final(outcome: "invalid_token" | "unknown_contact"): Pending {
  return { kind: "final", result: { outcome, detail: {}, contactId: null, suppressed: 0 } };
}

function verified(keys: SigningKey[], token: string): TokenScope | null {
  try {
    return verifyToken(keys, token, "unsubscribe");
  } catch (error) {
    if (isAppError(error, "invalid_token")) return null;
    throw error;
  }
}

/** Soft bounces already recorded in the window for every address the batch's DSNs name: one query. */
async function softBouncesInWindow(
  sql: Sql,
  deps: EffectDeps,
  now: Date,
  items: EffectInput[],
): Promise<Map<string, number>> {
  const hashes = new Set<string>();
  for (const item of items) {
    const c = item.classification;
    if (c.kind !== "bounce") continue;
    for (const r of bounceRecipients(deps.suppressionKey, {
      recipients: c.recipients,
      delivery: item.delivery,
    }))
      if (r.verdict === "soft") hashes.add(r.addressHash);
  }
  if (hashes.size === 0) return new Map();
  const since = new Date(now.getTime() - deps.softBounceWindowDays * 86_400_000);
  const rows = await sql.query<{ address_hash: string; n: number }>(
    `SELECT address_hash, count(*)::int AS n FROM bounce_events
      WHERE address_hash = ANY($1::text[]) AND verdict = 'soft' AND occurred_at >= $2::timestamp(3)
      GROUP BY address_hash`,
    [[...hashes], since.toISOString()],
  );
  return new Map(rows.map((r) => [r.address_hash, r.n]));
}

/** Which contacts the batch's valid unsubscribe tokens name still exist (erased ones do not): one query. */
async function existingTokenContacts(
  sql: Sql,
  deps: EffectDeps,
  items: EffectInput[],
): Promise<Set<number>> {
  const ids = new Set<number>();
  for (const item of items) {
    const c = item.classification;
    if (c.kind !== "unsubscribe" || !c.token) continue;
    const scope = verified(deps.signingKeys, c.token);
    if (scope) ids.add(scope.contactId);
  }
  if (ids.size === 0) return new Set();
  const rows = await sql.query<{ id: number }>(
    "SELECT id FROM contacts WHERE id = ANY($1::int[])",
    [[...ids]],
  );
  return new Set(rows.map((r) => r.id));
}

/**
 * Complaints and token unsubscribes through the one-statement unsubscribe, in
 * message order. It takes each contact once per call, so a contact named again
 * starts another round: rounds keep each contact's requests in their order.
 * Returns the lists each message left, by its index.
 */
async function unsubscribeInOrder(
  sql: Sql,
  clock: Clock,
  pending: Pending[],
  items: EffectInput[],
): Promise<Map<number, string[]>> {
  const rounds: Array<Array<{ index: number; input: UnsubscribeInput }>> = [];
  const roundOf = new Map<number, number>();
  pending.forEach((p, index) => {
    let input: UnsubscribeInput;
    const inboundMessageId = items[index]!.inboundMessageId;
    if (p.kind === "complaint" && p.contactId !== null)
      input = {
        contactId: p.contactId,
        list: null,
        source: "complaint",
        evidence: { method: "arf", feedbackType: p.feedbackType, inboundMessageId },
      };
    else if (p.kind === "unsubscribe")
      input = {
        contactId: p.contactId,
        list: p.scope.list,
        source: "mailto",
        evidence: { method: "mailto", inboundMessageId },
      };
    else return;
    const round = (roundOf.get(input.contactId) ?? -1) + 1;
    roundOf.set(input.contactId, round);
    (rounds[round] ??= []).push({ index, input });
  });
  const changed = new Map<number, string[]>();
  for (const round of rounds) {
    // the one-statement unsubscribe runs on the transaction's connection
    const results = await unsubscribeContacts(
      { sql, clock },
      round.map((r) => r.input),
    );
    round.forEach((r, j) => changed.set(r.index, results[j]?.changed ?? []));
  }
  return changed;
}
