// Without SMTP_URL, mail goes to a folder of .eml files that any mail client opens.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { simpleParser } from "mailparser";
import { afterAll, describe, expect, it } from "vitest";
import { createMailer } from "../../src/adapters/mailer.ts";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ms-outbox-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("the local outbox", () => {
  it("writes one complete, parseable .eml per message, named by its Message-ID", async () => {
    const mailer = createMailer({
      smtp: undefined,
      outboxDir: path.join(dir, "outbox"),
      dkim: undefined,
    });
    const result = await mailer.send({
      from: "Example News <news@example.test>",
      to: "ada@example.test",
      subject: "Grüße aus dem Hafen",
      html: "<p>Hello <b>Ada</b></p>",
      text: "Hello Ada",
      messageId: "c1.r7.abc@example.test",
      headers: { "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" },
    });
    await mailer.close();
    const files = fs.readdirSync(path.join(dir, "outbox"));
    expect(files).toEqual(["c1.r7.abc_example.test.eml"]);
    expect(result.response).toContain(files[0]);
    const raw = fs.readFileSync(path.join(dir, "outbox", files[0]!));
    const parsed = await simpleParser(raw);
    expect(parsed.messageId).toBe("<c1.r7.abc@example.test>");
    expect(parsed.subject).toBe("Grüße aus dem Hafen");
    expect(parsed.text?.trim()).toBe("Hello Ada");
    expect(parsed.html).toContain("<b>Ada</b>");
    expect(raw.toString("latin1")).toMatch(
      /^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r$/m,
    );
    expect(fs.readdirSync(path.join(dir, "outbox")).some((f) => f.endsWith(".part"))).toBe(false);
  });
});
