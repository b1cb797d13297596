import { AsyncLocalStorage } from "node:async_hooks";
import path from "node:path";
import type { App } from "../main.ts";

/**
 * Where a CLI command's output, files and exit code go. A command run from a
 * terminal uses this process's own; a command a running worker runs for a
 * CLI client (POST /api/cli, run-cli-in-process.ts) uses the client's: its
 * output streams back to it, its terminal's width and TTY-ness decide the
 * progress bars, its working directory resolves relative file names, and the
 * worker's open application serves withApp. AsyncLocalStorage keeps runs that
 * overlap in one worker apart. Commands therefore write through cliStdout()
 * and cliStderr(), never process.stdout/stderr (test/unit/cli-streams.test.ts).
 */
export interface CliRun {
  app: App;
  /** the client's working directory */
  cwd: string;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  /** aborted when the client goes away (Ctrl-C, a closed connection) */
  signal: AbortSignal;
  exitCode: number | undefined;
}

const runs = new AsyncLocalStorage<CliRun>();

export function runRemotely<T>(run: CliRun, fn: () => Promise<T>): Promise<T> {
  return runs.run(run, fn);
}

/** The run a worker is doing for a CLI client, if this code runs inside one. */
export function remoteRun(): CliRun | undefined {
  return runs.getStore();
}

export const cliStdout = (): NodeJS.WriteStream => remoteRun()?.stdout ?? process.stdout;
export const cliStderr = (): NodeJS.WriteStream => remoteRun()?.stderr ?? process.stderr;

/** A file name from the command line, as the user meant it: relative to their directory. */
export function cliPath(file: string): string {
  const run = remoteRun();
  return run ? path.resolve(run.cwd, file) : file;
}

export function setCliExitCode(code: number): void {
  const run = remoteRun();
  if (run) run.exitCode = code;
  else process.exitCode = code;
}

/** Resolves at Ctrl-C: the terminal's, or, run remotely, the client's (it closes the connection). */
export function untilInterrupted(): Promise<void> {
  const run = remoteRun();
  if (!run) return new Promise((resolve) => process.once("SIGINT", () => resolve()));
  if (run.signal.aborted) return Promise.resolve();
  return new Promise((resolve) =>
    run.signal.addEventListener("abort", () => resolve(), { once: true }),
  );
}
