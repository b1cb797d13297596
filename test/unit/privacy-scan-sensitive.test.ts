import { describe, expect, it } from "vitest";
import { scanSensitive } from "../../src/privacy/scan-sensitive.ts";

/**
 * Valid Norwegian numbers made here rather than copied from anywhere: DDMMYY, a
 * three-digit individual number, then the two check digits of the Skatteetaten rule
 * (weights 3 7 6 1 8 9 4 5 2, then 5 4 3 2 7 6 5 4 3 2; 11 - sum mod 11, 11 -> 0,
 * 10 -> no number with this individual number).
 */
function norwegianId(date: string, individual: number): string | null {
  const base = date + String(individual).padStart(3, "0");
  const check = (weights: number[], digits: string): number | null => {
    const sum = weights.reduce((acc, w, i) => acc + w * Number(digits[i]), 0);
    const k = (11 - (sum % 11)) % 11;
    return k === 10 ? null : k;
  };
  const k1 = check([3, 7, 6, 1, 8, 9, 4, 5, 2], base);
  if (k1 === null) return null;
  const k2 = check([5, 4, 3, 2, 7, 6, 5, 4, 3, 2], base + k1);
  return k2 === null ? null : `${base}${k1}${k2}`;
}

function firstValid(date: string): string {
  for (let n = 100; n < 1000; n++) {
    const id = norwegianId(date, n);
    if (id) return id;
  }
  throw new Error("no valid number");
}

const fnr = firstValid("150589");
const dNumber = firstValid("550589"); // day 15 + 40

const kinds = (text: string): string[] => scanSensitive(text).findings.map((f) => f.kind);

describe("scanSensitive finds numbers with valid check digits", () => {
  it.each([
    [`mitt fødselsnummer er ${fnr}.`, "fodselsnummer"],
    [`fnr ${fnr.slice(0, 6)} ${fnr.slice(6)}`, "fodselsnummer"],
    [`D-nummer: ${dNumber}`, "d-number"],
    ["mijn BSN is 111222333", "bsn"],
    ["burgerservicenummer 123456782", "bsn"],
    ["kaart 4111 1111 1111 1111 vervalt 12/29", "payment-card"],
    ["card: 5555-5555-5555-4444", "payment-card"],
    ["amex 378282246310005 thanks", "payment-card"],
    ["IBAN NL91 ABNA 0417 1643 00, graag", "iban"],
    ["konto NO9386011117947.", "iban"],
    ["DE89370400440532013000", "iban"],
    ["GB82 WEST 1234 5698 7654 32", "iban"],
    ["iban in lower case: nl91abna0417164300", "iban"],
  ])("%s", (text, kind) => {
    expect(kinds(text)).toEqual([kind]);
  });

  it("redacts in place and reports offsets into the original text", () => {
    const text = `Hei! Fnr ${fnr}, kort 4111111111111111 og IBAN NO93 8601 1117 947.`;
    const { redacted, findings } = scanSensitive(text);
    expect(redacted).toBe(
      "Hei! Fnr [redacted fodselsnummer], kort [redacted payment-card] og IBAN [redacted iban].",
    );
    expect(findings.map((f) => text.slice(f.start, f.end))).toEqual([
      fnr,
      "4111111111111111",
      "NO93 8601 1117 947",
    ]);
  });

  it("keywords are found whole-word in any case, and not redacted", () => {
    const { redacted, findings } = scanSensitive("Ik heb Diabetes, geen prediabetesklachten.", {
      keywords: ["diabetes"],
    });
    expect(findings).toEqual([{ kind: "keyword", start: 7, end: 15 }]);
    expect(redacted).toBe("Ik heb Diabetes, geen prediabetesklachten.");
  });
});

describe("scanSensitive does not flag look-alikes", () => {
  it.each([
    ["a valid BSN as an order number", "Order 123456782 is shipped"],
    ["a valid BSN after #", "ticket #111222333"],
    ["a valid card number as an invoice number", "factuur: 4111111111111111"],
    ["a valid BSN inside a longer run", "ref9123456782 and 9123456782 and 11122233300"],
    ["a Luhn-valid run with a leading zero", "04111111111111111"],
    ["a card number with a wrong check digit", "4111 1111 1111 1112"],
    ["an fnr with a wrong check digit", `${fnr.slice(0, 10)}${(Number(fnr[10]) + 1) % 10}`],
    ["dates", "2026-12-01, 01.12.2026, 01-12-2026 10:00, 01/12/2026"],
    [
      "phone numbers",
      "+47 915 55 555, +31 6 12345678, 0612345678, (020) 123 4567, tel. 12345678901",
    ],
    ["amounts", "EUR 1.234.567,89 and 123,456,789.00"],
    ["an IBAN with wrong check digits", "NL92 ABNA 0417 1643 00"],
    ["an IBAN-like word", "NL91ABNA0417164300X"],
  ])("%s", (_, text) => {
    expect(scanSensitive(text).findings).toEqual([]);
  });
});
