import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { AppError } from "../errors.ts";
import { configSchema, type RawConfig } from "./config-schema.ts";
import { parsePrivacyConfig, type PrivacyConfig } from "./privacy-config.ts";
import { resolveSecrets } from "./local-secrets.ts";
import { parseSigningKeys, type SigningKey } from "./signing-keys.ts";
import { defaultTemplatesDir } from "./templates-dir.ts";
import { parseHandoverConfig, type HandoverConfig } from "./handover-config.ts";
import { parseInboxConfig, type InboxConfig } from "./inbox-config.ts";
import { parseTrustProxy, type TrustProxy } from "./trust-proxy.ts";

export interface Config {
  databaseUrl: string | undefined;
  dataDir: string;
  agendaMongoUrl: string | undefined;
  jobLockLifetimeMs: number;
  jobConcurrency: number;
  host: string;
  port: number;
  publicBaseUrl: string;
  adminToken: string | undefined;
  mailFrom: string;
  unsubscribeAddress: string;
  postalAddress: string;
  /** pages and mails for a person whose language is unknown, staff mail, newsletters that declare none */
  defaultLanguage: "en" | "nl" | "nb";
  /** MJML templates: layouts/, partials/, newsletters/, system/ */
  templatesDir: string;
  /** the first signs, all verify */
  signingKeys: SigningKey[];
  /** keys the suppression hashes; never rotated */
  suppressionKey: string;
  smtp:
    | {
        url: string;
        poolSize: number;
        maxMessages: number;
        /** smtp:// only: refuse a server that does not offer STARTTLS (RFC 3207) */
        requireTls: boolean;
        /** verify the server's certificate; false only when the operator opted out */
        tlsVerify: boolean;
        /** PEM file of the CAs to trust instead of the system's */
        caFile: string | undefined;
      }
    | undefined;
  outboxDir: string;
  sendRate: number;
  sendRatePerDomain: number;
  sendBatchSize: number;
  /** contact ids per audience shard: the unit of a campaign that one worker sends at a time */
  sendShardSize: number;
  /** first wait before a campaign retries deliveries deferred by 4xx answers; doubles per try */
  sendRetryDelaySeconds: number;
  dkim: { domain: string; selector: string; privateKeyFile: string } | undefined;
  /** envelope sender (Return-Path) of campaign mail; with `verp`, bounces+TOKEN@ per delivery */
  bounce: { address: string; verp: boolean };
  /** watched mailboxes and what to do with what arrives (issue 8) */
  inbox: InboxConfig;
  /** offboarding handover (issue 9) */
  handover: HandoverConfig;
  logLevel: RawConfig["LOG_LEVEL"];
  /** retention periods and the audit log's own retention (issue 10) */
  privacy: PrivacyConfig;
  /** employees' IMAP mailboxes */
  mailboxes: {
    /** verify IMAP servers' certificates; false only when the operator opted out */
    tlsVerify: boolean;
    /** relative `file:` secret references resolve against this directory */
    secretsDir: string;
  };
  /** the yearly mailbox cleanup and its default policy */
  cleanup: {
    /** cron expression of the yearly review digest */
    schedule: string;
    /** days between the digest and the deletion */
    graceDays: number;
    olderThanMonths: number;
    /** folders to clean: names, or SPECIAL-USE attributes such as \Sent (RFC 6154) */
    folders: string[];
    /** folders never touched, same notation */
    keepFolders: string[];
    /** expunge: UID EXPUNGE in place (RFC 4315); trash: MOVE to Trash (RFC 6851), then UID EXPUNGE there */
    deleteMode: "expunge" | "trash";
  };
  /** Fastify's trustProxy: false, a hop count, or the proxies' addresses */
  trustProxy: TrustProxy;
  /** origins allowed to post the public forms: PUBLIC_BASE_URL's plus FORM_ORIGINS */
  formOrigins: string[];
  http: {
    requestTimeoutMs: number;
    headersTimeoutMs: number;
    idleTimeoutMs: number;
    maxConnections: number;
    /** 0 = no limit (the default behind a proxy, whose address every connection shares) */
    maxConnectionsPerIp: number;
  };
  /** how long a confirmation link stays valid */
  confirmLinkMs: number;
}

