import { apiActorOf } from "../api-access.ts";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import { campaignReport } from "../../newsletters/campaign-report.ts";
import { cancelCampaign } from "../../newsletters/cancel-campaign.ts";
import { createCampaign, segmentSchema } from "../../newsletters/create-campaign.ts";
import { pauseCampaign } from "../../newsletters/pause-campaign.ts";
import { previewCampaign } from "../../newsletters/preview-campaign.ts";
import { resumeCampaign } from "../../newsletters/resume-campaign.ts";
import { scheduleCampaign } from "../../newsletters/schedule-campaign.ts";
import type { HttpDeps } from "../deps.ts";
import { parseBody } from "./parse-body.ts";

const createBody = z.object({
  slug: z.string(),
  template: z.string(),
  subject: z.string(),
  preheader: z.string().nullish(),
  lists: z.array(z.string()).min(1, "name at least one list"),
  segment: segmentSchema.nullish(),
  content: z.unknown(),
});
const scheduleBody = z
  .object({
    at: z.iso.datetime({ offset: true }).optional(),
    allowSensitive: z.string().min(1).optional(),
  })
  .default({});
const previewQuery = z.object({
  contactId: z.coerce.number().int().positive().optional(),
  email: z.string().optional(),
  part: z.enum(["html", "text", "eml"]).default("html"),
});

/**
 * Campaigns on the admin API:
 *   POST /api/campaigns {slug, template, subject, preheader?, lists, segment?, content}
 *   POST /api/campaigns/:slug/schedule {at?}   /pause   /resume   /cancel
 *   GET  /api/campaigns/:slug/report            counts per state, uncertain, failures with answers
 *   GET  /api/campaigns/:slug/preview?contactId=|email=&part=html|text|eml
 */
export function register(app: FastifyInstance, deps: HttpDeps): void {
  const campaignDeps = (request: FastifyRequest) => ({ ...deps, actor: apiActorOf(request) });
  app.post("/campaigns", async (request, reply) => {
    const body = parseBody(createBody, request.body, "campaign");
    const campaign = await createCampaign(
      { db: deps.db, templatesDir: deps.config.templatesDir, actor: apiActorOf(request) },
      { ...body, preheader: body.preheader ?? null, segment: body.segment ?? null },
    );
    return reply.code(201).send(campaign);
  });
  app.post<{ Params: { slug: string } }>("/campaigns/:slug/schedule", async (request) => {
    const body = parseBody(scheduleBody, request.body, "schedule request");
    const result = await scheduleCampaign(campaignDeps(request), {
      slug: request.params.slug,
      at: body.at ? new Date(body.at) : undefined,
      allowSensitive: body.allowSensitive,
    });
    return { id: result.id, scheduledAt: result.scheduledAt.toISOString() };
  });
  app.post<{ Params: { slug: string } }>("/campaigns/:slug/pause", async (request) => {
    await pauseCampaign(campaignDeps(request), { slug: request.params.slug });
    return { status: "paused" };
  });
  app.post<{ Params: { slug: string } }>("/campaigns/:slug/resume", async (request) => {
    await resumeCampaign(campaignDeps(request), { slug: request.params.slug });
    return { status: "resumed" };
  });
  app.post<{ Params: { slug: string } }>("/campaigns/:slug/cancel", async (request) => {
    const result = await cancelCampaign(campaignDeps(request), { slug: request.params.slug });
    return { status: "cancelled", ...result };
  });
  app.get<{ Params: { slug: string } }>("/campaigns/:slug/report", async (request) =>
    campaignReport(deps.db, request.params.slug),
  );
  app.get<{ Params: { slug: string } }>("/campaigns/:slug/preview", async (request, reply) => {
    const query = parseBody(previewQuery, request.query, "query");
    const message = await previewCampaign(
      { db: deps.db, config: deps.config, mailer: deps.mailer },
      { slug: request.params.slug, contactId: query.contactId, email: query.email },
    );
    if (query.part === "text")
      return reply.type("text/plain; charset=utf-8").send(message.personalised.text);
    if (query.part === "eml") return reply.type("message/rfc822").send(message.raw);
    return reply.type("text/html; charset=utf-8").send(message.personalised.html);
  });
}
