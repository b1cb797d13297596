/**
 * A bar chart as an SVG picture with the same figures in a table: the picture
 * is for the eye, the table (inside a <details>) is what a screen reader or a
 * copy-paste gets. Colour is only a hint: the caption names each colour's
 * series and the table has a column per series. Used by the campaign report
 * (one campaign's send over time) and the dashboard (sends and unsubscribes
 * per day).
 */
import { html, type Html } from "./console-kit.ts";
import { table } from "./view-helpers.ts";

export interface BarChart {
  /** prefix of the SVG title's and description's ids: unique on the page */
  id: string;
  /** the SVG's class */
  className: string;
  /** the SVG's title, e.g. "Messages sent over time" */
  title: string;
  /** what one bar stands for, e.g. "1 min" or "1 day" */
  perBar: string;
  /** what the values count, e.g. "messages"; absent when the series count different things */
  unit?: string;
  /** lower case, e.g. "sent"; colour name for the caption ("blue") */
  series: ReadonlyArray<{ name: string; colour: string; colourName: string }>;
  /** stacked: one bar a point, the series on top of each other; grouped: side by side */
  layout: "stacked" | "grouped";
  points: ReadonlyArray<{ at: Date; values: readonly number[] }>;
  /** the x axis's label under the first bar */
  axisLabel(at: Date): string;
  /** the table's first column: its heading and each row's text */
  rowHeading: string;
  rowLabel(at: Date): string;
  tableCaption: string;
  /** shown instead when there are no points */
  empty: string;
}

const width = 640;
const height = 160;

export function renderBarChart(chart: BarChart): Html {
  const { points, series } = chart;
  if (points.length === 0) return html`<p class="empty">${chart.empty}</p>`;
  const stacked = chart.layout === "stacked";
  const heights = points.map((p) =>
    stacked ? p.values.reduce((sum, v) => sum + v, 0) : Math.max(0, ...p.values),
  );
  const max = Math.max(1, ...heights);
  const slot = width / points.length;
  const label = `${chart.perBar} per bar; the tallest bar is ${max}${chart.unit ? ` ${chart.unit}` : ""}`;
  const titleId = `${chart.id}-title`;
  const descId = `${chart.id}-desc`;
  const bars = points.map((p, i) => {
    let base = height;
    return p.values.map((value, s) => {
      if (value <= 0) return "";
      const h = (value / max) * height;
      const w = stacked ? Math.max(1, slot - 2) : Math.max(1, (slot - 2) / series.length);
      const x = i * slot + 1 + (stacked ? 0 : s * w);
      const y = stacked ? base - h : height - h;
      if (stacked) base -= h;
      return html`<rect
        x="${x}"
        y="${y}"
        width="${w}"
        height="${h}"
        fill="${series[s]?.colour ?? "#57606a"}"
      />`;
    });
  });
  const legend = series
    .map((s, i) => `${i === 0 ? capitalise(s.colourName) : s.colourName}: ${s.name}`)
    .join("; ");
  return html`<figure class="chart">
      <svg
        viewBox="0 0 ${width} ${height + 20}"
        role="img"
        aria-labelledby="${titleId} ${descId}"
        class="${chart.className}"
      >
        <title id="${titleId}">${chart.title}</title>
        <desc id="${descId}">${label}. The table below has the same figures.</desc>
        <line
          x1="0"
          y1="${height}"
          x2="${width}"
          y2="${height}"
          stroke="#57606a"
          stroke-width="1"
        />
        ${bars}
        <text x="0" y="${height + 16}" font-size="12" fill="#1f2328">
          ${chart.axisLabel(points[0]!.at)}
        </text>
        <text x="${width}" y="${height + 16}" font-size="12" fill="#1f2328" text-anchor="end">
          ${label}
        </text>
      </svg>
      <figcaption>${legend}.</figcaption>
    </figure>
    <details>
      <summary>The same figures as a table</summary>
      ${table({
        caption: chart.tableCaption,
        headers: [chart.rowHeading, ...series.map((s) => capitalise(s.name))],
        rows: points.map(
          (p) =>
            html`<tr>
              <td>${chart.rowLabel(p.at)}</td>
              ${p.values.map((v) => html`<td>${v}</td>`)}
            </tr>`,
        ),
        empty: "",
      })}
    </details>`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