/**
 * Reads the environment, and the JSON file CONFIG_FILE names if any (the
 * environment wins). Empty values count as unset. Every error names the
 * variable and says what was expected.
 */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  warn: (message: string) => void = console.warn,
): Config {
  const merged: Record<string, string> = {};
  if (env.CONFIG_FILE) Object.assign(merged, readConfigFile(env.CONFIG_FILE));
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined) merged[key] = value;
  }
  for (const [key, value] of Object.entries(merged)) {
    if (value.trim() === "") delete merged[key];
  }
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) throw configError(parsed.error, merged);
  return toConfig(parsed.data, warn, merged);
}

function readConfigFile(file: string): Record<string, string> {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    throw new AppError(
      "config",
      `CONFIG_FILE: cannot read ${file} (${(error as Error).message}); unset CONFIG_FILE or point it at a JSON file`,
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    // V8's message quotes the text around the fault, which may be a secret: give the position only.
    const at = /position (\d+)/.exec((error as Error).message)?.[1];
    throw new AppError(
      "config",
      `CONFIG_FILE: ${file} is not JSON${at ? ` (at character ${at})` : ""}; expected {"PORT": "8080", ...}`,
    );
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new AppError(
      "config",
      `CONFIG_FILE: ${file} must hold one JSON object of variable names to values`,
    );
  }
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, String(v)]));
}

const secretNames = /KEY|TOKEN|SECRET|PASSWORD|SMTP_URL|DATABASE_URL|MONGODB_URL/;

function configError(error: z.ZodError, values: Record<string, string>): AppError {
  const lines = error.issues.map((issue) => {
    const name = String(issue.path[0] ?? "config");
    const shown = secretNames.test(name)
      ? ""
      : values[name] !== undefined
        ? ` (got "${values[name]}")`
        : "";
    return `${name}${shown}: ${issue.message}`;
  });
  return new AppError(
    "config",
    `invalid configuration; fix these variables (see .env.example):\n  ${lines.join("\n  ")}`,
  );
}

