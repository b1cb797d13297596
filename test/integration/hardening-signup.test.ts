// Issue 7, the public sign-up form and its links, against the real server,
// PostgreSQL, the job runner and an SMTP server on loopback: proxies trusted
// by hop count, one confirmation per mailbox across lists and +tags, public
// lists only, no form text in the mail, no contact field changed before
// confirmation, the same work whatever the outcome, input limits, expiring
// links bound to the pending request, cross-site form POSTs refused, RFC 8058
// bodies only, and /api answering 401 before routing.
import { simpleParser } from "mailparser";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { signConfirmToken } from "../../src/unsubscribe/confirm-token.ts";
import { startSmtpSink, type SmtpSink } from "../support/smtp-sink.ts";
import { startTestServer, unsubscribeToken, type TestServer } from "./http-server.ts";

let t: TestServer;
let sink: SmtpSink;

beforeAll(async () => {
  sink = await startSmtpSink();
  t = await startTestServer({
    env: {
      SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
      TRUST_PROXY: "1",
      FORM_ORIGINS: "https://www.example.test",
    },
    deps: { subscribeRateLimit: { capacity: 4, refillPerSecond: 0.0001 } },
  });
  await t.db.list.createMany({
    data: [
      { slug: "news", name: "Company News", public: true },
      { slug: "events", name: "Events", public: true },
      { slug: "internal", name: "Staff only" },
    ],
  });
  await t.app.jobs.start();
});
afterAll(async () => {
  await t?.close();
  await sink?.close();
});
beforeEach(() => sink.clear());

let client = 0;
/** Each call comes from a new client address behind the one trusted proxy, unless `ip` is given. */
const subscribe = (
  fields: Array<[string, string]>,
  opts: { ip?: string; headers?: Record<string, string> } = {},
) =>
  fetch(`${t.url}/subscribe`, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "x-forwarded-for": opts.ip ?? `198.51.100.${++client % 250}`,
      ...opts.headers,
    },
    body: new URLSearchParams(fields).toString(),
  });

async function settle(): Promise<void> {
  // Wait until the job runner has processed every request recorded so far.
  for (let i = 0; i < 200; i++) {
    if ((await t.db.subscriptionRequest.count({ where: { status: "received" } })) === 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("subscription requests were not processed");
}

/** Messages to addresses matching `pattern`, waiting until `count` of them arrived (others may still be in flight). */
async function mailsTo(pattern: RegExp, count = 1): Promise<Buffer[]> {
  for (let i = 0; i < 200; i++) {
    const found = sink.messages.filter((m) => m.to.some((to) => pattern.test(to)));
    if (found.length >= count) return found.map((m) => m.raw);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no mail to ${pattern}`);
}

async function tokenOf(raw: Buffer): Promise<{ token: string; text: string; html: string }> {
  const parsed = await simpleParser(raw);
  const text = parsed.text ?? "";
  const token = /\/confirm\/([a-z2-7]+)/.exec(text)?.[1];
  if (!token) throw new Error(`no confirmation link in:\n${text}`);
  return { token, text, html: String(parsed.html) };
}

const confirm = (token: string, headers: Record<string, string> = {}) =>
  fetch(`${t.url}/confirm/${token}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: "",
  });

describe("behind a proxy", () => {
  it("counts the client address the trusted proxy saw, not one the client wrote", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const response = await subscribe(
        [
          ["email", `spoof${i}@example.test`],
          ["list", "news"],
        ],
        { ip: `10.${i}.${i}.${i}, 203.0.113.9` },
      );
      statuses.push(response.status);
    }
    // Capacity 4: a new left-most value per request no longer buys a new bucket.
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
    await settle();
    const evidence = await t.db.subscriptionRequest.findFirstOrThrow({
      orderBy: { id: "desc" },
      select: { evidence: true },
    });
    expect(evidence.evidence).toMatchObject({ ip: "203.0.113.9" });
  });
});

