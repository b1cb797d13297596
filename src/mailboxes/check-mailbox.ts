import type { ImapSession } from "../adapters/imap-connect.ts";
import type { Db } from "../types.ts";
import { findEmployee } from "./find-employee.ts";
import { openEmployeeMailbox, type MailboxDeps } from "./open-employee-mailbox.ts";

/** The extensions cleanup and handover care about, and why. */
export const capabilitiesThatMatter = {
  UIDPLUS: "UID EXPUNGE: cleanup deletes exactly the selected messages (RFC 4315); required",
  MOVE: "atomic MOVE to Trash (RFC 6851)",
  "SPECIAL-USE": "Sent, Trash, Archive found in any language (RFC 6154)",
  CONDSTORE: "modification sequences (RFC 7162)",
  QUOTA: "storage limits before a handover copies (RFC 9208)",
  APPENDLIMIT: "the largest message the server accepts (RFC 7889)",
  "LITERAL+": "APPEND without waiting for a continuation (RFC 7888)",
} as const;

export type CapabilityName = keyof typeof capabilitiesThatMatter;

export interface MailboxCheck {
  employeeId: number;
  capabilities: Record<CapabilityName, boolean | string>;
  quota: { usedKb: number; limitKb: number } | null;
  folders: { path: string; specialUse: string | null; messages: number | null }[];
  /** can the cleanup run here: UIDPLUS is present */
  cleanupReady: boolean;
}

/** Logs in to an employee's mailbox and reports what the server offers. */
export async function checkMailbox(
  deps: MailboxDeps & { db: Db },
  ref: string | number,
): Promise<MailboxCheck> {
  const employee = await findEmployee(deps.db, ref);
  const session = await openEmployeeMailbox(deps, employee);
  try {
    return { employeeId: employee.id, ...(await inspectSession(session)) };
  } finally {
    await session.logout().catch(() => {});
  }
}

/** Capabilities, quota and folders of an open session (also used by cleanup and handover). */
export async function inspectSession(
  session: ImapSession,
): Promise<Omit<MailboxCheck, "employeeId">> {
  const caps = session.capabilities;
  const capabilities = {} as Record<CapabilityName, boolean | string>;
  for (const name of Object.keys(capabilitiesThatMatter) as CapabilityName[]) {
    if (name === "APPENDLIMIT") {
      const key = [...caps.keys()].find((k) => k === "APPENDLIMIT" || k.startsWith("APPENDLIMIT="));
      capabilities[name] = key ? (key.split("=")[1] ?? true) : false;
    } else capabilities[name] = caps.has(name);
  }
  let quota: MailboxCheck["quota"] = null;
  if (caps.has("QUOTA")) {
    const q = await session.getQuota("INBOX").catch(() => false as const);
    if (q && q.storage && typeof q.storage.limit === "number")
      quota = {
        usedKb: Math.round((q.storage.usage ?? 0) / 1024),
        limitKb: Math.round(q.storage.limit / 1024),
      };
  }
  const list = await session.list({ statusQuery: { messages: true } });
  const folders = list
    .filter((f) => !f.flags.has("\\Noselect") && !f.flags.has("\\NonExistent"))
    .map((f) => ({
      path: f.path,
      specialUse: f.specialUse ?? null,
      messages: f.status?.messages ?? null,
    }))
    .sort((a, b) => a.path.localeCompare(b.path));
  return { capabilities, quota, folders, cleanupReady: caps.has("UIDPLUS") };
}
