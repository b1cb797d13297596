import type { ConsentAction, LegalBasis, Prisma } from "../generated/prisma/client.ts";
import type { DbOrTx } from "../privacy/record-audit.ts";

export interface ConsentEventInput {
  contactId: number;
  /** "newsletter:<list slug>", "newsletter:*" or "processing" */
  purpose: string;
  action: ConsentAction;
  legalBasis: LegalBasis;
  /** csv-import, web-form, one-click, preference-centre, cli, api, or an import's own label */
  source: string;
  /** what proves it: IP, user agent, form, file and line, the date the person agreed */
  evidence: Prisma.InputJsonObject;
  at: Date;
}

/**
 * Appends to the consent ledger. Append-only by design (a trigger refuses
 * UPDATE): a change of mind is a new event, never an edit of an old one.
 */
export async function recordConsent(tx: DbOrTx, event: ConsentEventInput): Promise<void> {
  await recordConsents(tx, [event]);
}

/**
 * Many events in one statement, for imports. Raw SQL because Prisma 6's
 * client engine spends about a millisecond per row building a createMany;
 * jsonb_to_recordset takes the whole batch as one parameter. occurred_at is
 * `timestamp(3)` holding UTC, as Prisma writes it.
 */
export async function recordConsents(tx: DbOrTx, events: ConsentEventInput[]): Promise<void> {
  if (events.length === 0) return;
  if (events.length === 1) {
    const [e] = events as [ConsentEventInput];
    await tx.consentEvent.create({
      data: {
        contactId: e.contactId,
        purpose: e.purpose,
        action: e.action,
        legalBasis: e.legalBasis,
        source: e.source,
        evidence: e.evidence,
        occurredAt: e.at,
      },
      select: { id: true },
    });
    return;
  }
  const payload = JSON.stringify(
    events.map((e) => ({
      contact_id: e.contactId,
      purpose: e.purpose,
      action: e.action,
      legal_basis: e.legalBasis,
      source: e.source,
      evidence: e.evidence,
      occurred_at: e.at.toISOString(),
    })),
  );
  await tx.$executeRaw`
    INSERT INTO consent_events (contact_id, purpose, action, legal_basis, source, evidence, occurred_at)
    SELECT v.contact_id, v.purpose, v.action::"ConsentAction", v.legal_basis::"LegalBasis", v.source, COALESCE(v.evidence, '{}'::jsonb),
           v.occurred_at AT TIME ZONE 'UTC'
      FROM jsonb_to_recordset(${payload}::jsonb) AS v(contact_id int, purpose text, action text, legal_basis text, source text, evidence jsonb, occurred_at timestamptz)`;
}