describe("the sign-up form", () => {
  it("mails one confirmation per mailbox across lists and +tags, and it confirms every list", async () => {
    const first = await subscribe([
      ["email", "Ann+news@Example.test"],
      ["list", "news"],
      ["list", "events"],
    ]);
    expect(first.status).toBe(200);
    const again = await subscribe([
      ["email", "ann+other@example.test"],
      ["list", "news"],
    ]);
    const third = await subscribe([
      ["email", "ann@example.test"],
      ["list", "events"],
    ]);
    expect([again.status, third.status]).toEqual([200, 200]);
    await settle();
    const [mail] = await mailsTo(/^ann/);
    await new Promise((r) => setTimeout(r, 500));
    expect(
      sink.messages.filter((m) => m.to.some((to) => to.startsWith("ann"))).map((m) => m.to),
    ).toEqual([["ann+news@example.test"]]);
    const { token, text } = await tokenOf(mail!);
    expect(text).toContain("Company News");
    expect(text).toContain("Events");
    expect((await confirm(token)).status).toBe(200);
    const ann = await t.db.contact.findUniqueOrThrow({
      where: { email: "ann+news@example.test" },
      select: { subscriptions: { select: { status: true, list: { select: { slug: true } } } } },
    });
    expect(ann.subscriptions.map((s) => `${s.list.slug}:${s.status}`).sort()).toEqual([
      "events:subscribed",
      "news:subscribed",
    ]);
  });

  it("refuses lists that are not public, and writes nothing; the admin API opens and closes them", async () => {
    const patch = (slug: string, body: unknown) =>
      fetch(`${t.url}/api/lists/${slug}`, {
        method: "PATCH",
        headers: {
          authorization: `Bearer ${t.config.adminToken}`,
          "content-type": "application/json",
        },
        body: JSON.stringify(body),
      });
    expect(await (await patch("internal", { public: true })).json()).toMatchObject({
      public: true,
    });
    expect(await (await patch("internal", { public: false })).json()).toMatchObject({
      public: false,
    });
    expect((await patch("internal", { public: "yes" })).status).toBe(400);
    expect(await t.db.auditEntry.count({ where: { action: "list.visibility_changed" } })).toBe(2);
    const before = await t.db.subscriptionRequest.count();
    for (const list of ["internal", "nope"]) {
      const response = await subscribe([
        ["email", "bob@example.test"],
        ["list", list],
      ]);
      expect(response.status).toBe(400);
      expect(await response.text()).toContain("cannot be joined from a form");
    }
    expect(await t.db.subscriptionRequest.count()).toBe(before);
  });

  it("leaves form-supplied text out of the mail and changes no stored contact before confirmation", async () => {
    const known = await t.db.contact.create({
      data: { email: "cara@example.test", phone: "+1 555 0100" },
      select: { id: true },
    });
    const phishing = "URGENT: your account is locked - verify at https://evil.example/login";
    const response = await subscribe([
      ["email", "cara@example.test"],
      ["name", phishing],
      ["form", "Win a prize at https://evil.example"],
      ["list", "news"],
    ]);
    expect(response.status).toBe(200);
    await settle();
    const [raw] = await mailsTo(/^cara@/);
    const { token, text, html } = await tokenOf(raw!);
    for (const part of [text, html, raw!.toString("utf8")]) {
      expect(part).not.toContain("evil.example");
      expect(part).not.toContain("URGENT");
    }
    const stored = () =>
      t.db.contact.findUniqueOrThrow({
        where: { id: known.id },
        select: { name: true, phone: true },
      });
    expect(await stored()).toEqual({ name: null, phone: "+1 555 0100" });
    expect((await confirm(token)).status).toBe(200);
    // Only now, confirmed by the mailbox's owner, does the empty name take what the form said.
    expect((await stored()).name).toBe(phishing);
  });

  it("refuses control characters with a clear 400, applies RFC 5321 limits, and accepts IDN domains", async () => {
    const cases: Array<[Array<[string, string]>, number, string]> = [
      [[["email", "eve\u0000@example.test"]], 400, "control characters"],
      [
        [
          ["email", "eve@example.test"],
          ["name", "Eve\u0000"],
        ],
        400,
        "control characters",
      ],
      [
        [
          ["email", "eve@example.test"],
          ["name", "Eve\r\nBcc: x@example.test"],
        ],
        400,
        "control characters",
      ],
      [[["email", `${"a".repeat(65)}@example.test`]], 400, "at most 64 characters before the @"],
      [
        [
          [
            "email",
            `a@${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(63)}.${"e".repeat(63)}.test`,
          ],
        ],
        400,
        "email address",
      ],
      [
        [
          ["email", "eve@example.test"],
          ["name", "x".repeat(201)],
        ],
        400,
        "at most 200 characters",
      ],
    ];
    const before = await t.db.subscriptionRequest.count();
    for (const [fields, status, text] of cases) {
      const response = await subscribe([...fields, ["list", "news"]]);
      expect(response.status, JSON.stringify(fields)).toBe(status);
      expect(await response.text()).toContain(text);
    }
    expect(await t.db.subscriptionRequest.count()).toBe(before);

    const idn = await subscribe([
      ["email", "Jörg@Bücher.example"],
      ["list", "news"],
    ]);
    expect(idn.status).toBe(400); // a non-ASCII local part would need SMTPUTF8
    const ok = await subscribe([
      ["email", "joerg@Bücher.example"],
      ["list", "news"],
    ]);
    expect(ok.status).toBe(200);
    await settle();
    // The sink shows the envelope decoded; the header carries what SMTP was given: ASCII.
    const [joerg] = await mailsTo(/^joerg@/);
    expect(joerg!.toString("latin1")).toMatch(/^To: joerg@xn--bcher-kva\.example\r$/m);
  });
});

