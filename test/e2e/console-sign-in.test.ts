// The console's sign-in and session in Debian's Chromium against the real server on real
// PostgreSQL: sign in and out; wrong passwords lock the account (also when they come together
// with the right one) with one message whether or not the account exists; the cookie's attributes
// over http and https; session fixation; CSRF (no token, another session's token, another
// site's page, another Origin) changes nothing; `?next=` stays on the console; an idle or
// expired session goes back to the sign-in page. axe-core and screenshots on the sign-in pages.
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freeAttempts } from "../../src/operators/verify-sign-in.ts";
import { startTestServer, type TestServer } from "../integration/http-server.ts";
import {
  checkAxe,
  createOperator,
  pageErrorsOf,
  screenshot,
  signIn,
  startConsole,
  type ConsoleTest,
} from "../support/console.ts";

const cookieName = "mailsteward_console";
const refusal = /That email and password do not open an account here\. After 5 failed attempts/;

let c: ConsoleTest;
let marketer: Awaited<ReturnType<typeof createOperator>>;

beforeAll(async () => {
  c = await startConsole();
  marketer = await createOperator(c.db, "marketing");
}, 180_000);

afterAll(async () => {
  await c?.close();
});

async function sessionCookie(context: BrowserContext): Promise<string | undefined> {
  return (await context.cookies()).find((k) => k.name === cookieName)?.value;
}

/** A fresh browser context carrying only this session cookie value. */
async function pageWithCookie(value: string): Promise<Page> {
  const page = await c.newPage();
  await page
    .context()
    .addCookies([{ name: cookieName, value, url: `${c.url}/admin`, httpOnly: true }]);
  return page;
}

/** Whether a cookie value opens the console: the dashboard rather than the sign-in page. */
async function opensConsole(value: string): Promise<boolean> {
  const page = await pageWithCookie(value);
  await page.goto(`${c.url}/admin`);
  const url = new URL(page.url());
  await page.context().close();
  return url.pathname === "/admin";
}

/** Submits the sign-in form as a person would, and returns the refusal or lands elsewhere. */
async function submitSignIn(page: Page, email: string, password: string, next?: string) {
  const query = next === undefined ? "" : `?next=${encodeURIComponent(next)}`;
  await page.goto(`${c.url}/admin/sign-in${query}`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  const [response] = await Promise.all([
    page.waitForResponse(
      (r) => r.url().startsWith(`${c.url}/admin/sign-in`) && r.request().method() === "POST",
    ),
    page.getByRole("button", { name: "Sign in" }).click(),
  ]);
  await page.waitForLoadState("load");
  return response;
}

/** A sign-in POST from outside the browser (same origin), for bursts and header checks. */
function postSignIn(base: string, email: string, password: string, next = "/admin") {
  return fetch(`${base}/admin/sign-in`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: base },
    body: new URLSearchParams({ email, password, next }).toString(),
  });
}

async function listCount(): Promise<number> {
  return c.db.list.count();
}

/** Sets (or, with null, removes) the new-list form's hidden CSRF field, as a forger would. */
async function setFormToken(page: Page, value: string | null): Promise<void> {
  await page.evaluate((v) => {
    type Input = { value: string; remove(): void };
    const doc = (globalThis as unknown as { document: { querySelector(s: string): Input | null } })
      .document;
    const input = doc.querySelector('form[action="/admin/lists"] input[name="_csrf"]')!;
    if (v === null) input.remove();
    else input.value = v;
  }, value);
}

describe("signing in and out", () => {
  it("signs in through the form, shows who is signed in, and signs out", async () => {
    const page = await c.newPage();
    await page.goto(`${c.url}/admin/sign-in`);
    await checkAxe(page);
    await screenshot(page, "sign-in");
    await signIn(page, c.url, marketer.email, marketer.password);
    expect(new URL(page.url()).pathname).toBe("/admin");
    await expect(page.locator(".who").textContent()).resolves.toContain("(marketing)");
    const value = await sessionCookie(page.context());
    expect(value).toMatch(/^mss_/);
    expect(await opensConsole(value!)).toBe(true);

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/admin\/sign-in\?signed_out/);
    await expect(page.getByRole("status").textContent()).resolves.toContain("You are signed out.");
    await checkAxe(page);
    await screenshot(page, "signed-out");
    expect(await sessionCookie(page.context())).toBeUndefined();
    // The row is gone: a copy of the cookie kept from before opens nothing.
    expect(await opensConsole(value!)).toBe(false);
    await page.goto(`${c.url}/admin`);
    expect(new URL(page.url()).pathname).toBe("/admin/sign-in");
    const audit = await c.db.auditEntry.findMany({
      where: { actor: `operator:${marketer.id}`, action: { startsWith: "operator.signed_" } },
      select: { action: true },
      orderBy: { id: "asc" },
    });
    expect(audit.map((a) => a.action)).toEqual(["operator.signed_in", "operator.signed_out"]);
    expect(pageErrorsOf(page)).toEqual([]);
  }, 120_000);
});

