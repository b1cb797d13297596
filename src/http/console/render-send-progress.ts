/**
 * A send's progress bar and its figures in words (percent, handled of total,
 * sent, failed, uncertain, rate, time left): the bar is labelled by a heading
 * of the caller's, the words carry everything the bar shows.
 */
import { html, type Html } from "./console-kit.ts";
import type { SendProgress } from "./send-progress.ts";
import { count } from "./view-helpers.ts";

export function renderSendProgress(
  p: SendProgress,
  opts: { labelledBy: string; id?: string },
): Html {
  return html`<progress
      ${opts.id ? html`id="${opts.id}"` : ""}
      max="100"
      value="${p.percent}"
      aria-labelledby="${opts.labelledBy}"
    ></progress>
    <p class="progress-figure">
      <strong data-testid="percent">${p.percent}%</strong> · ${count(p.done)} of ${count(p.total)}
      handled · ${count(p.sent)} sent · ${count(p.failed)} failed · ${count(p.uncertain)}
      uncertain${p.rate > 0 ? html` · ${p.rate.toFixed(1)} per second` : ""}${
        p.secondsLeft !== null ? html` · about ${duration(p.secondsLeft)} left` : ""
      }
    </p>`;
}

function duration(seconds: number): string {
  if (seconds < 90) return `${Math.ceil(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}