describe("confirmation links", () => {
  it("an old link replayed after an unsubscribe and a stranger's new request subscribes no one", async () => {
    await subscribe([
      ["email", "fay@example.test"],
      ["list", "news"],
    ]);
    await settle();
    const old = (await tokenOf((await mailsTo(/^fay@/))[0]!)).token;
    expect((await confirm(old)).status).toBe(200);
    const fay = await t.db.contact.findUniqueOrThrow({
      where: { email: "fay@example.test" },
      select: { id: true },
    });
    const unsubscribe = await fetch(`${t.url}/u/${unsubscribeToken(t.config, fay.id, "news")}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "List-Unsubscribe=One-Click",
    });
    expect(unsubscribe.status).toBe(200);
    // Past the one-mail window, a stranger asks for fay's address again.
    await t.db.subscriptionRequest.updateMany({
      where: { contactId: fay.id },
      data: { mailedAt: new Date(Date.now() - 3600_000) },
    });
    sink.clear();
    await subscribe(
      [
        ["email", "fay@example.test"],
        ["list", "news"],
      ],
      { ip: "192.0.2.66" },
    );
    await settle();
    await mailsTo(/^fay@/);
    const grants = () => t.db.consentEvent.count({ where: { contactId: fay.id, action: "grant" } });
    const before = await grants();
    const replay = await confirm(old);
    expect(replay.status).toBe(400);
    expect(await grants()).toBe(before);
    const state = await t.db.subscription.findFirstOrThrow({
      where: { contactId: fay.id },
      select: { status: true },
    });
    expect(state.status).toBe("pending");
  });

  it("expires after CONFIRM_LINK_DAYS, and a link for a superseded request is refused", async () => {
    await subscribe([
      ["email", "gil@example.test"],
      ["list", "events"],
    ]);
    await settle();
    const [gil] = await mailsTo(/^gil@/);
    const request = await t.db.subscriptionRequest.findFirstOrThrow({
      where: { status: "pending", contact: { email: "gil@example.test" } },
      select: { id: true },
    });
    const stale = signConfirmToken(t.config.signingKeys, {
      requestId: request.id,
      issuedAt: new Date(Date.now() - 8 * 86_400_000),
    });
    const expired = await confirm(stale);
    expect(expired.status).toBe(400);
    expect(await expired.text()).toContain("expired");
    expect(
      await t.db.subscription.count({
        where: { contact: { email: "gil@example.test" }, status: "subscribed" },
      }),
    ).toBe(0);
    expect((await confirm((await tokenOf(gil!)).token)).status).toBe(200);
  });
});

describe("cross-site form posts", () => {
  it("refuses a POST from another site's page, allows our own and the form origins, and one-click without Origin", async () => {
    const contact = await t.db.contact.create({
      data: {
        email: "hal@example.test",
        subscriptions: {
          create: [
            {
              listId: (await t.db.list.findUniqueOrThrow({ where: { slug: "news" } })).id,
              status: "subscribed",
              confirmedAt: new Date(),
            },
          ],
        },
      },
      select: { id: true },
    });
    const token = unsubscribeToken(t.config, contact.id, "news");
    const post = (path: string, headers: Record<string, string>, body = "") =>
      fetch(`${t.url}${path}`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
        body,
      });
    const state = async () =>
      (
        await t.db.subscription.findFirstOrThrow({
          where: { contactId: contact.id },
          select: { status: true },
        })
      ).status;
    const crossSite: Array<Record<string, string>> = [
      { origin: "https://evil.example" },
      { origin: "null" },
      { referer: "https://evil.example/page" },
    ];
    for (const headers of crossSite) {
      expect((await post(`/u/${token}/confirm`, headers)).status).toBe(403);
      expect((await post(`/u/${token}/preferences`, headers, "action=all")).status).toBe(403);
      expect((await post("/subscribe", headers, "email=hal%40example.test&list=news")).status).toBe(
        403,
      );
    }
    expect(await state()).toBe("subscribed");
    expect(
      (
        await post(
          "/subscribe",
          { origin: "https://www.example.test" },
          "email=hal2%40example.test&list=news",
        )
      ).status,
    ).toBe(200);
    expect((await post(`/u/${token}/confirm`, { origin: t.url })).status).toBe(200);
    expect(await state()).toBe("unsubscribed");
    // RFC 8058: mail providers POST without Origin or Referer.
    expect((await post(`/u/${token}`, {}, "List-Unsubscribe=One-Click")).status).toBe(200);
    await settle();
  });
});

describe("RFC 8058 bodies and the admin API's edge", () => {
  it("one-click takes form-urlencoded and multipart/form-data, not JSON", async () => {
    const contact = await t.db.contact.create({
      data: {
        email: "ida@example.test",
        subscriptions: {
          create: [
            {
              listId: (await t.db.list.findUniqueOrThrow({ where: { slug: "events" } })).id,
              status: "subscribed",
              confirmedAt: new Date(),
            },
          ],
        },
      },
      select: { id: true },
    });
    const url = `${t.url}/u/${unsubscribeToken(t.config, contact.id, "events")}`;
    const json = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ "List-Unsubscribe": "One-Click" }),
    });
    expect(json.status).toBe(400);
    const state = async () =>
      (
        await t.db.subscription.findFirstOrThrow({
          where: { contactId: contact.id },
          select: { status: true },
        })
      ).status;
    expect(await state()).toBe("subscribed");
    const multipart = new FormData();
    multipart.append("List-Unsubscribe", "One-Click");
    const response = await fetch(url, { method: "POST", body: multipart });
    expect(response.status).toBe(200);
    expect(await state()).toBe("unsubscribed");
  });

  it("answers 401 for unknown /api paths without the token, 404 with it", async () => {
    for (const path of ["/api/nothing-here", "/api/secret/route?x=1", "/api"]) {
      const response = await fetch(`${t.url}${path}`);
      expect(response.status, path).toBe(401);
      expect(JSON.stringify(await response.json())).not.toContain("no route");
    }
    const authorised = await fetch(`${t.url}/api/nothing-here`, {
      headers: { authorization: `Bearer ${t.config.adminToken}` },
    });
    expect(authorised.status).toBe(404);
  });
});

// Last: it stops the worker.
describe("timing", () => {
  it("does the same work whatever the address's state: the answer comes before any lookup", async () => {
    // A subscribed address and new ones, interleaved; the handler only records and queues.
    await subscribe([
      ["email", "dora@example.test"],
      ["list", "news"],
    ]);
    await settle();
    const [dora] = await mailsTo(/^dora@/);
    expect((await confirm((await tokenOf(dora!)).token)).status).toBe(200);
    // Measured with the worker stopped: what a visitor can time is the answer alone, and the
    // worker's mail sending in the background would only add noise to both sides.
    await t.app.jobs.stop();
    const timings = { subscribed: [] as number[], fresh: [] as number[] };
    for (let i = 0; i < 12; i++) {
      for (const kind of ["subscribed", "fresh"] as const) {
        const email =
          kind === "subscribed" ? "dora@example.test" : `new${i}.${Date.now()}@example.test`;
        const started = performance.now();
        const response = await subscribe([
          ["email", email],
          ["list", "news"],
        ]);
        await response.text();
        timings[kind].push(performance.now() - started);
        expect(response.status).toBe(200);
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const gap = Math.abs(median(timings.subscribed) - median(timings.fresh));
    console.log(
      `sign-up answer median: subscribed ${median(timings.subscribed).toFixed(1)} ms, new ${median(timings.fresh).toFixed(1)} ms`,
    );
    // The old code answered a subscribed address 3-4 times faster than a new one; allow noise.
    expect(gap).toBeLessThan(
      Math.max(8, 0.15 * Math.max(median(timings.subscribed), median(timings.fresh))),
    );
    // Both kinds were recorded the same way, none processed yet.
    expect(await t.db.subscriptionRequest.count({ where: { status: "received" } })).toBe(24);
  }, 120_000);
});
