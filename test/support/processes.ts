// Running mailsteward itself as a child process, as an operator would.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const tsxCli = path.join(repoRoot, "node_modules", "tsx", "dist", "cli.mjs");

export interface Started {
  child: ChildProcess;
  url: string;
  output(): string;
  /** resolves with the exit code */
  exited: Promise<number | null>;
}

/** Starts `src/main.ts` (worker and web server) and waits for its "started" log line. */
export async function startMain(env: Record<string, string>, timeoutMs = 60_000): Promise<Started> {
  const child = spawn(process.execPath, [tsxCli, path.join(repoRoot, "src/main.ts")], {
    cwd: repoRoot,
    env: { ...process.env, PORT: "0", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let text = "";
  child.stdout!.on("data", (d) => (text += d));
  child.stderr!.on("data", (d) => (text += d));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`main did not start in ${timeoutMs} ms:\n${text}`)),
      timeoutMs,
    );
    const check = () => {
      const match = /"msg":"mailsteward started","url":"([^"]+)"/.exec(text);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout!.on("data", check);
    child.stderr!.on("data", check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`main exited with ${code} before starting:\n${text}`));
    });
  });
  return { child, url, output: () => text, exited };
}

/** Runs the CLI to completion. */
export async function runCli(
  args: string[],
  env: Record<string, string>,
  input?: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [path.join(repoRoot, "bin/mailsteward.js"), ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  child.stdin.end(input ?? "");
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  return { code, stdout, stderr };
}
