/**
 * Rendered email previews for the editors' iframes. The editor posts its
 * unsaved values, the server renders them and keeps the HTML here for a few
 * minutes under a random id; the iframe loads it from `<base>/<id>`.
 *
 * Why not srcdoc: a srcdoc document inherits the console's CSP, which allows
 * no inline style (every email has some) and no image from other sites. This
 * route gives the email a policy of its own: inline styles and http(s)
 * images, still no script, and `sandbox` so it runs in an opaque origin.
 * Kept in this process's memory: a console behind a load balancer with
 * several workers needs sticky sessions for the preview (said in the README).
 */
import crypto from "node:crypto";
import type { FastifyInstance } from "fastify";
import { html, requireRole, type Html, type Role } from "./console-kit.ts";

const ttlMs = 10 * 60_000;
const maxEntries = 200;
const emailPolicy =
  "default-src 'none'; style-src 'unsafe-inline'; img-src http: https: data:; font-src http: https:; frame-ancestors 'self'; base-uri 'none'; form-action 'none'; sandbox allow-popups allow-popups-to-escape-sandbox";

export interface PreviewFrames {
  /** keeps `document` and returns the iframes that show it at desktop and mobile widths */
  frames(document: string, label: string): Html;
}

export function registerPreviewFrames(
  app: FastifyInstance,
  base: string,
  roles: readonly Role[],
): PreviewFrames {
  const kept = new Map<string, { document: string; until: number }>();
  app.get<{ Params: { id: string } }>(
    `${base}/:id`,
    { preHandler: requireRole(...roles) },
    async (request, reply) => {
      const entry = kept.get(request.params.id);
      reply.header("content-security-policy", emailPolicy);
      if (!entry || entry.until < Date.now())
        return reply
          .code(404)
          .type("text/html; charset=utf-8")
          .send("<!doctype html><title>Preview expired</title><p>This preview has expired.</p>");
      return reply.type("text/html; charset=utf-8").send(entry.document);
    },
  );
  return {
    frames(document, label) {
      const now = Date.now();
      for (const [id, entry] of kept)
        if (entry.until < now || kept.size >= maxEntries) kept.delete(id);
      const id = crypto.randomBytes(16).toString("base64url");
      kept.set(id, { document, until: now + ttlMs });
      const src = `${base}/${id}`;
      return html`<div class="preview-frames">
        <figure class="frame frame-desktop">
          <figcaption>Desktop, 640 pixels wide</figcaption>
          <iframe src="${src}" title="${label}: desktop preview" sandbox loading="lazy"></iframe>
        </figure>
        <figure class="frame frame-mobile">
          <figcaption>Mobile, 375 pixels wide</figcaption>
          <iframe src="${src}" title="${label}: mobile preview" sandbox loading="lazy"></iframe>
        </figure>
      </div>`;
    },
  };
}