describe("wrong passwords", () => {
  it("lock the account after a few attempts, and say so in the same words whether or not the account exists", async () => {
    const op = await createOperator(c.db, "marketing");
    const page = await c.newPage();
    const unknown = `nobody.${Date.now().toString(36)}@operators.example.test`;

    const answers: { status: number; text: string }[] = [];
    for (let i = 0; i < freeAttempts; i++) {
      const r = await submitSignIn(page, op.email, `wrong-${i}`);
      answers.push({ status: r.status(), text: (await page.locator("main").innerText()).trim() });
      const u = await submitSignIn(page, unknown, `wrong-${i}`);
      answers.push({ status: u.status(), text: (await page.locator("main").innerText()).trim() });
    }
    await checkAxe(page);
    await screenshot(page, "sign-in-refused");
    // One status, one text (the typed address aside, which is in a field, not the text).
    expect(new Set(answers.map((a) => a.status))).toEqual(new Set([401]));
    expect(new Set(answers.map((a) => a.text)).size).toBe(1);
    expect(answers[0]!.text).toMatch(refusal);
    await expect(page.getByRole("alert").textContent()).resolves.toMatch(refusal);

    const locked = await c.db.operator.findUniqueOrThrow({ where: { id: op.id } });
    expect(locked.failedAttempts).toBe(freeAttempts);
    const lockMs = locked.lockedUntil!.getTime() - Date.now();
    expect(lockMs).toBeGreaterThan(50_000);
    expect(lockMs).toBeLessThanOrEqual(60_000);

    // Locked: the right password is refused with the very same answer, and not counted.
    const right = await submitSignIn(page, op.email, op.password);
    expect(right.status()).toBe(401);
    expect((await page.locator("main").innerText()).trim()).toBe(answers[0]!.text);
    expect(new URL(page.url()).pathname).toBe("/admin/sign-in");
    expect(await sessionCookie(page.context())).toBeUndefined();
    const still = await c.db.operator.findUniqueOrThrow({ where: { id: op.id } });
    expect(still.failedAttempts).toBe(freeAttempts);
    expect(still.lockedUntil).toEqual(locked.lockedUntil);

    // The minute passes; one more wrong password locks it again, for twice as long.
    await c.db.operator.update({
      where: { id: op.id },
      data: { lockedUntil: new Date(Date.now() - 1000) },
    });
    await submitSignIn(page, op.email, "wrong-again");
    const doubled = await c.db.operator.findUniqueOrThrow({ where: { id: op.id } });
    const doubledMs = doubled.lockedUntil!.getTime() - Date.now();
    expect(doubledMs).toBeGreaterThan(110_000);
    expect(doubledMs).toBeLessThanOrEqual(120_000);

    // After that lock, the right password opens the account and the count starts again.
    await c.db.operator.update({
      where: { id: op.id },
      data: { lockedUntil: new Date(Date.now() - 1000) },
    });
    await signIn(page, c.url, op.email, op.password);
    expect(new URL(page.url()).pathname).toBe("/admin");
    const reset = await c.db.operator.findUniqueOrThrow({ where: { id: op.id } });
    expect(reset.failedAttempts).toBe(0);
    expect(reset.lockedUntil).toBeNull();

    const audit = await c.db.auditEntry.findMany({
      where: { subjectType: "operator", subjectId: String(op.id) },
      select: { action: true, actor: true },
    });
    expect(audit.filter((a) => a.action === "operator.locked")).toHaveLength(2);
    expect(audit.filter((a) => a.action === "operator.sign_in_failed")).toHaveLength(
      freeAttempts - 1,
    );
    // Nothing is recorded for the unknown address: the audit log does not hold guesses.
    const all = JSON.stringify(await c.db.auditEntry.findMany());
    expect(all).not.toContain(unknown);
  }, 120_000);

  it("hold for attempts sent together: a right password judged after a wrong one earned the lock is refused", async () => {
    const op = await createOperator(c.db, "marketing");
    for (let i = 0; i < freeAttempts - 1; i++) {
      const r = await postSignIn(c.url, op.email, `wrong-${i}`);
      expect(r.status).toBe(401);
    }
    // One failure away from the lock. Attempts sent together all read the account before any
    // is judged; here the test plays the wrong one among them, deterministically: it counts
    // its failure and the lock in a transaction that holds the row until the right attempt
    // has read the (still unlocked) account, hashed, and is waiting to be judged.
    let right: Promise<Response> | undefined;
    await c.db.$transaction(
      async (tx) => {
        await tx.operator.update({
          where: { id: op.id },
          data: { failedAttempts: { increment: 1 }, lockedUntil: new Date(Date.now() + 60_000) },
        });
        right = postSignIn(c.url, op.email, op.password);
        await expect
          .poll(() => rowLockWaits(), { timeout: 30_000, interval: 50 })
          .toBeGreaterThan(0);
      },
      { timeout: 60_000 },
    );
    const answer = await right!;
    expect(answer.status).toBe(401);
    expect(answer.headers.get("set-cookie")).toBeNull();
    expect(await c.db.operatorSession.count({ where: { operatorId: op.id } })).toBe(0);
    const row = await c.db.operator.findUniqueOrThrow({ where: { id: op.id } });
    expect(row.failedAttempts).toBe(freeAttempts);
    expect(row.lockedUntil!.getTime()).toBeGreaterThan(Date.now());
  }, 120_000);
});

