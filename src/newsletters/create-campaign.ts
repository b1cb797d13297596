import { z } from "zod";
import { AppError, unknownName } from "../errors.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { recordAudit } from "../privacy/record-audit.ts";
import type { Db } from "../types.ts";
import { listNewsletterTemplates } from "./render/compile-campaign.ts";
import { defaultTemplatesDir } from "../config/templates-dir.ts";

/** Filters on contact fields; within a field any value matches, across fields all must (case-insensitive). */
export const segmentSchema = z
  .object({
    industry: z.array(z.string().min(1)).min(1).optional(),
    productInterests: z.array(z.string().min(1)).min(1).optional(),
    company: z.array(z.string().min(1)).min(1).optional(),
  })
  .strict();

export type Segment = z.infer<typeof segmentSchema>;

export interface CreateCampaignInput {
  slug: string;
  template: string;
  subject: string;
  preheader?: string | null;
  lists: string[];
  segment?: Segment | null;
  content: unknown;
}

const slugPattern = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** A draft campaign: nothing is rendered or sent until it is scheduled. */
export async function createCampaign(
  deps: { db: Db; templatesDir?: string; actor?: string },
  input: CreateCampaignInput,
): Promise<{ id: number; slug: string }> {
  if (!slugPattern.test(input.slug)) {
    throw new AppError(
      "invalid_input",
      `campaign slug "${input.slug}" is not valid; expected lower-case letters, digits and hyphens, e.g. "2026-11-news"`,
    );
  }
  if (/[\r\n]/.test(input.subject) || input.subject.trim() === "") {
    throw new AppError(
      "invalid_input",
      `subject ${JSON.stringify(input.subject)} is not valid; expected one line of text (no CR or LF)`,
    );
  }
  if (input.lists.length === 0)
    throw new AppError("invalid_input", "a campaign needs at least one list; pass --list SLUG");
  const segment = input.segment == null ? null : parseSegment(input.segment);
  const templates = await listNewsletterTemplates(deps.templatesDir ?? defaultTemplatesDir);
  if (!templates.includes(input.template)) throw unknownName("template", input.template, templates);

  const slugs = [...new Set(input.lists)];
  const lists = await deps.db.list.findMany({
    where: { slug: { in: slugs } },
    select: { id: true, slug: true },
  });
  const missing = slugs.find((slug) => !lists.some((l) => l.slug === slug));
  if (missing !== undefined) {
    const known = await deps.db.list.findMany({ select: { slug: true }, orderBy: { slug: "asc" } });
    throw unknownName(
      "list",
      missing,
      known.map((l) => l.slug),
    );
  }
  const existing = await deps.db.campaign.findUnique({
    where: { slug: input.slug },
    select: { id: true },
  });
  if (existing)
    throw new AppError("conflict", `campaign "${input.slug}" already exists; choose another slug`);

  return deps.db.$transaction(async (tx) => {
    const campaign = await tx.campaign.create({
      data: {
        slug: input.slug,
        template: input.template,
        subject: input.subject,
        preheader: input.preheader ?? null,
        content: (input.content ?? {}) as Prisma.InputJsonValue,
        ...(segment ? { segment: segment as Prisma.InputJsonValue } : {}),
        lists: { create: lists.map((l) => ({ listId: l.id })) },
      },
      select: { id: true, slug: true },
    });
    await recordAudit(tx, {
      actor: deps.actor ?? "cli",
      action: "campaign.created",
      subjectType: "campaign",
      subjectId: campaign.id,
      detail: { slug: campaign.slug, template: input.template, lists: slugs },
    });
    return campaign;
  });
}

export function parseSegment(value: unknown): Segment {
  const parsed = segmentSchema.safeParse(value);
  if (!parsed.success) {
    throw new AppError(
      "invalid_input",
      `segment ${JSON.stringify(value)} is not valid (${parsed.error.issues.map((i) => `${i.path.join(".") || "segment"}: ${i.message}`).join("; ")}); expected {"industry"?: [..], "productInterests"?: [..], "company"?: [..]}`,
    );
  }
  return parsed.data;
}
