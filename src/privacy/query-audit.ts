import { hashAddress, normaliseAddress } from "../consent/address-hash.ts";
import { AppError } from "../errors.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import type { Db } from "../types.ts";

export interface AuditQuery {
  /**
   * a contact id ("42"), a keyed hash, "type:id" ("campaign:7"), or an address,
   * which is turned into its contact id and keyed hash (the log never holds it)
   */
  subject?: string;
  /** exact ("contact.erased") or a prefix ending in "*" ("privacy.*") */
  action?: string;
  actor?: string;
  since?: Date;
  until?: Date;
  limit?: number;
}

export interface AuditRow {
  id: number;
  at: Date;
  actor: string;
  action: string;
  subjectType: string | null;
  subjectId: string | null;
  detail: Prisma.JsonValue;
}

/** The audit log, newest first, filtered by subject, action, actor and time. */
export async function queryAudit(
  deps: { db: Db; config: { suppressionKey: string } },
  q: AuditQuery,
): Promise<AuditRow[]> {
  const limit = q.limit ?? 100;
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000)
    throw new AppError("invalid_input", `limit ${q.limit} is not valid; expected 1 to 10000`);
  const where = await auditWhere(deps, q);
  return deps.db.auditEntry.findMany({ where, orderBy: { id: "desc" }, take: limit });
}

/** The filter of an audit query, for callers that page through it (the console). */
export async function auditWhere(
  deps: { db: Db; config: { suppressionKey: string } },
  q: AuditQuery,
): Promise<Prisma.AuditEntryWhereInput> {
  const where: Prisma.AuditEntryWhereInput = {};
  if (q.subject !== undefined) where.OR = await subjectFilter(deps, q.subject.trim());
  if (q.action !== undefined)
    where.action = q.action.endsWith("*") ? { startsWith: q.action.slice(0, -1) } : q.action;
  if (q.actor !== undefined) where.actor = q.actor;
  if (q.since !== undefined || q.until !== undefined)
    where.at = {
      ...(q.since ? { gte: q.since } : {}),
      ...(q.until ? { lt: q.until } : {}),
    };
  return where;
}

async function subjectFilter(
  deps: { db: Db; config: { suppressionKey: string } },
  subject: string,
): Promise<Prisma.AuditEntryWhereInput[]> {
  if (subject.includes("@")) {
    const email = normaliseAddress(subject);
    const hash = hashAddress(deps.config.suppressionKey, email);
    const contact = await deps.db.contact.findUnique({ where: { email }, select: { id: true } });
    return [
      { subjectType: "address_hash", subjectId: hash },
      ...(contact ? [{ subjectType: "contact", subjectId: String(contact.id) }] : []),
    ];
  }
  const typed = /^([a-z_]+):(.+)$/.exec(subject);
  if (typed) return [{ subjectType: typed[1], subjectId: typed[2] }];
  if (/^\d+$/.test(subject)) return [{ subjectType: "contact", subjectId: subject }];
  return [{ subjectId: subject }];
}
