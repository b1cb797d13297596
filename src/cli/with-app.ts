import { AppError } from "../errors.ts";
import type { App } from "../main.ts";
import { cliStdout, remoteRun } from "./cli-context.ts";

/**
 * Opens the application for one CLI command (no worker, no web server), runs
 * `fn`, and closes it. On the embedded database, while a worker owns the data
 * directory and listens, it throws WorkerRunning instead, and index.ts sends
 * the command to that worker; run there, `fn` gets the worker's own
 * application. A worker that holds the directory without listening (started
 * with --no-http) still means a refusal that says what to do.
 */
let workerIgnored = false;

/** After a worker could not be reached: open the data directory here (the lock decides). */
export function ignoreWorker(): void {
  workerIgnored = true;
}

export async function withApp<T>(command: string, fn: (app: App) => Promise<T>): Promise<T> {
  const run = remoteRun();
  if (run) return fn(run.app);
  // Loaded here, not at the top: the whole application (database, jobs, HTTP, MJML, IMAP) is
  // seconds of start-up that `--help` and the commands that need no database should not pay.
  const [{ loadConfig }, { readWorkerEndpoint }, { WorkerRunning }] = await Promise.all([
    import("../config/load-config.ts"),
    import("../adapters/worker-endpoint.ts"),
    import("./forward-to-worker.ts"),
  ]);
  const config = loadConfig(process.env);
  const worker =
    config.databaseUrl || workerIgnored ? undefined : readWorkerEndpoint(config.dataDir);
  if (worker && config.adminToken) throw new WorkerRunning(worker, config.adminToken);
  if (worker)
    throw new AppError(
      "data_dir_locked",
      `a worker (pid ${worker.pid}) owns ${config.dataDir} and this command would run there, but it has no admin token: set ADMIN_TOKEN to the worker's, or drop it from both so that both use ${config.dataDir}/secrets.json`,
    );
  const { openApp } = await import("../main.ts");
  const app = await openApp({ purpose: `mailsteward ${command}`, config });
  try {
    return await fn(app);
  } finally {
    await app.close();
  }
}

/** What a command prints for people: one line per fact, no personal data beyond what was asked. */
export function say(line: string): void {
  cliStdout().write(line + "\n");
}
