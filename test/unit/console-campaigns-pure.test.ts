// The pure parts behind the console's campaign and template pages: Markdown
// content, wall-clock times in a zone, and template checks on a scratch copy.
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { markdownToHtml } from "../../src/adapters/markdown.ts";
import { zonedTimeToUtc } from "../../src/http/console/zoned-time-to-utc.ts";
import { compileCampaign } from "../../src/newsletters/render/compile-campaign.ts";
import { checkTemplateSource } from "../../src/newsletters/templates/check-template-source.ts";
import { listTemplateFiles } from "../../src/newsletters/templates/list-template-files.ts";
import { resolveTemplateFile } from "../../src/newsletters/templates/resolve-template-file.ts";
import { postalAddress, templatesDir } from "./render-support.ts";

describe("markdownToHtml", () => {
  it("formats, and shows raw HTML as text", () => {
    expect(markdownToHtml("Hello **you**\n\n<script>alert(1)</script>")).toBe(
      "<p>Hello <strong>you</strong></p>\n<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>",
    );
    expect(markdownToHtml('<img src=x onerror="alert(1)">')).not.toMatch(/<img/);
  });

  it("keeps only http(s) and mailto links, and http(s) images", () => {
    expect(markdownToHtml("[a](javascript:alert(1)) [b](https://x.test/?a=1&b=2)")).toBe(
      '<p>a <a href="https://x.test/?a=1&amp;b=2">b</a></p>',
    );
    expect(markdownToHtml("![pic](data:image/png;base64,AAAA)")).toBe("<p>pic</p>");
    expect(markdownToHtml("![pic](https://x.test/p.png)")).toContain(
      '<img src="https://x.test/p.png" alt="pic"',
    );
  });

  it("cannot add recipient placeholders: braces and backslashes become entities", () => {
    const out = markdownToHtml("Hi {{unsubscribeUrl}} \\{{name}} `{{x}}`");
    expect(out).not.toMatch(/[{}\\]/);
    expect(out).toContain("&#123;&#123;unsubscribeUrl&#125;&#125;");
  });
});

describe("Markdown content in the monthly template", () => {
  const content = {
    format: "markdown",
    intro: "We shipped **two** things:\n\n- a widget\n- a [gadget](https://acme.example/g)",
    articles: [{ title: "The *title* stays text", body: "Body with `code` and {{name}}." }],
  };

  it("renders intro and bodies as Markdown, titles as text, and a readable text part", async () => {
    const frozen = await compileCampaign({
      templatesDir,
      template: "monthly",
      subject: "Hello",
      content,
      postalAddress,
    });
    expect(frozen.html).toContain("<strong>two</strong>");
    expect(frozen.html).toContain("<li>a widget</li>");
    expect(frozen.html).toContain("The *title* stays text");
    expect(frozen.html).toContain("<code>code</code>");
    expect(frozen.text).toContain(" * a widget\n * a gadget [https://acme.example/g]");
    expect(frozen.text).toContain("We shipped two things:");
    // content braces print as braces and never become a placeholder
    expect(frozen.text).toContain("\\{{name}}");
  });

  it("without the format, the same strings stay plain text", async () => {
    const frozen = await compileCampaign({
      templatesDir,
      template: "monthly",
      subject: "Hello",
      content: { ...content, format: undefined },
      postalAddress,
    });
    expect(frozen.html).toContain("We shipped **two** things:");
  });
});

