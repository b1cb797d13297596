import { normaliseAddress } from "../consent/address-hash.ts";
import { AppError } from "../errors.ts";
import type { Clock, Db } from "../types.ts";
import { findContactTables } from "./find-contact-tables.ts";
import { openPrivacyRequest, type Verification } from "./open-privacy-request.ts";

type Row = Record<string, unknown>;

/** Everything held about one person (GDPR art. 15 and 20), as one JSON document. */
export interface ContactExport {
  format: "mailsteward-contact-export/1";
  generatedAt: string;
  /** every timestamp below without a zone is UTC (the database keeps UTC in timestamp(3)) */
  timestamps: "UTC";
  request: { reference: string; kind: "export"; verificationMethod: string };
  contact: Row;
  subscriptions: Row[];
  consentLedger: Row[];
  deliveries: Row[];
  dialogueRecords: Row[];
  contactEvents: Row[];
  corrections: Row[];
  partners: Row[];
  /** to whom the data was disclosed, and when (art. 15(1)(c)) */
  disclosures: Row[];
  privacyRequests: Row[];
  /** rows of any other table that refers to the contact (inbox messages, mailbox references, ...), by table */
  otherRecords: Record<string, Row[]>;
}

/** Tables given their own section above; anything else found from the catalog lands in otherRecords. */
const SECTIONED = new Set([
  "subscriptions",
  "consent_events",
  "deliveries",
  "dialogue_records",
  "contact_events",
  "contact_corrections",
  "contact_partners",
  "partner_disclosures",
  "privacy_requests",
]);

/**
 * The access and portability request: records it (with how the requester
 * was verified, never the proof itself), then gathers everything held.
 * Rows come as PostgreSQL's to_jsonb, so every column is there (including
 * ones added later) and 64-bit integers survive as JSON numbers.
 */
export async function exportContact(
  deps: { db: Db; config: { suppressionKey: string }; clock: Clock },
  input: { email: string; verification: Verification; actor: string },
): Promise<ContactExport> {
  const email = normaliseAddress(input.email);
  const found = await deps.db.contact.findUnique({ where: { email }, select: { id: true } });
  if (!found)
    throw new AppError(
      "not_found",
      `no contact with "${input.email}" is on file; nothing is held about this address`,
    );
  const id = found.id;
  const now = deps.clock.now();
  const request = await openPrivacyRequest(deps.db, {
    kind: "export",
    contactId: id,
    email,
    suppressionKey: deps.config.suppressionKey,
    verification: input.verification,
    actor: input.actor,
    now,
    state: "done",
  });
  const rows = (query: Promise<{ row: Row }[]>) => query.then((r) => r.map((x) => x.row));
  const db = deps.db;
  const [contact] = await rows(
    db.$queryRaw`SELECT to_jsonb(c) AS row FROM contacts AS c WHERE c.id = ${id}`,
  );
  const doc: ContactExport = {
    format: "mailsteward-contact-export/1",
    generatedAt: now.toISOString(),
    timestamps: "UTC",
    request: {
      reference: request.reference,
      kind: "export",
      verificationMethod: input.verification.method,
    },
    contact: contact ?? {},
    subscriptions: await rows(db.$queryRaw`
      SELECT to_jsonb(s) || jsonb_build_object('list', l.slug, 'listName', l.name) AS row
        FROM subscriptions AS s JOIN lists AS l ON l.id = s.list_id
       WHERE s.contact_id = ${id} ORDER BY s.id`),
    consentLedger: await rows(db.$queryRaw`
      SELECT to_jsonb(e) AS row FROM consent_events AS e
       WHERE e.contact_id = ${id} ORDER BY e.occurred_at, e.id`),
    deliveries: await rows(db.$queryRaw`
      SELECT to_jsonb(d) || jsonb_build_object('campaign', c.slug, 'subject', COALESCE(c.frozen_subject, c.subject)) AS row
        FROM deliveries AS d JOIN campaigns AS c ON c.id = d.campaign_id
       WHERE d.contact_id = ${id} ORDER BY d.id`),
    dialogueRecords: await rows(db.$queryRaw`
      SELECT to_jsonb(r) AS row FROM dialogue_records AS r
       WHERE r.contact_id = ${id} ORDER BY r.received_at, r.id`),
    contactEvents: await rows(db.$queryRaw`
      SELECT to_jsonb(e) AS row FROM contact_events AS e
       WHERE e.contact_id = ${id} ORDER BY e.occurred_at, e.id`),
    corrections: await rows(db.$queryRaw`
      SELECT to_jsonb(k) AS row FROM contact_corrections AS k
       WHERE k.contact_id = ${id} ORDER BY k.at, k.id`),
    partners: await rows(db.$queryRaw`
      SELECT jsonb_build_object('partner', p.name, 'linkedAt', cp.linked_at) AS row
        FROM contact_partners AS cp JOIN partners AS p ON p.id = cp.partner_id
       WHERE cp.contact_id = ${id} ORDER BY p.name`),
    disclosures: await rows(db.$queryRaw`
      SELECT jsonb_build_object('partner', p.name, 'disclosedAt', pd.disclosed_at, 'exportId', pd.export_id,
                                'fields', jsonb_build_array('name', 'email', 'phone', 'company')) AS row
        FROM partner_disclosures AS pd JOIN partners AS p ON p.id = pd.partner_id
       WHERE pd.contact_id = ${id} ORDER BY pd.disclosed_at, pd.id`),
    privacyRequests: await rows(db.$queryRaw`
      SELECT jsonb_build_object('reference', r.reference, 'kind', r.kind, 'state', r.state,
                                'receivedAt', r.received_at, 'dueAt', r.due_at, 'completedAt', r.completed_at,
                                'verificationMethod', r.verification_method) AS row
        FROM privacy_requests AS r WHERE r.contact_id = ${id} ORDER BY r.received_at, r.id`),
    otherRecords: {},
  };
  for (const t of await findContactTables(db)) {
    if (SECTIONED.has(t.name)) continue;
    const found = await rows(
      db.$queryRawUnsafe(
        `SELECT to_jsonb(x) AS row FROM ${t.table} AS x WHERE x.${t.column} = $1`,
        id,
      ),
    );
    if (found.length > 0)
      doc.otherRecords[t.name] = [...(doc.otherRecords[t.name] ?? []), ...found];
  }
  return doc;
}
