/**
 * The watched mailboxes, read from per-mailbox variables that the one zod
 * schema cannot list by name:
 *
 *   INBOX_MAILBOXES=bounces,unsubscribe,sales
 *   INBOX_<NAME>_URL=imaps://login@imap.example.com:993/INBOX   (login URL-encoded, folder optional)
 *   INBOX_<NAME>_ROLE=bounce | unsubscribe | team                (default: from the name, else team)
 *   INBOX_<NAME>_PASSWORD=...  or  INBOX_<NAME>_PASSWORD_FILE=/run/secrets/...
 *   INBOX_<NAME>_TLS_VERIFY=false                                (opt out of certificate checks)
 *
 * <NAME> is the name upper-cased with "-" as "_". A team mailbox is watched
 * twice: its folder (incoming) and its Sent folder, found by SPECIAL-USE
 * (RFC 6154), as outgoing dialogue.
 *
 * Guards: a password never sits in a plain property of the config (it is read
 * through `credentials()`, so printing or serialising the config cannot show
 * it), never in an error message, and never in the database.
 */
import fs from "node:fs";
import os from "node:os";
import { z } from "zod";
import { AppError } from "../errors.ts";

export type MailboxRole = "bounce" | "unsubscribe" | "team";

export interface WatchedMailbox {
  /** checkpoint and job key: the name, or "<name>:sent" for a team mailbox's Sent folder */
  key: string;
  name: string;
  role: MailboxRole;
  direction: "in" | "out";
  /** a folder path, or the SPECIAL-USE attribute to look it up by */
  folder: { path: string } | { specialUse: "\\Sent" };
  host: string;
  port: number;
  /** implicit TLS (imaps, RFC 8314); imap:// upgrades with STARTTLS when offered */
  secure: boolean;
  /** verify the server certificate; false only when INBOX_<NAME>_TLS_VERIFY=false */
  tlsVerify: boolean;
  credentials(): { user: string; pass: string };
}

export interface InboxConfig {
  mailboxes: WatchedMailbox[];
  pollSeconds: number;
  batchSize: number;
  /** worker threads that parse and classify (0: the watcher's own thread) */
  readThreads: number;
  doneKeyword: string;
  /** move processed messages here instead of only flagging them; unparseable ones stay */
  moveTo: string | undefined;
  createContacts: boolean;
  softBounceLimit: number;
  softBounceWindowDays: number;
}

const bool = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .transform((v) => v === "true" || v === "1" || v === "yes");

