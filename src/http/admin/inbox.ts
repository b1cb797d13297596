import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { AppError } from "../../errors.ts";
import { decideHeldUnsubscribe } from "../../inbox/decide-held-unsubscribe.ts";
import { inboxStatus } from "../../inbox/inbox-status.ts";
import { listHeldUnsubscribes } from "../../inbox/list-held-unsubscribes.ts";
import { listDialogues } from "../../inbox/list-dialogues.ts";
import { showDialogue } from "../../inbox/show-dialogue.ts";
import { apiActorOf } from "../api-access.ts";
import type { HttpDeps } from "../deps.ts";

const listQuery = z.object({
  contact: z.string().optional(),
  kind: z.string().optional(),
  limit: z.coerce.number().int().positive().max(1000).optional(),
});

/**
 * The inbox on the admin API:
 *   GET /api/inbox/status              per watched mailbox: up, last UID, lag, last error, messages today
 *   GET /api/dialogues?contact=&kind=  dialogue records, newest first
 *   GET /api/dialogues/:id             one record with its thread
 *   GET /api/inbox/held                mailed unsubscribe requests waiting for an operator
 *   POST /api/inbox/held/:id/confirm   unsubscribe the contact from every list (audited as the caller)
 *   POST /api/inbox/held/:id/dismiss   close the request, changing nothing
 */
export function register(app: FastifyInstance, deps: HttpDeps): void {
  app.get("/inbox/status", async () => ({ mailboxes: await inboxStatus(deps) }));
  app.get("/dialogues", async (request) => {
    const parsed = listQuery.safeParse(request.query ?? {});
    if (!parsed.success)
      throw new AppError(
        "invalid_input",
        `invalid query: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
      );
    return { dialogues: await listDialogues(deps.db, parsed.data) };
  });
  app.get<{ Params: { id: string } }>("/dialogues/:id", async (request) =>
    showDialogue(deps.db, positiveId(request.params.id, "dialogue id")),
  );
  app.get("/inbox/held", async () => ({ held: await listHeldUnsubscribes(deps.db) }));
  for (const decision of ["confirm", "dismiss"] as const)
    app.post<{ Params: { id: string } }>(`/inbox/held/:id/${decision}`, async (request) =>
      decideHeldUnsubscribe(
        { ...deps, actor: apiActorOf(request) },
        positiveId(request.params.id, "request id"),
        decision,
      ),
    );
}

function positiveId(raw: string, what: string): number {
  const id = /^\d{1,15}$/.test(raw) ? Number(raw) : 0;
  if (id <= 0) throw new AppError("invalid_input", `${what} "${raw}": expected a positive integer`);
  return id;
}
