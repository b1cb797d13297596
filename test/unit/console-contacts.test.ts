// The console's contacts and privacy pieces that need no server: column
// guessing and mapping checks, the wording of import errors, the in-memory
// import sessions, the multipart parser, and the import progress fragment.
import Fastify from "fastify";
import { describe, expect, it } from "vitest";
import { explainImportError } from "../../src/contacts/explain-import-error.ts";
import { guessColumns } from "../../src/contacts/guess-columns.ts";
import { parseContactRow } from "../../src/contacts/contact-row.ts";
import { parseCsv } from "../../src/contacts/parse-csv.ts";
import { mappingProblem } from "../../src/http/console/import-pages.ts";
import { createImportSessions } from "../../src/http/console/import-sessions.ts";
import {
  acceptMultipartForms,
  uploadedFiles,
  type MultipartBody,
} from "../../src/http/console/multipart-form.ts";
import { renderProgress } from "../../src/http/console/render-import-pages.ts";

describe("guessColumns", () => {
  it("takes exact names first, then the usual spellings of CRM exports, each field once", () => {
    expect(
      guessColumns([
        "E-Mail Address",
        "Email opt-in",
        "Full Name",
        "Organisation",
        "Mobile",
        "Sector",
        "Interests",
        "Consent date",
        "Favourite colour",
      ]),
    ).toEqual([
      "email",
      "consent",
      "name",
      "company",
      "phone",
      "industry",
      "product_interests",
      "consented_at",
      null,
    ]);
  });

  it("an exact column wins over a look-alike before it", () => {
    expect(guessColumns(["work email", "email", "First name", "Last name"])).toEqual([
      null,
      "email",
      "name",
      null,
    ]);
  });
});

describe("mappingProblem", () => {
  const header = ["a", "b", "c"];
  it("needs exactly one email column and each field once", () => {
    expect(mappingProblem(header, [null, "name", null])).toBe(
      "no column is mapped to email; expected exactly one",
    );
    expect(mappingProblem(header, ["email", "email", null])).toBe(
      "2 columns are mapped to email; expected exactly one",
    );
    expect(mappingProblem(header, ["email", "name", "name"])).toBe(
      'columns "b" and "c" are both mapped to name; map each field once',
    );
    expect(mappingProblem(header, ["email", null, "name"])).toBeUndefined();
  });
});

describe("explainImportError", () => {
  // The reasons exactly as the import words them, so a change of wording shows up here.
  const reasonOf = (csv: string): string => {
    const { header, records } = parseCsv(Buffer.from(csv));
    const columns = Object.fromEntries(header.map((h, i) => [h, i]));
    const r = records[0]!;
    if ("error" in r) return r.error;
    const row = parseContactRow(r.fields, columns, new Date("2026-12-01T00:00:00Z"));
    return "error" in row ? row.error : "no error";
  };

  it("splits what was wrong from what was expected", () => {
    expect(explainImportError(reasonOf("email,name\nnot-an-address,Ann\n"))).toEqual({
      wrong: 'invalid email "not-an-address"',
      expected:
        "an address such as name@example.com (at most 64 characters before the @ and 255 after)",
    });
    expect(explainImportError(reasonOf("email,consent\na@example.com,maybe\n"))).toEqual({
      wrong: 'consent "maybe" is not understood',
      expected: "yes/no, true/false, 1/0, or empty for no",
    });
    expect(explainImportError(reasonOf("email,name\na@example.com,Ann,extra\n"))).toEqual({
      wrong: "3 fields",
      expected: "2 fields, as in the header",
    });
    expect(explainImportError(reasonOf("email,name\n,Ann\n"))).toEqual({
      wrong: "the email is empty",
      expected: "an address such as name@example.com",
    });
    expect(explainImportError(reasonOf(`email,name\na@example.com,${"x".repeat(201)}\n`))).toEqual({
      wrong: "name is 201 characters long",
      expected: "at most 200 characters",
    });
    expect(
      explainImportError(
        "duplicate of line 2 (same email); the first row was imported, this one ignored",
      ),
    ).toEqual({
      wrong: "duplicate of line 2 (same email)",
      expected: "each address once per file (the first row was imported, this one ignored)",
    });
    expect(explainImportError("something new")).toEqual({ wrong: "something new", expected: "" });
  });
});