function toConfig(
  raw: RawConfig,
  warn: (message: string) => void,
  env: Record<string, string> = {},
): Config {
  const dkimParts = [raw.DKIM_DOMAIN, raw.DKIM_SELECTOR, raw.DKIM_PRIVATE_KEY_FILE];
  if (dkimParts.some(Boolean) && !dkimParts.every(Boolean)) {
    throw new AppError(
      "config",
      "DKIM_DOMAIN, DKIM_SELECTOR and DKIM_PRIVATE_KEY_FILE go together: set all three to sign, or none",
    );
  }
  const dataDir = path.resolve(raw.DATA_DIR);
  const trustProxy = parseTrustProxy(raw.TRUST_PROXY);
  const secrets = resolveSecrets(
    {
      signingKeys:
        raw.SIGNING_KEYS === undefined
          ? undefined
          : parseSigningKeys(raw.SIGNING_KEYS, "SIGNING_KEYS"),
      suppressionKey: raw.SUPPRESSION_KEY,
      adminToken: raw.ADMIN_TOKEN,
    },
    { embedded: !raw.DATABASE_URL, dataDir, warn },
  );
  return {
    databaseUrl: raw.DATABASE_URL,
    dataDir,
    agendaMongoUrl: raw.AGENDA_MONGODB_URL,
    jobLockLifetimeMs: raw.JOB_LOCK_LIFETIME_SECONDS * 1000,
    jobConcurrency: raw.JOB_CONCURRENCY,
    host: raw.HOST,
    port: raw.PORT,
    publicBaseUrl: raw.PUBLIC_BASE_URL.replace(/\/+$/, ""),
    adminToken: secrets.adminToken,
    mailFrom: raw.MAIL_FROM,
    unsubscribeAddress: raw.UNSUBSCRIBE_ADDRESS ?? `unsubscribe@${domainOf(raw.MAIL_FROM)}`,
    postalAddress: raw.POSTAL_ADDRESS,
    defaultLanguage: raw.DEFAULT_LANGUAGE,
    templatesDir: raw.TEMPLATES_DIR ? path.resolve(raw.TEMPLATES_DIR) : defaultTemplatesDir,
    signingKeys: secrets.signingKeys,
    suppressionKey: secrets.suppressionKey,
    smtp: raw.SMTP_URL
      ? {
          url: raw.SMTP_URL,
          poolSize: raw.SMTP_POOL_SIZE,
          maxMessages: raw.SMTP_MAX_MESSAGES,
          // credentials never go over a connection that STARTTLS did not encrypt, unless opted out
          requireTls: raw.SMTP_REQUIRE_TLS
            ? raw.SMTP_REQUIRE_TLS === "true"
            : new URL(raw.SMTP_URL).username !== "",
          tlsVerify: raw.SMTP_TLS_VERIFY === "true",
          caFile: raw.SMTP_TLS_CA_FILE ? path.resolve(raw.SMTP_TLS_CA_FILE) : undefined,
        }
      : undefined,
    outboxDir: path.resolve(raw.OUTBOX_DIR),
    sendRate: raw.SEND_RATE,
    sendRatePerDomain: raw.SEND_RATE_PER_DOMAIN,
    sendBatchSize: raw.SEND_BATCH_SIZE,
    sendShardSize: raw.SEND_SHARD_SIZE,
    sendRetryDelaySeconds: raw.SEND_RETRY_DELAY_SECONDS,
    dkim: raw.DKIM_DOMAIN
      ? {
          domain: raw.DKIM_DOMAIN,
          selector: raw.DKIM_SELECTOR!,
          privateKeyFile: raw.DKIM_PRIVATE_KEY_FILE!,
        }
      : undefined,
    bounce: {
      address: raw.BOUNCE_ADDRESS ?? senderOf(raw.MAIL_FROM),
      verp: raw.BOUNCE_VERP,
    },
    inbox: parseInboxConfig(raw, env),
    handover: parseHandoverConfig(raw),
    logLevel: raw.LOG_LEVEL,
    privacy: parsePrivacyConfig(raw),
    mailboxes: {
      tlsVerify: raw.MAILBOX_TLS_VERIFY === "true",
      secretsDir: path.resolve(raw.MAILBOX_SECRETS_DIR ?? "."),
    },
    cleanup: {
      schedule: raw.CLEANUP_SCHEDULE,
      graceDays: raw.CLEANUP_GRACE_DAYS,
      olderThanMonths: raw.CLEANUP_OLDER_THAN_MONTHS,
      folders: splitList(raw.CLEANUP_FOLDERS),
      keepFolders: splitList(raw.CLEANUP_KEEP_FOLDERS),
      deleteMode: raw.CLEANUP_DELETE_MODE,
    },
    trustProxy,
    formOrigins: parseOrigins(raw.PUBLIC_BASE_URL, raw.FORM_ORIGINS),
    http: {
      requestTimeoutMs: raw.HTTP_REQUEST_TIMEOUT_SECONDS * 1000,
      headersTimeoutMs: raw.HTTP_HEADERS_TIMEOUT_SECONDS * 1000,
      idleTimeoutMs: raw.HTTP_IDLE_TIMEOUT_SECONDS * 1000,
      maxConnections: raw.HTTP_MAX_CONNECTIONS,
      maxConnectionsPerIp: raw.HTTP_MAX_CONNECTIONS_PER_IP ?? (trustProxy === false ? 512 : 0),
    },
    confirmLinkMs: raw.CONFIRM_LINK_DAYS * 86_400_000,
  };
}

function parseOrigins(publicBaseUrl: string, extra: string | undefined): string[] {
  const origins = [new URL(publicBaseUrl).origin];
  for (const [i, entry] of (extra ?? "").split(",").entries()) {
    const text = entry.trim();
    if (text === "") continue;
    let origin: string | undefined;
    try {
      const url = new URL(text);
      if (url.protocol === "http:" || url.protocol === "https:") origin = url.origin;
    } catch {
      origin = undefined;
    }
    if (!origin)
      throw new AppError(
        "config",
        `FORM_ORIGINS: entry ${i + 1} ("${text}") is not an origin; expected such as https://www.example.com`,
      );
    origins.push(origin);
  }
  return [...new Set(origins)];
}

function splitList(value: string): string[] {
  return value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

function domainOf(from: string): string {
  const match = /@([^>\s]+)>?\s*$/.exec(from);
  if (!match?.[1])
    throw new AppError(
      "config",
      `MAIL_FROM (got "${from}"): expected an address such as "News <news@example.com>"`,
    );
  return match[1];
}

/** "News <news@example.com>" → "news@example.com" */
function senderOf(from: string): string {
  return /<([^>]+)>\s*$/.exec(from)?.[1] ?? from.trim();
}
