import type { FastifyInstance, FastifyReply } from "fastify";
import { confirmSubscription } from "../contacts/confirm-subscription.ts";
import { requestSubscription } from "../contacts/request-subscription.ts";
import { AppError, isAppError } from "../errors.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { verifyToken, type TokenScope } from "../unsubscribe/tokens.ts";
import type { HttpDeps } from "./create-server.ts";
import { messagePage } from "./pages/layout.ts";
import {
  confirmedPage,
  confirmPage,
  subscriptionRequestedPage,
  tooManyRequestsPage,
} from "./pages/signup-pages.ts";
import { invalidLinkPage } from "./pages/unsubscribe-pages.ts";
import { createRateLimiter } from "./rate-limit.ts";
import { requestEvidence } from "./request-evidence.ts";

/**
 * Double opt-in from the company's web forms:
 * - POST /subscribe             email, name, list (+ optional form): mails a confirmation link
 * - GET  /confirm/:token        a page with a button (scanners prefetch GETs)
 * - POST /confirm/:token        confirms
 */
export function registerSignupRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const page = (reply: FastifyReply, status: number, body: string) =>
    reply.code(status).type("text/html; charset=utf-8").send(body);
  const limiter = createRateLimiter(
    deps.subscribeRateLimit ?? { capacity: 10, refillPerSecond: 1 / 6 },
  );

  app.post<{ Body: Record<string, unknown> }>(
    "/subscribe",
    { bodyLimit: 8 * 1024 },
    async (request, reply) => {
      if (!limiter.take(request.ip))
        return page(reply.header("retry-after", "60"), 429, tooManyRequestsPage());
      const body = typeof request.body === "object" && request.body !== null ? request.body : {};
      const field = (name: string) =>
        typeof body[name] === "string" ? (body[name] as string) : "";
      if (!deps.mailer)
        throw new AppError(
          "config",
          "POST /subscribe needs a mailer in HttpDeps to send the confirmation email",
        );
      const evidence = {
        ...requestEvidence(request, "web-form"),
        form: field("form").slice(0, 100) || "web form",
      } as { ip: string; userAgent: string | null; form: string };
      try {
        await requestSubscription(
          {
            db: deps.db,
            config: deps.config,
            clock: deps.clock,
            log: deps.log,
            mailer: deps.mailer,
          },
          {
            email: field("email"),
            name: field("name").trim().slice(0, 200) || null,
            list: field("list"),
            evidence,
          },
        );
      } catch (error) {
        if (isAppError(error, "invalid_input")) {
          return page(
            reply,
            400,
            messagePage({
              title: "Please check the address",
              message: "That does not look like an email address. Please go back and check it.",
              kind: "error",
            }),
          );
        }
        if (isAppError(error, "not_found")) {
          return page(
            reply,
            400,
            messagePage({
              title: "This form is not set up right",
              message: "The newsletter this form signs up to does not exist. Nothing was saved.",
              kind: "error",
            }),
          );
        }
        if (isAppError(error)) throw error;
        // A failed send must not tell the visitor more than a successful one would; the person can ask again.
        deps.log.error("subscription confirmation email failed", {
          error: error instanceof Error ? error.name : "unknown",
        });
      }
      return page(reply, 200, subscriptionRequestedPage());
    },
  );

  const verify = (token: string): TokenScope | null => {
    try {
      return verifyToken(deps.config.signingKeys, token, "confirm");
    } catch (error) {
      if (isAppError(error, "invalid_token")) return null;
      throw error;
    }
  };
  const listName = async (slug: string) =>
    (await deps.db.list.findUnique({ where: { slug }, select: { name: true } }))?.name ?? slug;

  app.get<{ Params: { token: string } }>("/confirm/:token", async (request, reply) => {
    const scope = verify(request.params.token);
    if (!scope || scope.list === null) return page(reply, 400, invalidLinkPage());
    return page(reply, 200, confirmPage(request.params.token, await listName(scope.list)));
  });

  app.post<{ Params: { token: string } }>(
    "/confirm/:token",
    { bodyLimit: 4096 },
    async (request, reply) => {
      try {
        const result = await confirmSubscription(deps, {
          token: request.params.token,
          evidence: requestEvidence(request, "confirm-page") as Prisma.InputJsonObject,
        });
        return page(reply, 200, confirmedPage(await listName(result.list), result.changed));
      } catch (error) {
        if (isAppError(error, "invalid_token")) return page(reply, 400, invalidLinkPage());
        throw error;
      }
    },
  );
}
