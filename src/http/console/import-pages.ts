/**
 * CSV import (marketing): upload, map the columns, import with a progress
 * bar, then the per-line errors. The file travels as multipart/form-data,
 * at most MAX_UPLOAD_BYTES, and stays in memory only (import-sessions.ts says
 * why). importContacts checks the whole file before it writes anything and
 * imports the good rows; the refused lines are listed with their reasons.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { contactsStyles } from "./contacts-styles.ts";
import { z } from "zod";
import { knownColumns, type Column, type ColumnMap } from "../../contacts/contact-row.ts";
import { findListBySlug } from "../../contacts/find-list-by-slug.ts";
import { guessColumns } from "../../contacts/guess-columns.ts";
import { importContacts } from "../../contacts/import-contacts.ts";
import { listLists } from "../../contacts/list-lists.ts";
import { parseCsv } from "../../contacts/parse-csv.ts";
import { AppError, isAppError } from "../../errors.ts";
import type { HttpDeps } from "../deps.ts";
import { httpStatusOf } from "../error-status.ts";
import { actorOf, html, operatorOf, requireRole, sendPage, type Html } from "./console-kit.ts";
import { createImportSessions, type ImportSession } from "./import-sessions.ts";
import { acceptMultipartForms, uploadedFiles, type MultipartBody } from "./multipart-form.ts";
import {
  legalBases,
  renderMappingForm,
  renderProgress,
  renderUploadForm,
  type UploadValues,
} from "./render-import-pages.ts";

/** Some 50,000 rows of a typical CRM export; larger files belong to the CLI (contacts import). */
export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;
const SAMPLE_ROWS = 3;

type WithId = { Params: { id: string } };

const uploadForm = z.object({
  list: z.string().trim().max(48).optional(),
  consentSource: z.string().trim().max(500).optional(),
  legalBasis: z.enum(legalBases).optional(),
});

export function register(app: FastifyInstance, deps: HttpDeps): void {
  const sessions = createImportSessions({ ttlMs: 60 * 60_000, perOperator: 3, total: 20 });
  const marketing = { preHandler: requireRole("marketing") };
  const page = (
    request: FastifyRequest,
    reply: FastifyReply,
    body: Html,
    status?: number,
    error?: string,
  ) =>
    sendPage(
      request,
      reply,
      {
        title: "Import contacts",
        area: "contacts",
        styles: contactsStyles,
        body,
        ...(error ? { notice: { kind: "error" as const, message: error } } : {}),
      },
      status,
    );
  const session = (request: FastifyRequest<WithId>): ImportSession => {
    const s = sessions.get(request.params.id, operatorOf(request).id);
    if (!s)
      throw new AppError(
        "not_found",
        "this import is not known here: it expired an hour after it was last opened, or it was started by someone else; upload the file again",
      );
    return s;
  };

  app.get("/admin/contacts/import", marketing, async (request, reply) =>
    page(request, reply, renderUploadForm(request, await listLists(deps.db), MAX_UPLOAD_BYTES)),
  );

  app.register(async (uploads) => {
    acceptMultipartForms(uploads, { bodyLimit: MAX_UPLOAD_BYTES + 64 * 1024 });
    uploads.setErrorHandler(async (error: { code?: string }, request, reply) => {
      if (error.code !== "FST_ERR_CTP_BODY_TOO_LARGE") throw error;
      return page(
        request,
        reply,
        renderUploadForm(request, await listLists(deps.db), MAX_UPLOAD_BYTES),
        413,
        `the file is larger than ${MAX_UPLOAD_BYTES / 1024 / 1024} MB; split it, or import it with the CLI (mailsteward contacts import)`,
      );
    });
    uploads.post("/admin/contacts/import", marketing, async (request, reply) => {
      const body = request.body as MultipartBody;
      const values = uploadForm.parse({
        list: body.list || undefined,
        consentSource: body.consentSource,
        legalBasis: body.legalBasis || undefined,
      }) satisfies UploadValues;
      try {
        const s = sessions.add({
          operatorId: operatorOf(request).id,
          ...(await readUpload(deps, body, values)),
        });
        return reply.redirect(`/admin/contacts/import/${s.id}`, 303);
      } catch (error) {
        if (!isAppError(error) || httpStatusOf(error.code) >= 500) throw error;
        const lists = await listLists(deps.db);
        return page(
          request,
          reply,
          renderUploadForm(request, lists, MAX_UPLOAD_BYTES, values),
          400,
          error.message,
        );
      }
    });
  });

  app.get<WithId>("/admin/contacts/import/:id", marketing, async (request, reply) => {
    const s = session(request);
    if (s.run) return reply.redirect(`/admin/contacts/import/${s.id}/status`, 303);
    return page(request, reply, renderMappingForm(request, s, guessColumns(s.header)));
  });

  app.post<WithId>("/admin/contacts/import/:id/run", marketing, async (request, reply) => {
    const s = session(request);
    if (s.run) return reply.redirect(`/admin/contacts/import/${s.id}/status`, 303);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const chosen = s.header.map((_, i) => {
      const v = body[`column-${i}`];
      return typeof v === "string" && (knownColumns as readonly string[]).includes(v)
        ? (v as Column)
        : null;
    });
    const problem = mappingProblem(s.header, chosen);
    if (problem) return page(request, reply, renderMappingForm(request, s, chosen), 400, problem);
    const columns: ColumnMap = {};
    chosen.forEach((c, i) => {
      if (c) columns[c] = i;
    });
    startImport(deps, s, columns, actorOf(operatorOf(request)));
    return reply.redirect(`/admin/contacts/import/${s.id}/status`, 303);
  });

  app.get<WithId>("/admin/contacts/import/:id/status", marketing, async (request, reply) => {
    const s = session(request);
    return page(
      request,
      reply,
      html`<p>Step 3 of 3: the import.</p>
        ${renderProgress(s)}`,
    );
  });

  // The fragment htmx polls; the same HTML as inside the status page.
  app.get<WithId>("/admin/contacts/import/:id/progress", marketing, async (request, reply) =>
    reply.type("text/html; charset=utf-8").send(renderProgress(session(request)).value),
  );
}

