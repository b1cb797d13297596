import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { AppError } from "../../errors.ts";
import { inboxStatus } from "../../inbox/inbox-status.ts";
import { listDialogues } from "../../inbox/list-dialogues.ts";
import { showDialogue } from "../../inbox/show-dialogue.ts";
import type { HttpDeps } from "../create-server.ts";

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
  app.get<{ Params: { id: string } }>("/dialogues/:id", async (request) => {
    const id = Number(request.params.id);
    if (!Number.isSafeInteger(id) || id <= 0)
      throw new AppError(
        "invalid_input",
        `dialogue id "${request.params.id}": expected a positive integer`,
      );
    return showDialogue(deps.db, id);
  });
}
