/**
 * Guards the statement's rule that sensitive personal data must not travel by
 * email: a newsletter whose subject or text trips the scanner (national
 * identity numbers with valid checksums, payment cards passing Luhn, IBANs,
 * configured keywords) is refused at scheduling, with the reason and the
 * position. An operator may override it for one scheduling of one campaign,
 * giving a reason; the override is an audit entry (kinds and positions only,
 * never the values).
 */
import { AppError } from "../errors.ts";
import type { Db } from "../types.ts";
import { recordAudit } from "./record-audit.ts";
import { scanSensitive, type SensitiveKind } from "./scan-sensitive.ts";

export interface SensitivePosition {
  kind: SensitiveKind;
  part: "subject" | "text";
  line: number;
  column: number;
}

export const kindText: Record<SensitiveKind, string> = {
  fodselsnummer: "a Norwegian national identity number (fødselsnummer)",
  "d-number": "a Norwegian D-number",
  bsn: "a Dutch citizen service number (BSN)",
  "payment-card": "a payment card number",
  iban: "an IBAN",
  keyword: "a word on the sensitive-data list",
};

function positionOf(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split("\n");
  return { line: before.length, column: before[before.length - 1]!.length + 1 };
}

export async function guardSensitiveContent(
  deps: { db: Db; config: { privacy: { sensitiveKeywords: string[] } } },
  input: {
    campaign: { id: number; slug: string };
    subject: string;
    text: string;
    /** the operator's reason for sending anyway; absent: refuse */
    override?: string;
    actor: string;
  },
): Promise<{ findings: SensitivePosition[]; overridden: boolean }> {
  const keywords = deps.config.privacy.sensitiveKeywords;
  const findings: SensitivePosition[] = [];
  for (const [part, text] of [
    ["subject", input.subject],
    ["text", input.text],
  ] as const) {
    for (const f of scanSensitive(text, { keywords }).findings)
      findings.push({ kind: f.kind, part, ...positionOf(text, f.start) });
  }
  if (findings.length === 0) return { findings, overridden: false };
  const reason = input.override?.trim();
  if (!reason) {
    const first = findings[0]!;
    const more = findings.length > 1 ? ` (and ${findings.length - 1} more)` : "";
    throw new AppError(
      "refused",
      `campaign "${input.campaign.slug}" contains what looks like ${kindText[first.kind]} in the ${first.part} at line ${first.line}, column ${first.column}${more}; sensitive personal data must not travel by email. Remove it, or schedule again with an override reason (--allow-sensitive "<why>"), which is recorded in the audit log`,
      { findings },
    );
  }
  await recordAudit(deps.db, {
    actor: input.actor,
    action: "campaign.sensitive_override",
    subjectType: "campaign",
    subjectId: input.campaign.id,
    detail: { reason, findings: findings.map((f) => ({ ...f })) },
  });
  return { findings, overridden: true };
}
