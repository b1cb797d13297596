// vitest globalSetup: runs once in the main process before any worker starts.
import { dropLeftoverDatabases, ensureTemplate } from "./database.ts";

export default async function setup(): Promise<void> {
  // Workers are forked from this process and inherit the variable (see database.ts).
  process.env.MAILSTEWARD_TEST_RUN = String(process.pid);
  await Promise.all([ensureTemplate(), dropLeftoverDatabases()]);
}
