import { knownColumns, type Column } from "./contact-row.ts";

/**
 * Header words seen in exports from CRMs, spreadsheets and sign-up tools,
 * tried in order after an exact (normalised) match; the first column that
 * claims a field keeps it, so "email" beats a later "work email".
 */
const hints: Array<[RegExp, Column]> = [
  [/consent.*(date|time|_at|when)|opt_?in.*(date|_at)|(date|time).*consent/, "consented_at"],
  [/consent|opt_?in|newsletter|subscribe|permission|gdpr/, "consent"],
  [/e_?mail/, "email"],
  [/phone|mobile|tel(ephone)?$|^tel/, "phone"],
  [/website|homepage|^url$|^web$/, "company_website"],
  [/compan|organi[sz]ation|^org$|employer|account_?name|firm/, "company"],
  [/job|title|position|role/, "job_title"],
  [/industry|sector|branch/, "industry"],
  [/interest|product/, "product_interests"],
  [/last_?contact/, "last_contact_at"],
  [/customer.*(end|until|left)/, "customer_ended_at"],
  [/customer|status/, "customer_status"],
  [/note|comment|remark/, "notes"],
  [/source|origin|lead_?source/, "source"],
  [/name/, "name"],
];

function normalise(header: string): string {
  return header
    .trim()
    .toLowerCase()
    .replace(/[\s\-.]+/g, "_");
}

/** A field for each CSV column, or null where none fits; no field is guessed twice. */
export function guessColumns(header: readonly string[]): Array<Column | null> {
  const taken = new Set<Column>();
  const guesses: Array<Column | null> = header.map(() => null);
  const known = knownColumns as readonly string[];
  // Exact names first, so an "email" column wins over "email_opt_in" read as consent.
  header.forEach((h, i) => {
    const name = normalise(h);
    if (known.includes(name) && !taken.has(name as Column)) {
      guesses[i] = name as Column;
      taken.add(name as Column);
    }
  });
  header.forEach((h, i) => {
    if (guesses[i] !== null) return;
    const name = normalise(h);
    for (const [pattern, column] of hints) {
      if (!known.includes(column) || taken.has(column) || !pattern.test(name)) continue;
      guesses[i] = column;
      taken.add(column);
      return;
    }
  });
  return guesses;
}
