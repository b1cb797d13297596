import { Command } from "commander";
import { isAppError } from "../errors.ts";
import { cliStderr, cliStdout } from "./cli-context.ts";
import { filesFor } from "./commands.ts";

/**
 * The `mailsteward` program with the commands these arguments need, for a
 * terminal (index.ts) or for a CLI client that a worker serves
 * (run-cli-in-process.ts). Help and usage errors go where the command's output
 * goes; `exitOverride` makes commander throw instead of ending the process,
 * which in a worker must not happen.
 */
export async function buildProgram(
  args: readonly string[],
  opts: { exitOverride?: boolean } = {},
): Promise<Command> {
  const program = new Command("mailsteward")
    .description(
      "Keeps a privacy statement's email promises: consent-gated newsletters, one-click unsubscribe, dialogue records, retention.",
    )
    .showHelpAfterError()
    // Subcommands copy these settings when they are created, so they come before registering.
    .configureOutput({
      writeOut: (text) => void cliStdout().write(text),
      writeErr: (text) => void cliStderr().write(text),
      // undefined off a terminal, as commander's own default (its type says number)
      getOutHelpWidth: () => widthOf(cliStdout()) as number,
      getErrHelpWidth: () => widthOf(cliStderr()) as number,
    });
  if (opts.exitOverride) program.exitOverride();
  // Only the named command's files are loaded (see commands.ts); the rest would cost seconds.
  for (const file of filesFor(args)) {
    const { register } = (await import(`./${file}`)) as { register(program: Command): void };
    register(program);
  }
  return program;
}

/** What a failed command prints on stderr: the domain's message, or the stack of a bug. */
export function formatCliError(error: unknown): string {
  return `mailsteward: ${isAppError(error) ? error.message : error instanceof Error ? error.stack : String(error)}\n`;
}

const widthOf = (stream: NodeJS.WriteStream) => (stream.isTTY ? stream.columns : undefined);
