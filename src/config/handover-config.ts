/**
 * The offboarding handover's options (issue 9). Spread into the one zod
 * schema in config-schema.ts; documented with their defaults in .env.example.
 */
import { z } from "zod";
import { AppError } from "../errors.ts";

export const handoverRuleNames = ["contacts", "customer-domains", "dialogues", "flagged"] as const;
export type HandoverRule = (typeof handoverRuleNames)[number];

export interface HandoverConfig {
  /** connection pairs (source + target) copying in parallel */
  connections: number;
  /** which relevance rules select mail when --all is not given */
  rules: HandoverRule[];
  /** only mail whose internal date is within this many months (flagged mail regardless) */
  windowMonths: number;
  /** domains whose mail is relevant, besides those of contacts who are customers */
  customerDomains: string[];
  /** run after the source is emptied, to delete the account (IMAP cannot) */
  hook: { command: string } | { url: string } | undefined;
  hookTimeoutMs: number;
}

export const handoverConfigShape = {
  HANDOVER_CONNECTIONS: z.coerce.number().int().min(1).max(16).default(4),
  HANDOVER_RULES: z.string().default(handoverRuleNames.join(",")),
  HANDOVER_WINDOW_MONTHS: z.coerce.number().int().positive().default(24),
  HANDOVER_CUSTOMER_DOMAINS: z.string().default(""),
  HANDOVER_HOOK_COMMAND: z.string().optional(),
  HANDOVER_HOOK_URL: z
    .url({ protocol: /^https?$/, error: "expected an http(s) URL that accepts a JSON POST" })
    .optional(),
  HANDOVER_HOOK_TIMEOUT_SECONDS: z.coerce.number().int().positive().default(60),
};

const handoverSchema = z.object(handoverConfigShape);
type Raw = z.infer<typeof handoverSchema>;

export function parseHandoverConfig(raw: Raw): HandoverConfig {
  const rules = raw.HANDOVER_RULES.split(",")
    .map((r) => r.trim())
    .filter(Boolean);
  for (const rule of rules) {
    if (!(handoverRuleNames as readonly string[]).includes(rule))
      throw new AppError(
        "config",
        `HANDOVER_RULES (got "${raw.HANDOVER_RULES}"): unknown rule "${rule}"; expected a comma-separated list of ${handoverRuleNames.join(", ")}`,
      );
  }
  if (raw.HANDOVER_HOOK_COMMAND && raw.HANDOVER_HOOK_URL)
    throw new AppError(
      "config",
      "HANDOVER_HOOK_COMMAND and HANDOVER_HOOK_URL: set one of them (the account-deletion hook), not both",
    );
  return {
    connections: raw.HANDOVER_CONNECTIONS,
    rules: rules as HandoverRule[],
    windowMonths: raw.HANDOVER_WINDOW_MONTHS,
    customerDomains: raw.HANDOVER_CUSTOMER_DOMAINS.split(",")
      .map((d) => d.trim().toLowerCase().replace(/^@/, ""))
      .filter(Boolean),
    hook: raw.HANDOVER_HOOK_COMMAND
      ? { command: raw.HANDOVER_HOOK_COMMAND }
      : raw.HANDOVER_HOOK_URL
        ? { url: raw.HANDOVER_HOOK_URL }
        : undefined,
    hookTimeoutMs: raw.HANDOVER_HOOK_TIMEOUT_SECONDS * 1000,
  };
}

/** the defaults, for callers that build settings without the environment (tests, bench) */
export function defaultHandoverConfig(overrides: Partial<HandoverConfig> = {}): HandoverConfig {
  return { ...parseHandoverConfig(handoverSchema.parse({})), ...overrides };
}
