import type { Command } from "commander";
import { listLists } from "../contacts/list-lists.ts";
import { commandGroup } from "./command-group.ts";
import { say, withApp } from "./with-app.ts";

export function register(program: Command): void {
  commandGroup(program, "lists", "")
    .description("show the newsletter lists with their subscriber counts (see also: lists create)")
    .action(async () => {
      await withApp("lists", async (app) => {
        const lists = await listLists(app.db);
        if (lists.length === 0)
          return say(
            'no lists yet; create one with: mailsteward lists create news --name "Monthly news"',
          );
        const rows = [["slug", "name", "opt-in", "form", "subscribed", "pending", "unsubscribed"]];
        for (const l of lists) {
          rows.push([
            l.slug,
            l.name,
            l.doubleOptIn ? "double" : "single",
            l.public ? "public" : "-",
            String(l.counts.subscribed),
            String(l.counts.pending),
            String(l.counts.unsubscribed),
          ]);
        }
        const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
        for (const r of rows)
          say(
            r
              .map((cell, i) => (i >= 4 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
              .join("  ")
              .trimEnd(),
          );
      });
    });
}
