import { describe, expect, it } from "vitest";
import { uidSet } from "../../src/adapters/imap-handover-session.ts";
import { tokenize } from "../../src/adapters/imap-wire.ts";
import {
  extractAddresses,
  parseInternalDate,
  relevanceOf,
} from "../../src/mailboxes/handover-relevance.ts";
import { handoverTargetPath } from "../../src/mailboxes/handover-target-path.ts";
import { decodeModifiedUtf7, encodeModifiedUtf7 } from "../../src/mailboxes/modified-utf7.ts";

describe("modified UTF-7 (RFC 3501 5.1.3)", () => {
  it("round-trips the RFC's example and the ampersand", () => {
    expect(decodeModifiedUtf7("~peter/mail/&U,BTFw-/&ZeVnLIqe-")).toBe("~peter/mail/台北/日本語");
    expect(encodeModifiedUtf7("~peter/mail/台北/日本語")).toBe("~peter/mail/&U,BTFw-/&ZeVnLIqe-");
    expect(encodeModifiedUtf7("R&D")).toBe("R&-D");
    expect(decodeModifiedUtf7("R&-D")).toBe("R&D");
    for (const name of ["Über Ärger", "😀 emoji", "a&b/ç"])
      expect(decodeModifiedUtf7(encodeModifiedUtf7(name))).toBe(name);
  });
});

describe("handoverTargetPath", () => {
  it("puts each source level under Handover/<employee>, with the target's separator", () => {
    expect(
      handoverTargetPath({
        employee: "ann@x.example",
        sourcePath: "Projects/&ANw-ber",
        sourceSeparator: "/",
        targetSeparator: ".",
        refused: [],
      }),
    ).toEqual({
      path: "Handover.ann@x_example.Projects.&ANw-ber",
      name: "Handover.ann@x_example.Projects.Über",
    });
    // a level holding the target's separator stays one level
    expect(
      handoverTargetPath({
        employee: "e",
        sourcePath: "a/b.c",
        sourceSeparator: "/",
        targetSeparator: ".",
      }).name,
    ).toBe("Handover.e.a.b_c");
    expect(
      handoverTargetPath({
        employee: "a@b.c",
        sourcePath: "INBOX",
        sourceSeparator: "/",
        targetSeparator: "/",
        refused: ["."],
      }).path,
    ).toBe("Handover/a@b_c/INBOX");
  });
});

describe("relevance", () => {
  const facts = {
    rules: ["contacts", "customer-domains", "dialogues", "flagged"] as const,
    since: new Date("2025-01-01T00:00:00Z"),
    contacts: new Set(["carol@client.example"]),
    domains: new Set(["acme.example"]),
    dialogueIds: new Set(["d1@x"]),
  };
  const base = {
    flags: [] as string[],
    internalDate: "01-Jun-2026 10:00:00 +0000",
    messageId: null,
    addresses: [] as string[],
  };
  it("names the rule that picked a message, and applies the window to all but flagged", () => {
    expect(relevanceOf({ ...base, addresses: ["carol@client.example"] }, facts)).toBe("contacts");
    expect(relevanceOf({ ...base, addresses: ["bob@acme.example"] }, facts)).toBe(
      "customer-domains",
    );
    expect(relevanceOf({ ...base, messageId: "d1@x" }, facts)).toBe("dialogues");
    expect(
      relevanceOf(
        { ...base, flags: ["\\Flagged"], internalDate: "01-Jan-2001 00:00:00 +0000" },
        facts,
      ),
    ).toBe("flagged");
    expect(
      relevanceOf(
        {
          ...base,
          addresses: ["carol@client.example"],
          internalDate: "31-Dec-2024 23:00:00 -0200",
        },
        facts,
      ),
    ).toBe("contacts");
    expect(
      relevanceOf(
        {
          ...base,
          addresses: ["carol@client.example"],
          internalDate: "31-Dec-2024 23:00:00 +0000",
        },
        facts,
      ),
    ).toBeNull();
    expect(relevanceOf({ ...base, addresses: ["x@else.example"] }, facts)).toBeNull();
    expect(
      relevanceOf(
        { ...base, addresses: ["carol@client.example"] },
        { ...facts, rules: ["flagged"] },
      ),
    ).toBeNull();
  });
  it("reads addresses from unfolded header text and dates in RFC 3501 form", () => {
    expect(
      extractAddresses(
        'From: "Doe, J. (j@fake)" <John.Doe@Example.COM>\r\nTo: a@b.example, c@d.example',
      ),
    ).toEqual(["john.doe@example.com", "a@b.example", "c@d.example"]);
    expect(parseInternalDate(" 1-Feb-2024 10:00:00 +0130").toISOString()).toBe(
      "2024-02-01T08:30:00.000Z",
    );
    expect(Number.isNaN(parseInternalDate("garbage").getTime())).toBe(true);
  });
});

describe("wire helpers", () => {
  it("compresses UID sets and tokenizes FETCH responses with literals", () => {
    expect(uidSet([1, 2, 3, 5, 7, 8, 10])).toBe("1:3,5,7:8,10");
    const t = tokenize(
      [
        "* 3 FETCH (UID 17 FLAGS (\\Seen $Work) BODY[HEADER.FIELDS (MESSAGE-ID)] ",
        ' INTERNALDATE "01-Jan-2024 10:00:00 +0000" X NIL)',
      ],
      [Buffer.from("Message-ID: <a>\r\n")],
      2,
    );
    expect(t[0]).toBe("3");
    expect(t[1]).toBe("FETCH");
    const items = t[2] as unknown[];
    expect(items.slice(0, 4)).toEqual(["UID", "17", "FLAGS", ["\\Seen", "$Work"]]);
    expect(items[4]).toBe("BODY[HEADER.FIELDS (MESSAGE-ID)]");
    expect(Buffer.isBuffer(items[5])).toBe(true);
    expect(items.slice(6)).toEqual(["INTERNALDATE", "01-Jan-2024 10:00:00 +0000", "X", null]);
  });
});
