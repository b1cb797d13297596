/**
 * Content to show a template with before a campaign has any: the starting
 * point of a new campaign in the console and the template editor's preview.
 * Templates without an entry get an empty object (their `[[fields]]` then
 * say what is missing).
 */
export function sampleContent(template: string): Record<string, unknown> {
  if (template !== "monthly") return {};
  return {
    format: "markdown",
    intro: "Here is what happened this month. Write a short **introduction** here.",
    articles: [
      {
        title: "Our first article",
        body: "Say what it is about in a few lines. *Markdown* works: lists, **bold**, [links](https://example.com/).",
        url: "https://example.com/first-article",
      },
    ],
  };
}
