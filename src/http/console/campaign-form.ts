/**
 * The campaign editor's form, as posted: fields named `subject`, `intro`,
 * `article-title-0`, `lists` (repeated), `segment-industry` (comma-separated),
 * and an optional `op` from the add/remove/move buttons. Pure: form in,
 * campaign values out, so the preview, the save and the block buttons read
 * the same thing.
 */
import { maxArticles } from "../../newsletters/render/content-schemas.ts";
import type { Segment } from "../../newsletters/create-campaign.ts";

export interface Article {
  title: string;
  body: string;
  url: string;
  imageUrl: string;
}

export interface CampaignFormValues {
  template: string;
  subject: string;
  preheader: string;
  intro: string;
  articles: Article[];
  lists: string[];
  segment: { industry: string; productInterests: string; company: string };
}

type Form = Record<string, unknown>;

const text = (form: Form, name: string): string => {
  const v = form[name];
  return typeof v === "string" ? v : Array.isArray(v) && typeof v[0] === "string" ? v[0] : "";
};

export function readCampaignForm(body: unknown): CampaignFormValues {
  const form = (body && typeof body === "object" ? body : {}) as Form;
  const articles: Article[] = [];
  for (let i = 0; i < maxArticles + 1 && `article-title-${i}` in form; i++) {
    articles.push({
      title: text(form, `article-title-${i}`),
      body: text(form, `article-body-${i}`),
      url: text(form, `article-url-${i}`).trim(),
      imageUrl: text(form, `article-image-${i}`).trim(),
    });
  }
  const lists = form.lists;
  return {
    template: text(form, "template"),
    subject: text(form, "subject"),
    preheader: text(form, "preheader"),
    intro: text(form, "intro"),
    articles,
    lists: (Array.isArray(lists) ? lists : typeof lists === "string" ? [lists] : []).filter(
      (l): l is string => typeof l === "string" && l !== "",
    ),
    segment: {
      industry: text(form, "segment-industry"),
      productInterests: text(form, "segment-interests"),
      company: text(form, "segment-company"),
    },
  };
}

/** The block buttons: "add", "remove-2", "up-2", "down-2". Returns the article to focus next. */
export function applyArticleOp(values: CampaignFormValues, op: string): number | null {
  const a = values.articles;
  if (op === "add" && a.length < maxArticles) {
    a.push({ title: "", body: "", url: "", imageUrl: "" });
    return a.length - 1;
  }
  const m = /^(remove|up|down)-(\d+)$/.exec(op);
  if (!m) return null;
  const i = Number(m[2]);
  if (i >= a.length) return null;
  if (m[1] === "remove") {
    a.splice(i, 1);
    return a.length === 0 ? null : Math.min(i, a.length - 1);
  }
  const j = m[1] === "up" ? i - 1 : i + 1;
  if (j < 0 || j >= a.length) return i;
  [a[i], a[j]] = [a[j]!, a[i]!];
  return j;
}

/** What the campaign stores: Markdown content, empty optional fields left out. */
export function contentOf(values: CampaignFormValues): Record<string, unknown> {
  return {
    format: "markdown",
    intro: values.intro,
    articles: values.articles.map((a) => ({
      title: a.title,
      body: a.body,
      ...(a.url ? { url: a.url } : {}),
      ...(a.imageUrl ? { imageUrl: a.imageUrl } : {}),
    })),
  };
}

export function segmentOf(values: CampaignFormValues): Segment | null {
  const split = (s: string) =>
    s
      .split(",")
      .map((v) => v.trim())
      .filter((v) => v !== "");
  const segment: Segment = {};
  const industry = split(values.segment.industry);
  const interests = split(values.segment.productInterests);
  const company = split(values.segment.company);
  if (industry.length > 0) segment.industry = industry;
  if (interests.length > 0) segment.productInterests = interests;
  if (company.length > 0) segment.company = company;
  return Object.keys(segment).length > 0 ? segment : null;
}

/** A stored campaign as form values, for the editor's first render. */
export function formValuesOf(campaign: {
  template: string;
  subject: string;
  preheader: string | null;
  content: unknown;
  segment: unknown;
  lists: string[];
}): CampaignFormValues {
  const c = (campaign.content ?? {}) as { intro?: unknown; articles?: unknown };
  const s = (campaign.segment ?? {}) as Record<string, unknown>;
  const join = (v: unknown) => (Array.isArray(v) ? v.join(", ") : "");
  const str = (v: unknown) => (typeof v === "string" ? v : "");
  return {
    template: campaign.template,
    subject: campaign.subject,
    preheader: campaign.preheader ?? "",
    intro: str(c.intro),
    articles: (Array.isArray(c.articles) ? c.articles : []).map((a: Record<string, unknown>) => ({
      title: str(a?.title),
      body: str(a?.body),
      url: str(a?.url),
      imageUrl: str(a?.imageUrl),
    })),
    lists: campaign.lists,
    segment: {
      industry: join(s.industry),
      productInterests: join(s.productInterests),
      company: join(s.company),
    },
  };
}
