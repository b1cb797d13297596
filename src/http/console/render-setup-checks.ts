/**
 * `mailsteward doctor`'s findings on the dashboard: problems first, each with
 * its fix (fixes can hold a DNS record over several lines: kept as written).
 */
import type { CheckStatus, SetupCheck } from "../../doctor/doctor-types.ts";
import { html, type Html } from "./console-kit.ts";
import { badge, when } from "./view-helpers.ts";

const order: Record<CheckStatus, number> = { fail: 0, warn: 1, ok: 2 };
const tone = { fail: "bad", warn: "warn", ok: "ok" } as const;
const word = { fail: "problem", warn: "warning", ok: "ok" } as const;

export function renderSetupChecks(result: { checks: readonly SetupCheck[]; at: Date }): Html {
  const checks = [...result.checks].sort((a, b) => order[a.status] - order[b.status]);
  const problems = checks.filter((c) => c.status !== "ok").length;
  return html`<div id="setup-checks">
    <p>
      ${problems === 0 ? "Every check passed." : `${problems} of ${checks.length} checks need attention.`}
      <span class="muted"
        >Checked ${when(result.at)}; the same as <code>mailsteward doctor</code>.</span
      >
    </p>
    <ul class="checks">
      ${checks.map(
        (c) =>
          html`<li data-check="${c.id}">
            ${badge(word[c.status], tone[c.status])} ${c.summary}
            ${
              c.fix
                ? html`<div class="fix">
                    <span class="fix-label">Fix:</span>
                    <pre>${c.fix}</pre>
                  </div>`
                : ""
            }
          </li>`,
      )}
    </ul>
  </div>`;
}
