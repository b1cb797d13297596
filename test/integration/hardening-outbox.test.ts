// Issue 7: the outbox never derives a file name from parsing the message, and
// its files (addresses, live unsubscribe links) are readable by the owner only.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createMailer } from "../../src/adapters/mailer.ts";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ms-outbox-hardening-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("the outbox under hostile headers", () => {
  it("names a raw message's file itself, whatever its Message-ID, and writes it 0600 in a 0700 folder", async () => {
    const outbox = path.join(dir, "outbox");
    const mailer = createMailer({ smtp: undefined, outboxDir: outbox, dkim: undefined });
    const raw = Buffer.from(
      `Message-ID: <${"x".repeat(100_000)}/../../escape@example.test>\r\nTo: a@example.test\r\nSubject: s\r\n\r\nbody\r\n`,
    );
    const result = await mailer.sendRaw!({ from: "n@example.test", to: "a@example.test" }, raw);
    await mailer.close();
    const files = fs.readdirSync(outbox);
    expect(files).toHaveLength(1);
    expect(files[0]!.length).toBeLessThan(64);
    expect(files[0]).not.toContain("x");
    expect(result.response).toContain(files[0]);
    expect(fs.readFileSync(path.join(outbox, files[0]!)).equals(raw)).toBe(true);
    expect(fs.statSync(path.join(outbox, files[0]!)).mode & 0o777).toBe(0o600);
    expect(fs.statSync(outbox).mode & 0o777).toBe(0o700);
    expect(fs.readdirSync(dir)).toEqual(["outbox"]);
  });
});
