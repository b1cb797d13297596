// Rendering figures: how long freezing the monthly newsletter (5 articles)
// takes, and how many recipients per second the personaliser fills.
// Run: npx tsx bench/render.ts [recipients]
import path from "node:path";
import { htmlToPlainText } from "../src/adapters/html-to-text.ts";
import { compileCampaign } from "../src/newsletters/render/compile-campaign.ts";
import { createPersonaliser } from "../src/newsletters/render/personalise.ts";

const templatesDir = path.resolve(import.meta.dirname, "../templates");
const recipients = Number(process.argv[2] ?? 20_000);
const compileRuns = 30;

const input = {
  templatesDir,
  template: "monthly",
  subject: "ACME monthly for {{name}}",
  preheader: "Five widget stories",
  postalAddress: "ACME Widgets Ltd\n12 Harbour Road\nBristol BS1 4XY",
  fromName: "ACME Widgets",
  content: {
    intro: "Here is what happened at ACME this month. ".repeat(4),
    articles: Array.from({ length: 5 }, (_, i) => ({
      title: `Widget story number ${i + 1}`,
      body: "The widget shipped on time, in blue, to a very happy customer. ".repeat(6),
      url: `https://acme.example/news/${i + 1}`,
      imageUrl: `https://acme.example/img/${i + 1}.png`,
    })),
  },
};

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

let t = performance.now();
const frozen = await compileCampaign(input);
const first = performance.now() - t;

const times: number[] = [];
for (let i = 0; i < compileRuns; i++) {
  t = performance.now();
  await compileCampaign(input);
  times.push(performance.now() - t);
}

// The text part's share of a compile; MJML takes most of the rest.
const textTimes: number[] = [];
for (let i = 0; i < compileRuns; i++) {
  t = performance.now();
  htmlToPlainText(frozen.html);
  textTimes.push(performance.now() - t);
}

t = performance.now();
const personalise = createPersonaliser(frozen);
const setup = performance.now() - t;

let bytes = 0;
t = performance.now();
for (let i = 0; i < recipients; i++) {
  const m = personalise({
    name: i % 3 === 0 ? null : `Recipient ${i}`,
    email: `r${i}@example.org`,
    company: i % 2 === 0 ? "Analytical Engines" : null,
    unsubscribeUrl: `https://news.acme.example/u/tok${i.toString(32)}abcdefghijklmnop`,
    preferencesUrl: `https://news.acme.example/u/tok${i.toString(32)}abcdefghijklmnop`,
  });
  bytes += m.html.length + m.text.length;
}
const elapsed = performance.now() - t;

console.log(
  `frozen html ${(frozen.html.length / 1024).toFixed(1)} KiB, text ${(frozen.text.length / 1024).toFixed(1)} KiB`,
);
console.log(
  `compile monthly (5 articles): first ${first.toFixed(1)} ms (validates the template too), median of ${compileRuns} warm runs ${median(times).toFixed(2)} ms, min ${Math.min(...times).toFixed(2)} ms`,
);
console.log(`  of which the text part (html-to-text): median ${median(textTimes).toFixed(2)} ms`);
console.log(`personaliser setup ${setup.toFixed(2)} ms`);
console.log(
  `personalise ${recipients} recipients: ${elapsed.toFixed(0)} ms, ${Math.round(recipients / (elapsed / 1000))} messages/s, ${(bytes / 1024 / 1024).toFixed(0)} MiB produced`,
);
