/**
 * Re-measures the classifier's and trimmer's agreement with the shared third-party
 * fixtures (../shared/fixtures) and prints one table per corpus, disagreements listed
 * with what was expected, what we said, and why where we wrote it down:
 *   npx tsx bench/classify-fixtures.ts
 * The unit test test/unit/inbox-shared-fixtures.test.ts asserts a floor on the same
 * numbers.
 */
import {
  formatTable,
  measureBounceText,
  measureReplyParser,
  measureReplyTrimmer,
} from "../test/unit/inbox-fixture-agreement.ts";

const started = performance.now();
const trimmer = measureReplyTrimmer();
console.log(formatTable("reply-trimmer (kept text)", trimmer));
console.log(
  formatTable(
    "reply-trimmer (removed part, words compared)",
    trimmer.map((o) => ({
      name: o.name,
      agrees: o.removedAgrees,
      expected: o.removedExpected,
      actual: o.removedActual,
    })),
  ),
);
console.log(
  `  reference keeps nothing, we keep the full text by design: ${trimmer
    .filter((o) => o.referenceEmpty)
    .map((o) => o.name)
    .join(", ")}`,
);
console.log(formatTable("reply-parser (our written expectations)", measureReplyParser()));
console.log(formatTable("bounce-text (bounce, recipient, verdict)", await measureBounceText()));
console.log(`measured in ${Math.round(performance.now() - started)} ms`);
