import http from "node:http";
import type { WorkerEndpoint } from "../adapters/worker-endpoint.ts";
import { cliKeyHeader, type CliFrame, type CliRequest } from "./cli-protocol.ts";

/**
 * Thrown by withApp in a CLI process when a worker owns the embedded database:
 * the command has parsed and checked its arguments here (same usage errors,
 * same messages) but not touched any data yet, and index.ts sends the whole
 * command line to the worker instead (see cli-protocol.ts).
 */
export class WorkerRunning extends Error {
  constructor(
    readonly endpoint: WorkerEndpoint,
    readonly adminToken: string,
  ) {
    super(`a worker (pid ${endpoint.pid}) owns the data directory`);
  }
}

/**
 * Runs the command line in the worker and copies its output here as it
 * comes; resolves with the command's exit code, or undefined when the worker
 * could not be reached at all (it is stopping), so the caller can open the
 * data directory itself. Ctrl-C detaches: the worker is told by the closed
 * connection, stops what only shows or follows, and finishes what changes data.
 */
export function forwardToWorker(
  running: WorkerRunning,
  argv: string[],
): Promise<number | undefined> {
  const { endpoint } = running;
  const body: CliRequest = {
    argv,
    cwd: process.cwd(),
    stdout: terminalOf(process.stdout),
    stderr: terminalOf(process.stderr),
  };
  return new Promise((resolve) => {
    let connected = false;
    const request = http.request(new URL("/api/cli", endpoint.url), {
      method: "POST",
      headers: {
        authorization: `Bearer ${running.adminToken}`,
        [cliKeyHeader]: endpoint.key,
        "content-type": "application/json",
      },
    });
    const onInterrupt = () => {
      process.stderr.write("\n");
      done(
        130,
        `interrupted; detached from the worker (pid ${endpoint.pid}). What only shows or follows stops there; a command that changes data (an import, a cleanup, a handover) runs to its end there, and its outcome is in the audit log and the worker's log.`,
      );
      request.destroy();
    };
    process.once("SIGINT", onInterrupt);
    let settled = false;
    const done = (code: number | undefined, message?: string) => {
      if (settled) return;
      settled = true;
      process.off("SIGINT", onInterrupt);
      if (message) process.stderr.write(`mailsteward: ${message}\n`);
      resolve(code);
    };
    const lost = (error: NodeJS.ErrnoException) =>
      done(
        1,
        `lost the connection to the worker (pid ${endpoint.pid}) at ${endpoint.url} (${error.code ?? error.message}); the command may or may not have finished there`,
      );
    request.on("error", (error: NodeJS.ErrnoException) => {
      if (!connected && error.code === "ECONNREFUSED") return done(undefined);
      lost(error);
    });
    request.on("response", (response) => {
      connected = true;
      response.setEncoding("utf8");
      response.on("error", lost);
      if (response.statusCode !== 200) {
        let text = "";
        response.on("data", (chunk: string) => (text += chunk));
        response.on("end", () =>
          done(
            1,
            `the worker (pid ${endpoint.pid}) at ${endpoint.url} refused the command (${response.statusCode}): ${messageOf(text)}`,
          ),
        );
        return;
      }
      let pending = "";
      let exit: number | undefined;
      response.on("data", (chunk: string) => {
        pending += chunk;
        let newline: number;
        while ((newline = pending.indexOf("\n")) >= 0) {
          const frame = JSON.parse(pending.slice(0, newline)) as CliFrame;
          pending = pending.slice(newline + 1);
          if ("out" in frame) process.stdout.write(frame.out);
          else if ("err" in frame) process.stderr.write(frame.err);
          else exit = frame.exit;
        }
      });
      response.on("end", () =>
        exit !== undefined
          ? done(exit)
          : done(
              1,
              `the worker (pid ${endpoint.pid}) stopped before the command finished; it may or may not have taken effect`,
            ),
      );
    });
    request.end(JSON.stringify(body));
  });
}

function terminalOf(stream: NodeJS.WriteStream): CliRequest["stdout"] {
  return stream.isTTY ? { isTTY: true, columns: stream.columns } : { isTTY: false };
}

function messageOf(text: string): string {
  try {
    return (JSON.parse(text) as { message?: string }).message ?? text;
  } catch {
    return text;
  }
}
