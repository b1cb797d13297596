import type { Command } from "commander";
import { createList } from "../contacts/create-list.ts";
import { commandGroup } from "./command-group.ts";
import { say, withApp } from "./with-app.ts";

export function register(program: Command): void {
  commandGroup(program, "lists", "show the newsletter lists with their subscriber counts")
    .command("create")
    .argument(
      "<slug>",
      "short name used in commands, links and tokens: lowercase letters, digits, dashes",
    )
    .description("create a newsletter list")
    .requiredOption("--name <name>", 'the name subscribers see, e.g. "Monthly news"')
    .option("--description <text>", "what the list is about")
    .option(
      "--single-opt-in",
      "web sign-ups subscribe at once, without a confirmation email (default: double opt-in)",
    )
    .option("--public", "the public sign-up form may subscribe to it (default: not)")
    .addHelpText(
      "after",
      '\nExample:\n  mailsteward lists create news --name "Monthly news" --public\nLater: mailsteward lists set-public news --off',
    )
    .action(
      async (
        slug: string,
        opts: { name: string; description?: string; singleOptIn?: boolean; public?: boolean },
      ) => {
        await withApp("lists create", async (app) => {
          const list = await createList(app, {
            slug,
            name: opts.name,
            description: opts.description,
            doubleOptIn: !opts.singleOptIn,
            public: opts.public === true,
            actor: "cli",
          });
          say(
            `created list ${list.slug} (id ${list.id}, ${list.doubleOptIn ? "double" : "single"} opt-in, ${list.public ? "open to" : "not open to"} the sign-up form)`,
          );
        });
      },
    );
}
