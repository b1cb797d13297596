import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { isAlive } from "./data-dir-lock.ts";
import { ensurePrivateDir } from "./private-files.ts";

/**
 * DATA_DIR/run/worker.json (0600 in a 0700 directory): where the worker that
 * owns the embedded database listens, so that a CLI command started beside it
 * sends itself there instead of being refused the data directory. `key` is
 * fresh per worker run and readable only by the data directory's owner: the
 * CLI route asks for it besides the admin token, so knowing the token from
 * elsewhere (or reaching the port through a reverse proxy on the same host) is
 * not enough to run commands that read and write the worker's local files.
 */
export interface WorkerEndpoint {
  pid: number;
  /** base URL on a loopback (or the listening) address */
  url: string;
  key: string;
  since: string;
}

const fileOf = (dataDir: string) => path.join(dataDir, "run", "worker.json");

export function publishWorkerEndpoint(
  dataDir: string,
  listening: { host: string; port: number },
): { endpoint: WorkerEndpoint; remove(): void } {
  const endpoint: WorkerEndpoint = {
    pid: process.pid,
    url: `http://${reachableHost(listening.host)}:${listening.port}`,
    key: crypto.randomBytes(32).toString("hex"),
    since: new Date().toISOString(),
  };
  const file = fileOf(dataDir);
  ensurePrivateDir(path.dirname(file));
  // Written whole under another name, then renamed: a reader never sees half a file.
  const temporary = `${file}.${process.pid}`;
  fs.writeFileSync(temporary, JSON.stringify(endpoint), { mode: 0o600 });
  fs.renameSync(temporary, file);
  return {
    endpoint,
    remove() {
      // Only ours: a worker that started after us (we were presumed dead) keeps its file.
      if (readWorkerEndpoint(dataDir)?.pid === process.pid) fs.rmSync(file, { force: true });
    },
  };
}

/** The running worker's endpoint, or undefined when none is published or its process is gone. */
export function readWorkerEndpoint(dataDir: string): WorkerEndpoint | undefined {
  let data: Partial<WorkerEndpoint>;
  try {
    data = JSON.parse(fs.readFileSync(fileOf(dataDir), "utf8")) as Partial<WorkerEndpoint>;
  } catch {
    return undefined;
  }
  if (typeof data.pid !== "number" || typeof data.url !== "string" || typeof data.key !== "string")
    return undefined;
  // A worker killed with SIGKILL leaves its file; its pid may since belong to another process.
  if (!isAlive(data.pid) || lockOwner(dataDir) !== data.pid) return undefined;
  return data as WorkerEndpoint;
}

function lockOwner(dataDir: string): number | undefined {
  try {
    return (
      JSON.parse(fs.readFileSync(path.join(dataDir, "owner.lock"), "utf8")) as { pid?: number }
    ).pid;
  } catch {
    return undefined;
  }
}

/** A wildcard listen address is reached on loopback; a named one as it is. */
function reachableHost(host: string): string {
  if (host === "0.0.0.0" || host === "") return "127.0.0.1";
  if (host === "::" || host === "[::]") return "[::1]";
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}
