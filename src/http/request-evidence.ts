import type { FastifyRequest } from "fastify";

export type ChangeMethod = "one-click" | "page" | "preference-centre" | "web-form" | "confirm-page";

/**
 * What proves a subscriber's own request: stored with the consent event.
 * `request.ip` honours TRUST_PROXY (Fastify's trustProxy): behind a proxy it is
 * the client from X-Forwarded-For, otherwise the socket's peer.
 */
export function requestEvidence(
  request: FastifyRequest,
  method: ChangeMethod,
): Record<string, unknown> {
  const userAgent = request.headers["user-agent"];
  return {
    method,
    ip: request.ip,
    userAgent: typeof userAgent === "string" ? userAgent.slice(0, 512) : null,
    route: `${request.method} ${request.routeOptions.url ?? request.url.split("?")[0]}`,
  };
}
