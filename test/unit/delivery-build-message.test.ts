import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  canonicalBodyRelaxed,
  canonicalHeaderRelaxed,
  createDkimSigner,
} from "../../src/adapters/dkim.ts";
import {
  createMessageBuilder,
  encodeHeaderText,
  formatMailbox,
  formatPhrase,
} from "../../src/newsletters/build-message.ts";
import { deliveryMessageId } from "../../src/newsletters/message-id.ts";
import { addressProblem } from "../../src/newsletters/render-recipient-message.ts";

const parts = {
  to: "reader@example.net",
  toName: "Zoë Reader",
  subject: "Grüße — news",
  html: "<p>Hello Zoë</p>\n",
  text: "Hello Zoë\n",
  messageId: "c1.r2.abc@example.com",
  date: new Date("2026-11-25T12:00:00Z"),
  headers: [["List-Unsubscribe-Post", "List-Unsubscribe=One-Click"]] as const,
};

describe("createMessageBuilder", () => {
  it("builds a multipart/alternative message with base64 parts and CRLF line ends", async () => {
    const raw = (
      await createMessageBuilder({ from: "News <news@example.com>", boundary: "=_b1" })(parts)
    ).toString("latin1");
    const head = raw.slice(0, raw.indexOf("\r\n\r\n"));
    const body = raw.slice(raw.indexOf("\r\n\r\n") + 4);
    expect(head).toMatch(/^From: "News" <news@example\.com>$/m);
    expect(head).toMatch(/^To: =\?UTF-8\?B\?[A-Za-z0-9+/=]+\?= <reader@example\.net>$/m);
    expect(head).toMatch(/^Subject: =\?UTF-8\?B\?/m);
    expect(head).toMatch(/^Date: Wed, 25 Nov 2026 12:00:00 \+0000$/m);
    expect(head).toMatch(/^Message-ID: <c1\.r2\.abc@example\.com>$/m);
    expect(head).toMatch(/^Content-Type: multipart\/alternative; boundary="=_b1"$/m);
    expect(raw.replace(/\r\n/g, "")).not.toMatch(/[\r\n]/);
    const html = raw
      .split(
        "Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n",
      )[1]!
      .split("\r\n--=_b1--")[0]!;
    expect(Buffer.from(html.replace(/\r\n/g, ""), "base64").toString("utf8")).toBe(parts.html);
    expect(body.endsWith("--=_b1--\r\n")).toBe(true);
    // already in relaxed canonical form: signing hashes the body as built
    const bodyBuf = Buffer.from(body, "latin1");
    expect(canonicalBodyRelaxed(bodyBuf)).toBe(bodyBuf);
  });

  it("keeps lines within 78 characters for long base64 parts", async () => {
    const raw = (
      await createMessageBuilder({ from: "n@example.com", boundary: "=_b" })({
        ...parts,
        html: "x".repeat(5000),
      })
    ).toString("latin1");
    expect(
      Math.max(
        ...raw
          .split("\r\n")
          .filter((l) => !l.startsWith("To:"))
          .map((l) => l.length),
      ),
    ).toBeLessThanOrEqual(78);
  });

  it("writes each part as whole base64 lines for every length (the in-place line spreading)", async () => {
    const build = createMessageBuilder({ from: "n@example.com", boundary: "=_b" });
    for (let n = 0; n <= 240; n++) {
      const text = "é".repeat(n % 7) + "x".repeat(n);
      const raw = (await build({ ...parts, text, html: text + "<p>" })).toString("latin1");
      const [, textPart, htmlPart] = raw.split(/--=_b\r\n[^]*?\r\n\r\n/);
      for (const [part, expected] of [
        [textPart!, text],
        [htmlPart!.split("--=_b--")[0]!, text + "<p>"],
      ] as const) {
        const b64 = Buffer.from(expected, "utf8").toString("base64");
        const lines = b64.match(/.{1,76}/g) ?? [];
        expect(part).toBe(lines.map((l) => l + "\r\n").join(""));
      }
    }
  });

  it("encodes header text that is not printable ASCII in encoded-words of at most 75 characters", () => {
    const encoded = encodeHeaderText("Ünïcödé ".repeat(20));
    for (const word of encoded.split("\r\n ")) expect(word.length).toBeLessThanOrEqual(75);
    expect(encodeHeaderText("Plain\r\nBcc: x")).toBe("Plain Bcc: x");
    expect(formatPhrase('A "quoted" name')).toBe('"A \\"quoted\\" name"');
    expect(formatMailbox("Exämple <n@example.com>")).toMatch(
      /^=\?UTF-8\?B\?.+\?= <n@example\.com>$/,
    );
  });
});

