// Header mapping and row validation: each refusal quotes the bad value and says what was expected.
import { describe, expect, it } from "vitest";
import {
  mapColumns,
  parseContactRow,
  parseEmail,
  parseIsoDate,
} from "../../src/contacts/contact-row.ts";
import { isAppError } from "../../src/errors.ts";

const now = new Date("2026-11-01T12:00:00Z");
const header = [
  "Email",
  "Name",
  "Product Interests",
  "customer-status",
  "last_contact_at",
  "consent",
  "consented_at",
];
const columns = mapColumns(header);
const row = (cells: string[]) => parseContactRow(cells, columns, now);

describe("mapColumns", () => {
  it("accepts known names in any case, with spaces or dashes for underscores", () => {
    expect(columns).toEqual({
      email: 0,
      name: 1,
      product_interests: 2,
      customer_status: 3,
      last_contact_at: 4,
      consent: 5,
      consented_at: 6,
    });
  });

  it("says so when the file is semicolon-separated", () => {
    expect(() => mapColumns(["email;name;consent"])).toThrow(/save it as comma-separated CSV/);
  });

  it("understands has_consent, e-mail and consent date as aliases", () => {
    expect(mapColumns(["E-Mail", "Has Consent", "consent_date"])).toEqual({
      email: 0,
      consent: 1,
      consented_at: 2,
    });
  });

  it("refuses unknown columns naming the known ones, a missing email column, and a repeated column", () => {
    const errors = [["email", "shoe size"], ["name"], ["email", "EMAIL"]].map((h) => {
      try {
        mapColumns(h);
        return undefined;
      } catch (error) {
        return error;
      }
    });
    expect(errors.every((e) => isAppError(e, "invalid_input"))).toBe(true);
    expect((errors[0] as Error).message).toBe(
      'unknown CSV column "shoe size"; known columns: email, name, phone, company, job_title, industry, company_website, product_interests, notes, source, last_contact_at, customer_status, customer_ended_at, consent, consented_at',
    );
    expect((errors[1] as Error).message).toMatch(/has no "email" column/);
    expect((errors[2] as Error).message).toMatch(/"EMAIL" twice/);
  });
});

describe("parseContactRow", () => {
  it("normalises the address, splits interests on ';', and leaves empty cells out", () => {
    expect(
      row([
        "  Ann@Example.COM ",
        "",
        "crm; analytics;;",
        "Customer",
        "2026-09-15",
        "YES",
        "2026-10-01T09:30:00+02:00",
      ]),
    ).toEqual({
      email: "ann@example.com",
      fields: {
        productInterests: ["crm", "analytics"],
        customerStatus: "customer",
        lastContactAt: new Date("2026-09-15T00:00:00Z"),
      },
      consent: true,
      consentedAt: new Date("2026-10-01T07:30:00Z"),
    });
  });

  it("reads consent as yes/no, true/false, 1/0, empty = no", () => {
    for (const [cell, expected] of [
      ["yes", true],
      ["true", true],
      ["1", true],
      ["no", false],
      ["false", false],
      ["0", false],
      ["", false],
    ] as const) {
      expect(row(["a@x.com", "", "", "", "", cell, ""])).toMatchObject({ consent: expected });
    }
  });

  it("refuses bad values, quoting them", () => {
    const cases: [string[], RegExp][] = [
      [["", "A", "", "", "", "", ""], /^email is empty$/],
      [["not-an-email", "", "", "", "", "", ""], /^invalid email "not-an-email"/],
      [["a@@x.com", "", "", "", "", "", ""], /^invalid email/],
      [["a@x", "", "", "", "", "", ""], /^invalid email/],
      [
        ["a@x.com", "", "", "vip", "", "", ""],
        /^customer_status "vip" is unknown; expected one of none, prospect, customer, former$/,
      ],
      [
        ["a@x.com", "", "", "", "2026-02-30", "", ""],
        /^last_contact_at "2026-02-30" is not a date/,
      ],
      [
        ["a@x.com", "", "", "", "15/09/2026", "", ""],
        /^last_contact_at "15\/09\/2026" is not a date/,
      ],
      [["a@x.com", "", "", "", "", "maybe", ""], /^consent "maybe" is not understood/],
      [
        ["a@x.com", "", "", "", "", "yes", "2027-01-01"],
        /^consented_at "2027-01-01" is in the future$/,
      ],
    ];
    for (const [cells, reason] of cases)
      expect(row(cells)).toEqual({ error: expect.stringMatching(reason) });
  });
});

describe("parseEmail / parseIsoDate", () => {
  it("accept plain addresses and ISO dates only", () => {
    expect(parseEmail("first.last+tag@sub.example.co.uk")).toBe("first.last+tag@sub.example.co.uk");
    expect(parseEmail("a b@x.com")).toBeUndefined();
    expect(parseIsoDate("2026-10-01T09:30:00Z")).toEqual(new Date("2026-10-01T09:30:00Z"));
    expect(parseIsoDate("2026-10-01 09:30")).toEqual(new Date("2026-10-01T09:30:00Z"));
    expect(parseIsoDate("2026-10-01T25:00:00Z")).toBeUndefined();
    expect(parseIsoDate("yesterday")).toBeUndefined();
  });
});
