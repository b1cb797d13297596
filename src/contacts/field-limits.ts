/**
 * The one set of limits every entry point applies to contact fields (CSV
 * import, the sign-up form, the admin API, the CLI), checked before anything
 * is written: a NUL byte that reaches the database driver fails mid-write,
 * and a 100,000-character name becomes a header line no mail system accepts
 * (RFC 5322 §2.1.1: 998 characters).
 */
export const fieldLimits = {
  name: 200,
  phone: 50,
  company: 200,
  jobTitle: 200,
  industry: 100,
  companyWebsite: 500,
  productInterest: 200,
  notes: 10_000,
  source: 500,
} as const;

export type LimitedField = keyof typeof fieldLimits;

// C0 controls, DEL and C1 controls; notes may keep line breaks and tabs. Matching them is the point.
// eslint-disable-next-line no-control-regex
const controls = /[\u0000-\u001f\u007f-\u009f]/;
// eslint-disable-next-line no-control-regex
const controlsButBreaks = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

/** Why a value is refused, quoting what was expected; undefined when it is fine. */
export function fieldProblem(field: LimitedField, value: string): string | undefined {
  const pattern = field === "notes" ? controlsButBreaks : controls;
  if (pattern.test(value))
    return `${field} contains a control character (such as NUL or a line break); expected plain text`;
  const max = fieldLimits[field];
  const length = [...value].length;
  if (length > max) return `${field} is ${length} characters long; at most ${max} are allowed`;
  return undefined;
}

/** Whether text holds a control character (NUL included). */
export function hasControlCharacters(value: string): boolean {
  return controls.test(value);
}
