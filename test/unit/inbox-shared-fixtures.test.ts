import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  fixturesDir,
  formatTable,
  measureBounceText,
  measureReplyParser,
  measureReplyTrimmer,
} from "./inbox-fixture-agreement.ts";

// The shared fixtures live beside the clone (../shared/fixtures); CI has them there.
// Without them locally the tests fail rather than pass unmeasured.
describe("agreement with the shared third-party fixtures", () => {
  it("the fixtures are there", () => {
    expect(existsSync(fixturesDir), `expected the shared fixtures at ${fixturesDir}`).toBe(true);
  });

  it("reply-trimmer (email_reply_trimmer): kept part and cut part", () => {
    const outcomes = measureReplyTrimmer();
    console.log(formatTable("reply-trimmer: kept text", outcomes));
    const removed = outcomes.map((o) => ({
      name: o.name,
      agrees: o.removedAgrees,
      expected: o.removedExpected,
      actual: o.removedActual,
    }));
    const empty = outcomes.filter((o) => o.referenceEmpty).map((o) => o.name);
    console.log(`reference cuts everything, we keep the full text by design: ${empty.join(", ")}`);
    console.log(formatTable("reply-trimmer: removed part (words compared)", removed));
    expect(outcomes.length).toBe(64);
    expect(outcomes.filter((o) => o.agrees).length).toBeGreaterThanOrEqual(63);
    expect(removed.filter((o) => o.agrees).length).toBeGreaterThanOrEqual(60);
  });

  it("reply-parser (email-reply-parser): our own reading of each fixture", () => {
    const outcomes = measureReplyParser();
    console.log(formatTable("reply-parser", outcomes));
    expect(outcomes.length).toBeGreaterThanOrEqual(85);
    expect(outcomes.filter((o) => o.agrees).length / outcomes.length).toBeGreaterThanOrEqual(0.9);
  });

  it("bounce-text (email-bounce-parser): bounce or not, recipient, verdict", async () => {
    const outcomes = await measureBounceText();
    console.log(formatTable("bounce-text", outcomes));
    expect(outcomes.length).toBe(111);
    expect(outcomes.filter((o) => o.agrees).length).toBeGreaterThanOrEqual(104);
  });
});
