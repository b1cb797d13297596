// Shared inputs for the render-*.test.ts files.
import path from "node:path";
import type { RecipientFields } from "../../src/newsletters/render/personalise.ts";

export const templatesDir = path.resolve(import.meta.dirname, "../../templates");
export const fixturesDir = path.resolve(import.meta.dirname, "../fixtures/templates");
export const postalAddress = "ACME Widgets Ltd\n12 Harbour Road\nBristol BS1 4XY";

export function monthlyContent(count = 5) {
  return {
    intro: "Here is what happened at ACME this month.",
    articles: Array.from({ length: count }, (_, i) => ({
      title: `Widget story number ${i + 1}`,
      body: `The ${i + 1}th widget shipped.\n\nIt was blue.`,
      url: `https://acme.example/news/${i + 1}`,
      ...(i % 2 === 0 ? { imageUrl: `https://acme.example/img/${i + 1}.png` } : {}),
    })),
  };
}

export function monthlyInput(overrides: Record<string, unknown> = {}) {
  return {
    templatesDir,
    template: "monthly",
    subject: "ACME monthly for {{name}}",
    preheader: "Five widget stories, one of them blue",
    content: monthlyContent(),
    postalAddress,
    fromName: "ACME Widgets",
    ...overrides,
  };
}

export const recipient: RecipientFields = {
  name: "Ada Lovelace",
  email: "ada@example.org",
  company: "Analytical Engines",
  unsubscribeUrl: "https://news.acme.example/u/abcdefghijk234567",
  preferencesUrl: "https://news.acme.example/u/abcdefghijk234567",
};
