import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const eml = (name: string): string => path.join("test/fixtures/eml", name);

describe("mailsteward inbox classify --json", () => {
  it(
    "works with an empty environment: no database, no config; one line per file, bad files included",
    { timeout: 120_000 },
    async () => {
      const dir = mkdtempSync(path.join(tmpdir(), "classify-"));
      const garbage = path.join(dir, "garbage.eml");
      writeFileSync(garbage, Buffer.from([0xff, 0x00, 0x13, 0x37]));
      const files = [
        eml("postfix-dsn-user-unknown.eml"),
        garbage,
        path.join(dir, "missing.eml"),
        eml("reply-gmail-nb.eml"),
        eml("unsubscribe-token.eml"),
        eml("auto-reply-subject-de.eml"),
        eml("arf-complaint.eml"),
        eml("read-receipt.eml"),
      ];
      const { stdout } = await run(
        process.execPath,
        ["bin/mailsteward.js", "inbox", "classify", "--json", ...files],
        {
          cwd: repo,
          env: {},
        },
      );
      const lines = stdout
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(lines.map((l) => [l.file, l.kind])).toEqual([
        [files[0], "bounce"],
        [files[1], "unparseable"],
        [files[2], "unparseable"],
        [files[3], "reply"],
        [files[4], "unsubscribe"],
        [files[5], "auto_reply"],
        [files[6], "complaint"],
        [files[7], "other"],
      ]);
      // exactly the fields the issue names, nothing more
      expect(lines[0]).toEqual({
        file: files[0],
        kind: "bounce",
        recipients: [
          { address: "nosuchuser@example.net", status: "5.1.1", action: "failed", verdict: "hard" },
        ],
      });
      expect(Object.keys(lines[1]!)).toEqual(["file", "kind", "reason"]);
      expect(Object.keys(lines[3]!)).toEqual(["file", "kind", "text", "removed"]);
      expect(lines[4]).toEqual({ file: files[4], kind: "unsubscribe" });
      expect(lines[1]!.reason).toMatch(/header/);
      expect(lines[2]!.reason).toMatch(/ENOENT/);
      expect(lines[3]!.text).toBe(
        "Takk for brevet! Kan dere sende meg programmet for januar?\n\nHilsen Kari",
      );
      expect(lines[3]!.removed).toMatch(/skrev Example News/);
    },
  );
});
