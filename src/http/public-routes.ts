import type { FastifyInstance } from "fastify";
import type { HttpDeps } from "./deps.ts";
import { parseMultipartFields } from "./one-click-body.ts";
import { registerSignupRoutes } from "./signup-routes.ts";
import { registerUnsubscribeRoutes } from "./unsubscribe-routes.ts";
import { registerWithdrawalRoutes } from "./withdrawal-routes.ts";

/** The routes a subscriber reaches from an email or a web form (no auth: the signed token is the credential). */
export function registerPublicRoutes(app: FastifyInstance, deps: HttpDeps): void {
  // RFC 8058 allows the one-click body as multipart/form-data too.
  app.addContentTypeParser(
    "multipart/form-data",
    { parseAs: "string", bodyLimit: 16 * 1024 },
    (request, body, done) => {
      done(
        null,
        parseMultipartFields(String(body), String(request.headers["content-type"] ?? "")) ?? {},
      );
    },
  );
  // Any other body type reaches the handler as text, so it answers 400 "not one-click" rather than 415.
  app.addContentTypeParser(
    "*",
    { parseAs: "string", bodyLimit: 16 * 1024 },
    (_request, body, done) => done(null, String(body)),
  );
  registerUnsubscribeRoutes(app, deps);
  registerSignupRoutes(app, deps);
  registerWithdrawalRoutes(app, deps);
}
