import crypto from "node:crypto";
import net from "node:net";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { cliKeyHeader, cliRequestSchema, type CliFrame } from "../../cli/cli-protocol.ts";
import type { HttpDeps } from "../deps.ts";

export type { CliRunner } from "../deps.ts";
import { parseBody } from "./parse-body.ts";

const forwardedHeaders = ["forwarded", "x-forwarded-for", "x-real-ip"];

/**
 * POST /api/cli: a CLI started beside the worker runs its command here (see
 * cli-protocol.ts). Besides the admin token (checked for all of /api), the
 * peer must be this machine itself, not relayed by a proxy, and must show the
 * key from DATA_DIR/run/worker.json, which only the data directory's owner can
 * read: commands read and write local files by name, which no remote caller
 * may do, whatever token it holds.
 */
export function register(api: FastifyInstance, deps: HttpDeps): void {
  const cli = deps.cli;
  if (!cli) return;
  api.post("/cli", async (request, reply) => {
    const refusal = refusalOf(request, cli.key());
    if (refusal) return reply.code(403).send({ error: "refused", message: refusal });
    const body = parseBody(cliRequestSchema, request.body, "CLI request");
    const started = Date.now();
    const command = body.argv
      .filter((a) => /^[a-z][a-z-]*$/.test(a))
      .slice(0, 2)
      .join(" ");
    // A command may be silent for minutes (an import, a handover): no idle timeout here.
    request.raw.socket.setTimeout(0);
    reply.hijack();
    const response = reply.raw;
    response.writeHead(200, {
      "content-type": "application/x-ndjson; charset=utf-8",
      "cache-control": "no-store",
    });
    const gone = new AbortController();
    response.on("close", () => {
      if (!response.writableFinished) gone.abort();
    });
    const send = (frame: CliFrame) => {
      if (!gone.signal.aborted && !response.writableEnded)
        response.write(JSON.stringify(frame) + "\n");
    };
    const exit = await cli.run(body, { send, signal: gone.signal }).catch((error: unknown) => {
      deps.log.error("CLI command failed in the worker", { command, error: String(error) });
      send({ err: "mailsteward: the worker failed to run the command; see its log\n" });
      return 1;
    });
    send({ exit });
    response.end();
    // The arguments may name people: the log gets the command's name only.
    deps.log.info("ran a CLI command for a local client", {
      command,
      exit,
      ms: Date.now() - started,
      detached: gone.signal.aborted,
    });
  });
}

function refusalOf(request: FastifyRequest, key: string | undefined): string | undefined {
  const peer = request.socket.remoteAddress ?? "";
  // A peer with our own address is this machine too (a named HOST): nobody elsewhere can finish
  // a TCP handshake from it, the SYN-ACK would come back here.
  if (!isLoopback(peer) && peer !== request.socket.localAddress)
    return `the CLI route answers only connections from this machine; this one came from ${peer}`;
  const relayed = forwardedHeaders.find((h) => request.headers[h] !== undefined);
  if (relayed)
    return `the CLI route answers only direct connections; this one came through a proxy (${relayed} header)`;
  const given = request.headers[cliKeyHeader];
  if (key === undefined || typeof given !== "string" || !sameSecret(given, key))
    return `missing or wrong ${cliKeyHeader}; the CLI reads it from DATA_DIR/run/worker.json`;
  return undefined;
}

function isLoopback(address: string): boolean {
  const v4 = address.startsWith("::ffff:") ? address.slice(7) : address;
  if (net.isIPv4(v4)) return v4.startsWith("127.");
  return address === "::1";
}

function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string) => crypto.createHash("sha256").update(s).digest();
  return crypto.timingSafeEqual(digest(given), digest(expected));
}
