import { AppError, unknownName } from "../errors.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { recordAudit } from "../privacy/record-audit.ts";
import type { Db } from "../types.ts";
import { defaultTemplatesDir } from "../config/templates-dir.ts";
import { parseSegment, type Segment } from "./create-campaign.ts";
import { findCampaign } from "./find-campaign.ts";
import { listNewsletterTemplates } from "./render/compile-campaign.ts";

export interface UpdateCampaignInput {
  slug: string;
  template?: string;
  subject?: string;
  preheader?: string | null;
  /** replaces the campaign's lists */
  lists?: string[];
  segment?: Segment | null;
  content?: unknown;
}

/** Content bigger than this is not a newsletter (Gmail clips at 102 KB of HTML). */
const maxContentBytes = 200_000;

/**
 * Changes a draft: what is given replaces what was there. Checked as
 * createCampaign checks (one-line subject, known template and lists, a valid
 * segment); the content's shape is checked when the draft is previewed or
 * scheduled, so a half-written draft can be saved. Only a draft: once
 * scheduled, the frozen message is what goes out. The audit entry names the
 * fields changed, never their values (invariant 10).
 */
export async function updateCampaign(
  deps: { db: Db; templatesDir?: string; actor?: string },
  input: UpdateCampaignInput,
): Promise<{ id: number; changed: string[] }> {
  const campaign = await findCampaign(deps.db, input.slug);
  if (campaign.status !== "draft") {
    throw new AppError(
      "conflict",
      `campaign "${input.slug}" is ${campaign.status}; only a draft can be edited`,
    );
  }
  if (input.subject !== undefined && (/[\r\n]/.test(input.subject) || input.subject.trim() === ""))
    throw new AppError(
      "invalid_input",
      `subject ${JSON.stringify(input.subject)} is not valid; expected one line of text (no CR or LF)`,
    );
  if (input.preheader && /[\r\n]/.test(input.preheader))
    throw new AppError(
      "invalid_input",
      `preheader ${JSON.stringify(input.preheader)} contains a line break; expected a single line`,
    );
  if (input.template !== undefined) {
    const templates = await listNewsletterTemplates(deps.templatesDir ?? defaultTemplatesDir);
    if (!templates.includes(input.template))
      throw unknownName("template", input.template, templates);
  }
  if (input.content !== undefined) checkContentSize(input.content);
  const segment = input.segment == null ? input.segment : parseSegment(input.segment);
  const lists = input.lists === undefined ? undefined : await findLists(deps.db, input.lists);

  const data: Prisma.CampaignUpdateManyMutationInput = {};
  if (input.template !== undefined) data.template = input.template;
  if (input.subject !== undefined) data.subject = input.subject.trim();
  if (input.preheader !== undefined) data.preheader = input.preheader?.trim() || null;
  if (input.content !== undefined) data.content = input.content as Prisma.InputJsonValue;
  if (segment !== undefined)
    data.segment = segment === null ? Prisma.DbNull : (segment as Prisma.InputJsonValue);
  const changed = [...Object.keys(data), ...(lists ? ["lists"] : [])];

  await deps.db.$transaction(async (tx) => {
    // The status is checked again in the write: a draft scheduled meanwhile is left alone.
    const updated = await tx.campaign.updateMany({
      where: { id: campaign.id, status: "draft" },
      data,
    });
    if (updated.count !== 1)
      throw new AppError(
        "conflict",
        `campaign "${input.slug}" was scheduled while being edited; only a draft can be edited`,
      );
    if (lists) {
      await tx.campaignList.deleteMany({ where: { campaignId: campaign.id } });
      await tx.campaignList.createMany({
        data: lists.map((l) => ({ campaignId: campaign.id, listId: l.id })),
      });
    }
    await recordAudit(tx, {
      actor: deps.actor ?? "cli",
      action: "campaign.updated",
      subjectType: "campaign",
      subjectId: campaign.id,
      detail: { fields: changed, ...(lists ? { lists: lists.map((l) => l.slug) } : {}) },
    });
  });
  return { id: campaign.id, changed };
}

async function findLists(db: Db, given: string[]): Promise<Array<{ id: number; slug: string }>> {
  const slugs = [...new Set(given)];
  if (slugs.length === 0)
    throw new AppError("invalid_input", "a campaign needs at least one list; pick one");
  const lists = await db.list.findMany({
    where: { slug: { in: slugs } },
    select: { id: true, slug: true },
  });
  const missing = slugs.find((slug) => !lists.some((l) => l.slug === slug));
  if (missing !== undefined) {
    const known = await db.list.findMany({ select: { slug: true }, orderBy: { slug: "asc" } });
    throw unknownName(
      "list",
      missing,
      known.map((l) => l.slug),
    );
  }
  return lists;
}

function checkContentSize(content: unknown): void {
  if (content === null || typeof content !== "object" || Array.isArray(content))
    throw new AppError(
      "invalid_input",
      `content is ${Array.isArray(content) ? "a list" : typeof content}; expected an object of content blocks`,
    );
  const bytes = Buffer.byteLength(JSON.stringify(content));
  if (bytes > maxContentBytes)
    throw new AppError(
      "invalid_input",
      `content is ${bytes} bytes; expected at most ${maxContentBytes} (a newsletter that long is clipped by mail clients)`,
    );
}
