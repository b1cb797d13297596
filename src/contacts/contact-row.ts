import type { CustomerStatus } from "../generated/prisma/client.ts";
import { normaliseAddress } from "../consent/address-hash.ts";
import { AppError } from "../errors.ts";

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

// Deliberately plain: one @, no spaces or quotes, a dotted domain of letters, digits and dashes.
const emailPattern =
  /^[^\s@"(),:;<>[\]\\]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/;

export function parseEmail(raw: string): string | undefined {
  const email = normaliseAddress(raw);
  return email.length <= 254 && emailPattern.test(email) ? email : undefined;
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
  const rawEmail = cell("email");
  if (rawEmail === "") return { error: "email is empty" };
  const email = parseEmail(rawEmail);
  if (!email)
    return { error: `invalid email "${rawEmail}"; expected an address such as name@example.com` };

  const fields: ContactFields = {};
  for (const [column, key] of Object.entries(textColumns) as [
    Column,
    (typeof textColumns)[keyof typeof textColumns],
  ][]) {
    const value = cell(column);
    if (value !== "") fields[key] = value;
  }
  const interests = cell("product_interests");
  if (interests !== "")
    fields.productInterests = interests
      .split(";")
      .map((s) => s.trim())
      .filter(Boolean);

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
