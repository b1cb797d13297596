import crypto from "node:crypto";
import type { Readable } from "node:stream";
import type { Config } from "../config/load-config.ts";
import { AppError } from "../errors.ts";
import type { LegalBasis } from "../generated/prisma/client.ts";
import { recordAudit } from "../privacy/record-audit.ts";
import type { Clock, Db, Logger } from "../types.ts";
import { mapColumns, parseContactRow, type ColumnMap } from "./contact-row.ts";
import { fieldProblem } from "./field-limits.ts";
import { findListBySlug } from "./find-list-by-slug.ts";
import { parseCsv } from "./parse-csv.ts";
import {
  emptyCounts,
  writeImportChunk,
  type ChunkCounts,
  type ImportContext,
  type ImportRow,
} from "./write-import-chunk.ts";

export interface ImportContactsInput {
  csv: string | Buffer | Readable;
  /** list slug: rows with consent are subscribed to it */
  list?: string;
  /** where the consent was collected, e.g. "webinar-2026-10 signup form"; stored with each ledger event */
  consentSource: string;
  /** the basis on which the contacts themselves are held; default legitimate_interest */
  legalBasis?: LegalBasis;
  /** file name for the evidence, if the CSV came from a file */
  fileName?: string;
  /** which record index holds which field, as an operator mapped them (console); default: read from the header */
  columns?: ColumnMap;
  actor: string;
  onProgress?(done: number, total: number): void;
}

export interface ImportError {
  line: number;
  reason: string;
}

export interface ImportResult extends ChunkCounts {
  importId: string;
  /** data rows read, good and bad */
  rows: number;
  errors: ImportError[];
}

/** Rows per transaction: big enough to amortise round trips, small enough to keep locks short. */
export const IMPORT_CHUNK = 500;

/**
 * Imports contacts from CSV. Everything that can be checked before writing is
 * (header, list): a wrong file writes nothing. Bad rows are reported with
 * their line and reason and the good rows are imported. Within one file the
 * first row for an address wins; later rows for it are reported as duplicates
 * (merging would silently pick between conflicting values). An address
 * already stored gets the row's non-empty fields. `consent=yes` with a list
 * subscribes, with a ledger grant; no consent stores the contact only.
 * Suppressed addresses are never subscribed (counted, never logged).
 */
export async function importContacts(
  deps: { db: Db; config: Pick<Config, "suppressionKey">; clock: Clock; log: Logger },
  input: ImportContactsInput,
): Promise<ImportResult> {
  const source = input.consentSource.trim();
  if (source === "")
    throw new AppError(
      "invalid_input",
      'consent source is empty; say where the consent was collected, such as "webinar-2026-10 signup form"',
    );
  const sourceProblem = fieldProblem("source", source);
  if (sourceProblem) throw new AppError("invalid_input", `consent source: ${sourceProblem}`);
  const text = await readAll(input.csv);
  const parsed = parseCsv(text);
  if (parsed.header.length === 0)
    throw new AppError(
      "invalid_input",
      "the CSV is empty; expected a header line such as: email,name,consent",
    );
  const columns = input.columns ?? mapColumns(parsed.header);
  if (columns.email === undefined)
    throw new AppError("invalid_input", "no column is mapped to email; expected exactly one");
  const list = input.list === undefined ? undefined : await findListBySlug(deps.db, input.list);
  const now = deps.clock.now();
  const importId = crypto.randomUUID();

  const errors: ImportError[] = [];
  const rows: ImportRow[] = [];
  const firstLine = new Map<string, number>();
  for (const record of parsed.records) {
    if ("error" in record) {
      errors.push({ line: record.line, reason: record.error });
      continue;
    }
    const row = parseContactRow(record.fields, columns, now);
    if ("error" in row) {
      errors.push({ line: record.line, reason: row.error });
      continue;
    }
    const earlier = firstLine.get(row.email);
    if (earlier !== undefined) {
      errors.push({
        line: record.line,
        reason: `duplicate of line ${earlier} (same email); the first row was imported, this one ignored`,
      });
      continue;
    }
    firstLine.set(row.email, record.line);
    rows.push({ ...row, line: record.line });
  }

  const total = parsed.records.length;
  const ctx: ImportContext = {
    importId,
    fileName: input.fileName ?? null,
    list,
    consentSource: source,
    legalBasis: input.legalBasis ?? "legitimate_interest",
    suppressionKey: deps.config.suppressionKey,
    now,
  };
  const counts = emptyCounts();
  const started = Date.now();
  input.onProgress?.(errors.length, total);
  for (let i = 0; i < rows.length; i += IMPORT_CHUNK) {
    const chunk = rows.slice(i, i + IMPORT_CHUNK);
    let done: ChunkCounts;
    try {
      done = await deps.db.$transaction((tx) => writeImportChunk(tx, chunk, ctx), {
        timeout: 60_000,
        maxWait: 15_000,
      });
    } catch (error) {
      throw await stoppedPartWay(
        deps,
        { ...ctxSummary(ctx, input.actor, total), counts },
        {
          committed: rows.slice(0, i),
          failed: chunk,
          notTried: rows.length - i - chunk.length,
          errors: errors.length,
          error,
        },
      );
    }
    for (const key of Object.keys(counts) as (keyof ChunkCounts)[]) counts[key] += done[key];
    input.onProgress?.(errors.length + i + chunk.length, total);
  }

  errors.sort((a, b) => a.line - b.line);
  const detail = {
    importId,
    list: list?.slug ?? null,
    consentSource: source,
    legalBasis: ctx.legalBasis,
    file: ctx.fileName,
    rows: total,
    ...counts,
    errors: errors.length,
  };
  await recordAudit(deps.db, {
    actor: input.actor,
    action: "contacts.imported",
    subjectType: list ? "list" : "import",
    subjectId: list?.id ?? importId,
    detail,
  });
  deps.log.info("contacts imported", { ...detail, ms: Date.now() - started });
  return { importId, rows: total, ...counts, errors };
}