describe("import sessions", () => {
  const input = (operatorId: number) => ({
    operatorId,
    fileName: "x.csv",
    bytes: Buffer.from("email\n"),
    header: ["email"],
    samples: [],
    records: 0,
    list: null,
    consentSource: "fair",
    legalBasis: "legitimate_interest" as const,
  });

  it("are the uploader's own, expire when idle, and make room by dropping the oldest idle one", () => {
    let t = 0;
    const sessions = createImportSessions({ ttlMs: 1000, perOperator: 2, total: 3, now: () => t });
    const a = sessions.add(input(1));
    expect(sessions.get(a.id, 2)).toBeUndefined();
    expect(sessions.get(a.id, 1)).toBe(a);
    t = 10;
    const b = sessions.add(input(1));
    t = 20;
    const c = sessions.add(input(1));
    expect(sessions.get(a.id, 1)).toBeUndefined(); // the oldest made room
    expect(sessions.get(b.id, 1)).toBe(b);
    t = 2000;
    expect(sessions.get(c.id, 1)).toBeUndefined(); // idle past the TTL
  });

  it("never drop an import under way, and say so when every slot is busy", () => {
    const sessions = createImportSessions({ ttlMs: 0, perOperator: 1, total: 1, now: () => 5 });
    const a = sessions.add(input(1));
    a.run = { state: "running", done: 0, total: 10, startedAt: 0 };
    expect(() => sessions.add(input(2))).toThrow(/too many imports are under way/);
    expect(sessions.get(a.id, 1)).toBe(a);
  });
});

describe("multipart forms", () => {
  it("yields the text fields and the file, and refuses a body over the limit with 413", async () => {
    const app = Fastify();
    app.register(async (scope) => {
      acceptMultipartForms(scope, { bodyLimit: 1024 });
      scope.post("/up", async (request) => {
        const body = request.body as MultipartBody;
        const file = body[uploadedFiles].file!;
        return { csrf: body._csrf, name: file.name, text: file.bytes.toString("utf8") };
      });
    });
    const form = new FormData();
    form.append("_csrf", "tok");
    form.append("file", new Blob(["email\na@example.com\n"]), "people.csv");
    const req = new Request("http://x/up", { method: "POST", body: form });
    const res = await app.inject({
      method: "POST",
      url: "/up",
      headers: { "content-type": req.headers.get("content-type")! },
      payload: Buffer.from(await req.arrayBuffer()),
    });
    expect(res.json()).toEqual({ csrf: "tok", name: "people.csv", text: "email\na@example.com\n" });

    const big = new FormData();
    big.append("file", new Blob(["x".repeat(2048)]), "big.csv");
    const bigReq = new Request("http://x/up", { method: "POST", body: big });
    const tooBig = await app.inject({
      method: "POST",
      url: "/up",
      headers: { "content-type": bigReq.headers.get("content-type")! },
      payload: Buffer.from(await bigReq.arrayBuffer()),
    });
    expect(tooBig.statusCode).toBe(413);
    await app.close();
  });
});

describe("the progress fragment", () => {
  const session = {
    id: "abc",
    operatorId: 1,
    fileName: "people.csv",
    bytes: null,
    header: ["email"],
    samples: [],
    records: 4,
    list: null,
    consentSource: "fair",
    legalBasis: "legitimate_interest" as const,
    touchedAt: 0,
  };

  it("polls while the import runs and stops once it has ended, listing the refused lines", () => {
    const running = renderProgress({
      ...session,
      run: { state: "running", done: 1, total: 4, startedAt: 0 },
    }).value;
    expect(running).toContain('hx-get="/admin/contacts/import/abc/progress"');
    expect(running).toContain('<progress max="4" value="1"');
    const done = renderProgress({
      ...session,
      run: {
        state: "done",
        done: 4,
        total: 4,
        startedAt: 0,
        result: {
          importId: "i-1",
          rows: 4,
          imported: 3,
          updated: 0,
          subscribed: 3,
          alreadySubscribed: 0,
          skippedSuppressed: 0,
          skippedUnsubscribed: 0,
          errors: [{ line: 3, reason: 'invalid email "<b>x"; expected an address' }],
        },
      },
    }).value;
    expect(done).not.toContain("hx-get");
    expect(done).toContain('<th scope="row">3</th>');
    expect(done).toContain("invalid email &quot;&lt;b&gt;x&quot;");
    expect(done).toContain("<td>an address</td>");
  });
});
