/**
 * Campaigns (marketing): the list, a new draft from a template, the editor
 * with its live preview, audience count, test send and schedule, pause,
 * resume and cancel, and the report. Every change is a domain function called
 * with the operator as the audit actor; the editor's buttons save first.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { listLists } from "../../contacts/list-lists.ts";
import { isAppError, type AppError } from "../../errors.ts";
import { campaignOutcomes } from "../../newsletters/campaign-outcomes.ts";
import { campaignReport } from "../../newsletters/campaign-report.ts";
import { cancelCampaign } from "../../newsletters/cancel-campaign.ts";
import { countAudience } from "../../newsletters/count-audience.ts";
import { createCampaign } from "../../newsletters/create-campaign.ts";
import { listCampaigns } from "../../newsletters/list-campaigns.ts";
import { pauseCampaign } from "../../newsletters/pause-campaign.ts";
import { sendTestMessage } from "../../newsletters/preview-campaign.ts";
import { listNewsletterTemplates } from "../../newsletters/render/compile-campaign.ts";
import { sampleContent } from "../../newsletters/render/sample-content.ts";
import { resumeCampaign } from "../../newsletters/resume-campaign.ts";
import type { HttpDeps } from "../deps.ts";
import { httpStatusOf } from "../error-status.ts";
import { registerCampaignEditor } from "./campaign-editor-routes.ts";
import { loadCampaign } from "./load-campaign.ts";
import {
  actorOf,
  areaRoles,
  csrfField,
  html,
  operatorOf,
  requireRole,
  sendPage,
  type ConsolePageInput,
} from "./console-kit.ts";
import { readCampaignForm } from "./campaign-form.ts";
import {
  renderCampaignList,
  renderCampaignState,
  renderNewCampaign,
  type NewCampaignValues,
} from "./render-campaign-list.ts";
import { renderCampaignReport } from "./render-campaign-report.ts";

export const campaignNotices: Record<string, string> = {
  created: "Draft created. Write it here; the preview follows as you type.",
  saved: "Draft saved.",
  scheduled: "Campaign scheduled.",
  paused: "Campaign paused; nobody else is sent anything until you resume it.",
  resumed: "Campaign resumed.",
  cancelled: "Campaign cancelled.",
};

export const campaignPageAssets = { styles: ["campaigns.css"], scripts: ["campaigns.js"] };

export function register(app: FastifyInstance, deps: HttpDeps): void {
  const roles = areaRoles.campaigns;
  const marketing = { preHandler: requireRole(...roles) };

  app.get("/admin/campaigns", marketing, async (request, reply) =>
    sendPage(request, reply, {
      title: "Campaigns",
      area: "campaigns",
      body: renderCampaignList(await listCampaigns(deps.db)),
      ...campaignPageAssets,
    }),
  );

  app.get("/admin/campaigns/new", marketing, async (request, reply) =>
    sendNewPage(request, reply, deps, {
      slug: "",
      template: "monthly",
      subject: "",
      preheader: "",
      lists: [],
    }),
  );

  app.post("/admin/campaigns", marketing, async (request, reply) => {
    const form = readCampaignForm(request.body);
    const slug = String((request.body as Record<string, unknown>)?.slug ?? "").trim();
    const values = { ...form, slug };
    try {
      await createCampaign(
        {
          db: deps.db,
          templatesDir: deps.config.templatesDir,
          actor: actorOf(operatorOf(request)),
        },
        {
          slug,
          template: form.template,
          subject: form.subject,
          preheader: form.preheader.trim() || null,
          lists: form.lists,
          content: sampleContent(form.template),
        },
      );
      return reply.redirect(`/admin/campaigns/${encodeURIComponent(slug)}?notice=created`, 303);
    } catch (error) {
      const status = statusOf(error);
      return sendNewPage(request, reply, deps, values, {
        notice: { kind: "error", message: (error as AppError).message },
        status,
      });
    }
  });

  app.get<{ Params: { slug: string }; Querystring: { notice?: string } }>(
    "/admin/campaigns/:slug",
    marketing,
    async (request, reply) => {
      const campaign = await loadCampaign(deps.db, request.params.slug);
      const message = campaignNotices[request.query.notice ?? ""];
      const notice = message ? { kind: "ok" as const, message } : undefined;
      if (campaign.status === "draft") return editor.send(request, reply, { campaign, notice });
      return sendPage(request, reply, {
        title: `Campaign ${campaign.slug}`,
        area: "campaigns",
        notice,
        body: renderCampaignState(csrfField(request), campaign),
        ...campaignPageAssets,
      });
    },
  );

  const editor = registerCampaignEditor(app, deps, marketing);

  const control = (name: string, run: (slug: string, actor: string) => Promise<unknown>) =>
    app.post<{ Params: { slug: string } }>(
      `/admin/campaigns/:slug/${name}`,
      marketing,
      async (request, reply) => {
        const { slug } = request.params;
        try {
          await run(slug, actorOf(operatorOf(request)));
        } catch (error) {
          const campaign = await loadCampaign(deps.db, slug);
          return sendPage(
            request,
            reply,
            {
              title: `Campaign ${campaign.slug}`,
              area: "campaigns",
              notice: { kind: "error", message: (error as AppError).message },
              body: renderCampaignState(csrfField(request), campaign),
              ...campaignPageAssets,
            },
            statusOf(error),
          );
        }
        const done = { pause: "paused", resume: "resumed", cancel: "cancelled" }[name];
        return reply.redirect(`/admin/campaigns/${encodeURIComponent(slug)}?notice=${done}`, 303);
      },
    );
  control("pause", (slug, actor) => pauseCampaign({ db: deps.db, actor }, { slug }));
  control("resume", (slug, actor) => resumeCampaign({ ...deps, actor }, { slug }));
  control("cancel", (slug, actor) => cancelCampaign({ ...deps, actor }, { slug }));

  app.post<{ Params: { slug: string } }>(
    "/admin/campaigns/:slug/test",
    marketing,
    async (request, reply) => {
      const saved = await editor.save(request, reply);
      if (!saved) return reply;
      const operator = operatorOf(request);
      try {
        if (!deps.mailer) throw new Error("no mailer");
        const result = await sendTestMessage(
          {
            db: deps.db,
            config: deps.config,
            mailer: deps.mailer,
            log: deps.log,
            actor: actorOf(operator),
          },
          { slug: request.params.slug, to: operator.email },
        );
        return editor.send(request, reply, {
          campaign: saved,
          notice: {
            kind: "ok",
            message: `Test sent to ${operator.email}; the mail server answered: ${result.response}`,
          },
        });
      } catch (error) {
        return editor.send(request, reply, {
          campaign: saved,
          notice: { kind: "error", message: `No test was sent: ${messageOf(error)}` },
          status: statusOf(error),
        });
      }
    },
  );

  app.get<{
    Params: { slug: string };
    Querystring: { live?: string; expected?: string; notice?: string };
  }>("/admin/campaigns/:slug/report", marketing, async (request, reply) => {
    const report = await campaignReport(deps.db, request.params.slug);
    const now = deps.clock.now();
    const outcomes = await campaignOutcomes(deps.db, report, now);
    let expected = Number(request.query.expected);
    if (!Number.isSafeInteger(expected) || expected < 0) {
      const c = await loadCampaign(deps.db, report.slug);
      expected = ["sent", "cancelled", "failed"].includes(c.status)
        ? report.counts.total
        : (
            await countAudience(
              { db: deps.db, suppressionKey: deps.config.suppressionKey },
              { lists: c.lists, segment: c.segment as never },
            )
          ).recipients;
    }
    const body = renderCampaignReport({ report, outcomes, expected, now });
    if (request.query.live) return reply.type("text/html; charset=utf-8").send(body.value);
    const message = campaignNotices[request.query.notice ?? ""];
    return sendPage(request, reply, {
      title: `Report: ${report.slug}`,
      area: "campaigns",
      notice: message ? { kind: "ok", message } : undefined,
      body: html`<p>
          <a href="/admin/campaigns">All campaigns</a> ·
          <a href="/admin/campaigns/${report.slug}">The campaign</a>
        </p>
        ${body}`,
      ...campaignPageAssets,
    });
  });
}

async function sendNewPage(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: HttpDeps,
  values: NewCampaignValues,
  extra: { notice?: ConsolePageInput["notice"]; status?: number } = {},
): Promise<FastifyReply> {
  const [templates, lists] = await Promise.all([
    listNewsletterTemplates(deps.config.templatesDir),
    listLists(deps.db),
  ]);
  return sendPage(
    request,
    reply,
    {
      title: "New campaign",
      area: "campaigns",
      notice: extra.notice,
      body: renderNewCampaign(csrfField(request), templates, lists, values),
      ...campaignPageAssets,
    },
    extra.status ?? 200,
  );
}

/** A domain refusal is the operator's to fix (4xx, said on the page); anything else is ours. */
export function statusOf(error: unknown): number {
  if (isAppError(error)) return httpStatusOf(error.code);
  throw error;
}

function messageOf(error: unknown): string {
  if (isAppError(error)) return error.message;
  if (error instanceof Error && error.message === "no mailer")
    return "this server has no mailer configured (SMTP_URL)";
  throw error;
}
