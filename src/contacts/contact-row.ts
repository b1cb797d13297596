import type { CustomerStatus } from "../generated/prisma/client.ts";
import { domainToASCII } from "node:url";
import { AppError } from "../errors.ts";
import { fieldProblem, hasControlCharacters } from "./field-limits.ts";

/** CSV header names an import understands (compared lower-cased, with spaces and dashes read as "_"). */
export const knownColumns = [
  "email",
  "name",
  "phone",
  "company",
  "job_title",
  "industry",
  "company_website",
  "product_interests",
  "notes",
  "source",
  "last_contact_at",
  "customer_status",
  "customer_ended_at",
  "consent",
  "consented_at",
] as const;

export type Column = (typeof knownColumns)[number];

/** Other spellings seen in exports from CRMs and sign-up tools. */
const aliases: Record<string, Column> = {
  has_consent: "consent",
  e_mail: "email",
  consent_date: "consented_at",
};
/** Column name → index in the record. */
export type ColumnMap = Partial<Record<Column, number>>;

/** The contact fields a row provides; absent or empty cells are left out so an update keeps what is stored. */
export interface ContactFields {
  name?: string;
  phone?: string;
  company?: string;
  jobTitle?: string;
  industry?: string;
  companyWebsite?: string;
  productInterests?: string[];
  notes?: string;
  source?: string;
  lastContactAt?: Date;
  customerStatus?: CustomerStatus;
  customerEndedAt?: Date;
}

export interface ContactRow {
  email: string;
  fields: ContactFields;
  consent: boolean;
  consentedAt: Date | undefined;
}

const customerStatuses: readonly CustomerStatus[] = ["none", "prospect", "customer", "former"];
const textColumns = {
  name: "name",
  phone: "phone",
  company: "company",
  job_title: "jobTitle",
  industry: "industry",
  company_website: "companyWebsite",
  notes: "notes",
  source: "source",
} as const satisfies Partial<Record<Column, keyof ContactFields>>;

/** Checked before anything is written: an unknown header means the file is not what we think it is. */
export function mapColumns(header: string[]): ColumnMap {
  const map: ColumnMap = {};
  const unknown: string[] = [];
  header.forEach((raw, index) => {
    const spelled = raw
      .trim()
      .toLowerCase()
      .replace(/[\s-]+/g, "_");
    const name = aliases[spelled] ?? spelled;
    if (!(knownColumns as readonly string[]).includes(name)) return void unknown.push(raw);
    if (map[name as Column] !== undefined)
      throw new AppError(
        "invalid_input",
        `CSV header names column "${raw}" twice (as "${name}"); each column may appear once`,
      );
    map[name as Column] = index;
  });
  if (unknown.length > 0) {
    // Spreadsheets in many locales save "CSV" with semicolons or tabs: one long header cell.
    const hint =
      header.length === 1 && /[;\t]/.test(header[0] ?? "")
        ? " (the file looks semicolon- or tab-separated; save it as comma-separated CSV)"
        : "";
    throw new AppError(
      "invalid_input",
      `unknown CSV column${unknown.length > 1 ? "s" : ""} ${unknown.map((u) => `"${u}"`).join(", ")}; known columns: ${knownColumns.join(", ")}${hint}`,
      { unknown, known: knownColumns },
    );
  }
  if (map.email === undefined) {
    throw new AppError(
      "invalid_input",
      `the CSV header has no "email" column (got: ${header.join(", ") || "an empty first line"}); known columns: ${knownColumns.join(", ")}`,
    );
  }
  return map;
}

