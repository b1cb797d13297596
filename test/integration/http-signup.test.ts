// Double opt-in over HTTP: the web form, the confirmation email through a real
// SMTP server, and the confirm page whose GET must not confirm.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSmtpSink, type SmtpSink } from "../support/smtp-sink.ts";
import { ledgerCounts, startTestServer, type TestServer } from "./http-server.ts";

let t: TestServer;
let sink: SmtpSink;

beforeAll(async () => {
  sink = await startSmtpSink();
  t = await startTestServer({
    env: { SMTP_URL: `smtp://127.0.0.1:${sink.port}` },
    deps: { subscribeRateLimit: { capacity: 6, refillPerSecond: 0.001 } },
  });
  await t.db.list.create({ data: { slug: "news", name: "Company News", public: true } });
  // The form only records the request; the subscription.request job mails the link.
  await t.app.jobs.start();
});
afterAll(async () => {
  await t?.close();
  await sink?.close();
});

const subscribe = (fields: Record<string, string>, headers: Record<string, string> = {}) =>
  fetch(`${t.url}/subscribe`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(fields).toString(),
  });

function confirmLink(raw: Buffer): string {
  const text = raw
    .toString("utf8")
    .replace(/=\r?\n/g, "")
    .replace(/=3D/g, "=");
  const match = /\/confirm\/([a-z2-7]+)/.exec(text);
  if (!match?.[1]) throw new Error("no confirmation link in the message");
  return `${t.url}/confirm/${match[1]}`;
}

describe("double opt-in over HTTP", () => {
  it("mails a link; GET shows a button and confirms nothing; POST confirms once", async () => {
    const response = await subscribe({
      email: "Ada@Example.test",
      name: "Ada",
      list: "news",
      form: "footer",
    });
    expect(response.status).toBe(200);
    const answer = await response.text();
    expect(answer).toContain("Check your inbox");
    const [message] = await sink.waitFor(1);
    const link = confirmLink(message!.raw);

    const contact = await t.db.contact.findUniqueOrThrow({
      where: { email: "ada@example.test" },
      select: { id: true },
    });
    const state = async () =>
      (
        await t.db.subscription.findFirstOrThrow({
          where: { contactId: contact.id },
          select: { status: true },
        })
      ).status;
    expect(await state()).toBe("pending");

    const before = await ledgerCounts(t.db);
    const get = await fetch(link);
    expect(get.status).toBe(200);
    expect(await get.text()).toContain("Company News");
    expect(await state()).toBe("pending");
    expect(await ledgerCounts(t.db)).toEqual(before);

    const post = await fetch(link, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "",
    });
    expect(post.status).toBe(200);
    expect(await post.text()).toContain("You are subscribed to “Company News”");
    expect(await state()).toBe("subscribed");
    const grant = await t.db.consentEvent.findFirstOrThrow({
      where: { contactId: contact.id },
      select: { action: true, evidence: true },
    });
    expect(grant).toEqual({
      action: "grant",
      evidence: expect.objectContaining({ ip: "127.0.0.1", method: "double-opt-in" }),
    });

    const again = await fetch(link, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "",
    });
    expect(await again.text()).toContain("already subscribed");
    expect(await t.db.consentEvent.count({ where: { contactId: contact.id } })).toBe(1);
  });

  it("answers the same page for a known address and sends nothing more", async () => {
    sink.clear();
    const response = await subscribe({ email: "ada@example.test", list: "news" });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("Check your inbox");
    await new Promise((r) => setTimeout(r, 300));
    expect(sink.count).toBe(0);
  });

  it("rejects a tampered confirmation link with the 400 page", async () => {
    const response = await fetch(`${t.url}/confirm/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "",
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("This link is not valid");
  });

  it("says so for a bad address, and limits sign-ups per client address with 429", async () => {
    const bad = await subscribe({ email: "not an address", list: "news" });
    expect(bad.status).toBe(400);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push((await subscribe({ email: `p${i}@example.test`, list: "news" })).status);
    expect(statuses).toContain(429);
    expect(statuses.at(-1)).toBe(429);
  });
});
