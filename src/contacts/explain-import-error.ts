/**
 * Splits an import error's reason (as importContacts and parseCsv word it)
 * into what was wrong and what was expected, for the console's error table.
 * The reasons stay one sentence for the CLI and the API; this only reads them.
 */
export function explainImportError(reason: string): { wrong: string; expected: string } {
  const fields = /^expected (\d+) fields as in the header, got (\d+)$/.exec(reason);
  if (fields)
    return { wrong: `${fields[2]} fields`, expected: `${fields[1]} fields, as in the header` };
  if (reason === "email is empty")
    return { wrong: "the email is empty", expected: "an address such as name@example.com" };
  const duplicate = /^(duplicate of line \d+ \(same email\)); (.*)$/.exec(reason);
  if (duplicate)
    return { wrong: duplicate[1]!, expected: `each address once per file (${duplicate[2]})` };
  if (/ is in the future$/.test(reason))
    return {
      wrong: reason,
      expected: "the date the person agreed, which cannot be later than now",
    };
  const unclosed =
    /^(unterminated or malformed quoted field): a field opens with " and is not closed by (.*)$/.exec(
      reason,
    );
  if (unclosed)
    return { wrong: unclosed[1]!, expected: `a field that opens with " closed by ${unclosed[2]}` };
  const tooLong = /^(.* characters long); (at most \d+) are allowed$/.exec(reason);
  if (tooLong) return { wrong: tooLong[1]!, expected: `${tooLong[2]} characters` };
  const expected = /^(.*?); expected (.*)$/.exec(reason);
  if (expected) return { wrong: expected[1]!, expected: expected[2]! };
  const quote = /^(a quote \("\) inside an unquoted field); (.*)$/.exec(reason);
  if (quote) return { wrong: quote[1]!, expected: quote[2]! };
  return { wrong: reason, expected: "" };
}
