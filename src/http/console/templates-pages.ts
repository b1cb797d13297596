/**
 * Templates (marketing): every MJML file of the templates folder, an editor
 * per file (CodeMirror 5 over a plain textarea, so it works without script),
 * problems at their file and line as you type, a preview with sample
 * content, and saving into TEMPLATES_DIR, audited, or a plain statement that
 * the folder is read-only here.
 */
import fs from "node:fs/promises";
import path from "node:path";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { AppError, isAppError } from "../../errors.ts";
import { displayName } from "../../newsletters/freeze-campaign.ts";
import { sampleContent } from "../../newsletters/render/sample-content.ts";
import {
  checkTemplateSource,
  type TemplateProblem,
} from "../../newsletters/templates/check-template-source.ts";
import { isWritable } from "../../newsletters/templates/is-writable.ts";
import { listTemplateFiles } from "../../newsletters/templates/list-template-files.ts";
import { resolveTemplateFile } from "../../newsletters/templates/resolve-template-file.ts";
import { saveTemplate } from "../../newsletters/templates/save-template.ts";
import type { HttpDeps } from "../deps.ts";
import { httpStatusOf } from "../error-status.ts";
import {
  actorOf,
  areaRoles,
  csrfField,
  html,
  operatorOf,
  requireRole,
  sendPage,
  type ConsolePageInput,
  type Html,
} from "./console-kit.ts";
import { registerPreviewFrames } from "./preview-frames.ts";
import { badge, bytes, table, when } from "./view-helpers.ts";

type FileRequest = FastifyRequest<{
  Params: { folder: string; name: string };
  Querystring: { notice?: string };
}>;

const assets = {
  styles: ["codemirror/codemirror.css", "campaigns.css"],
  scripts: ["codemirror/codemirror.js", "codemirror/xml.js", "campaigns.js"],
};

export function register(app: FastifyInstance, deps: HttpDeps): void {
  const marketing = { preHandler: requireRole(...areaRoles.templates) };
  const frames = registerPreviewFrames(app, "/admin/template-previews", areaRoles.templates);
  const dir = () => deps.config.templatesDir;
  const check = (file: string, source: string, content: unknown) =>
    checkTemplateSource({
      templatesDir: dir(),
      path: file,
      source,
      content,
      postalAddress: deps.config.postalAddress,
      fromName: displayName(deps.config.mailFrom),
    });

  app.get("/admin/templates", marketing, async (request, reply) => {
    const files = await listTemplateFiles(dir());
    const rows = files.map(
      (f) =>
        html`<tr>
          <td><a href="/admin/templates/${f.path.replace(/\.mjml$/, "")}">${f.path}</a></td>
          <td>${f.folder}</td>
          <td>${bytes(f.bytes)}</td>
          <td>${when(f.modifiedAt)}</td>
          <td>${f.writable ? badge("editable", "ok") : badge("read-only", "warn")}</td>
        </tr>`,
    );
    return sendPage(request, reply, {
      title: "Templates",
      area: "templates",
      ...assets,
      body: html`<p>
          MJML templates in <code>${dir()}</code> (TEMPLATES_DIR). Newsletters are what campaigns
          pick; layouts, partials and system emails are shared by them.
        </p>
        ${table({
          caption: "Template files",
          headers: ["File", "Folder", "Size", "Changed", "Here"],
          rows,
          empty: "No templates found in this folder.",
        })}`,
    });
  });

  app.get("/admin/templates/:folder/:name", marketing, async (request: FileRequest, reply) => {
    const file = fileOf(request);
    const source = await fs.readFile(await resolveTemplateFile(dir(), file), "utf8");
    const saved = request.query.notice === "saved";
    return sendEditor(request, reply, deps, {
      file,
      source,
      content: defaultContent(file),
      notice: saved ? { kind: "ok", message: `${file} saved.` } : undefined,
    });
  });

  app.post("/admin/templates/:folder/:name", marketing, async (request: FileRequest, reply) => {
    const file = fileOf(request);
    const { source, content } = formOf(request.body);
    try {
      const result = await saveTemplate(
        {
          db: deps.db,
          templatesDir: dir(),
          postalAddress: deps.config.postalAddress,
          fromName: displayName(deps.config.mailFrom),
          actor: actorOf(operatorOf(request)),
        },
        { path: file, source },
      );
      if (result.saved)
        return reply.redirect(`/admin/templates/${file.replace(/\.mjml$/, "")}?notice=saved`, 303);
      return sendEditor(request, reply, deps, {
        file,
        source,
        content,
        problems: result.problems,
        notice: { kind: "error", message: `Not saved: ${file} has problems (listed below).` },
        status: 422,
      });
    } catch (error) {
      if (!isAppError(error)) throw error;
      return sendEditor(request, reply, deps, {
        file,
        source,
        content,
        notice: { kind: "error", message: `Not saved: ${error.message}` },
        status: httpStatusOf(error.code),
      });
    }
  });

  app.post(
    "/admin/templates/:folder/:name/preview",
    marketing,
    async (request: FileRequest, reply) => {
      const file = fileOf(request);
      const { source, content } = formOf(request.body);
      let parsed: unknown;
      try {
        parsed = content.trim() === "" ? undefined : JSON.parse(content);
      } catch (error) {
        const fragment = renderProblems(file, [
          { file: "sample content", line: 0, message: `not JSON: ${(error as Error).message}` },
        ]);
        return reply.type("text/html; charset=utf-8").send(fragment.value);
      }
      const result = await check(file, source, parsed);
      const fragment = html`${renderProblems(file, result.problems)}
      ${
        result.preview
          ? html`<p class="muted">
                Newsletter <code>${result.preview.template}</code> with sample content.
              </p>
              ${frames.frames(result.preview.html, `Template ${file}`)}
              <details class="text-part">
                <summary>Plain-text part</summary>
                <pre tabindex="0">${result.preview.text}</pre>
              </details>`
          : ""
      }`;
      return reply.type("text/html; charset=utf-8").send(fragment.value);
    },
  );
}

