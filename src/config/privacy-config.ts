/**
 * The retention policy's periods and the audit log's own retention (issue 10).
 * Spread into the one zod schema in config-schema.ts; documented with their
 * defaults in .env.example. The rules themselves are code
 * (src/privacy/decide-retention.ts); only the periods are configuration.
 */
import { z } from "zod";

export interface PrivacyConfig {
  retention: {
    /** active dialogue: kept this long after the last contact */
    dialogueMonths: number;
    /** newsletter subscribers: kept this long after unsubscribing */
    unsubscribedMonths: number;
    /** contacts erased per transaction by the daily job */
    batchSize: number;
  };
  /** audit entries older than this are deleted by the daily job (0 = kept for ever) */
  auditMonths: number;
  /** words that stop a newsletter from being scheduled (health and similar categories), besides the numbers the scanner finds */
  sensitiveKeywords: string[];
}

const months = z.coerce.number().int().min(1).max(1200);

export const privacyConfigShape = {
  RETENTION_DIALOGUE_MONTHS: months.default(24),
  RETENTION_UNSUBSCRIBED_MONTHS: months.default(24),
  RETENTION_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(500),
  AUDIT_RETENTION_MONTHS: z.coerce.number().int().min(0).max(1200).default(72),
  SENSITIVE_KEYWORDS: z.string().default(""),
};

type Raw = { [K in keyof typeof privacyConfigShape]: z.infer<(typeof privacyConfigShape)[K]> };

export function parsePrivacyConfig(raw: Raw): PrivacyConfig {
  return {
    retention: {
      dialogueMonths: raw.RETENTION_DIALOGUE_MONTHS,
      unsubscribedMonths: raw.RETENTION_UNSUBSCRIBED_MONTHS,
      batchSize: raw.RETENTION_BATCH_SIZE,
    },
    auditMonths: raw.AUDIT_RETENTION_MONTHS,
    sensitiveKeywords: raw.SENSITIVE_KEYWORDS.split(",")
      .map((k) => k.trim())
      .filter(Boolean),
  };
}

/** the defaults, for callers that build settings without the environment (tests, bench) */
export function defaultPrivacyConfig(): PrivacyConfig {
  return parsePrivacyConfig(z.object(privacyConfigShape).parse({}));
}
