/**
 * Caps the sockets one client address may hold open, and all sockets
 * together, so a flood of slow clients cannot take every file descriptor and
 * leave one-click unsubscribe (RFC 8058) and /health unanswered. The request,
 * header and idle timeouts (create-server.ts) free what is held; these caps
 * bound how much can be held meanwhile. Behind a reverse proxy every socket
 * comes from the proxy, so the per-address cap is off by default there and
 * the proxy limits per client.
 */
import type { Server } from "node:http";
import type { Socket } from "node:net";

export function limitConnections(
  server: Server,
  limits: { maxConnections: number; maxConnectionsPerIp: number },
): void {
  // Node refuses (closes) sockets beyond this before any parsing.
  server.maxConnections = limits.maxConnections;
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
