import type { App } from "../main.ts";

/**
 * Opens the application for one CLI command (no worker, no web server), runs
 * `fn`, and closes it. On the embedded database this refuses while a worker
 * holds the data directory, with a message that says what to do.
 */
export async function withApp<T>(command: string, fn: (app: App) => Promise<T>): Promise<T> {
  // Loaded here, not at the top: the whole application (database, jobs, HTTP, MJML, IMAP) is
  // seconds of start-up that `--help` and the commands that need no database should not pay.
  const { openApp } = await import("../main.ts");
  const app = await openApp({ purpose: `mailsteward ${command}` });
  try {
    return await fn(app);
  } finally {
    await app.close();
  }
}

/** What a command prints for people: one line per fact, no personal data beyond what was asked. */
export function say(line: string): void {
  process.stdout.write(line + "\n");
}
