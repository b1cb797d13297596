import { electronicFormatIBAN, isValidIBAN } from "ibantools";

/**
 * scanSensitive(text, options?) -> { redacted, findings }
 *
 * Finds personal data that must not travel or rest in email (the privacy statement
 * says so) and returns the text with each number replaced by `[redacted <kind>]`, plus
 * where each was in the ORIGINAL text (`start` inclusive, `end` exclusive, UTF-16
 * offsets). Pure: no I/O, same input same output. Used for dialogue records, and meant
 * for newsletters and later privacy work too; keep the API this small.
 *
 * Kinds, each only with valid check digits, so a random number rarely qualifies:
 * - fodselsnummer: Norwegian national identity number, 11 digits DDMMYY + individual
 *   number + two mod-11 check digits, with a real date ("DDMMYY NNNNN" allowed).
 * - d-number: the same with 40 added to the day (foreigners' D-nummer). H-numbers and
 *   synthetic test numbers (40 or 80 added to the month) are not matched.
 * - bsn: Dutch burgerservicenummer, 9 digits passing the 11-proof.
 * - payment-card: 13-19 digits starting 2-6 (the card networks' ranges) passing Luhn,
 *   in groups separated by single spaces or dashes.
 * - iban: ISO 13616, check digits mod 97 and the country's BBAN format (ibantools),
 *   spaced in groups or not.
 * - keyword: a whole-word, case-insensitive match of `options.keywords` (health terms
 *   and the like). Keywords are reported but not redacted (the words alone are not the
 *   data; the finding flags the record for a person to look at).
 *
 * Against false positives: a number counts only as a whole run of digits (a run
 * continues over single spaces or dashes between digits, so a match inside a longer run
 * of digits is no match), not when it follows "+" or a letter (phone numbers, codes),
 * and not when words such as order, invoice, ticket, tracking, phone, tel or "#" stand
 * just before it. Dates and phone numbers have the wrong lengths or fail the checks.
 */

export type SensitiveKind =
  "fodselsnummer" | "d-number" | "bsn" | "payment-card" | "iban" | "keyword";

export interface SensitiveFinding {
  kind: SensitiveKind;
  start: number;
  end: number;
}

export interface ScanOptions {
  /** extra words to flag (not redact), e.g. diagnoses; matched whole-word, any case */
  keywords?: readonly string[];
}

export function scanSensitive(
  text: string,
  options: ScanOptions = {},
): { redacted: string; findings: SensitiveFinding[] } {
  const findings: SensitiveFinding[] = [...findIbans(text), ...findNumbers(text)];
  const taken = (start: number, end: number): boolean =>
    findings.some((f) => start < f.end && f.start < end);
  const numbers = findings.filter(
    (f, i) => !findings.slice(0, i).some((g) => f.start < g.end && g.start < f.end),
  );
  const keywords = findKeywords(text, options.keywords ?? []).filter((f) => !taken(f.start, f.end));
  const all = [...numbers, ...keywords].sort((a, b) => a.start - b.start);

  let redacted = "";
  let at = 0;
  for (const finding of all) {
    if (finding.kind === "keyword") continue;
    redacted += text.slice(at, finding.start) + `[redacted ${finding.kind}]`;
    at = finding.end;
  }
  redacted += text.slice(at);
  return { redacted, findings: all };
}

