import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { AppError } from "../errors.ts";
import { loadPreferences, type Preferences } from "../unsubscribe/load-preferences.ts";
import { setPreferences } from "../unsubscribe/set-preferences.ts";
import { readUnsubscribeLink } from "../unsubscribe/read-unsubscribe-link.ts";
import { createUnsubscribeQueue } from "../unsubscribe/unsubscribe-queue.ts";
import type { HttpDeps } from "./deps.ts";
import { isOneClickBody } from "./one-click-body.ts";
import {
  invalidLinkPage,
  preferencesSavedPage,
  unsubscribedPage,
  unsubscribePage,
} from "./pages/unsubscribe-pages.ts";
import { requestEvidence } from "./request-evidence.ts";
import { translatorFor } from "./request-locale.ts";
import { requireSameOrigin } from "./same-origin.ts";
import { recordSubscriptionRequest } from "../contacts/record-subscription-request.ts";
import type { Prisma } from "../generated/prisma/client.ts";

interface TokenParams {
  token: string;
}

/**
 * The subscriber's side of unsubscribing:
 * - POST /u/:token              RFC 8058 one-click, from the mail client; no page, no cookie
 * - GET  /u/:token              a page that asks (a prefetching scanner changes nothing) + preference centre
 * - POST /u/:token/confirm      the page's button
 * - POST /u/:token/preferences  the preference centre's save: leaving is immediate; re-joining
 *                               mails a fresh confirmation (whoever holds a forwarded link is not
 *                               necessarily the person, and re-joining grants consent)
 * The page and preference POSTs refuse cross-site forms (same-origin.ts); the one-click POST,
 * which mail providers send without Origin, is not checked.
 */
export function registerUnsubscribeRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const verify = (token: string) => readUnsubscribeLink(deps.config.signingKeys, token);
  // Concurrent unsubscribes share a statement (group commit); each still answers only after its commit.
  const unsubscribes = deps.unsubscribeQueue ?? createUnsubscribeQueue(deps);
  const page = (reply: FastifyReply, status: number, body: string) =>
    reply.code(status).type("text/html; charset=utf-8").send(body);
  const sameOrigin = requireSameOrigin(deps.config.formOrigins.slice(0, 1));
  const t = (request: FastifyRequest, prefs?: Preferences) =>
    translatorFor(request, deps.config, prefs?.language);

  app.post<{ Params: TokenParams }>("/u/:token", { bodyLimit: 4096 }, async (request, reply) => {
    const scope = verify(request.params.token);
    if (!scope)
      return reply
        .code(400)
        .type("text/plain; charset=utf-8")
        .send("This unsubscribe link is not valid; nothing was changed.\n");
    if (!isOneClickBody(request.body, request.headers["content-type"])) {
      return reply
        .code(400)
        .type("text/plain; charset=utf-8")
        .send("Expected the body List-Unsubscribe=One-Click (RFC 8058).\n");
    }
    await unsubscribes.unsubscribe({
      contactId: scope.contactId,
      list: scope.list,
      source: "one-click",
      evidence: requestEvidence(request, "one-click"),
    });
    return reply.code(200).type("text/plain; charset=utf-8").send("Unsubscribed.\n");
  });

  app.get<{ Params: TokenParams }>("/u/:token", async (request, reply) => {
    const scope = verify(request.params.token);
    if (!scope) return page(reply, 400, invalidLinkPage(t(request)));
    const prefs = await loadPreferences(deps.db, scope.contactId);
    return page(
      reply,
      200,
      unsubscribePage(t(request, prefs), request.params.token, scope.list, prefs),
    );
  });

  app.post<{ Params: TokenParams }>(
    "/u/:token/confirm",
    { bodyLimit: 4096, preHandler: sameOrigin },
    async (request, reply) => {
      const scope = verify(request.params.token);
      if (!scope) return page(reply, 400, invalidLinkPage(t(request)));
      const { changed } = await unsubscribes.unsubscribe({
        contactId: scope.contactId,
        list: scope.list,
        source: "unsubscribe-page",
        evidence: requestEvidence(request, "page"),
      });
      const prefs = await loadPreferences(deps.db, scope.contactId);
      return page(
        reply,
        200,
        unsubscribedPage(t(request, prefs), request.params.token, scope.list, changed, prefs),
      );
    },
  );

  app.post<{ Params: TokenParams; Body: Record<string, string | string[] | undefined> }>(
    "/u/:token/preferences",
    { bodyLimit: 16 * 1024, preHandler: sameOrigin },
    async (request, reply) => {
      const scope = verify(request.params.token);
      if (!scope) return page(reply, 400, invalidLinkPage(t(request)));
      const body = typeof request.body === "object" && request.body !== null ? request.body : {};
      const wanted = new Set(
        [body.list ?? []].flat().filter((v): v is string => typeof v === "string"),
      );
      const everything = body.action === "all";
      const before = await loadPreferences(deps.db, scope.contactId);
      // Checked and not subscribed: rejoin. Unchecked and live: leave. A checked pending list stays pending.
      const statusOf = (slug: string) => before.lists.find((l) => l.slug === slug)?.status;
      const rejoin = everything
        ? []
        : [...wanted].filter(
            (slug) => statusOf(slug) !== "subscribed" && statusOf(slug) !== "pending",
          );
      const refused = rejoin.filter(
        (slug) => before.lists.find((l) => l.slug === slug)?.canSubscribe !== true,
      );
      if (refused.length > 0) {
        const allowed = before.lists.filter((l) => l.canSubscribe).map((l) => l.slug);
        throw new AppError(
          "refused",
          `cannot subscribe to ${refused.map((r) => `"${r}"`).join(", ")} from the preference centre: only lists you were subscribed to before can be chosen again here (${allowed.length > 0 ? allowed.join(", ") : "none"}); sign up on the website for others`,
        );
      }
      const unsubscribe = everything
        ? ("all" as const)
        : before.lists
            .filter((l) => l.status !== "unsubscribed" && !wanted.has(l.slug))
            .map((l) => l.slug);
      const result = await setPreferences(deps, {
        contactId: scope.contactId,
        subscribe: [],
        unsubscribe,
        source: "preference-centre",
        evidence: requestEvidence(request, "preference-centre"),
      });
      const confirmationSent = rejoin.length > 0 ? rejoin : [];
      if (rejoin.length > 0) {
        const contact = await deps.db.contact.findUnique({
          where: { id: scope.contactId },
          select: { email: true },
        });
        if (contact) {
          const { requestId } = await recordSubscriptionRequest(deps, {
            email: contact.email,
            lists: rejoin,
            contactId: scope.contactId,
            evidence: {
              ...requestEvidence(request, "preference-centre"),
              form: "preference centre",
            } as Prisma.InputJsonObject,
          });
          await deps.queue.now("subscription.request", { requestId });
        }
      }
      const prefs = await loadPreferences(deps.db, scope.contactId);
      return page(
        reply,
        200,
        preferencesSavedPage(
          t(request, prefs),
          request.params.token,
          { ...result, everything, confirmationSent },
          prefs,
        ),
      );
    },
  );
}