function ctxSummary(ctx: ImportContext, actor: string, rows: number) {
  return {
    importId: ctx.importId,
    list: ctx.list,
    consentSource: ctx.consentSource,
    legalBasis: ctx.legalBasis,
    file: ctx.fileName,
    actor,
    rows,
  };
}

/**
 * A chunk's transaction failed after every row passed validation (the
 * database went away, a constraint we do not know of). Chunks before it are
 * committed, it and those after are not: the audit log and the error say
 * exactly which lines, so a re-run of the file (safe: existing contacts are
 * updated, active subscriptions left alone) or a fix can follow. The driver's
 * message stays out of both, since it may quote row data.
 */
async function stoppedPartWay(
  deps: { db: Db; log: Logger },
  summary: ReturnType<typeof ctxSummary> & { counts: ChunkCounts },
  part: {
    committed: ImportRow[];
    failed: ImportRow[];
    notTried: number;
    errors: number;
    error: unknown;
  },
): Promise<AppError> {
  const lines = (rows: ImportRow[]) =>
    rows.length === 0 ? "none" : `lines ${rows[0]!.line}-${rows[rows.length - 1]!.line}`;
  const errorName = part.error instanceof Error ? part.error.name : "unknown";
  const errorCode =
    typeof (part.error as { code?: unknown })?.code === "string"
      ? (part.error as { code: string }).code
      : null;
  const detail = {
    importId: summary.importId,
    list: summary.list?.slug ?? null,
    consentSource: summary.consentSource,
    legalBasis: summary.legalBasis,
    file: summary.file,
    rows: summary.rows,
    ...summary.counts,
    errors: part.errors,
    committedRows: part.committed.length,
    committedLines: lines(part.committed),
    failedLines: lines(part.failed),
    notTried: part.notTried,
    error: errorName,
    errorCode,
  };
  await recordAudit(deps.db, {
    actor: summary.actor,
    action: "contacts.import_incomplete",
    subjectType: summary.list ? "list" : "import",
    subjectId: summary.list?.id ?? summary.importId,
    detail,
  }).catch(() => {
    deps.log.error("could not record the incomplete import in the audit log", {
      importId: summary.importId,
    });
  });
  deps.log.error("contacts import stopped part-way", detail);
  return new AppError(
    "incomplete",
    `the import stopped part-way (database error ${errorCode ?? errorName}): ${part.committed.length} valid rows (${lines(part.committed)}) were committed (${summary.counts.imported} new contacts, ${summary.counts.updated} updated, ${summary.counts.subscribed} subscribed); ${part.failed.length} rows (${lines(part.failed)}) were rolled back and ${part.notTried} later rows were not tried. Re-running the same file is safe: committed rows are found again and left as they are. Import id ${summary.importId}.`,
    detail,
  );
}

async function readAll(csv: string | Buffer | Readable): Promise<Buffer> {
  if (typeof csv === "string") return Buffer.from(csv, "utf8");
  if (Buffer.isBuffer(csv)) return csv;
  const chunks: Buffer[] = [];
  for await (const chunk of csv)
    chunks.push(typeof chunk === "string" ? Buffer.from(chunk, "utf8") : (chunk as Buffer));
  return Buffer.concat(chunks);
}
