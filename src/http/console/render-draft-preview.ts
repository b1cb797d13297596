/**
 * The preview panel's content after each edit: the rendered email at two
 * widths, its plain-text part, and the problems, each also sent out-of-band
 * (hx-swap-oob) to the error line under the field it belongs to, so a
 * problem is shown where it is and a fixed one disappears.
 */
import type { CampaignFormValues } from "./campaign-form.ts";
import type { DraftCheck } from "./check-campaign-draft.ts";
import { html, type Html } from "./console-kit.ts";
import type { PreviewFrames } from "./preview-frames.ts";
import { errorSlot } from "./render-campaign-blocks.ts";

/** Every field with an error line in the editor; each preview answer updates all of them. */
export function editorFieldNames(values: CampaignFormValues): string[] {
  return [
    "subject",
    "preheader",
    "intro",
    "articles",
    ...values.articles.flatMap((_, i) => [
      `article-title-${i}`,
      `article-body-${i}`,
      `article-url-${i}`,
      `article-image-${i}`,
    ]),
  ];
}

export function renderDraftPreview(
  frames: PreviewFrames,
  values: CampaignFormValues,
  check: DraftCheck,
  now: Date,
): Html {
  const problems = Object.keys(check.fieldErrors).length + check.general.length;
  const status =
    problems === 0
      ? html`<p class="notice ok" role="status">
          Preview updated at ${now.toISOString().slice(11, 19)} UTC.
        </p>`
      : html`<div class="notice error" role="status">
          <p>
            ${problems === 1 ? "1 problem" : `${problems} problems`}; each is shown under its field.
          </p>
          ${
            check.general.length > 0
              ? html`<ul>
                  ${check.general.map((g) => html`<li>${g}</li>`)}
                </ul>`
              : ""
          }
          ${
            Object.keys(check.fieldErrors).length > 0
              ? html`<ul>
                  ${Object.entries(check.fieldErrors).map(
                    ([name, message]) =>
                      html`<li><a href="#f-${name}">${labelOf(name)}</a>: ${message}</li>`,
                  )}
                </ul>`
              : ""
          }
        </div>`;
  const oob = editorFieldNames(values).map((name) =>
    errorSlot(name, check.fieldErrors[name], true),
  );
  if (!check.message) return html`${status}${oob}`;
  return html`${status}
    <p class="preview-subject"><span class="muted">Subject:</span> ${check.message.subject}</p>
    ${frames.frames(`<!-- preview for a sample reader -->${check.message.html}`, "Newsletter")}
    <details class="text-part" open>
      <summary>Plain-text part</summary>
      <pre tabindex="0">${check.message.text}</pre>
    </details>
    ${oob}`;
}

function labelOf(name: string): string {
  const m = /^article-(title|body|url|image)-(\d+)$/.exec(name);
  if (m) {
    const part = { title: "title", body: "text", url: "link", image: "image" }[m[1]!]!;
    return `Article ${Number(m[2]) + 1} ${part}`;
  }
  return name.charAt(0).toUpperCase() + name.slice(1);
}
