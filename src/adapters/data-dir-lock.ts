import fs from "node:fs";
import path from "node:path";
import { AppError } from "../errors.ts";

export interface DataDirLock {
  release(): void;
}

/**
 * PGlite must have one owner: two processes opening the same data directory
 * corrupt it. The lock file holds the owner's pid; a lock whose pid is gone is
 * stale and taken over.
 */
export function lockDataDir(dataDir: string, purpose: string): DataDirLock {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(dataDir, "owner.lock");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(
        file,
        JSON.stringify({ pid: process.pid, purpose, since: new Date().toISOString() }),
        { flag: "wx", mode: 0o600 },
      );
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          fs.rmSync(file, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = readOwner(file);
      if (owner && isAlive(owner.pid)) {
        throw new AppError(
          "data_dir_locked",
          `${dataDir} is in use by ${owner.purpose} (pid ${owner.pid}) since ${owner.since}. ` +
            `Only one process may open the embedded database: stop that process first (kill -TERM ${owner.pid}), ` +
            `use the running worker's admin API, or set DATABASE_URL to a PostgreSQL server that several processes can share.`,
          { pid: owner.pid },
        );
      }
      fs.rmSync(file, { force: true });
    }
  }
  throw new AppError(
    "data_dir_locked",
    `could not lock ${dataDir}: another process keeps creating ${file}`,
  );
}

function readOwner(file: string): { pid: number; purpose: string; since: string } | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
}

/** Whether a process with this pid exists (EPERM: it does, owned by someone else). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