describe("DKIM canonicalisation (RFC 6376 §3.4)", () => {
  it("relaxed header: lower-case name, unfolded, one space, trimmed", () => {
    expect(canonicalHeaderRelaxed("Subject", " Hello \r\n\t  world  ")).toBe("subject:Hello world");
  });
  it("relaxed body: trailing whitespace and empty lines go, runs of WSP become one space", () => {
    expect(canonicalBodyRelaxed(Buffer.from("a  b \t\r\nc\n\r\n\r\n")).toString()).toBe(
      "a b\r\nc\r\n",
    );
    expect(canonicalBodyRelaxed(Buffer.from("")).toString()).toBe("");
  });
  /** a signer with a fresh Ed25519 key, at time 0 */
  const ed25519Signer = (threads?: number) =>
    createDkimSigner({
      domain: "example.com",
      selector: "s1",
      privateKey: crypto
        .generateKeyPairSync("ed25519")
        .privateKey.export({ type: "pkcs8", format: "pem" })
        .toString(),
      clock: () => new Date(0),
      ...(threads ? { threads } : {}),
    });
  it("signs with the key's algorithm and the listed headers", () => {
    const signer = ed25519Signer();
    const header = signer.sign(
      [
        ["From", "a@example.com"],
        ["Subject", "x"],
      ],
      Buffer.from("body\r\n"),
    );
    expect(header).toMatch(
      /^DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed\/relaxed; d=example\.com; s=s1;\r\n\tt=0; h=from:subject;/,
    );
    expect(header).toMatch(/bh=[A-Za-z0-9+/]+=*;/);
  });
  it("signs on a pool of worker threads exactly as on the calling thread", async () => {
    const signer = ed25519Signer(3);
    try {
      const messages = Array.from({ length: 12 }, (_, i) => ({
        headers: [
          ["From", "a@example.com"],
          ["To", `r${i}@example.net`],
        ] as const,
        body: Buffer.from(`body ${i}\r\n`),
      }));
      // Ed25519 signatures are deterministic: the same input gives the same field
      const pooled = await Promise.all(messages.map((m) => signer.signAsync!(m.headers, m.body)));
      expect(pooled).toEqual(messages.map((m) => signer.sign(m.headers, m.body)));
    } finally {
      await signer.close?.();
    }
  });
  it("refuses a key that is not a private key, saying what is expected", () => {
    expect(() => createDkimSigner({ domain: "d", selector: "s", privateKey: "nope" })).toThrow(
      /expected RSA \(2048 bits\) or Ed25519/,
    );
  });
});

describe("delivery ids and addresses", () => {
  it("Message-IDs are deterministic per (campaign, contact) and differ across them", () => {
    const key = Buffer.alloc(32, 1);
    expect(deliveryMessageId(key, 3, 7, "example.com")).toBe(
      deliveryMessageId(key, 3, 7, "example.com"),
    );
    expect(deliveryMessageId(key, 3, 7, "example.com")).toMatch(
      /^c3\.r7\.[0-9a-f]{12}@example\.com$/,
    );
    expect(deliveryMessageId(key, 3, 8, "example.com")).not.toBe(
      deliveryMessageId(key, 3, 7, "example.com"),
    );
  });
  it.each(["reader@example.com", "a.b+tag@sub.example.co.uk", "x@localhost"])("accepts %s", (a) =>
    expect(addressProblem(a)).toBeNull(),
  );
  it.each([
    "not an address",
    "a@",
    "@b.com",
    "a@b@c.com",
    "a b@c.com",
    "a@-b.com",
    "<a@b.com>",
    "a@b.com\r\nRCPT TO:<x@y>",
  ])("refuses %j", (a) => expect(addressProblem(a)).toMatch(/invalid recipient address/));
});
