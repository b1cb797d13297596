/**
 * The draft editor's routes: save (with the block buttons' `op` when there is
 * no script), the htmx fragments (blocks, preview, audience) that read the
 * unsaved form, and schedule. The fragments change nothing stored.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteShorthandOptions } from "fastify";
import { listLists } from "../../contacts/list-lists.ts";
import { AppError, isAppError } from "../../errors.ts";
import { countAudience } from "../../newsletters/count-audience.ts";
import { listNewsletterTemplates } from "../../newsletters/render/compile-campaign.ts";
import { scheduleCampaign } from "../../newsletters/schedule-campaign.ts";
import { updateCampaign } from "../../newsletters/update-campaign.ts";
import type { HttpDeps } from "../deps.ts";
import { httpStatusOf } from "../error-status.ts";
import {
  applyArticleOp,
  contentOf,
  formValuesOf,
  readCampaignForm,
  segmentOf,
  type CampaignFormValues,
} from "./campaign-form.ts";
import { checkCampaignDraft } from "./check-campaign-draft.ts";
import {
  actorOf,
  areaRoles,
  csrfField,
  html,
  operatorOf,
  sendPage,
  type ConsolePageInput,
} from "./console-kit.ts";
import { loadCampaign, type LoadedCampaign } from "./load-campaign.ts";
import { registerPreviewFrames } from "./preview-frames.ts";
import { renderCampaignBlocks, type BlocksView } from "./render-campaign-blocks.ts";
import { renderCampaignEditor, type EditorView } from "./render-campaign-editor.ts";
import { renderDraftPreview } from "./render-draft-preview.ts";
import { zonedTimeToUtc } from "./zoned-time-to-utc.ts";

type SlugRequest = FastifyRequest<{ Params: { slug: string } }>;

const zones = (() => {
  const names = Intl.supportedValuesOf("timeZone");
  return names.includes("UTC") ? names : ["UTC", ...names];
})();

export interface EditorPage {
  campaign: LoadedCampaign;
  values?: CampaignFormValues;
  errors?: Record<string, string>;
  notice?: ConsolePageInput["notice"];
  status?: number;
  schedule?: EditorView["schedule"];
  focus?: BlocksView["focus"];
}

export function registerCampaignEditor(
  app: FastifyInstance,
  deps: HttpDeps,
  marketing: RouteShorthandOptions,
) {
  const frames = registerPreviewFrames(app, "/admin/campaign-previews", areaRoles.campaigns);

  async function send(request: FastifyRequest, reply: FastifyReply, page: EditorPage) {
    const [templates, lists] = await Promise.all([
      listNewsletterTemplates(deps.config.templatesDir),
      listLists(deps.db),
    ]);
    const values = page.values ?? formValuesOf(page.campaign);
    return sendPage(
      request,
      reply,
      {
        title: `Edit ${page.campaign.slug}`,
        area: "campaigns",
        notice: page.notice,
        styles: ["campaigns.css"],
        scripts: ["campaigns.js"],
        body: renderCampaignEditor(csrfField(request), {
          slug: page.campaign.slug,
          values,
          errors: page.errors ?? {},
          templates,
          lists,
          operatorEmail: operatorOf(request).email,
          zones,
          schedule: page.schedule,
          focus: page.focus,
        }),
      },
      page.status ?? 200,
    );
  }

  /** Saves the posted form; on a refusal answers with the editor (errors at their fields) and returns null. */
  async function save(
    request: SlugRequest,
    reply: FastifyReply,
    values = readCampaignForm(request.body),
  ) {
    const campaign = await loadCampaign(deps.db, request.params.slug);
    try {
      await updateCampaign(
        {
          db: deps.db,
          templatesDir: deps.config.templatesDir,
          actor: actorOf(operatorOf(request)),
        },
        {
          slug: campaign.slug,
          template: values.template,
          subject: values.subject,
          preheader: values.preheader,
          content: contentOf(values),
          lists: values.lists,
          segment: segmentOf(values),
        },
      );
      return await loadCampaign(deps.db, campaign.slug);
    } catch (error) {
      if (!isAppError(error)) throw error;
      await send(request, reply, {
        campaign,
        values,
        errors: { [fieldOf(error)]: error.message },
        notice: { kind: "error", message: `Not saved: ${error.message}` },
        status: httpStatusOf(error.code),
        schedule: scheduleOf(request.body),
      });
      return null;
    }
  }

  app.post<{ Params: { slug: string } }>(
    "/admin/campaigns/:slug",
    marketing,
    async (request, reply) => {
      const values = readCampaignForm(request.body);
      const op = String((request.body as Record<string, unknown>)?.op ?? "save");
      const index = op === "save" ? null : applyArticleOp(values, op);
      const saved = await save(request, reply, values);
      if (!saved) return reply;
      const anchor = index === null ? "" : `#article-${index}`;
      return reply.redirect(
        `/admin/campaigns/${encodeURIComponent(saved.slug)}?notice=saved${anchor}`,
        303,
      );
    },
  );

  app.post<{ Params: { slug: string } }>(
    "/admin/campaigns/:slug/blocks",
    marketing,
    async (request, reply) => {
      const values = readCampaignForm(request.body);
      const op = String((request.body as Record<string, unknown>)?.op ?? "");
      const index = applyArticleOp(values, op);
      const kind = op.split("-")[0];
      const focus: BlocksView["focus"] =
        index === null
          ? { index: -1, on: "add" }
          : kind === "up" || kind === "down"
            ? { index, on: kind }
            : { index, on: "title" };
      reply.header("hx-trigger", "blocks-changed");
      const fragment = renderCampaignBlocks({
        slug: request.params.slug,
        values,
        errors: {},
        focus,
      });
      return reply.type("text/html; charset=utf-8").send(fragment.value);
    },
  );

  app.post<{ Params: { slug: string } }>(
    "/admin/campaigns/:slug/preview",
    marketing,
    async (request, reply) => {
      const values = readCampaignForm(request.body);
      const check = await checkCampaignDraft(deps.config, values);
      const fragment = renderDraftPreview(frames, values, check, deps.clock.now());
      return reply.type("text/html; charset=utf-8").send(fragment.value);
    },
  );

  app.post<{ Params: { slug: string } }>(
    "/admin/campaigns/:slug/audience",
    marketing,
    async (request, reply) => {
      const values = readCampaignForm(request.body);
      let fragment;
      try {
        const n = await countAudience(
          { db: deps.db, suppressionKey: deps.config.suppressionKey },
          { lists: values.lists, segment: segmentOf(values) },
        );
        fragment =
          values.lists.length === 0
            ? html`<p><strong>No list picked</strong>: pick at least one list.</p>`
            : html`<p>
                <strong data-testid="audience-count"
                  >${n.recipients.toLocaleString("en-US")}</strong
                >
                ${n.recipients === 1 ? "person" : "people"} would receive it if it went out
                now${
                  n.suppressed
                    ? html` (${n.suppressed} more are subscribed but suppressed and are never sent
                      to)`
                    : ""
                }.
              </p>`;
      } catch (error) {
        if (!isAppError(error)) throw error;
        fragment = html`<p class="field-error">${error.message}</p>`;
      }
      return reply.type("text/html; charset=utf-8").send(fragment.value);
    },
  );

  app.post<{ Params: { slug: string } }>(
    "/admin/campaigns/:slug/schedule",
    marketing,
    async (request, reply) => {
      const values = readCampaignForm(request.body);
      const schedule = scheduleOf(request.body);
      const saved = await save(request, reply, values);
      if (!saved) return reply;
      const refuse = async (error: AppError, errors: Record<string, string>) =>
        send(request, reply, {
          campaign: saved,
          values,
          errors,
          schedule,
          notice: { kind: "error", message: `Not scheduled: ${error.message}` },
          status: httpStatusOf(error.code),
        });
      let at: Date | undefined;
      try {
        if (schedule.when === "later") {
          at = zonedTimeToUtc(schedule.at, schedule.zone);
          if (at <= deps.clock.now())
            return refuse(
              new AppError(
                "invalid_input",
                `${schedule.at} in ${schedule.zone} has already passed; pick a later time or "Send now"`,
              ),
              { at: "This time has already passed." },
            );
        }
        await scheduleCampaign(
          { ...deps, templatesDir: deps.config.templatesDir, actor: actorOf(operatorOf(request)) },
          { slug: saved.slug, at, allowSensitive: schedule.allowSensitive.trim() || undefined },
        );
      } catch (error) {
        if (!isAppError(error)) throw error;
        const placed = (await checkCampaignDraft(deps.config, values)).fieldErrors;
        return refuse(
          error,
          schedule.when === "later" && !at ? { at: error.message, ...placed } : placed,
        );
      }
      return reply.redirect(
        `/admin/campaigns/${encodeURIComponent(saved.slug)}/report?notice=scheduled`,
        303,
      );
    },
  );

  return { send, save };
}

function scheduleOf(body: unknown): NonNullable<EditorView["schedule"]> {
  const b = (body ?? {}) as Record<string, unknown>;
  const s = (k: string) => (typeof b[k] === "string" ? (b[k] as string) : "");
  return {
    when: s("when") || "now",
    at: s("at"),
    zone: s("zone") || "UTC",
    allowSensitive: s("allowSensitive"),
  };
}

/** Which field a refused save is about, from the domain's message. */
function fieldOf(error: AppError): string {
  if (/^subject\b/.test(error.message)) return "subject";
  if (/^preheader\b/.test(error.message)) return "preheader";
  if (/\blist\b/.test(error.message)) return "lists";
  if (/^segment\b/.test(error.message)) return "segment";
  return "content";
}