describe("zonedTimeToUtc", () => {
  it("converts wall-clock times with the zone's offset on that date", () => {
    expect(zonedTimeToUtc("2026-12-03T09:00", "Europe/Oslo").toISOString()).toBe(
      "2026-12-03T08:00:00.000Z",
    );
    expect(zonedTimeToUtc("2026-07-03T09:00", "Europe/Oslo").toISOString()).toBe(
      "2026-07-03T07:00:00.000Z",
    );
    expect(zonedTimeToUtc("2026-12-03T09:00", "Asia/Kolkata").toISOString()).toBe(
      "2026-12-03T03:30:00.000Z",
    );
    expect(zonedTimeToUtc("2026-12-03T09:00", "America/New_York").toISOString()).toBe(
      "2026-12-03T14:00:00.000Z",
    );
  });

  it("refuses a skipped time and takes the first of a repeated one", () => {
    expect(() => zonedTimeToUtc("2026-03-29T02:30", "Europe/Oslo")).toThrow(/does not exist/);
    expect(zonedTimeToUtc("2026-10-25T02:30", "Europe/Oslo").toISOString()).toBe(
      "2026-10-25T00:30:00.000Z",
    );
  });

  it("names a bad zone or time", () => {
    expect(() => zonedTimeToUtc("2026-12-03T09:00", "Mars/Olympus")).toThrow(
      'time zone "Mars/Olympus" is not known',
    );
    expect(() => zonedTimeToUtc("tomorrow", "UTC")).toThrow('time "tomorrow" is not valid');
  });
});

describe("templates on disk", () => {
  it("lists every MJML file by folder", async () => {
    const files = await listTemplateFiles(templatesDir);
    expect(files.map((f) => f.path)).toContain("newsletters/monthly.mjml");
    expect(files.map((f) => f.path)).toContain("partials/footer.mjml");
  });

  it("refuses paths outside the folder, also through a symbolic link", async () => {
    for (const bad of ["../package.json", "newsletters/../../x.mjml", "/etc/passwd", "x.mjml"])
      await expect(resolveTemplateFile(templatesDir, bad)).rejects.toMatchObject({
        code: "invalid_input",
      });
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "mailsteward-tpl-"));
    await fs.mkdir(path.join(dir, "partials"));
    await fs.writeFile(path.join(dir, "outside.mjml"), "<mj-text>x</mj-text>");
    await fs.symlink(path.join(dir, "outside.mjml"), path.join(dir, "partials", "evil.mjml"));
    await fs.mkdir(path.join(dir, "root"));
    await fs.rename(path.join(dir, "partials"), path.join(dir, "root", "partials"));
    await fs.symlink("../../outside.mjml", path.join(dir, "root", "partials", "evil2.mjml"));
    await expect(
      resolveTemplateFile(path.join(dir, "root"), "partials/evil2.mjml"),
    ).rejects.toMatchObject({ code: "refused" });
    await fs.rm(dir, { recursive: true, force: true });
  });

  it("reports an MJML error in an edited partial at its own line, and previews a good edit", async () => {
    const source = await fs.readFile(path.join(templatesDir, "partials/footer.mjml"), "utf8");
    const lines = source.split("\n");
    lines.splice(2, 0, "<mj-txt>broken</mj-txt>");
    const bad = await checkTemplateSource({
      templatesDir,
      path: "partials/footer.mjml",
      source: lines.join("\n"),
      postalAddress,
    });
    expect(bad.preview).toBeNull();
    expect(bad.problems[0]).toMatchObject({ file: "partials/footer.mjml", line: 3 });
    expect(bad.problems[0]!.message).toContain("mj-txt");

    const good = await checkTemplateSource({
      templatesDir,
      path: "newsletters/monthly.mjml",
      source: (
        await fs.readFile(path.join(templatesDir, "newsletters/monthly.mjml"), "utf8")
      ).replace("Hello,", "Hello there,"),
      postalAddress,
    });
    expect(good.problems).toEqual([]);
    expect(good.preview?.html).toContain("Our first article");
    expect(good.preview?.text).toContain("Hello Alex Example,");
  });

  it("reports an unknown placeholder with the file", async () => {
    const source = (
      await fs.readFile(path.join(templatesDir, "newsletters/monthly.mjml"), "utf8")
    ).replace("{{name}},", "{{nmae}},");
    const check = await checkTemplateSource({
      templatesDir,
      path: "newsletters/monthly.mjml",
      source,
      postalAddress,
    });
    expect(check.problems[0]!.message).toContain('unknown placeholder "{{nmae}}"');
    expect(check.problems[0]!.message).not.toContain(os.tmpdir());
  });
});
