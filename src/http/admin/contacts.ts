import { apiActorOf } from "../api-access.ts";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { contactFieldsSelect } from "../../contacts/contact-fields-select.ts";
import { createList } from "../../contacts/create-list.ts";
import { importContacts } from "../../contacts/import-contacts.ts";
import { listLists } from "../../contacts/list-lists.ts";
import { setListPublic } from "../../contacts/set-list-public.ts";
import { subscribeContact } from "../../contacts/subscribe-contact.ts";
import { AppError } from "../../errors.ts";
import type { Prisma } from "../../generated/prisma/client.ts";
import type { HttpDeps } from "../deps.ts";
import { parseBody } from "./parse-body.ts";

const legalBasis = z.enum(["consent", "legitimate_interest", "contract"]);
const importQuery = z.object({
  list: z.string().min(1).optional(),
  consentSource: z
    .string()
    .min(1, "say where the consent was collected: ?consentSource=webinar-2026-10%20signup%20form"),
  legalBasis: legalBasis.optional(),
  fileName: z.string().max(200).optional(),
});
const listBody = z.object({
  slug: z.string(),
  name: z.string(),
  description: z.string().nullish(),
  doubleOptIn: z.boolean().optional(),
  public: z.boolean().optional(),
});
const listPatch = z.object({ public: z.boolean() });
const subscribeBody = z.object({
  email: z.string(),
  list: z.string(),
  source: z.string(),
  name: z.string().nullish(),
  evidence: z.record(z.string(), z.unknown()).default({}),
  legalBasis: legalBasis.optional(),
});

/** CSV bodies can be large; everything else on /api stays under the server's 1 MB. */
const CSV_BODY_LIMIT = 64 * 1024 * 1024;

/**
 * Contacts and lists on the admin API:
 *   POST /api/contacts/import?list=news&consentSource=...   body: text/csv
 *   GET  /api/contacts/:id
 *   GET  /api/lists          POST /api/lists {slug, name, description?, doubleOptIn?, public?}
 *   PATCH /api/lists/:slug {public}   (whether the public sign-up form may subscribe to it)
 *   POST /api/subscriptions  {email, list, source, evidence?, name?, legalBasis?}  (direct, consent held elsewhere)
 */
export function register(app: FastifyInstance, deps: HttpDeps): void {
  if (!app.hasContentTypeParser("text/csv")) {
    app.addContentTypeParser(
      "text/csv",
      { parseAs: "buffer", bodyLimit: CSV_BODY_LIMIT },
      (_request, body, done) => done(null, body),
    );
  }

  app.post("/contacts/import", { bodyLimit: CSV_BODY_LIMIT }, async (request, reply) => {
    const query = parseBody(importQuery, request.query, "query");
    if (!Buffer.isBuffer(request.body))
      throw new AppError(
        "invalid_input",
        `send the CSV as the body with Content-Type: text/csv (got ${request.headers["content-type"] ?? "no content type"})`,
      );
    const result = await importContacts(deps, {
      csv: request.body,
      list: query.list,
      consentSource: query.consentSource,
      legalBasis: query.legalBasis,
      fileName: query.fileName,
      actor: apiActorOf(request),
    });
    return reply.code(200).send(result);
  });

  app.get<{ Params: { id: string } }>("/contacts/:id", async (request) => {
    const id = Number(request.params.id);
    if (!Number.isSafeInteger(id) || id <= 0)
      throw new AppError(
        "invalid_input",
        `contact id "${request.params.id}" is not valid; expected a positive integer`,
      );
    const contact = await deps.db.contact.findUnique({
      where: { id },
      select: {
        ...contactFieldsSelect,
        subscriptions: {
          select: {
            status: true,
            requestedAt: true,
            confirmedAt: true,
            unsubscribedAt: true,
            source: true,
            list: { select: { slug: true } },
          },
          orderBy: { listId: "asc" },
        },
        consents: {
          select: {
            purpose: true,
            action: true,
            legalBasis: true,
            source: true,
            evidence: true,
            occurredAt: true,
          },
          orderBy: [{ occurredAt: "asc" }, { id: "asc" }],
        },
      },
    });
    if (!contact) throw new AppError("not_found", `no contact with id ${id}`);
    return {
      ...contact,
      subscriptions: contact.subscriptions.map(({ list, ...s }) => ({ list: list.slug, ...s })),
    };
  });

  app.get("/lists", async () => ({ lists: await listLists(deps.db) }));

  app.post("/lists", async (request, reply) => {
    const body = parseBody(listBody, request.body, "body");
    return reply.code(201).send(await createList(deps, { ...body, actor: apiActorOf(request) }));
  });

  app.patch<{ Params: { slug: string } }>("/lists/:slug", async (request) => {
    const body = parseBody(listPatch, request.body, "body");
    return setListPublic(deps, {
      slug: request.params.slug,
      public: body.public,
      actor: apiActorOf(request),
    });
  });

  app.post("/subscriptions", async (request, reply) => {
    const body = parseBody(subscribeBody, request.body, "body");
    const result = await subscribeContact(deps, {
      ...body,
      evidence: { method: "api", ...body.evidence } as Prisma.InputJsonObject,
      actor: apiActorOf(request),
    });
    return reply.code(result.changed ? 201 : 200).send(result);
  });
}
