import { parse, type CsvError } from "csv-parse/sync";

/** One data record, or the reason it could not be read, with its first physical line (1-based). */
export type CsvRecord = { line: number; fields: string[] } | { line: number; error: string };

export interface ParsedCsv {
  header: string[];
  records: CsvRecord[];
}

/** Thrown from csv-parse's callbacks to stop a pass and resume after a bad record's first line. */
class Resync {
  constructor(readonly startByte: number) {}
}

const strayQuote =
  'a quote (") inside an unquoted field; quote the whole field and double the quotes inside it';
const unclosed =
  'unterminated or malformed quoted field: a field opens with " and is not closed by " followed by a comma or the end of the line';

/**
 * RFC 4180 CSV (quoted fields may hold commas, doubled quotes and line breaks;
 * CRLF or LF; an optional UTF-8 BOM), read so that one bad record loses only
 * itself. An unterminated quote would otherwise swallow every line up to the
 * next quote character, so a record that spans lines and turns out malformed
 * is reported at its first line and reading resumes on the line after it.
 * Blank and all-empty lines are ignored. The first record is the header.
 */
export function parseCsv(input: Buffer): ParsedCsv {
  const lineStarts = lineStartOffsets(input);
  const lineAt = (byte: number) => lineOfByte(lineStarts, byte);
  let header: string[] | undefined;
  let expected = 0;
  const records: CsvRecord[] = [];
  let from = input[0] === 0xef && input[1] === 0xbb && input[2] === 0xbf ? 3 : 0;

  while (from < input.length) {
    let recordStart = from;
    const base = from;
    try {
      parse(input.subarray(from), {
        relax_column_count: true,
        skip_records_with_error: true,
        on_record: (fields: string[], info) => {
          const start = recordStart;
          recordStart = base + info.bytes;
          // Blank lines, and the all-empty rows spreadsheets leave at the end, are not records.
          if (fields.every((f) => f === "")) return null;
          const line = lineAt(start);
          const spansLines = lineAt(recordStart - 1) > line;
          if (!header) {
            header = fields;
            expected = fields.length;
            return null;
          }
          if (fields.length !== expected) {
            if (spansLines) throw new Resync(start);
            records.push({
              line,
              error: `expected ${expected} fields as in the header, got ${fields.length}`,
            });
          } else if (spansLines && /[\r\n]/.test(fields[0] ?? "")) {
            // A line break in the first column is an unclosed quote far more often than real data.
            throw new Resync(start);
          } else {
            records.push({ line, fields });
          }
          return null;
        },
        on_skip: (error: CsvError | undefined) => {
          const start = recordStart;
          const line = lineAt(start);
          if (error?.code !== "INVALID_OPENING_QUOTE") throw new Resync(start);
          records.push({ line, error: strayQuote });
          // csv-parse resumes after the bad record's line; the next record starts there.
          recordStart = lineStarts[line] ?? input.length;
          return undefined;
        },
      });
      break;
    } catch (thrown) {
      if (!(thrown instanceof Resync)) throw thrown;
      const line = lineAt(thrown.startByte);
      records.push({ line, error: unclosed });
      from = lineStarts[line] ?? input.length;
    }
  }
  return { header: header ?? [], records };
}

/** Byte offset where each physical line starts; index 0 is line 1. */
function lineStartOffsets(input: Buffer): number[] {
  const starts = [0];
  for (let i = input.indexOf(10); i !== -1; i = input.indexOf(10, i + 1)) starts.push(i + 1);
  return starts;
}

function lineOfByte(starts: number[], byte: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= byte) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}
