/**
 * The employee form's fields (all strings, as a browser posts them) turned
 * into the input addEmployee and updateEmployee validate. Pure. An update
 * carries only the fields that differ from the entry, so that the audit
 * entry names what the operator changed and nothing else.
 */
import type { EmployeeView } from "../../mailboxes/employee-view.ts";

export type FormBody = Record<string, string | string[] | undefined>;

function text(body: FormBody, name: string): string {
  const v = body[name];
  return (Array.isArray(v) ? (v[0] ?? "") : (v ?? "")).trim();
}

/** "Sent, \Archive ,Projects/2024" -> ["Sent", "\Archive", "Projects/2024"] */
function folderList(value: string): string[] {
  return value
    .split(",")
    .map((f) => f.trim())
    .filter(Boolean);
}

/** The policy overrides from the form; null when every field is blank (the default policy). */
export function cleanupOverridesOf(body: FormBody): Record<string, unknown> | null {
  const months = text(body, "cleanupOlderThanMonths");
  const folders = text(body, "cleanupFolders");
  const keep = text(body, "cleanupKeepFolders");
  const o: Record<string, unknown> = {};
  // Not a number stays a string, so the schema's message names it.
  if (months) o.olderThanMonths = /^\d+$/.test(months) ? Number(months) : months;
  if (folders) o.folders = folderList(folders);
  if (keep) o.keepFolders = folderList(keep);
  return Object.keys(o).length > 0 ? o : null;
}

export function newEmployeeInput(body: FormBody): Record<string, unknown> {
  const input: Record<string, unknown> = {
    address: text(body, "address"),
    imapHost: text(body, "imapHost"),
    imapPort: text(body, "imapPort"),
    tlsMode: text(body, "tlsMode") || "tls",
    secretRef: text(body, "secretRef"),
  };
  const login = text(body, "login");
  if (login) input.login = login;
  const successor = text(body, "successor");
  if (successor) input.successor = successor;
  const language = text(body, "language");
  if (language) input.language = language;
  const policy = cleanupOverridesOf(body);
  if (policy) input.cleanupPolicy = policy;
  return input;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

export function employeeChangesInput(
  body: FormBody,
  current: EmployeeView,
): Record<string, unknown> {
  const changes: Record<string, unknown> = {};
  const fields = ["imapHost", "imapPort", "tlsMode", "login", "secretRef", "status"] as const;
  for (const name of fields) {
    const value = text(body, name);
    if (value !== String(current[name])) changes[name] = value;
  }
  const successor = text(body, "successor");
  if (successor !== (current.successor ? String(current.successor.id) : ""))
    changes.successor = successor || null;
  const language = text(body, "language");
  if (language !== (current.language ?? "")) changes.language = language || null;
  const policy = cleanupOverridesOf(body);
  const currentPolicy =
    current.cleanupPolicy && Object.keys(current.cleanupPolicy).length > 0
      ? current.cleanupPolicy
      : null;
  if (!same(policy, currentPolicy)) changes.cleanupPolicy = policy;
  return changes;
}