function fileOf(request: FileRequest): string {
  const { folder, name } = request.params;
  if (name.includes("/") || name.includes(path.sep))
    throw new AppError("invalid_input", `template name ${JSON.stringify(name)} is not valid`);
  return `${folder}/${name}.mjml`;
}

function formOf(body: unknown): { source: string; content: string } {
  const b = (body ?? {}) as Record<string, unknown>;
  return {
    source: typeof b.source === "string" ? b.source.replace(/\r\n/g, "\n") : "",
    content: typeof b.content === "string" ? b.content : "",
  };
}

function defaultContent(file: string): string {
  const template = file.startsWith("newsletters/") ? path.basename(file, ".mjml") : "monthly";
  return JSON.stringify(sampleContent(template), null, 2);
}

function renderProblems(file: string, problems: TemplateProblem[]): Html {
  if (problems.length === 0)
    return html`<p class="notice ok" role="status">
      No problems: MJML validates and the preview renders.
    </p>`;
  return html`<div class="notice error" role="status">
    <p>${problems.length === 1 ? "1 problem" : `${problems.length} problems`}:</p>
    <ul class="problems">
      ${problems.map((p) => {
        const here = p.file === file && p.line > 0;
        const at = p.line > 0 ? `${p.file} line ${p.line}` : p.file;
        return html`<li ${here ? html`data-error-line="${p.line}"` : ""}>
          ${here ? html`<a href="#f-source" data-error-line="${p.line}">${at}</a>` : at}:
          ${p.message}
        </li>`;
      })}
    </ul>
  </div>`;
}

async function sendEditor(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: HttpDeps,
  view: {
    file: string;
    source: string;
    content: string;
    problems?: TemplateProblem[];
    notice?: ConsolePageInput["notice"];
    status?: number;
  },
): Promise<FastifyReply> {
  const full = await resolveTemplateFile(deps.config.templatesDir, view.file);
  const writable = (await isWritable(full)) && (await isWritable(path.dirname(full)));
  const base = `/admin/templates/${view.file.replace(/\.mjml$/, "")}`;
  return sendPage(
    request,
    reply,
    {
      title: `Template ${view.file}`,
      area: "templates",
      notice: view.notice,
      ...assets,
      body: html`<p><a href="/admin/templates">All templates</a></p>
        ${
          writable
            ? ""
            : html`<p class="notice error" role="status">
                This file is read-only here (TEMPLATES_DIR=${deps.config.templatesDir}): you can try
                changes and preview them, but not save. Copy the templates folder somewhere writable
                and point TEMPLATES_DIR at it to edit templates here.
              </p>`
        }
        <div class="editor-layout">
          <form id="template-form" class="template-editor" method="post" action="${base}">
            ${csrfField(request)}
            <label for="f-source">MJML source of ${view.file}</label>
            <small id="f-source-hint"
              >Campaign fields as [[intro]], [[#each articles]]…[[/each]]; recipient fields as
              {{name}}, {{unsubscribeUrl}}. Tab moves on to the next field.</small
            >
            <textarea
              id="f-source"
              name="source"
              rows="28"
              spellcheck="false"
              data-codemirror
              aria-describedby="f-source-hint"
            >
${view.source}</textarea>
            <label for="f-content">Sample content for the preview (JSON)</label>
            <textarea id="f-content" name="content" rows="8" spellcheck="false">
${view.content}</textarea>
            <div class="actions">
              ${
                writable
                  ? html`<button type="submit">Save ${view.file}</button>`
                  : html`<button type="submit" disabled>Save (read-only here)</button>`
              }
            </div>
          </form>
          <section class="preview" aria-labelledby="preview-heading">
            <h2 id="preview-heading">Check and preview</h2>
            <div
              id="template-preview"
              hx-post="${base}/preview"
              hx-trigger="load, input delay:800ms from:#template-form"
              hx-include="#template-form"
              hx-sync="this:replace"
            >
              ${view.problems ? renderProblems(view.file, view.problems) : html`<p class="muted">Checking…</p>`}
            </div>
          </section>
        </div>`,
    },
    view.status ?? 200,
  );
}
