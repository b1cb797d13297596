// RFC 4180 reading, and recovery: one bad record loses only itself.
import { describe, expect, it } from "vitest";
import { parseCsv } from "../../src/contacts/parse-csv.ts";

const read = (text: string) => parseCsv(Buffer.from(text, "utf8"));

describe("parseCsv", () => {
  it("reads quoted commas, doubled quotes, CRLF, a BOM, and line breaks inside quotes, numbering records by their first line", () => {
    const parsed = read(
      '\uFEFFemail,notes\r\na@x.com,"one, two"\r\nb@x.com,"say ""hi"""\r\n\r\nc@x.com,"line 1\r\nline 2"\r\nd@x.com,plain',
    );
    expect(parsed.header).toEqual(["email", "notes"]);
    expect(parsed.records).toEqual([
      { line: 2, fields: ["a@x.com", "one, two"] },
      { line: 3, fields: ["b@x.com", 'say "hi"'] },
      { line: 5, fields: ["c@x.com", "line 1\r\nline 2"] },
      { line: 7, fields: ["d@x.com", "plain"] },
    ]);
  });

  it("reports a wrong field count on its line and keeps going", () => {
    expect(read("email,name\na@x.com,A,extra\nb@x.com\nc@x.com,C\n").records).toEqual([
      { line: 2, error: "expected 2 fields as in the header, got 3" },
      { line: 3, error: "expected 2 fields as in the header, got 1" },
      { line: 4, fields: ["c@x.com", "C"] },
    ]);
  });

  it("an unterminated quote at the end of the file loses only its own line", () => {
    const { records } = read('email,name\na@x.com,"Ann\nb@x.com,Bob\nc@x.com,Cy');
    expect(records[0]).toEqual({
      line: 2,
      error: expect.stringMatching(/^unterminated or malformed quoted field/),
    });
    expect(records.slice(1)).toEqual([
      { line: 3, fields: ["b@x.com", "Bob"] },
      { line: 4, fields: ["c@x.com", "Cy"] },
    ]);
  });

  it("an unterminated quote that runs into a later quoted field loses only its own line", () => {
    const { records } = read(
      'email,name\na@x.com,"Ann\nb@x.com,Bob\nc@x.com,"Cy, Inc"\nd@x.com,Di\n',
    );
    expect(records).toEqual([
      { line: 2, error: expect.stringMatching(/^unterminated/) },
      { line: 3, fields: ["b@x.com", "Bob"] },
      { line: 4, fields: ["c@x.com", "Cy, Inc"] },
      { line: 5, fields: ["d@x.com", "Di"] },
    ]);
  });

  it("an unterminated quote in the first column is caught even when the field count happens to match", () => {
    const { records } = read('email,name\n"a@x.com,Ann\nb@x.com",Bob\nc@x.com,Cy\n');
    expect(records[0]).toMatchObject({ line: 2, error: expect.stringMatching(/^unterminated/) });
    expect(records.at(-1)).toEqual({ line: 4, fields: ["c@x.com", "Cy"] });
  });

  it("reports a stray quote inside an unquoted field and a bad closing quote", () => {
    expect(read('email,name\na@x.com,An"n\nb@x.com,"Bo"b\nc@x.com,Cy\n').records).toEqual([
      { line: 2, error: expect.stringMatching(/^a quote \(".*inside an unquoted field/) },
      { line: 3, error: expect.stringMatching(/^unterminated or malformed quoted field/) },
      { line: 4, fields: ["c@x.com", "Cy"] },
    ]);
  });

  it("skips the all-empty rows spreadsheets leave behind", () => {
    expect(read("email,name\n,\na@x.com,A\n,\n\n").records).toEqual([
      { line: 3, fields: ["a@x.com", "A"] },
    ]);
  });

  it("an empty input has no header", () => {
    expect(read("")).toEqual({ header: [], records: [] });
  });
});