// Deliberately plain: no spaces, quotes or brackets in the local part; a dotted domain of letters, digits and dashes.
const localPattern = /^[^\s@"(),:;<>[\]\\]+$/;
const domainPattern = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/;

/**
 * The stored form of an address, or undefined: trimmed, lower-cased, the
 * domain in its ASCII (punycode, RFC 5891) form so SMTP can carry it without
 * SMTPUTF8. RFC 5321 §4.5.3.1: a local part of at most 64 octets, a domain of
 * at most 255, a path of at most 256 (254 characters between the brackets).
 * Control characters, and local parts that would need SMTPUTF8, are refused.
 */
export function parseEmail(raw: string): string | undefined {
  if (hasControlCharacters(raw)) return undefined;
  const trimmed = raw.trim();
  const at = trimmed.lastIndexOf("@");
  if (at < 1) return undefined;
  const local = trimmed.slice(0, at).toLowerCase();
  const unicodeDomain = trimmed.slice(at + 1);
  if (!/^[\x21-\x7e]+$/.test(local) || !localPattern.test(local) || local.length > 64)
    return undefined;
  const domain = domainToASCII(unicodeDomain.toLowerCase());
  if (domain === "" || domain.length > 255 || !domainPattern.test(domain)) return undefined;
  if (domain.split(".").some((label) => label.length > 63)) return undefined;
  const email = `${local}@${domain}`;
  return email.length <= 254 ? email : undefined;
}

/**
 * One mailbox behind its subaddresses: `ann+news@example.com` and
 * `Ann+x@Example.com` are both `ann@example.com`, so a form limit counted per
 * mailbox cannot be dodged with +tags.
 */
export function mailboxOf(email: string): string {
  const at = email.lastIndexOf("@");
  const local = email.slice(0, at);
  const plus = local.indexOf("+");
  return `${plus > 0 ? local.slice(0, plus) : local}@${email.slice(at + 1)}`.toLowerCase();
}

/** `YYYY-MM-DD` (midnight UTC) or an ISO 8601 date-time with a zone; rejects dates that do not exist (2026-02-30). */
export function parseIsoDate(raw: string): Date | undefined {
  const m =
    /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.exec(
      raw,
    );
  if (!m) return undefined;
  const [, y, mo, d, h, mi] = m;
  const day = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  if (
    day.getUTCFullYear() !== Number(y) ||
    day.getUTCMonth() !== Number(mo) - 1 ||
    day.getUTCDate() !== Number(d)
  )
    return undefined;
  if (h === undefined) return day;
  if (Number(h) > 23 || Number(mi) > 59) return undefined;
  const at = new Date(m[7] ? raw.replace(" ", "T") : `${raw.replace(" ", "T")}Z`);
  return Number.isNaN(at.getTime()) ? undefined : at;
}

const yes = new Set(["yes", "true", "1", "y"]);
const no = new Set(["no", "false", "0", "n", ""]);

/** Returns the row, or the reason it is refused (quoting the bad value). */
export function parseContactRow(
  record: string[],
  columns: ColumnMap,
  now: Date,
): ContactRow | { error: string } {
  const cell = (column: Column): string => {
    const index = columns[column];
    return index === undefined ? "" : (record[index] ?? "").trim();
  };
  // Every cell, mapped or not, is checked for control characters (a NUL fails the driver mid-write).
  const bad = record.findIndex((value, i) => i !== columns.notes && hasControlCharacters(value));
  if (bad >= 0)
    return {
      error: `column ${bad + 1} contains a control character (such as NUL); expected plain text`,
    };
  const rawEmail = cell("email");
  if (rawEmail === "") return { error: "email is empty" };
  const email = parseEmail(rawEmail);
  if (!email)
    return {
      error: `invalid email ${JSON.stringify(rawEmail.slice(0, 300))}; expected an address such as name@example.com (at most 64 characters before the @ and 255 after)`,
    };

  const fields: ContactFields = {};
  for (const [column, key] of Object.entries(textColumns) as [
    Column,
    (typeof textColumns)[keyof typeof textColumns],
  ][]) {
    const value = cell(column);
    if (value === "") continue;
    const problem = fieldProblem(key, value);
    if (problem) return { error: problem };
    fields[key] = value;
  }
  const interests = cell("product_interests");
  if (interests !== "") {
    fields.productInterests = interests
      .split(";")
      .map((s) => s.trim())
      .filter(Boolean);
    for (const interest of fields.productInterests) {
      const problem = fieldProblem("productInterest", interest);
      if (problem) return { error: `product_interests: ${problem}` };
    }
  }

  for (const [column, key] of [
    ["last_contact_at", "lastContactAt"],
    ["customer_ended_at", "customerEndedAt"],
  ] as const) {
    const value = cell(column);
    if (value === "") continue;
    const date = parseIsoDate(value);
    if (!date)
      return {
        error: `${column} "${value}" is not a date; expected YYYY-MM-DD or an ISO 8601 date-time`,
      };
    fields[key] = date;
  }
  const status = cell("customer_status").toLowerCase();
  if (status !== "") {
    if (!customerStatuses.includes(status as CustomerStatus)) {
      return {
        error: `customer_status "${cell("customer_status")}" is unknown; expected one of ${customerStatuses.join(", ")}`,
      };
    }
    fields.customerStatus = status as CustomerStatus;
  }

  const consentCell = cell("consent").toLowerCase();
  if (!yes.has(consentCell) && !no.has(consentCell)) {
    return {
      error: `consent "${cell("consent")}" is not understood; expected yes/no, true/false, 1/0, or empty for no`,
    };
  }
  let consentedAt: Date | undefined;
  const consentedCell = cell("consented_at");
  if (consentedCell !== "") {
    consentedAt = parseIsoDate(consentedCell);
    if (!consentedAt)
      return {
        error: `consented_at "${consentedCell}" is not a date; expected YYYY-MM-DD or an ISO 8601 date-time`,
      };
    if (consentedAt.getTime() > now.getTime())
      return { error: `consented_at "${consentedCell}" is in the future` };
  }
  return { email, fields, consent: yes.has(consentCell), consentedAt };
}
