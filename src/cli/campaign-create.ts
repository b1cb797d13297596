import fs from "node:fs";
import type { Command } from "commander";
import { AppError } from "../errors.ts";
import { createCampaign, parseSegment } from "../newsletters/create-campaign.ts";
import { commandGroup } from "./command-group.ts";
import { say, withApp } from "./with-app.ts";
import { cliPath } from "./cli-context.ts";

export function campaignGroup(program: Command): Command {
  return commandGroup(program, "campaign", "compose, schedule and follow newsletters");
}

function readJson(file: string, what: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(cliPath(file), "utf8");
  } catch (error) {
    throw new AppError(
      "invalid_input",
      `${what}: cannot read ${file} (${(error as Error).message})`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new AppError(
      "invalid_input",
      `${what}: ${file} is not JSON (${(error as Error).message})`,
    );
  }
}

export function register(program: Command): void {
  campaignGroup(program)
    .command("create")
    .argument("<slug>", "short name for the campaign, e.g. 2026-11-news")
    .description("create a draft campaign (nothing is sent until it is scheduled)")
    .requiredOption("--template <name>", "a template in templates/newsletters/, e.g. monthly")
    .requiredOption("--subject <text>", "subject line; may use {{name}} and {{company}}")
    .option("--preheader <text>", "the preview line mail clients show after the subject")
    .requiredOption(
      "--list <slug>",
      "a list to send to (repeat for several)",
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .requiredOption(
      "--content <file.json>",
      'the content blocks, e.g. {"intro": ..., "articles": [...]}',
    )
    .option("--segment <file.json>", 'filters on contact fields, e.g. {"industry": ["retail"]}')
    .addHelpText(
      "after",
      "\nExample:\n  mailsteward campaign create 2026-11-news --template monthly --subject 'November news' --list news --content content.json",
    )
    .action(
      async (
        slug: string,
        opts: {
          template: string;
          subject: string;
          preheader?: string;
          list: string[];
          content: string;
          segment?: string;
        },
      ) => {
        const content = readJson(opts.content, "--content");
        const segment = opts.segment ? parseSegment(readJson(opts.segment, "--segment")) : null;
        await withApp("campaign create", async (app) => {
          const campaign = await createCampaign(
            { db: app.db, templatesDir: app.config.templatesDir, actor: "cli" },
            {
              slug,
              template: opts.template,
              subject: opts.subject,
              preheader: opts.preheader ?? null,
              lists: opts.list,
              segment,
              content,
            },
          );
          say(
            `created draft campaign ${campaign.slug} (id ${campaign.id}); preview it with: mailsteward campaign preview ${campaign.slug} --out preview.html`,
          );
        });
      },
    );
}
