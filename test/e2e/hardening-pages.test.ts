// Issue 7 in a real browser (Debian's Chromium): a page on another site that
// auto-submits a form to our preference centre is refused and changes
// nothing, while our own page's forms (which the browser sends with our
// Origin) work; re-joining from the preference centre asks for a fresh
// confirmation instead of subscribing at once.
import http from "node:http";
import type { BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, type TestBrowser } from "../support/browser.ts";
import {
  seedSubscribers,
  startTestServer,
  subscriptionStates,
  unsubscribeToken,
  type TestServer,
} from "../integration/http-server.ts";

let t: TestServer;
let ids: number[];
let browser: BrowserContext;
let launched: TestBrowser | undefined;
let evil: http.Server;
let evilUrl = "";
let evilTarget = "";

beforeAll(async () => {
  t = await startTestServer();
  ({ contactIds: ids } = await seedSubscribers(t.db, { lists: ["news", "events"], contacts: 2 }));
  // Another site: "localhost" is a different origin from the server's 127.0.0.1.
  evil = http.createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(`<!doctype html><html><body>
      <form id="f" method="post" action="${evilTarget}"><input name="action" value="all"></form>
      <script>document.getElementById("f").submit()</script></body></html>`);
  });
  await new Promise<void>((resolve) => evil.listen(0, "127.0.0.1", resolve));
  const address = evil.address();
  evilUrl = `http://localhost:${typeof address === "object" && address ? address.port : 0}/`;
  launched = await launchBrowser();
  browser = launched.context;
});

afterAll(async () => {
  await launched?.close();
  await new Promise((resolve) => evil?.close(resolve));
  await t?.close();
});

describe("public pages against cross-site forms", () => {
  it("a form on another site cannot unsubscribe anyone", async () => {
    const id = ids[0]!;
    evilTarget = `${t.url}/u/${unsubscribeToken(t.config, id, "news")}/preferences`;
    const page = await browser.newPage();
    const answered = page.waitForResponse((r) => r.url() === evilTarget);
    await page.goto(evilUrl);
    const response = await answered;
    expect(response.status()).toBe(403);
    await page.waitForLoadState();
    expect(await page.textContent("body")).toContain("This form was sent from another site");
    expect(await subscriptionStates(t.db, id)).toEqual({
      events: "subscribed",
      news: "subscribed",
    });
    await page.close();
  });

  it("our own page still works, and re-joining asks for a fresh confirmation", async () => {
    const id = ids[1]!;
    const page = await browser.newPage();
    await page.goto(`${t.url}/u/${unsubscribeToken(t.config, id, "news")}`);
    await page.getByRole("checkbox", { name: /Events/ }).uncheck();
    await page.getByRole("button", { name: "Save my choices" }).click();
    await page.waitForURL(/\/preferences$/);
    expect(await page.getByRole("status").textContent()).toContain(
      "You are unsubscribed from “Events”",
    );
    await page.getByRole("checkbox", { name: /Events/ }).check();
    await page.getByRole("button", { name: "Save my choices" }).click();
    await page.waitForLoadState();
    expect(await page.getByRole("status").textContent()).toContain(
      "To receive “Events” again, follow the link in the email we have just sent you.",
    );
    expect(await subscriptionStates(t.db, id)).toEqual({
      events: "unsubscribed",
      news: "subscribed",
    });
    expect(await t.db.subscriptionRequest.count({ where: { contactId: id } })).toBe(1);
    await page.close();
  });
});