/** Statements of this database waiting for a row lock (the right attempt's verdict, above). */
async function rowLockWaits(): Promise<number> {
  const [row] = await c.db.$queryRaw<{ n: number }[]>`
    SELECT count(*)::int AS n FROM pg_stat_activity
    WHERE datname = current_database() AND wait_event_type = 'Lock'`;
  return row?.n ?? 0;
}

describe("the session cookie", () => {
  it("is HttpOnly, SameSite=Strict and scoped to /admin over http", async () => {
    const response = await postSignIn(c.url, marketer.email, marketer.password);
    expect(response.status).toBe(303);
    const setCookie = response.headers.get("set-cookie") ?? "";
    expect(setCookie).toMatch(/^mailsteward_console=mss_[\w-]+;/);
    expect(setCookie).toMatch(/; HttpOnly/i);
    expect(setCookie).toMatch(/; SameSite=Strict/i);
    expect(setCookie).toMatch(/; Path=\/admin(;|$)/);
    expect(setCookie).not.toMatch(/; Secure/i);
    expect(setCookie).toMatch(/; Expires=/);

    // In the browser too: no script can read it.
    const page = await c.newPage();
    await signIn(page, c.url, marketer.email, marketer.password);
    const stored = (await page.context().cookies()).find((k) => k.name === cookieName)!;
    expect(stored).toMatchObject({ httpOnly: true, sameSite: "Strict", path: "/admin" });
    expect(String(await page.evaluate("document.cookie"))).not.toContain(cookieName);
  }, 120_000);

  it("is Secure, with the __Host- prefix and Path=/, when PUBLIC_BASE_URL is https", async () => {
    let secure: TestServer | undefined;
    try {
      secure = await startTestServer({
        env: { PUBLIC_BASE_URL: "https://console.example.test" },
      });
      const op = await createOperator(secure.db, "privacy");
      const response = await postSignIn(secure.url, op.email, op.password);
      expect(response.status).toBe(303);
      const setCookie = response.headers.get("set-cookie") ?? "";
      expect(setCookie).toMatch(/^__Host-mailsteward_console=mss_[\w-]+;/);
      expect(setCookie).toMatch(/; Secure/i);
      expect(setCookie).toMatch(/; HttpOnly/i);
      expect(setCookie).toMatch(/; SameSite=Strict/i);
      expect(setCookie).toMatch(/; Path=\/(;|$)/);
      expect(setCookie).not.toMatch(/; Domain=/i);
    } finally {
      await secure?.close();
    }
  }, 120_000);
});