const excludingContext =
  /(?<!\p{L})(order|ordre|bestelling|bestellung|commande|invoice|factuur|faktura|rechnung|facture|ticket|sak|zaak|case|tracking|track|parcel|pakke|pakket|sending|phone|tel|telefon|telefoon|mobil|mobile|fax|ref|referanse|referentie|kundenummer|kundenr|klantnummer|klantnr|ordrenr|ordernr|fakturanr|bestelnr|customer|account no|konto|kontonummer)[\s.:#-]*(nr|no|nummer|number)?[\s.:#-]*$|#\s*$/iu;

function findNumbers(text: string): SensitiveFinding[] {
  const found: SensitiveFinding[] = [];
  // A maximal run of digits with single spaces or dashes between them.
  for (const match of text.matchAll(/\d(?:[ -]?\d)*/g)) {
    const run = match[0];
    const digits = run.replace(/[ -]/g, "");
    // only these lengths can be one of the kinds: the context checks below are for them
    if (digits.length !== 9 && digits.length !== 11 && (digits.length < 13 || digits.length > 19))
      continue;
    const start = match.index;
    const end = start + run.length;
    const before = text.slice(Math.max(0, start - 24), start);
    // glued to a letter, "+", a decimal point or a slash: a code, phone, amount or date
    if (/[\p{L}+.,/:]$/u.test(before) || /^[\p{L}.,/:]\d|^[\p{L}/]/u.test(text.slice(end, end + 2)))
      continue;
    if (excludingContext.test(before)) continue;
    if (/ {2,}|- | -|--/.test(run)) continue;
    const kind = numberKind(digits, run);
    if (kind) found.push({ kind, start, end });
  }
  return found;
}

function numberKind(digits: string, run: string): SensitiveKind | null {
  if (digits.length === 11) {
    const nin = norwegianIdKind(digits);
    if (nin) return nin;
  }
  if (digits.length === 9 && run === digits && isBsn(digits)) return "bsn";
  if (digits.length >= 13 && digits.length <= 19 && /^[2-6]/.test(digits) && luhn(digits)) {
    // Grouped cards use the same separator throughout (4111 1111 ... or 4111-1111-...).
    if (/ /.test(run) && /-/.test(run)) return null;
    return "payment-card";
  }
  return null;
}

/** Fødselsnummer or D-number: both mod-11 check digits and a real date. */
function norwegianIdKind(d: string): "fodselsnummer" | "d-number" | null {
  const n = [...d].map(Number);
  const k1 = mod11([3, 7, 6, 1, 8, 9, 4, 5, 2], n);
  const k2 = mod11([5, 4, 3, 2, 7, 6, 5, 4, 3, 2], n);
  if (k1 !== n[9] || k2 !== n[10]) return null;
  let day = n[0]! * 10 + n[1]!;
  const month = n[2]! * 10 + n[3]!;
  const dNumber = day > 40;
  if (dNumber) day -= 40;
  if (month < 1 || month > 12 || day < 1) return null;
  const daysInMonth = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
  if (day > daysInMonth) return null;
  return dNumber ? "d-number" : "fodselsnummer";
}

function mod11(weights: number[], digits: number[]): number {
  const sum = weights.reduce((acc, w, i) => acc + w * digits[i]!, 0);
  const check = 11 - (sum % 11);
  return check === 11 ? 0 : check; // 10 never matches a digit: invalid
}

/** The 11-proof: 9*d1 + 8*d2 + ... + 2*d8 - 1*d9 divisible by 11. */
function isBsn(d: string): boolean {
  if (/^0+$/.test(d)) return false;
  const n = [...d].map(Number);
  const sum = n.slice(0, 8).reduce((acc, digit, i) => acc + (9 - i) * digit, 0) - n[8]!;
  return sum % 11 === 0;
}

function luhn(d: string): boolean {
  let sum = 0;
  for (let i = 0; i < d.length; i++) {
    let digit = Number(d[d.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

function findIbans(text: string): SensitiveFinding[] {
  const found: SensitiveFinding[] = [];
  // Country code, check digits, then up to 30 characters, optionally in groups of 4.
  for (const match of text.matchAll(/(?<![\p{L}\d])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{1,4}){2,8}/giu)) {
    let candidate = match[0];
    // Spaced: drop trailing groups until it validates (the next word may have been
    // taken in). Unspaced: the whole token must validate.
    for (;;) {
      const after = text[match.index + candidate.length] ?? "";
      if (!/[\p{L}\d]/u.test(after) && isValidIBAN(electronicFormatIBAN(candidate) ?? "")) {
        found.push({ kind: "iban", start: match.index, end: match.index + candidate.length });
        break;
      }
      const space = candidate.lastIndexOf(" ");
      if (space < 15) break;
      candidate = candidate.slice(0, space);
    }
  }
  return found;
}

function findKeywords(text: string, keywords: readonly string[]): SensitiveFinding[] {
  const found: SensitiveFinding[] = [];
  for (const keyword of keywords) {
    const word = keyword.trim();
    if (!word) continue;
    const escaped = word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    for (const match of text.matchAll(
      new RegExp(`(?<![\\p{L}\\d])${escaped}(?![\\p{L}\\d])`, "giu"),
    ))
      found.push({ kind: "keyword", start: match.index, end: match.index + match[0].length });
  }
  return found;
}
