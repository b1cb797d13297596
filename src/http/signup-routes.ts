import type { FastifyInstance, FastifyReply } from "fastify";
import { confirmSubscription } from "../contacts/confirm-subscription.ts";
import { parseEmail } from "../contacts/contact-row.ts";
import { fieldProblem, hasControlCharacters } from "../contacts/field-limits.ts";
import { recordSubscriptionRequest } from "../contacts/record-subscription-request.ts";
import { isAppError } from "../errors.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { verifyConfirmToken } from "../unsubscribe/confirm-token.ts";
import type { HttpDeps } from "./deps.ts";
import {
  badSignupPage,
  confirmedPage,
  linkRefusedPage,
  confirmPage,
  subscriptionRequestedPage,
  tooManyRequestsPage,
} from "./pages/signup-pages.ts";
import { invalidLinkPage } from "./pages/unsubscribe-pages.ts";
import { createRateLimiter } from "./rate-limit.ts";
import { requestEvidence } from "./request-evidence.ts";
import { translatorFor } from "./request-locale.ts";
import { requireSameOrigin } from "./same-origin.ts";
import { toLocale } from "../i18n/pick-locale.ts";

/** Lists one form post may ask for at once (one email confirms them all). */
const MAX_LISTS_PER_REQUEST = 10;

/**
 * Double opt-in from the company's web forms:
 * - POST /subscribe             email, name, list (repeatable) (+ optional form): queues a confirmation
 * - GET  /confirm/:token        a page with a button (scanners prefetch GETs)
 * - POST /confirm/:token        confirms
 *
 * POST /subscribe checks only what is the same for every visitor (the
 * input's shape, the lists being public) and records the request; the
 * `subscription.request` job does everything that depends on the person, so
 * the answer and its timing say nothing about who is on file.
 */
export function registerSignupRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const page = (reply: FastifyReply, status: number, body: string) =>
    reply.code(status).type("text/html; charset=utf-8").send(body);
  const limiter = createRateLimiter(
    deps.subscribeRateLimit ?? { capacity: 10, refillPerSecond: 1 / 6 },
  );
  const ownOrigin = deps.config.formOrigins.slice(0, 1);

  app.post<{ Body: Record<string, unknown> }>(
    "/subscribe",
    { bodyLimit: 8 * 1024, preHandler: requireSameOrigin(deps.config.formOrigins) },
    async (request, reply) => {
      const body = typeof request.body === "object" && request.body !== null ? request.body : {};
      const field = (name: string) =>
        typeof body[name] === "string" ? (body[name] as string) : "";
      // The form may say which language it is in (a hidden `language` field); else the browser's.
      const t = translatorFor(request, deps.config, toLocale(field("language")));
      const badInput = (reply: FastifyReply, problem: Parameters<typeof badSignupPage>[1]) =>
        page(reply, 400, badSignupPage(t, problem));
      if (!limiter.take(request.ip))
        return page(reply.header("retry-after", "60"), 429, tooManyRequestsPage(t));
      const lists = [body.list ?? []]
        .flat()
        .filter((v): v is string => typeof v === "string" && v !== "");
      const texts = [field("email"), field("name"), field("form"), ...lists];
      if (texts.some(hasControlCharacters)) return badInput(reply, "control");
      const email = parseEmail(field("email"));
      if (!email) return badInput(reply, "address");
      const name = field("name").trim();
      const nameProblem = name === "" ? undefined : fieldProblem("name", name);
      if (nameProblem) return badInput(reply, "name");
      const known =
        lists.length === 0 || lists.length > MAX_LISTS_PER_REQUEST
          ? []
          : await deps.db.list.findMany({
              where: { slug: { in: lists }, public: true },
              select: { slug: true },
            });
      if (lists.length === 0 || known.length !== new Set(lists).size)
        return badInput(reply, "form");
      const evidence = {
        ...requestEvidence(request, "web-form"),
        form: field("form").slice(0, 100) || "web form",
      } as Prisma.InputJsonObject;
      const { requestId } = await recordSubscriptionRequest(deps, {
        email,
        name: name || null,
        lists,
        language: t.locale,
        evidence,
      });
      await deps.queue.now("subscription.request", { requestId });
      return page(reply, 200, subscriptionRequestedPage(t));
    },
  );

  const verify = (token: string) => {
    try {
      return verifyConfirmToken(deps.config.signingKeys, token);
    } catch (error) {
      if (isAppError(error, "invalid_token")) return null;
      throw error;
    }
  };
  const listNames = async (slugs: string[]) => {
    const rows = await deps.db.list.findMany({
      where: { slug: { in: slugs } },
      select: { name: true },
      orderBy: { slug: "asc" },
    });
    return rows.map((r) => r.name).join("”, “") || slugs.join(", ");
  };

  app.get<{ Params: { token: string } }>("/confirm/:token", async (request, reply) => {
    const scope = verify(request.params.token);
    if (!scope) return page(reply, 400, invalidLinkPage(translatorFor(request, deps.config)));
    const found = await deps.db.subscriptionRequest.findUnique({
      where: { id: scope.requestId },
      select: { lists: true, language: true },
    });
    const t = translatorFor(request, deps.config, found?.language);
    if (!found) return page(reply, 400, invalidLinkPage(t));
    return page(reply, 200, confirmPage(t, request.params.token, await listNames(found.lists)));
  });

  app.post<{ Params: { token: string } }>(
    "/confirm/:token",
    { bodyLimit: 4096, preHandler: requireSameOrigin(ownOrigin) },
    async (request, reply) => {
      const scope = verify(request.params.token);
      const found = scope
        ? await deps.db.subscriptionRequest.findUnique({
            where: { id: scope.requestId },
            select: { language: true },
          })
        : null;
      const t = translatorFor(request, deps.config, found?.language);
      try {
        const result = await confirmSubscription(deps, {
          token: request.params.token,
          evidence: requestEvidence(request, "confirm-page") as Prisma.InputJsonObject,
        });
        return page(reply, 200, confirmedPage(t, await listNames(result.lists), result.changed));
      } catch (error) {
        if (isAppError(error, "invalid_token") || isAppError(error, "not_found"))
          return page(reply, 400, invalidLinkPage(t));
        if (isAppError(error, "refused"))
          return page(reply, 400, linkRefusedPage(t, String(error.details?.reason ?? "replaced")));
        throw error;
      }
    },
  );
}