describe("session fixation", () => {
  it("a cookie planted before sign-in is replaced, and never becomes a session", async () => {
    const planted = `mss_${"A".repeat(43)}`;
    const page = await pageWithCookie(planted);
    await signIn(page, c.url, marketer.email, marketer.password);
    const after = await sessionCookie(page.context());
    expect(after).toMatch(/^mss_/);
    expect(after).not.toBe(planted);
    expect(await opensConsole(planted)).toBe(false);
    expect(await opensConsole(after!)).toBe(true);
  }, 120_000);

  it("a value stolen before sign-in (an earlier session in the same browser) is not the one valid after, and opens nothing", async () => {
    const other = await createOperator(c.db, "privacy");
    const page = await c.newPage();
    await signIn(page, c.url, other.email, other.password);
    const before = (await sessionCookie(page.context()))!;
    expect(await opensConsole(before)).toBe(true);
    // Someone else signs in on the same browser: the earlier session ends, a new id is issued.
    await signIn(page, c.url, marketer.email, marketer.password);
    const after = (await sessionCookie(page.context()))!;
    expect(after).not.toBe(before);
    expect(await opensConsole(before)).toBe(false);
    await expect(page.locator(".who").textContent()).resolves.toContain("(marketing)");

    // And after signing out, the value that was valid opens nothing either.
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/signed_out/);
    expect(await opensConsole(after)).toBe(false);
  }, 120_000);
});

