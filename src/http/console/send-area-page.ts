import type { FastifyReply, FastifyRequest } from "fastify";
import { sendPage, type ConsolePageInput } from "./console-kit.ts";

/** sendPage with the inbox and mailboxes areas' own style sheet. */
export function sendAreaPage(
  request: FastifyRequest,
  reply: FastifyReply,
  page: ConsolePageInput,
  status = 200,
): FastifyReply {
  return sendPage(
    request,
    reply,
    { ...page, styles: ["inbox-mailboxes.css", ...(page.styles ?? [])] },
    status,
  );
}
