#!/usr/bin/env node
/**
 * `mailsteward <command>`: one command per file in this folder, each exporting
 * `register(program)`. Errors from the domain print their message and exit 1.
 * On the embedded default, while a worker owns the data directory, a command
 * runs in that worker (withApp throws WorkerRunning; see cli-protocol.ts).
 */
import { buildProgram, formatCliError } from "./build-program.ts";
import { forwardToWorker, WorkerRunning } from "./forward-to-worker.ts";
import { ignoreWorker } from "./with-app.ts";

const args = process.argv.slice(2);

async function run(): Promise<void> {
  try {
    await (await buildProgram(args)).parseAsync(args, { from: "user" });
  } catch (error) {
    if (!(error instanceof WorkerRunning)) throw error;
    const code = await forwardToWorker(error, args);
    if (code !== undefined) process.exit(code);
    // The worker stopped listening (it is stopping): open the data directory here, as without one.
    ignoreWorker();
    await (await buildProgram(args)).parseAsync(args, { from: "user" });
  }
}

run().catch((error) => {
  process.stderr.write(formatCliError(error));
  process.exit(1);
});