describe("CSRF", () => {
  let page: Page;
  let token: string;

  beforeAll(async () => {
    page = await c.newPage();
    await signIn(page, c.url, marketer.email, marketer.password);
    await page.goto(`${c.url}/admin/lists`);
    token = (await page.locator('meta[name="csrf-token"]').getAttribute("content"))!;
    expect(token.length).toBeGreaterThan(20);
  }, 120_000);

  async function fillNewList(slug: string): Promise<void> {
    await page.goto(`${c.url}/admin/lists`);
    await page.locator('input[name="slug"]').fill(slug);
    await page.locator("#list-name").fill(`List ${slug}`);
  }

  const createButton = () => page.locator('form[action="/admin/lists"] button[type="submit"]');

  it("the form as the page gives it works (the control case)", async () => {
    const before = await listCount();
    await fillNewList("control-list");
    await Promise.all([page.waitForURL(/notice=created/), createButton().click()]);
    expect(await listCount()).toBe(before + 1);
  }, 60_000);

  it("a form without the token is refused and changes nothing", async () => {
    const before = await listCount();
    await fillNewList("no-token");
    await setFormToken(page, null);
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === "POST"),
      createButton().click(),
    ]);
    expect(response.status()).toBe(403);
    await expect(page.getByRole("alert").textContent()).resolves.toContain(
      "security token is missing or belongs to another session; nothing was changed",
    );
    await checkAxe(page);
    await screenshot(page, "csrf-refused");
    expect(await listCount()).toBe(before);
    expect(await c.db.list.count({ where: { slug: "no-token" } })).toBe(0);
  }, 60_000);

  it("another session's token is refused", async () => {
    const other = await c.newPage();
    await signIn(other, c.url, marketer.email, marketer.password);
    const otherToken = (await other.locator('meta[name="csrf-token"]').getAttribute("content"))!;
    expect(otherToken).not.toBe(token);
    const before = await listCount();
    await fillNewList("foreign-token");
    await setFormToken(page, otherToken);
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === "POST"),
      createButton().click(),
    ]);
    expect(response.status()).toBe(403);
    expect(await listCount()).toBe(before);

    // Outside a form too: the header with another session's token, or none at all.
    const viaHeader = await page.request.post(`${c.url}/admin/lists`, {
      form: { slug: "foreign-header", name: "Foreign" },
      headers: { "x-csrf-token": otherToken },
      maxRedirects: 0,
    });
    expect(viaHeader.status()).toBe(403);
    const none = await page.request.post(`${c.url}/admin/lists`, {
      form: { slug: "no-token-at-all", name: "None" },
      maxRedirects: 0,
    });
    expect(none.status()).toBe(403);
    // Signing out is a state change too: without the token the session survives.
    const signOut = await page.request.post(`${c.url}/admin/sign-out`, { maxRedirects: 0 });
    expect(signOut.status()).toBe(403);
    expect(await opensConsole((await sessionCookie(page.context()))!)).toBe(true);
    expect(await listCount()).toBe(before);
  }, 60_000);

  it("a POST from another Origin is refused even with the right token and cookie", async () => {
    const before = await listCount();
    const response = await page.request.post(`${c.url}/admin/lists`, {
      form: { slug: "cross-origin", name: "Cross", _csrf: token },
      headers: { origin: "http://evil.example" },
      maxRedirects: 0,
    });
    expect(response.status()).toBe(403);
    expect(await response.text()).toContain("This form was sent from another site");
    const referer = await page.request.post(`${c.url}/admin/lists`, {
      form: { slug: "cross-referer", name: "Cross", _csrf: token },
      headers: { referer: "http://evil.example/page" },
      maxRedirects: 0,
    });
    expect(referer.status()).toBe(403);
    // The same request with our own Origin goes through: the refusal was the Origin's.
    const own = await page.request.post(`${c.url}/admin/lists`, {
      form: { slug: "same-origin", name: "Same", _csrf: token },
      headers: { origin: c.url },
      maxRedirects: 0,
    });
    expect(own.status()).toBe(303);
    expect(await listCount()).toBe(before + 1);
    expect(await c.db.list.count({ where: { slug: { startsWith: "cross-" } } })).toBe(0);
  }, 60_000);

  it("another site's page that posts a form, even one holding a stolen token, changes nothing", async () => {
    // A page on another site (localhost is not the same site as 127.0.0.1) with a form aimed
    // at the console. SameSite=Strict keeps the cookie home, so the POST arrives unsigned.
    const target = `${c.url}/admin/lists`;
    const evil = http.createServer((_req, res) => {
      res.setHeader("content-type", "text/html; charset=utf-8");
      res.end(`<!doctype html><html lang="en"><title>Win a prize</title>
        <form method="post" action="${target}">
          <input type="hidden" name="_csrf" value="${token}">
          <input type="hidden" name="slug" value="from-evil">
          <input type="hidden" name="name" value="Evil">
          <button type="submit">Claim</button>
        </form></html>`);
    });
    await new Promise<void>((resolve) => evil.listen(0, "127.0.0.1", resolve));
    try {
      const port = (evil.address() as AddressInfo).port;
      const before = await listCount();
      const attacker = await page.context().newPage();
      await attacker.goto(`http://localhost:${port}/`);
      const [response] = await Promise.all([
        attacker.waitForResponse((r) => r.url() === target),
        attacker.getByRole("button", { name: "Claim" }).click(),
      ]);
      // No cookie came with it: sent to the sign-in page, nothing created.
      expect(response.status()).toBe(303);
      expect(response.headers().location).toMatch(/^\/admin\/sign-in\?next=/);
      expect(await listCount()).toBe(before);
      expect(await c.db.list.count({ where: { slug: "from-evil" } })).toBe(0);
      await attacker.close();
      // The operator's own session was not touched.
      expect(await opensConsole((await sessionCookie(page.context()))!)).toBe(true);
    } finally {
      await new Promise((resolve) => evil.close(resolve));
    }
  }, 60_000);

  it("a sign-in form posted from another site is refused (login CSRF)", async () => {
    const response = await fetch(`${c.url}/admin/sign-in`, {
      method: "POST",
      redirect: "manual",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        origin: "http://evil.example",
      },
      body: new URLSearchParams({ email: marketer.email, password: marketer.password }).toString(),
    });
    expect(response.status).toBe(403);
    expect(response.headers.get("set-cookie")).toBeNull();
  }, 60_000);
});

