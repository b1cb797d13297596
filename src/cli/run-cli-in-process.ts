import { Writable } from "node:stream";
import { CommanderError } from "commander";
import type { App } from "../main.ts";
import { buildProgram, formatCliError } from "./build-program.ts";
import { runRemotely, type CliRun } from "./cli-context.ts";
import type { CliFrame, CliRequest } from "./cli-protocol.ts";

/**
 * Runs one CLI command line inside the worker, against the worker's own
 * application, for a CLI client beside it (POST /api/cli): the same program,
 * the same commands, the same messages and exit codes as in the client's own
 * process. Output is sent as frames while the command runs, so progress and
 * `campaign report --follow` stream. After the client has gone (`signal`),
 * output is dropped; the command itself sees the signal through
 * untilInterrupted and stops if it only shows or follows.
 */
export async function runCliInProcess(
  app: App,
  request: CliRequest,
  io: { send(frame: CliFrame): void; signal: AbortSignal },
): Promise<number> {
  const run: CliRun = {
    app,
    cwd: request.cwd,
    stdout: frameStream((out) => io.send({ out }), request.stdout),
    stderr: frameStream((err) => io.send({ err }), request.stderr),
    signal: io.signal,
    exitCode: undefined,
  };
  return runRemotely(run, async () => {
    try {
      const program = await buildProgram(request.argv, { exitOverride: true });
      await program.parseAsync(request.argv, { from: "user" });
      return run.exitCode ?? 0;
    } catch (error) {
      // Usage errors and help: commander has printed them already and says the exit code.
      if (error instanceof CommanderError) return error.exitCode;
      run.stderr.write(formatCliError(error));
      return 1;
    }
  });
}

/** A stream that sends what is written as frames, and says it is the client's terminal (or not). */
function frameStream(
  send: (text: string) => void,
  terminal: CliRequest["stdout"],
): NodeJS.WriteStream {
  const stream = new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, callback) {
      send(String(chunk));
      callback();
    },
  });
  return Object.assign(stream, {
    isTTY: terminal.isTTY,
    columns: terminal.columns ?? 80,
    rows: 24,
  }) as unknown as NodeJS.WriteStream;
}
