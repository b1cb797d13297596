// Console tests: the real server on real PostgreSQL (a cloned database per file), one Chromium per
// test file with a context per operator, operators made directly in the database, sign-in through
// the real form, axe-core's checks and screenshots for a reviewer.
//
//   const c = await startConsole();                 // in beforeAll
//   const op = await createOperator(c.db, "marketing");
//   const page = await c.newPage();                  // a fresh context: no cookies
//   await signIn(page, c.url, op.email, op.password);
//   await checkAxe(page); await screenshot(page, "campaigns-list");
//   await c.close();                                 // in afterAll
import { mkdir, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { addOperator } from "../../src/operators/add-operator.ts";
import type { Db } from "../../src/types.ts";
import { startTestServer, type TestServer } from "../integration/http-server.ts";
import { launchChromium } from "./browser.ts";

export type ConsoleRole = "marketing" | "it" | "privacy" | "admin";

export interface ConsoleTest extends TestServer {
  browser: Browser;
  /** a page in a new browser context (its own cookie jar); errors on the page are collected in `pageErrors` */
  newPage(): Promise<Page>;
}

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
export const screenshotDir = path.join(repoRoot, "test-output", "screenshots");

export async function startConsole(
  opts: Parameters<typeof startTestServer>[0] = {},
): Promise<ConsoleTest> {
  const server = await startTestServer(opts);
  let browser: Browser;
  try {
    browser = await launchChromium();
  } catch (error) {
    await server.close();
    throw error;
  }
  const contexts: BrowserContext[] = [];
  return {
    ...server,
    browser,
    async newPage() {
      const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
      contexts.push(context);
      const page = await context.newPage();
      trackPageErrors(page);
      return page;
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => {});
      await browser.close().catch(() => {});
      await server.close();
    },
  };
}

let operatorCount = 0;

/** An operator with a known password, added the way the CLI adds one. */
export async function createOperator(
  db: Db,
  role: ConsoleRole,
  opts: { name?: string; email?: string } = {},
): Promise<{ id: number; email: string; password: string; role: ConsoleRole }> {
  operatorCount += 1;
  const email =
    opts.email ?? `${role}${operatorCount}.${Date.now().toString(36)}@operators.example.test`;
  const password = `pw-${role}-${operatorCount}-correct-horse`;
  const { operator } = await addOperator(
    { db },
    {
      email,
      role,
      name: opts.name ?? `${role[0]!.toUpperCase()}${role.slice(1)} Tester`,
      password,
    },
    "cli",
  );
  return { id: operator.id, email, password, role };
}

/** Signs in through the real form and waits until the browser has left the sign-in page. */
export async function signIn(
  page: Page,
  baseUrl: string,
  email: string,
  password: string,
  next?: string,
): Promise<void> {
  const query = next ? `?next=${encodeURIComponent(next)}` : "";
  await page.goto(`${baseUrl}/admin/sign-in${query}`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await Promise.all([
    page.waitForURL((url) => !url.pathname.startsWith("/admin/sign-in"), { timeout: 30_000 }),
    page.getByRole("button", { name: "Sign in" }).click(),
  ]);
}

const pageErrors = new WeakMap<Page, string[]>();

/** Script errors and CSP violations seen on a page (from the console and uncaught exceptions). */
export function pageErrorsOf(page: Page): string[] {
  return pageErrors.get(page) ?? [];
}

function trackPageErrors(page: Page): void {
  const errors: string[] = [];
  pageErrors.set(page, errors);
  page.on("pageerror", (error) => errors.push(`uncaught: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
}

let axeSource: Promise<string> | undefined;

/**
 * Runs axe-core (WCAG 2.1 A and AA, and best practices) on the page as it is,
 * and throws, listing each one, if it finds serious or critical violations.
 * axe is evaluated through the DevTools protocol, which the page's CSP does
 * not govern, so the console's CSP stays as strict in the test as in use.
 */
export async function checkAxe(page: Page, opts: { exclude?: string[] } = {}): Promise<void> {
  axeSource ??= readFile(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
  const source = await axeSource;
  await page.evaluate(source);
  const violations = await page.evaluate(async (exclude: string[]) => {
    const { axe, document } = globalThis as unknown as { axe: AxeLike; document: unknown };
    const result = await axe.run(exclude.length ? { exclude } : document, {
      runOnly: {
        type: "tag",
        values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
      },
    });
    return result.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(" ")}: ${n.failureSummary ?? ""}`),
      }));
  }, opts.exclude ?? []);
  if (violations.length === 0) return;
  const lines = violations.map(
    (v) =>
      `- ${v.impact} ${v.id}: ${v.help}\n${v.nodes.map((n) => `    ${n.replace(/\n/g, " ")}`).join("\n")}`,
  );
  throw new Error(
    `axe-core found ${violations.length} serious or critical violation(s) on ${page.url()}:\n${lines.join("\n")}`,
  );
}

interface AxeLike {
  run(
    context: unknown,
    options: unknown,
  ): Promise<{
    violations: Array<{
      id: string;
      impact: string | null;
      help: string;
      nodes: Array<{ target: string[]; failureSummary?: string }>;
    }>;
  }>;
}

/** A full-page screenshot in test-output/screenshots/<name>.png (not committed), for a reviewer. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(screenshotDir, { recursive: true });
  const file = path.join(screenshotDir, `${name.replace(/[^a-z0-9_-]+/gi, "-")}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