describe("?next=", () => {
  it("returns to the console page asked for, and never off the site", async () => {
    const page = await c.newPage();
    // Asked for a page while signed out: sent to the sign-in page, then back to that page.
    await page.goto(`${c.url}/admin/lists?list=news`);
    expect(page.url()).toBe(
      `${c.url}/admin/sign-in?next=${encodeURIComponent("/admin/lists?list=news")}`,
    );
    await page.getByLabel("Email").fill(marketer.email);
    await page.getByLabel("Password").fill(marketer.password);
    await Promise.all([
      page.waitForURL((u) => u.pathname === "/admin/lists"),
      page.getByRole("button", { name: "Sign in" }).click(),
    ]);
    expect(page.url()).toBe(`${c.url}/admin/lists?list=news`);

    const offSite = [
      "https://evil.example/admin",
      "//evil.example/admin",
      "/\\evil.example",
      "/admin/../../evil",
      "/admin\t//evil.example",
      "javascript:alert(1)",
      "http://127.0.0.1.evil.example/admin",
      "/admin@evil.example",
      "/%2F%2Fevil.example",
      "/admin/sign-out",
    ];
    // In the browser, a few of each kind (each sign-in costs a password hash)...
    for (const next of [offSite[0]!, offSite[1]!, offSite[2]!, offSite[5]!]) {
      const p = await c.newPage();
      await signIn(p, c.url, marketer.email, marketer.password, next);
      const landed = new URL(p.url());
      expect(landed.origin, next).toBe(c.url);
      expect(landed.pathname === "/admin" || landed.pathname.startsWith("/admin/"), next).toBe(
        true,
      );
      await p.context().close();
    }
    // ...and every one without it: the Location header itself is a path on this site.
    for (const next of offSite) {
      const r = await postSignIn(c.url, marketer.email, marketer.password, next);
      const location = r.headers.get("location")!;
      expect(location, next).toMatch(/^\/admin(\/|$|\?)/);
      expect(location, next).not.toMatch(/^\/\/|\\/);
    }
  }, 180_000);
});

describe("an ended session", () => {
  async function signedInPage() {
    const op = await createOperator(c.db, "marketing");
    const page = await c.newPage();
    await signIn(page, c.url, op.email, op.password);
    return { op, page };
  }

  it("after two idle hours goes back to the sign-in page, and returns to where it was", async () => {
    const { op, page } = await signedInPage();
    await page.goto(`${c.url}/admin/lists`);
    expect(new URL(page.url()).pathname).toBe("/admin/lists");
    await c.db.operatorSession.updateMany({
      where: { operatorId: op.id },
      data: { lastSeenAt: new Date(Date.now() - 2 * 3_600_000 - 60_000) },
    });
    await page.goto(`${c.url}/admin/lists`);
    expect(page.url()).toBe(`${c.url}/admin/sign-in?next=${encodeURIComponent("/admin/lists")}`);
    await checkAxe(page);
    // An htmx request (a polling progress bar) gets 401 and HX-Redirect, not the sign-in HTML.
    const polled = await page.request.get(`${c.url}/admin/lists`, {
      headers: { "hx-request": "true" },
      maxRedirects: 0,
    });
    expect(polled.status()).toBe(401);
    expect(polled.headers()["hx-redirect"]).toBe(
      `/admin/sign-in?next=${encodeURIComponent("/admin/lists")}`,
    );
    await page.getByLabel("Email").fill(op.email);
    await page.getByLabel("Password").fill(op.password);
    await Promise.all([
      page.waitForURL((u) => u.pathname === "/admin/lists"),
      page.getByRole("button", { name: "Sign in" }).click(),
    ]);
  }, 120_000);

  it("one that is still in use, but past its absolute lifetime, ends too", async () => {
    const { op, page } = await signedInPage();
    await c.db.operatorSession.updateMany({
      where: { operatorId: op.id },
      data: { lastSeenAt: new Date(), expiresAt: new Date(Date.now() - 1000) },
    });
    await page.goto(`${c.url}/admin`);
    expect(new URL(page.url()).pathname).toBe("/admin/sign-in");
  }, 120_000);

  it("a disabled operator's session opens nothing", async () => {
    const { op, page } = await signedInPage();
    await c.db.operator.update({ where: { id: op.id }, data: { disabledAt: new Date() } });
    await page.goto(`${c.url}/admin`);
    expect(new URL(page.url()).pathname).toBe("/admin/sign-in");
    // Nor can they sign in again, and the answer is the one every refusal gets.
    const r = await submitSignIn(page, op.email, op.password);
    expect(r.status()).toBe(401);
    await expect(page.getByRole("alert").textContent()).resolves.toMatch(refusal);
  }, 120_000);
});
