/**
 * Which messages are relevant to a successor (pure): the rules are data in,
 * a reason or null out, so the dry run can say why each was picked.
 *
 * - contacts: From, To or Cc holds a known contact's address;
 * - customer-domains: ... or an address at a customer's domain;
 * - dialogues: the Message-ID is that of a dialogue record;
 * - flagged: the message is \Flagged (kept whatever its age).
 * All but flagged apply within the time window (by internal date).
 */
import type { HandoverRule } from "../config/handover-config.ts";

export type RelevanceReason = HandoverRule | "all";

export interface RelevanceFacts {
  rules: readonly HandoverRule[];
  since: Date;
  contacts: ReadonlySet<string>;
  domains: ReadonlySet<string>;
  dialogueIds: ReadonlySet<string>;
}

/** lower-cased addresses in header text (From/To/Cc, unfolded); display names are skipped */
export function extractAddresses(headers: string): string[] {
  const found = new Set<string>();
  for (const m of headers.matchAll(
    /[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/g,
  ))
    found.add(m[0].toLowerCase());
  return [...found];
}

/** RFC 3501 date-time "01-Jan-2024 10:00:00 +0000" */
export function parseInternalDate(value: string): Date {
  const m = /^\s*(\d{1,2})-(\w{3})-(\d{4}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/.exec(
    value,
  );
  if (!m) return new Date(Number.NaN);
  const month = "janfebmaraprmayjunjulaugsepoctnovdec".indexOf(m[2]!.toLowerCase()) / 3;
  const utc = Date.UTC(Number(m[3]), month, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]));
  const offset = (Number(m[8]) * 60 + Number(m[9])) * 60_000 * (m[7] === "-" ? -1 : 1);
  return new Date(utc - offset);
}

export function relevanceOf(
  message: {
    flags: readonly string[];
    internalDate: string;
    messageId: string | null;
    addresses: readonly string[];
  },
  facts: RelevanceFacts,
): RelevanceReason | null {
  const rules = new Set(facts.rules);
  if (rules.has("flagged") && message.flags.some((f) => f.toLowerCase() === "\\flagged"))
    return "flagged";
  const date = parseInternalDate(message.internalDate);
  if (!(date >= facts.since)) return null;
  if (rules.has("dialogues") && message.messageId && facts.dialogueIds.has(message.messageId))
    return "dialogues";
  if (rules.has("contacts") && message.addresses.some((a) => facts.contacts.has(a)))
    return "contacts";
  if (
    rules.has("customer-domains") &&
    message.addresses.some((a) => facts.domains.has(a.slice(a.lastIndexOf("@") + 1)))
  )
    return "customer-domains";
  return null;
}
