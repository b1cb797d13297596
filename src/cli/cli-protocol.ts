import { z } from "zod";

/**
 * POST /api/cli, between a CLI started beside the worker on the embedded
 * default and that worker (see forward-to-worker.ts, run-cli-in-process.ts).
 * The request carries what a command would have taken from its own process:
 * the arguments, the working directory (relative file names), and whether
 * stdout and stderr are terminals and how wide (progress bars or plain lines,
 * help text width). The answer is NDJSON, one frame per line, in the order
 * written: `{"out": text}`, `{"err": text}`, then one `{"exit": code}`.
 */
const terminal = z.object({
  isTTY: z.boolean(),
  columns: z.number().int().min(1).max(10_000).optional(),
});

export const cliRequestSchema = z.object({
  argv: z.array(z.string().max(100_000)).max(10_000),
  cwd: z.string().min(1).max(4096),
  stdout: terminal,
  stderr: terminal,
});

export type CliRequest = z.infer<typeof cliRequestSchema>;

export type CliFrame = { out: string } | { err: string } | { exit: number };

/** the header that carries DATA_DIR/run/worker.json's key */
export const cliKeyHeader = "x-mailsteward-cli-key";
