import { describe, expect, it } from "vitest";
import { compileCampaign } from "../../src/newsletters/render/compile-campaign.ts";
import { fixturesDir, postalAddress } from "./render-support.ts";

// Bad templates live in test/fixtures/templates/, laid out like templates/.
function compileFixture(template: string, content: unknown = { intro: "Hi" }) {
  return compileCampaign({
    templatesDir: fixturesDir,
    template,
    subject: "Test",
    content,
    postalAddress,
  });
}

describe("compileCampaign on invalid templates", () => {
  it("reports an unknown tag with its file, line and tag", async () => {
    await expect(compileFixture("bad")).rejects.toMatchObject({
      code: "invalid_template",
      message: "test/fixtures/templates/newsletters/bad.mjml line 7: <mj-colum> is not a known tag",
    });
  });

  it("reports an error in an included partial at its line in the partial", async () => {
    await expect(compileFixture("bad-partial")).rejects.toMatchObject({
      code: "invalid_template",
      message:
        "test/fixtures/templates/partials/broken-footer.mjml line 6: <mj-buton> is not a known tag",
    });
  });

  it("finds a bad tag inside a block this campaign's content skips", async () => {
    await expect(compileFixture("hidden-bad")).rejects.toMatchObject({
      code: "invalid_template",
      message:
        "test/fixtures/templates/newsletters/hidden-bad.mjml line 7: <mj-txt> is not a known tag",
    });
  });

  it("refuses a recipient placeholder the personaliser cannot fill", async () => {
    await expect(compileFixture("typo-placeholder")).rejects.toMatchObject({
      code: "invalid_template",
      message: expect.stringMatching(
        /typo-placeholder\.mjml: unknown placeholder "\{\{nmae\}\}"; known: \{\{name\}\}/,
      ),
    });
  });

  it("names the campaign field the template needs and the content lacks", async () => {
    await expect(compileFixture("missing-field")).rejects.toMatchObject({
      code: "invalid_input",
      message: expect.stringContaining("missing-field.mjml line 6: [[outro]] has no value"),
    });
  });

  it("refuses an include outside the templates folder", async () => {
    await expect(compileFixture("outside")).rejects.toMatchObject({
      code: "invalid_template",
      message: expect.stringContaining("is outside the templates folder"),
    });
  });

  it("lists every known template of the folder it was given", async () => {
    await expect(compileFixture("nope")).rejects.toMatchObject({
      code: "not_found",
      message:
        'unknown template "nope"; known templates: bad, bad-partial, hidden-bad, missing-field, outside, typo-placeholder',
    });
  });
});
