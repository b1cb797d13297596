import type { Command } from "commander";
import type { EmployeeView } from "../mailboxes/employee-view.ts";

/** The directory fields as options, shared by `employees add` and `employees set`. */
export function withEmployeeOptions(command: Command): Command {
  return command
    .option("--host <host>", "IMAP server host name")
    .option("--port <port>", "IMAP port (993 for tls, 143 for starttls)")
    .option("--tls <mode>", "tls (implicit TLS), starttls, or none (loopback only)")
    .option("--login <login>", "IMAP login (default: the address)")
    .option(
      "--secret-ref <ref>",
      "where the password is read: env:VARIABLE or file:PATH (the password itself is never stored)",
    )
    .option("--status <status>", "active, departing or departed")
    .option(
      "--successor <employee>",
      'id or address of the colleague who takes over ("none" clears)',
    )
    .option(
      "--language <code>",
      'the language of the review digest: en, nl or nb ("default": DEFAULT_LANGUAGE)',
    )
    .option("--cleanup-older-than <months>", "cleanup: delete messages older than this many months")
    .option(
      "--cleanup-folders <list>",
      "cleanup: comma-separated folders or SPECIAL-USE attributes, e.g. 'INBOX,\\Sent,\\Archive' ('*' = all)",
    )
    .option("--cleanup-keep-folders <list>", "cleanup: folders never touched, same notation")
    .option("--cleanup-default", "cleanup: drop this mailbox's overrides, use the default policy");
}

export interface EmployeeOptions {
  host?: string;
  port?: string;
  tls?: string;
  login?: string;
  secretRef?: string;
  status?: string;
  successor?: string;
  language?: string;
  cleanupOlderThan?: string;
  cleanupFolders?: string;
  cleanupKeepFolders?: string;
  cleanupDefault?: boolean;
}

const list = (s: string) =>
  s
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean);

/** Options to the domain's input shape; only what was given. */
export function employeeInput(
  opts: EmployeeOptions,
  current?: EmployeeView,
): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  if (opts.host !== undefined) input.imapHost = opts.host;
  if (opts.port !== undefined) input.imapPort = opts.port;
  if (opts.tls !== undefined) input.tlsMode = opts.tls;
  if (opts.login !== undefined) input.login = opts.login;
  if (opts.secretRef !== undefined) input.secretRef = opts.secretRef;
  if (opts.status !== undefined) input.status = opts.status;
  if (opts.successor !== undefined)
    input.successor = opts.successor === "none" ? null : opts.successor;
  if (opts.language !== undefined)
    input.language = opts.language === "default" ? null : opts.language;
  if (opts.cleanupDefault) input.cleanupPolicy = null;
  const policy: Record<string, unknown> = {
    ...((current?.cleanupPolicy as Record<string, unknown> | null) ?? {}),
  };
  let changed = false;
  if (opts.cleanupOlderThan !== undefined) {
    policy.olderThanMonths = Number(opts.cleanupOlderThan);
    changed = true;
  }
  if (opts.cleanupFolders !== undefined) {
    policy.folders = list(opts.cleanupFolders);
    changed = true;
  }
  if (opts.cleanupKeepFolders !== undefined) {
    policy.keepFolders = list(opts.cleanupKeepFolders);
    changed = true;
  }
  if (changed && !opts.cleanupDefault) input.cleanupPolicy = policy;
  return input;
}

export function formatEmployee(e: EmployeeView): string[] {
  return [
    `employee ${e.id}: ${e.address} (${e.status})`,
    `  imap: ${e.imapHost}:${e.imapPort} ${e.tlsMode}, login ${e.login}`,
    `  secret: ${e.secretRef}`,
    `  successor: ${e.successor ? `${e.successor.address} (id ${e.successor.id})` : "-"}`,
    `  cleanup policy: ${e.cleanupPolicy ? JSON.stringify(e.cleanupPolicy) : "default"}`,
    `  language: ${e.language ?? "default"}`,
    ...(e.departedAt ? [`  departed: ${e.departedAt}`] : []),
  ];
}
