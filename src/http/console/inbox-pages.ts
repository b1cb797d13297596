/**
 * The console's inbox area (roles marketing and privacy; admin):
 *   GET /admin/inbox                   dialogue records with filters
 *   GET /admin/inbox/dialogues/:id     one record: text, what was cut, attachments, its thread
 *   GET /admin/inbox/bounces           bounces (verdict) and complaints, by campaign and date
 *   GET /admin/inbox/mailboxes         watched mailboxes: watcher, last UID, lag, errors, today
 *   GET /admin/inbox/mailboxes/status  the same table, for htmx to refresh
 *   GET /admin/inbox/held              mailed unsubscribe requests waiting for an operator
 *   POST /admin/inbox/held/:id/confirm unsubscribe that contact from every list (audited as the operator)
 *   POST /admin/inbox/held/:id/dismiss close the request, changing nothing
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { isAppError } from "../../errors.ts";
import { decideHeldUnsubscribe, type HeldDecision } from "../../inbox/decide-held-unsubscribe.ts";
import { inboxStatus } from "../../inbox/inbox-status.ts";
import { showDialogue } from "../../inbox/show-dialogue.ts";
import type { HttpDeps } from "../deps.ts";
import {
  actorOf,
  areaRoles,
  csrfField,
  html,
  operatorOf,
  requireRole,
  type ConsolePageInput,
} from "./console-kit.ts";
import { sendAreaPage } from "./send-area-page.ts";
import { dialogueListBody, dialogueThreadBody, inboxPaths } from "./inbox-dialogue-views.ts";
import {
  bounceListBody,
  heldUnsubscribesBody,
  mailboxStatusBody,
  mailboxStatusTable,
} from "./inbox-event-views.ts";
import {
  campaignSlugs,
  listBounceEvents,
  parseBounceFilter,
  type BounceFilter,
} from "./list-bounce-events.ts";
import { listHeldUnsubscribes } from "../../inbox/list-held-unsubscribes.ts";
import {
  dialogueMailboxes,
  parseDialogueFilter,
  searchDialogues,
  type DialogueFilter,
} from "./search-dialogues.ts";

/** A filter the page cannot read is shown as an error above an empty list, not a bare 400. */
function readFilter<T>(parse: (q: unknown) => T, query: unknown): { filter: T; error?: string } {
  try {
    return { filter: parse(query) };
  } catch (error) {
    if (isAppError(error, "invalid_input")) return { filter: parse({}), error: error.message };
    throw error;
  }
}

export function register(app: FastifyInstance, deps: HttpDeps): void {
  const allowed = { preHandler: requireRole(...areaRoles.inbox) };

  app.get(inboxPaths.dialogues, allowed, async (request, reply) => {
    const { filter, error } = readFilter<DialogueFilter>(parseDialogueFilter, request.query);
    const [found, mailboxes] = await Promise.all([
      error ? { rows: [], hasMore: false } : searchDialogues(deps.db, filter),
      dialogueMailboxes(deps.db),
    ]);
    const configured = deps.config.inbox.mailboxes.map((m) => m.key);
    return sendAreaPage(
      request,
      reply,
      {
        title: "Dialogue records",
        area: "inbox",
        body: dialogueListBody({
          filter,
          mailboxes: [...new Set([...configured, ...mailboxes])].sort(),
          ...found,
          ...(error ? { error } : {}),
        }),
      },
      error ? 400 : 200,
    );
  });

  app.get<{ Params: { id: string } }>(
    "/admin/inbox/dialogues/:id",
    allowed,
    async (request, reply) => {
      const id = Number(request.params.id);
      if (!Number.isSafeInteger(id) || id <= 0) return notFound(request, reply, request.params.id);
      try {
        const detail = await showDialogue(deps.db, id);
        return sendAreaPage(request, reply, {
          title: detail.subject || `Dialogue record ${id}`,
          area: "inbox",
          body: dialogueThreadBody(detail),
        });
      } catch (error) {
        if (isAppError(error, "not_found")) return notFound(request, reply, request.params.id);
        throw error;
      }
    },
  );

  app.get(inboxPaths.bounces, allowed, async (request, reply) => {
    const { filter, error } = readFilter<BounceFilter>(parseBounceFilter, request.query);
    const [found, campaigns] = await Promise.all([
      error ? { rows: [], hasMore: false, totals: {} } : listBounceEvents(deps.db, filter),
      campaignSlugs(deps.db),
    ]);
    return sendAreaPage(
      request,
      reply,
      {
        title: "Bounces and complaints",
        area: "inbox",
        body: bounceListBody({ filter, campaigns, ...found, ...(error ? { error } : {}) }),
      },
      error ? 400 : 200,
    );
  });

  app.get(inboxPaths.mailboxes, allowed, async (request, reply) =>
    sendAreaPage(request, reply, {
      title: "Watched mailboxes",
      area: "inbox",
      body: mailboxStatusBody(await inboxStatus(deps)),
    }),
  );

  app.get(`${inboxPaths.mailboxes}/status`, allowed, async (_request, reply) =>
    reply.type("text/html; charset=utf-8").send(mailboxStatusTable(await inboxStatus(deps)).value),
  );

  const heldPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    notice?: ConsolePageInput["notice"],
    status = 200,
  ) => {
    const csrf = csrfField(request);
    return sendAreaPage(
      request,
      reply,
      {
        title: "Held unsubscribe requests",
        area: "inbox",
        notice,
        body: heldUnsubscribesBody({
          held: await listHeldUnsubscribes(deps.db),
          actions: (id) =>
            html`<form method="post" action="${inboxPaths.held}/${id}/confirm" class="inline-form">
                ${csrf}<button type="submit">Confirm: unsubscribe</button>
              </form>
              <form method="post" action="${inboxPaths.held}/${id}/dismiss" class="inline-form">
                ${csrf}<button type="submit">Dismiss</button>
              </form>`,
        }),
      },
      status,
    );
  };

  app.get(inboxPaths.held, allowed, async (request, reply) => heldPage(request, reply));

  for (const decision of ["confirm", "dismiss"] as const satisfies readonly HeldDecision[])
    app.post<{ Params: { id: string } }>(
      `${inboxPaths.held}/:id/${decision}`,
      allowed,
      async (request, reply) => {
        const id = /^\d{1,15}$/.test(request.params.id) ? Number(request.params.id) : 0;
        try {
          const result = await decideHeldUnsubscribe(
            { ...deps, actor: actorOf(operatorOf(request)) },
            id,
            decision,
          );
          return heldPage(request, reply, {
            kind: "ok",
            message:
              result.outcome === "unsubscribed"
                ? `Request ${result.id}: the contact is unsubscribed from every list.`
                : `Request ${result.id}: dismissed, nothing changed.`,
          });
        } catch (error) {
          if (!isAppError(error)) throw error;
          const status = error.code === "not_found" ? 404 : error.code === "conflict" ? 409 : 400;
          return heldPage(request, reply, { kind: "error", message: error.message }, status);
        }
      },
    );
}

function notFound(request: FastifyRequest, reply: FastifyReply, id: string): FastifyReply {
  return sendAreaPage(
    request,
    reply,
    {
      title: "Not found",
      area: "inbox",
      body: html`<p>There is no dialogue record "${id}".</p>
        <p><a href="${inboxPaths.dialogues}">Back to the dialogue records</a></p>`,
    },
    404,
  );
}
