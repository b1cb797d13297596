// A loopback TCP proxy between a client and a real server, for fault tests:
// drop every live connection at once, or add latency to each direction.
import net from "node:net";

export interface TcpProxy {
  host: "127.0.0.1";
  port: number;
  /** Destroys every live connection on both sides; new connections are still accepted. */
  dropAll(): void;
  /** One-way delay added to each chunk in each direction, so a round trip gains 2 × ms. */
  setLatency(ms: number): void;
  /** Client connections currently open. */
  readonly connections: number;
  close(): Promise<void>;
}

export async function startProxy(opts: {
  targetPort: number;
  targetHost?: string;
  latencyMs?: number;
}): Promise<TcpProxy> {
  let latencyMs = opts.latencyMs ?? 0;
  const live = new Set<net.Socket>();
  const clients = new Set<net.Socket>();

  // Delays each chunk while keeping order: a chunk never overtakes an earlier one
  // even when the latency is lowered in between.
  const pipe = (from: net.Socket, to: net.Socket) => {
    let lastDue = 0;
    from.on("data", (chunk) => {
      if (latencyMs === 0 && lastDue <= Date.now()) {
        to.write(chunk);
        return;
      }
      lastDue = Math.max(Date.now() + latencyMs, lastDue);
      setTimeout(() => to.destroyed || to.write(chunk), lastDue - Date.now());
    });
    from.on("end", () => setTimeout(() => to.end(), Math.max(0, lastDue - Date.now())));
  };

  const server = net.createServer((client) => {
    const upstream = net.connect(opts.targetPort, opts.targetHost ?? "127.0.0.1");
    clients.add(client);
    client.once("close", () => clients.delete(client));
    for (const socket of [client, upstream]) {
      live.add(socket);
      socket.setNoDelay(true);
      socket.on("error", () => {});
      socket.on("close", () => {
        live.delete(socket);
        (socket === client ? upstream : client).destroy();
      });
    }
    pipe(client, upstream);
    pipe(upstream, client);
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });

  return {
    host: "127.0.0.1",
    port: (server.address() as net.AddressInfo).port,
    dropAll() {
      for (const socket of live) socket.destroy();
    },
    setLatency(ms) {
      latencyMs = ms;
    },
    get connections() {
      return clients.size;
    },
    close() {
      for (const socket of live) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
