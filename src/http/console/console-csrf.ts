/**
 * CSRF tokens bound to the session: the token is a keyed hash of the session
 * id, so it is stable for the session's life (one per page is not needed),
 * worthless in another session, and nothing extra is stored. Every
 * POST/PUT/PATCH/DELETE under /admin must carry it as the `_csrf` form field
 * or the `x-csrf-token` header (htmx, set by console.js), on top of the Origin
 * check and the SameSite=Strict cookie.
 */
import crypto from "node:crypto";
import type { FastifyRequest } from "fastify";
import { hashCredential } from "../../operators/credential-hash.ts";

export function csrfTokenFor(secret: string, sessionId: string): string {
  return hashCredential(secret, sessionId, "csrf");
}

export function hasValidCsrfToken(
  request: FastifyRequest,
  secret: string,
  sessionId: string,
): boolean {
  const header = request.headers["x-csrf-token"];
  const body = request.body as Record<string, unknown> | null | undefined;
  const field = body && typeof body === "object" ? body._csrf : undefined;
  const given = typeof header === "string" ? header : typeof field === "string" ? field : "";
  const expected = Buffer.from(csrfTokenFor(secret, sessionId));
  const actual = Buffer.from(given);
  return actual.length === expected.length && crypto.timingSafeEqual(actual, expected);
}
