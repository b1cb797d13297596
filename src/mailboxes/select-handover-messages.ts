/**
 * Selects the messages of the source's open folder that go to the successor:
 * everything with --all, else what the relevance rules pick. Contacts and
 * dialogue records are looked up for the addresses and Message-IDs this
 * folder holds (in chunks), not loaded whole.
 */
import type { HandoverConfig } from "../config/handover-config.ts";
import type { Db } from "../types.ts";
import { extractAddresses, relevanceOf, type RelevanceReason } from "./handover-relevance.ts";
import type { HandoverSession, MessageMeta } from "./handover-types.ts";

export interface SelectedMessage extends MessageMeta {
  reason: RelevanceReason;
}

export interface FolderSelection {
  /** every UID in the folder when it was read: what emptying may delete */
  seen: number[];
  selected: SelectedMessage[];
}

const CHUNK = 1000;

export async function selectHandoverMessages(
  deps: { db: Db; settings: HandoverConfig; now: Date; customerDomains: ReadonlySet<string> },
  source: HandoverSession,
  opts: { all: boolean },
): Promise<FolderSelection> {
  const metas: MessageMeta[] = [];
  await source.fetchMeta("all", { addressHeaders: !opts.all }, (m) => metas.push(m));
  const seen = metas.map((m) => m.uid);
  if (opts.all) return { seen, selected: metas.map((m) => ({ ...m, reason: "all" as const })) };

  const addresses = metas.map((m) => extractAddresses(m.addressHeaders ?? ""));
  const rules = deps.settings.rules;
  const contacts = rules.includes("contacts")
    ? await knownContacts(deps.db, [...new Set(addresses.flat())])
    : new Set<string>();
  const dialogueIds = rules.includes("dialogues")
    ? await dialogueMessageIds(
        deps.db,
        metas.map((m) => m.messageId).filter((id): id is string => id !== null),
      )
    : new Set<string>();
  const since = new Date(deps.now);
  since.setUTCMonth(since.getUTCMonth() - deps.settings.windowMonths);
  const facts = { rules, since, contacts, domains: deps.customerDomains, dialogueIds };
  const selected: SelectedMessage[] = [];
  metas.forEach((m, i) => {
    const reason = relevanceOf({ ...m, addresses: addresses[i]! }, facts);
    if (reason) selected.push({ ...m, reason });
  });
  return { seen, selected };
}

/** configured customer domains plus the domains of contacts who are customers */
export async function customerDomains(db: Db, configured: readonly string[]): Promise<Set<string>> {
  const rows = await db.contact.findMany({
    where: { customerStatus: "customer" },
    select: { email: true },
  });
  const domains = new Set(configured);
  for (const { email } of rows) domains.add(email.slice(email.lastIndexOf("@") + 1));
  return domains;
}

async function knownContacts(db: Db, addresses: string[]): Promise<Set<string>> {
  const known = new Set<string>();
  for (let i = 0; i < addresses.length; i += CHUNK) {
    const rows = await db.contact.findMany({
      where: { email: { in: addresses.slice(i, i + CHUNK) } },
      select: { email: true },
    });
    for (const row of rows) known.add(row.email);
  }
  return known;
}

/** dialogue records store the Message-ID with or without brackets: match both */
async function dialogueMessageIds(db: Db, ids: string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < ids.length; i += CHUNK) {
    const chunk = ids.slice(i, i + CHUNK);
    const rows = await db.dialogueRecord.findMany({
      where: { messageId: { in: [...chunk, ...chunk.map((id) => `<${id}>`)] } },
      select: { messageId: true },
    });
    for (const row of rows) if (row.messageId) found.add(row.messageId.replace(/^<|>$/g, ""));
  }
  return found;
}
