import type { Command } from "commander";
import { setListPublic } from "../contacts/set-list-public.ts";
import { commandGroup } from "./command-group.ts";
import { say, withApp } from "./with-app.ts";

export function register(program: Command): void {
  commandGroup(program, "lists", "show the newsletter lists with their subscriber counts")
    .command("set-public")
    .argument("<slug>", "the list")
    .description("open a list to the public sign-up form (POST /subscribe), or with --off close it")
    .option("--off", "close it: the form refuses it")
    .addHelpText(
      "after",
      "\nExample:\n  mailsteward lists set-public news\n  mailsteward lists set-public internal --off",
    )
    .action(async (slug: string, opts: { off?: boolean }) => {
      await withApp("lists set-public", async (app) => {
        const list = await setListPublic(app, { slug, public: opts.off !== true, actor: "cli" });
        say(`list ${list.slug} is ${list.public ? "open to" : "closed to"} the sign-up form`);
      });
    });
}
