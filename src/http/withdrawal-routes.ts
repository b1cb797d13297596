import type { FastifyInstance, FastifyReply } from "fastify";
import { isAppError } from "../errors.ts";
import { eraseContact } from "../privacy/erase-contact.ts";
import { readUnsubscribeLink } from "../unsubscribe/read-unsubscribe-link.ts";
import type { HttpDeps } from "./deps.ts";
import { invalidLinkPage } from "./pages/unsubscribe-pages.ts";
import { dataDeletedPage, deleteDataPage } from "./pages/withdrawal-pages.ts";
import { translatorFor } from "./request-locale.ts";
import { requireSameOrigin } from "./same-origin.ts";

/**
 * "Delete my data" from the preference centre: withdrawing consent deletes
 * the person, as the privacy statement promises, not just unsubscribes.
 * - GET  /u/:token/delete   asks (mail scanners prefetch links: a GET changes nothing)
 * - POST /u/:token/delete   erases, after the button; the signed unsubscribe link is the
 *                           verification (only the person received it)
 */
export function registerWithdrawalRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const verify = (token: string) => readUnsubscribeLink(deps.config.signingKeys, token);
  // As the unsubscribe page's forms: another site must not make a visitor's browser post this.
  const sameOrigin = requireSameOrigin(deps.config.formOrigins.slice(0, 1));
  const page = (reply: FastifyReply, status: number, body: string) =>
    reply.code(status).type("text/html; charset=utf-8").send(body);

  app.get<{ Params: { token: string } }>("/u/:token/delete", async (request, reply) => {
    const scope = verify(request.params.token);
    if (!scope) return page(reply, 400, invalidLinkPage(translatorFor(request, deps.config)));
    const contact = await deps.db.contact.findUnique({
      where: { id: scope.contactId },
      select: { language: true },
    });
    const t = translatorFor(request, deps.config, contact?.language);
    if (!contact) return page(reply, 200, dataDeletedPage(t, null));
    return page(reply, 200, deleteDataPage(t, request.params.token));
  });

  app.post<{ Params: { token: string }; Body: unknown }>(
    "/u/:token/delete",
    { bodyLimit: 4096, preHandler: sameOrigin },
    async (request, reply) => {
      const scope = verify(request.params.token);
      if (!scope) return page(reply, 400, invalidLinkPage(translatorFor(request, deps.config)));
      // read before the erasure: afterwards there is no one whose language to look up
      const contact = await deps.db.contact.findUnique({
        where: { id: scope.contactId },
        select: { language: true },
      });
      const t = translatorFor(request, deps.config, contact?.language);
      const body = request.body as Record<string, unknown> | null;
      if (typeof body !== "object" || body === null || body.confirm !== "yes")
        return page(reply, 400, deleteDataPage(t, request.params.token));
      try {
        const result = await eraseContact(deps, {
          contact: { id: scope.contactId },
          kind: "withdrawal",
          verification: { method: "signed-link", reference: null },
          actor: "subscriber",
          source: "preference-centre",
        });
        return page(reply, 200, dataDeletedPage(t, result.reference));
      } catch (error) {
        // Erased already (a second click, or a second tab): the outcome the person asked for holds.
        if (isAppError(error, "not_found") || isAppError(error, "conflict"))
          return page(reply, 200, dataDeletedPage(t, null));
        throw error;
      }
    },
  );
}
