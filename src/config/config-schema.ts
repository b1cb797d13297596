import { z } from "zod";
import { handoverConfigShape } from "./handover-config.ts";
import { privacyConfigShape } from "./privacy-config.ts";
import { inboxConfigShape } from "./inbox-config.ts";

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const nonNegative = z.coerce.number().min(0);

/**
 * Every option mailsteward reads, by its environment name. `.env.example`
 * documents each with its default; keep the two in step.
 */
export const configSchema = z.object({
  ...privacyConfigShape,
  DATABASE_URL: z
    .url({ protocol: /^postgres(ql)?$/, error: "expected postgresql://user@host:5432/db" })
    .optional(),
  DATA_DIR: z.string().default("./.data"),
  AGENDA_MONGODB_URL: z
    .url({ protocol: /^mongodb(\+srv)?$/, error: "expected mongodb://host:27017/db" })
    .optional(),
  JOB_LOCK_LIFETIME_SECONDS: positiveInt.default(300),
  JOB_CONCURRENCY: positiveInt.default(4),

  HOST: z.string().default("127.0.0.1"),
  PORT: port.default(8080),
  PUBLIC_BASE_URL: z
    .url({
      protocol: /^https?$/,
      error: "expected an http(s) URL such as https://news.example.com",
    })
    .default("http://localhost:8080"),
  ADMIN_TOKEN: z
    .string()
    .min(24, "must be at least 24 characters; generate one with: openssl rand -hex 24")
    .optional(),

  MAIL_FROM: z.string().default("Newsletter <newsletter@localhost>"),
  UNSUBSCRIBE_ADDRESS: z
    .email({
      error:
        "expected an address such as unsubscribe@example.com; the token goes in as unsubscribe+TOKEN@",
    })
    .optional(),
  POSTAL_ADDRESS: z.string().default(""),
  DEFAULT_LANGUAGE: z
    .enum(["en", "nl", "nb"], {
      error: "expected en, nl or nb: the language of pages and mails when a person's is unknown",
    })
    .default("en"),
  TEMPLATES_DIR: z.string().optional(),
  SIGNING_KEYS: z.string().optional(),
  SUPPRESSION_KEY: z
    .string()
    .min(32, "must be at least 32 characters; generate one with: openssl rand -base64 32")
    .optional(),

  SMTP_URL: z
    .url({ protocol: /^smtps?$/, error: "expected smtp://user:pass@host:587 or smtps://host:465" })
    .optional(),
  SMTP_POOL_SIZE: positiveInt.default(5),
  SMTP_MAX_MESSAGES: positiveInt.default(100),
  SMTP_REQUIRE_TLS: z
    .enum(["true", "false"], {
      error:
        'expected "true" or "false"; unset, STARTTLS is required when SMTP_URL has credentials',
    })
    .optional(),
  SMTP_TLS_VERIFY: z
    .enum(["true", "false"], { error: 'expected "true" (the default) or "false" to opt out' })
    .default("true"),
  SMTP_TLS_CA_FILE: z.string().optional(),
  OUTBOX_DIR: z.string().default("./outbox"),
  SEND_RATE: nonNegative.default(0),
  SEND_RATE_PER_DOMAIN: nonNegative.default(0),
  SEND_BATCH_SIZE: positiveInt.default(200),
  SEND_SHARD_SIZE: positiveInt.default(2000),
  SEND_RETRY_DELAY_SECONDS: positiveInt.default(60),
  DKIM_DOMAIN: z.string().optional(),
  DKIM_SELECTOR: z.string().optional(),
  DKIM_PRIVATE_KEY_FILE: z.string().optional(),

  MAILBOX_TLS_VERIFY: z
    .enum(["true", "false"], { error: 'expected "true" (the default) or "false" to opt out' })
    .default("true"),
  MAILBOX_SECRETS_DIR: z.string().optional(),
  CLEANUP_SCHEDULE: z.string().default("0 6 15 1 *"),
  CLEANUP_GRACE_DAYS: positiveInt.default(14),
  CLEANUP_OLDER_THAN_MONTHS: positiveInt.default(12),
  CLEANUP_FOLDERS: z.string().default("INBOX,\\Sent,\\Archive,\\Trash,\\Junk"),
  CLEANUP_KEEP_FOLDERS: z.string().default(""),
  CLEANUP_DELETE_MODE: z
    .enum(["expunge", "trash"], {
      error:
        'expected "expunge" (UID EXPUNGE in place) or "trash" (MOVE to Trash, then UID EXPUNGE there)',
    })
    .default("expunge"),

  /** watched mailboxes, soft-bounce policy, envelope sender (see inbox-config.ts) */
  ...inboxConfigShape,

  /** offboarding handover: connections, relevance rules, account-deletion hook (see handover-config.ts) */
  ...handoverConfigShape,

  LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
  /** how many reverse proxies stand in front, or their addresses; never "true" (see trust-proxy.ts) */
  TRUST_PROXY: z.string().optional(),
  /** other origins whose pages may post the sign-up form (the company's website) */
  FORM_ORIGINS: z.string().optional(),
  HTTP_REQUEST_TIMEOUT_SECONDS: positiveInt.default(15),
  HTTP_HEADERS_TIMEOUT_SECONDS: positiveInt.default(10),
  HTTP_IDLE_TIMEOUT_SECONDS: positiveInt.default(30),
  HTTP_MAX_CONNECTIONS: positiveInt.default(4096),
  HTTP_MAX_CONNECTIONS_PER_IP: z.coerce.number().int().min(0).optional(),
  CONFIRM_LINK_DAYS: positiveInt.default(7),
});

export type RawConfig = z.infer<typeof configSchema>;
