/**
 * Refuses cross-site form POSTs to the public pages (login-less CSRF): a page
 * elsewhere must not unsubscribe, re-subscribe or sign up a visitor by making
 * their browser post a form. Browsers send `Origin` on every form POST (RFC
 * 6454 §7); where a client sends neither `Origin` nor `Referer` it is not a
 * browser acting for a person who happens to visit another page, and the
 * request is let through (the RFC 8058 one-click POST, which mail providers
 * send without either, is not routed through this check at all).
 *
 * Allowed: an origin in `allowed` (PUBLIC_BASE_URL's, plus FORM_ORIGINS for
 * the sign-up form), or one whose host is the request's own Host header: a
 * browser sets Host itself, so a page cannot forge it, and this keeps a
 * server reached by another name than PUBLIC_BASE_URL (a test, a staging
 * host) usable.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { messagePage } from "./pages/layout.ts";

export function isAllowedOrigin(
  headers: { origin?: string | undefined; referer?: string | undefined; host?: string | undefined },
  allowed: readonly string[],
): boolean {
  const source = headers.origin ?? headers.referer;
  if (source === undefined) return true;
  // "null": a sandboxed frame, a data: URL, or a page whose referrer policy hides its origin.
  let url: URL;
  try {
    url = new URL(source);
  } catch {
    return false;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return false;
  return allowed.includes(url.origin) || (headers.host !== undefined && url.host === headers.host);
}

/** A preHandler for state-changing public form POSTs. */
export function requireSameOrigin(allowed: readonly string[]) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const origin = request.headers.origin;
    const referer = request.headers.referer;
    if (isAllowedOrigin({ origin, referer, host: request.headers.host }, allowed)) return;
    return reply
      .code(403)
      .type("text/html; charset=utf-8")
      .send(
        messagePage({
          title: "This form was sent from another site",
          message:
            "Nothing was changed. To change your subscription, open the link from our email and use the page it shows.",
          kind: "error",
        }),
      );
  };
}
