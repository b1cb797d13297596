import type { FastifyReply } from "fastify";
import type { ContactExport } from "../../privacy/export-contact.ts";
import { renderExportHtml } from "../../privacy/render-export-html.ts";

/** The HTML export is a document of its own (inline styles, no scripts, nothing loaded). */
const exportDocumentPolicy =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

/**
 * A person's export as a JSON download, or as the readable HTML the person
 * receives (not a console page: that is what they would see).
 */
export function sendContactExport(
  reply: FastifyReply,
  doc: ContactExport,
  format: "json" | "html",
): FastifyReply {
  if (format === "json")
    return reply
      .header("content-disposition", `attachment; filename="export-${doc.request.reference}.json"`)
      .type("application/json; charset=utf-8")
      .send(JSON.stringify(doc, null, 2));
  return reply
    .header("content-security-policy", exportDocumentPolicy)
    .type("text/html; charset=utf-8")
    .send(renderExportHtml(doc));
}
