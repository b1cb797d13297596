import type { Command } from "commander";

/**
 * `mailsteward contacts import`, `mailsteward lists create`: command files
 * share a parent; whichever registers first creates it.
 */
export function commandGroup(program: Command, name: string, description: string): Command {
  return (
    program.commands.find((c) => c.name() === name) ??
    program.command(name).description(description)
  );
}