async function readUpload(deps: HttpDeps, body: MultipartBody, values: z.infer<typeof uploadForm>) {
  const file = body[uploadedFiles]?.file;
  if (!file || file.bytes.length === 0)
    throw new AppError("invalid_input", "no file was chosen, or it is empty; choose a CSV file");
  if (!values.consentSource)
    throw new AppError(
      "invalid_input",
      'say where the consent was collected, such as "2026 trade fair sign-up sheet"',
    );
  if (values.list) await findListBySlug(deps.db, values.list);
  const parsed = parseCsv(file.bytes);
  if (parsed.header.length === 0)
    throw new AppError(
      "invalid_input",
      `"${file.name}" is empty; expected a header line such as: email,name,consent`,
    );
  const samples = parsed.records
    .flatMap((r) => ("fields" in r ? [r.fields] : []))
    .slice(0, SAMPLE_ROWS);
  return {
    fileName: file.name || "upload.csv",
    bytes: file.bytes,
    header: parsed.header,
    samples,
    records: parsed.records.length,
    list: values.list ?? null,
    consentSource: values.consentSource,
    legalBasis: values.legalBasis ?? "legitimate_interest",
  };
}

/** One column is email and no field is chosen twice; otherwise what to change. */
export function mappingProblem(header: string[], chosen: Array<Column | null>): string | undefined {
  const emails = chosen.filter((c) => c === "email").length;
  if (emails !== 1)
    return `${emails === 0 ? "no column is" : `${emails} columns are`} mapped to email; expected exactly one`;
  const seen = new Map<Column, number>();
  for (const [i, c] of chosen.entries()) {
    if (!c) continue;
    const first = seen.get(c);
    if (first !== undefined)
      return `columns "${header[first]}" and "${header[i]}" are both mapped to ${c}; map each field once`;
    seen.set(c, i);
  }
  return undefined;
}

/**
 * Runs in this process while the operator watches; progress lands in the
 * session. Not awaited by the request: the POST answers at once with a
 * redirect to the progress page, and the outcome (or the error, which says
 * what was committed) is kept for it.
 */
function startImport(deps: HttpDeps, s: ImportSession, columns: ColumnMap, actor: string): void {
  const run = (s.run = {
    state: "running" as const,
    done: 0,
    total: s.records,
    startedAt: Date.now(),
  });
  const bytes = s.bytes!;
  void importContacts(deps, {
    csv: bytes,
    list: s.list ?? undefined,
    consentSource: s.consentSource,
    legalBasis: s.legalBasis,
    fileName: s.fileName,
    columns,
    actor,
    onProgress(done, total) {
      run.done = done;
      run.total = total;
    },
  }).then(
    (result) => {
      s.run = { ...run, state: "done", done: run.total, finishedAt: Date.now(), result };
      s.bytes = null;
    },
    (error: unknown) => {
      s.run = {
        ...run,
        state: "failed",
        finishedAt: Date.now(),
        error: isAppError(error)
          ? error.message
          : "the import failed on our side; the audit log (contacts.import_incomplete) says which lines were committed",
      };
      s.bytes = null;
      if (!isAppError(error))
        deps.log.error("console import failed", {
          error: error instanceof Error ? error.name : "unknown",
        });
    },
  );
}
