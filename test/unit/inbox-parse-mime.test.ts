import { describe, expect, it } from "vitest";
import { parseMime } from "../../src/adapters/parse-mime.ts";
import { isAppError } from "../../src/errors.ts";

async function reason(raw: Buffer | string, options = {}): Promise<string> {
  try {
    await parseMime(Buffer.isBuffer(raw) ? raw : Buffer.from(raw), options);
  } catch (error) {
    if (isAppError(error, "unparseable")) return error.message;
    throw error;
  }
  return "parsed";
}

describe("parseMime on hostile input: bounded, never a crash", () => {
  it("a 30 MB attachment keeps only its name, type and size", async () => {
    const content = Buffer.alloc(30 * 1024 * 1024, 7)
      .toString("base64")
      .replace(/.{76}/g, "$&\r\n");
    const raw = Buffer.from(
      "From: a@example.com\r\nTo: b@example.org\r\nSubject: big\r\nMIME-Version: 1.0\r\n" +
        'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\n' +
        'See attached.\r\n--b1\r\nContent-Type: application/pdf; name="big.pdf"\r\n' +
        'Content-Disposition: attachment; filename="big.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\n' +
        content +
        "\r\n--b1--\r\n",
    );
    const message = await parseMime(raw);
    expect(message.text?.trim()).toBe("See attached.");
    expect(message.attachments).toEqual([
      { filename: "big.pdf", contentType: "application/pdf", size: 30 * 1024 * 1024 },
    ]);
  });

  it("a 2 MB header is refused with the limit named", async () => {
    const raw = `From: a@example.com\r\nX-Big: ${"x".repeat(2 * 1024 * 1024)}\r\nSubject: s\r\n\r\nbody\r\n`;
    expect(await reason(raw)).toMatch(/header section is over 1048576 bytes/);
  });

  it("a message over maxBytes is refused before parsing", async () => {
    expect(await reason("From: a@example.com\r\n\r\nhello", { maxBytes: 10 })).toMatch(
      /is 28 bytes; the limit is 10/,
    );
  });

  it("a hundred thousand header lines or twenty thousand parts end in a reason", async () => {
    expect(await reason(`From: a@example.com\r\n${"X-A: 1\r\n".repeat(100_000)}\r\nbody`)).toMatch(
      /MIME parser failed/,
    );
    const parts = "--b\r\nContent-Type: application/octet-stream\r\n\r\nxx\r\n".repeat(20_000);
    expect(
      await reason(
        `From: a@example.com\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n${parts}--b--\r\n`,
      ),
    ).toMatch(/MIME parser failed/);
  });

  it("the time limit gives up on a slow parse", async () => {
    const content = Buffer.alloc(8 * 1024 * 1024, 7)
      .toString("base64")
      .replace(/.{76}/g, "$&\r\n");
    const raw = `From: a@example.com\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n${content}`;
    expect(await reason(raw, { timeoutMs: 5 })).toMatch(/longer than 5 ms/);
  });

  it("headers come back raw and unfolded, List-* included, addresses lower-cased", async () => {
    const message = await parseMime(
      Buffer.from(
        "From: Kari <Kari@Example.NO>\r\nTo: a@example.org, Team: B@Example.org, c@example.org;\r\n" +
          "List-Unsubscribe: <mailto:u@example.org>,\r\n <https://example.org/u>\r\n" +
          "Message-ID: <abc@example.no>\r\nReferences: <r1@x> <r2@x>\r\n  <r3@x>\r\n" +
          "Delivered-To: Unsubscribe+TOKEN@example.org\r\n\r\nhi\r\n",
      ),
    );
    expect(message.from).toEqual([{ address: "kari@example.no", name: "Kari" }]);
    expect(message.to.map((e) => e.address)).toEqual([
      "a@example.org",
      "b@example.org",
      "c@example.org",
    ]);
    expect(message.headers.get("list-unsubscribe")).toEqual([
      "<mailto:u@example.org>, <https://example.org/u>",
    ]);
    expect(message.messageId).toBe("abc@example.no");
    expect(message.references).toEqual(["r1@x", "r2@x", "r3@x"]);
    expect(message.deliveredTo).toEqual(["unsubscribe+token@example.org"]);
  });
});