/** Options with fixed names; spread into the config schema. */
export const inboxConfigShape = {
  INBOX_MAILBOXES: z
    .string()
    .regex(/^\s*[a-z0-9][a-z0-9-]*(\s*,\s*[a-z0-9][a-z0-9-]*)*\s*$/, {
      error: "expected mailbox names such as bounces,unsubscribe,sales (a-z, 0-9, -)",
    })
    .optional(),
  INBOX_POLL_SECONDS: z.coerce.number().positive().default(60),
  INBOX_BATCH_SIZE: z.coerce.number().int().positive().max(5000).default(250),
  INBOX_READ_THREADS: z.coerce
    .number({ error: "expected a number of threads (0 reads on the watcher's own thread)" })
    .int()
    .min(0)
    .max(16)
    .optional(),
  INBOX_DONE_KEYWORD: z
    .string()
    .regex(/^[^\s()\]{%*"\\]+$/, { error: "expected an IMAP keyword such as $MailstewardDone" })
    .default("$MailstewardDone"),
  INBOX_MOVE_TO: z.string().optional(),
  INBOX_CREATE_CONTACTS: bool.default(false),
  SOFT_BOUNCE_LIMIT: z.coerce.number().int().positive().default(3),
  SOFT_BOUNCE_WINDOW_DAYS: z.coerce.number().positive().default(30),
  BOUNCE_ADDRESS: z.email({ error: "expected an address such as bounces@example.com" }).optional(),
  BOUNCE_VERP: bool.default(false),
};

type InboxRaw = {
  INBOX_MAILBOXES?: string | undefined;
  INBOX_POLL_SECONDS: number;
  INBOX_BATCH_SIZE: number;
  INBOX_READ_THREADS?: number | undefined;
  INBOX_DONE_KEYWORD: string;
  INBOX_MOVE_TO?: string | undefined;
  INBOX_CREATE_CONTACTS: boolean;
  SOFT_BOUNCE_LIMIT: number;
  SOFT_BOUNCE_WINDOW_DAYS: number;
};

export function parseInboxConfig(raw: InboxRaw, env: Record<string, string>): InboxConfig {
  const names = (raw.INBOX_MAILBOXES ?? "")
    .split(",")
    .map((n) => n.trim())
    .filter(Boolean);
  if (new Set(names).size !== names.length)
    throw new AppError("config", `INBOX_MAILBOXES (got "${raw.INBOX_MAILBOXES}"): a name repeats`);
  return {
    mailboxes: names.flatMap((name) => mailboxesOf(name, env)),
    pollSeconds: raw.INBOX_POLL_SECONDS,
    batchSize: raw.INBOX_BATCH_SIZE,
    // by default one per core but one (the watcher's own thread needs one), at least one, at most four
    readThreads: raw.INBOX_READ_THREADS ?? Math.max(1, Math.min(4, os.availableParallelism() - 1)),
    doneKeyword: raw.INBOX_DONE_KEYWORD,
    moveTo: raw.INBOX_MOVE_TO,
    createContacts: raw.INBOX_CREATE_CONTACTS,
    softBounceLimit: raw.SOFT_BOUNCE_LIMIT,
    softBounceWindowDays: raw.SOFT_BOUNCE_WINDOW_DAYS,
  };
}

function mailboxesOf(name: string, env: Record<string, string>): WatchedMailbox[] {
  const prefix = `INBOX_${name.toUpperCase().replace(/-/g, "_")}_`;
  const urlText = env[`${prefix}URL`];
  if (!urlText)
    throw new AppError(
      "config",
      `${prefix}URL is missing: INBOX_MAILBOXES names "${name}"; set ${prefix}URL=imaps://login@imap.example.com:993/INBOX`,
    );
  let url: URL;
  try {
    url = new URL(urlText);
  } catch {
    throw new AppError("config", `${prefix}URL: expected imaps://login@host:993/FOLDER`);
  }
  if (url.protocol !== "imaps:" && url.protocol !== "imap:")
    throw new AppError(
      "config",
      `${prefix}URL (got scheme "${url.protocol}"): expected imaps:// or imap://`,
    );
  if (url.password)
    throw new AppError(
      "config",
      `${prefix}URL carries a password: put it in ${prefix}PASSWORD or ${prefix}PASSWORD_FILE instead`,
    );
  const user = decodeURIComponent(url.username);
  if (!user)
    throw new AppError("config", `${prefix}URL: the login is missing (imaps://LOGIN@host)`);
  const roleText = env[`${prefix}ROLE`] ?? defaultRole(name);
  if (roleText !== "bounce" && roleText !== "unsubscribe" && roleText !== "team")
    throw new AppError(
      "config",
      `${prefix}ROLE (got "${roleText}"): expected bounce, unsubscribe or team`,
    );
  const verifyText = env[`${prefix}TLS_VERIFY`] ?? "true";
  if (!/^(true|false|1|0|yes|no)$/.test(verifyText))
    throw new AppError(
      "config",
      `${prefix}TLS_VERIFY (got "${verifyText}"): expected true or false`,
    );
  const password = passwordReader(prefix, env);
  const secure = url.protocol === "imaps:";
  const base = {
    name,
    role: roleText as MailboxRole,
    host: url.hostname.replace(/^\[|\]$/g, ""),
    port: Number(url.port || (secure ? 993 : 143)),
    secure,
    tlsVerify: /^(true|1|yes)$/.test(verifyText),
    credentials: () => ({ user, pass: password() }),
  };
  const path = decodeURIComponent(url.pathname.replace(/^\/+/, "")) || "INBOX";
  const incoming: WatchedMailbox = { ...base, key: name, direction: "in", folder: { path } };
  if (base.role !== "team") return [incoming];
  return [
    incoming,
    { ...base, key: `${name}:sent`, direction: "out", folder: { specialUse: "\\Sent" } },
  ];
}

function defaultRole(name: string): string {
  if (/^bounces?$/.test(name)) return "bounce";
  if (name === "unsubscribe") return "unsubscribe";
  return "team";
}

/** Checked now (so a missing file fails at start), read again at each connect (so rotation works). */
function passwordReader(prefix: string, env: Record<string, string>): () => string {
  const inline = env[`${prefix}PASSWORD`];
  const file = env[`${prefix}PASSWORD_FILE`];
  if (inline !== undefined && file !== undefined)
    throw new AppError("config", `set ${prefix}PASSWORD or ${prefix}PASSWORD_FILE, not both`);
  if (inline !== undefined) return () => inline;
  if (file === undefined)
    throw new AppError(
      "config",
      `${prefix}PASSWORD or ${prefix}PASSWORD_FILE is missing; the password is never read from the database`,
    );
  const read = () => {
    try {
      return fs.readFileSync(file, "utf8").replace(/\r?\n$/, "");
    } catch (error) {
      throw new AppError(
        "config",
        `${prefix}PASSWORD_FILE: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? "error"})`,
      );
    }
  };
  read();
  return read;
}
