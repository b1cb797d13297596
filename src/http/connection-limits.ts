/**
 * Caps the sockets one client address may hold open, and all sockets
 * together, so a flood of slow clients cannot take every file descriptor and
 * leave one-click unsubscribe (RFC 8058) and /health unanswered. The request,
 * header and idle timeouts (create-server.ts) free what is held; these caps
 * bound how much can be held meanwhile. Behind a reverse proxy every socket
 * comes from the proxy, so the per-address cap is off by default there and
 * the proxy limits per client.
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Socket } from "node:net";

export function limitConnections(
  server: Server,
  limits: { maxConnections: number; maxConnectionsPerIp: number; requestTimeoutMs: number },
): void {
  // Node refuses (closes) sockets beyond this before any parsing.
  server.maxConnections = limits.maxConnections;
  enforceRequestDeadline(server, limits.requestTimeoutMs);
  if (limits.maxConnectionsPerIp <= 0) return;
  const open = new Map<string, number>();
  server.on("connection", (socket: Socket) => {
    const address = socket.remoteAddress ?? "unknown";
    const count = (open.get(address) ?? 0) + 1;
    if (count > limits.maxConnectionsPerIp) {
      socket.destroy();
      return;
    }
    open.set(address, count);
    socket.once("close", () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left <= 0) open.delete(address);
      else open.set(address, left);
    });
  });
}

/**
 * A socket gets `ms` from connecting, and each request `ms` from its first
 * byte, to be read whole; otherwise it is destroyed. Node's own
 * requestTimeout does the same in principle, but its sweep is a timer the
 * server runs over all connections, which we saw miss a flood of 1,200 slow
 * requests entirely on a loaded machine; one timer per socket does not.
 */
function enforceRequestDeadline(server: Server, ms: number): void {
  const timers = new WeakMap<Socket, NodeJS.Timeout>();
  const arm = (socket: Socket) => {
    clearTimeout(timers.get(socket));
    const timer = setTimeout(() => socket.destroy(), ms);
    timer.unref();
    timers.set(socket, timer);
  };
  const disarm = (socket: Socket) => clearTimeout(timers.get(socket));
  server.on("connection", (socket: Socket) => {
    arm(socket);
    socket.once("close", () => disarm(socket));
  });
  server.on("request", (request: IncomingMessage, response: ServerResponse) => {
    arm(request.socket);
    // Read whole, or answered: the keep-alive and idle timeouts take over from here.
    request.once("end", () => disarm(request.socket));
    response.once("finish", () => disarm(request.socket));
  });
}
