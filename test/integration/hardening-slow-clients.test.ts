// Issue 7, the web server under slow clients: a flood of connections that
// declare a body and never send it must neither keep their sockets for
// minutes nor stop RFC 8058 one-click unsubscribe from answering. Real server,
// real PostgreSQL, real sockets from several loopback addresses (127.0.0.0/8
// is all loopback on Linux, so a client can pick its source address).
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  oneClick,
  oneClickBody,
  seedSubscribers,
  startTestServer,
  unsubscribeToken,
  type TestServer,
} from "./http-server.ts";

let t: TestServer;
let ids: number[];
const REQUEST_TIMEOUT_S = 8;
const PER_IP = 40;

beforeAll(async () => {
  t = await startTestServer({
    env: {
      HTTP_REQUEST_TIMEOUT_SECONDS: String(REQUEST_TIMEOUT_S),
      HTTP_HEADERS_TIMEOUT_SECONDS: "6",
      HTTP_MAX_CONNECTIONS_PER_IP: String(PER_IP),
    },
  });
  ({ contactIds: ids } = await seedSubscribers(t.db, { lists: ["news"], contacts: 20 }));
});
afterAll(async () => t?.close());

interface Slow {
  socket: net.Socket;
  closedAt: number | undefined;
}

/** Opens a connection from `localAddress` that sends headers for 8,000 bytes of body, then 6 bytes, then nothing. */
function slowClient(port: number, localAddress: string): Promise<Slow> {
  return new Promise((resolve) => {
    const slow: Slow = {
      socket: net.connect({ host: "127.0.0.1", port, localAddress }),
      closedAt: undefined,
    };
    slow.socket.on("error", () => {});
    slow.socket.on("close", () => (slow.closedAt = performance.now()));
    slow.socket.on("connect", () => {
      slow.socket.write(
        "POST /subscribe HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 8000\r\n\r\nemail=",
      );
      resolve(slow);
    });
    slow.socket.setTimeout(5000, () => resolve(slow));
  });
}

describe("a slow-client flood", () => {
  it("does not stop one-click unsubscribe; slow sockets are closed by the request timeout and capped per address", async () => {
    const port = Number(new URL(t.url).port);
    // Warm the route and the database connection first, so the figures below are the flood's.
    const warm = await fetch(`${t.url}/u/${unsubscribeToken(t.config, ids[19]!, "news")}`, {
      method: "POST",
      headers: oneClick,
      body: oneClickBody,
    });
    expect(warm.status).toBe(200);
    const started = performance.now();
    // 30 addresses at the per-address cap (1,200 connections), and one address trying 400.
    // In waves of 100: 1,600 connects in one burst overflow the listen backlog (511) on a
    // loaded machine, and sockets the server never accepted stay open on the client's side.
    const waves = async (n: number, from: (i: number) => string) => {
      const out: Slow[] = [];
      for (let i = 0; i < n; i += 100)
        out.push(
          ...(await Promise.all(
            Array.from({ length: Math.min(100, n - i) }, (_, j) => slowClient(port, from(i + j))),
          )),
        );
      return out;
    };
    const [flood, greedy] = await Promise.all([
      waves(30 * PER_IP, (i) => `127.0.9.${Math.floor(i / PER_IP) + 1}`),
      waves(400, () => "127.0.8.1"),
    ]);
    const floodReady = performance.now();
    // Connected sockets wait in the kernel's accept queue until the server takes them: poll.
    let greedyOpen = greedy.length;
    for (let i = 0; i < 30 && greedyOpen > PER_IP; i++) {
      await new Promise((r) => setTimeout(r, 100));
      greedyOpen = greedy.filter((s) => s.closedAt === undefined).length;
    }
    expect(greedyOpen).toBeLessThanOrEqual(PER_IP);
    const floodOpen = flood.filter((s) => s.closedAt === undefined).length;
    expect(floodOpen).toBeGreaterThan(1000); // the flood really is holding sockets

    // One-click from a client that is not part of the flood, while the flood holds its sockets.
    const latencies: number[] = [];
    for (let i = 0; i < 10; i++) {
      const token = unsubscribeToken(t.config, ids[i]!, "news");
      const at = performance.now();
      const response = await fetch(`${t.url}/u/${token}`, {
        method: "POST",
        headers: oneClick,
        body: oneClickBody,
      });
      latencies.push(performance.now() - at);
      expect(response.status).toBe(200);
    }
    latencies.sort((a, b) => a - b);
    console.log(
      `flood: ${floodOpen + greedyOpen} slow connections held (${400 - greedyOpen} of 400 from one address refused); one-click during the flood: median ${latencies[5]!.toFixed(0)} ms, max ${latencies[9]!.toFixed(0)} ms`,
    );
    // Answered, every time; the median stays near a quiet machine's, the worst includes the
    // moment the timeout closes 1,200 sockets at once on a 2-core machine shared with other tests.
    expect(latencies[5]).toBeLessThan(500);
    expect(latencies[9]).toBeLessThan(5000);

    // The request timeout frees every slow socket the server holds. Counted on the server: with
    // 1,600 connects at once a few can sit completed in the client's kernel while the server's
    // accept queue overflowed; those never reached the server and hold none of its descriptors.
    const serverConnections = () =>
      new Promise<number>((resolve, reject) =>
        t.server.server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
      );
    const deadline = floodReady + (REQUEST_TIMEOUT_S + 15) * 1000;
    let held = await serverConnections();
    expect(held).toBeGreaterThan(1000);
    while (performance.now() < deadline && held > 0) {
      await new Promise((r) => setTimeout(r, 200));
      held = await serverConnections();
    }
    const freedAt = performance.now();
    // The server's closes reach the client's sockets a moment later on a loaded machine. A
    // socket whose handshake the server's kernel dropped from a full accept queue still looks
    // connected here; one more byte draws the server kernel's RST and closes it, while a
    // socket a server process still held would take the byte and stay open.
    const open = () => [...flood, ...greedy].filter((s) => s.closedAt === undefined);
    for (const s of open()) s.socket.write("x");
    for (let i = 0; i < 50 && open().length >= 50; i++)
      await new Promise((r) => setTimeout(r, 200));
    const clientOpen = open().length;
    console.log(
      `flood opened in ${((floodReady - started) / 1000).toFixed(1)} s; the server held none of its sockets ${((freedAt - floodReady) / 1000).toFixed(1)} s after that (request timeout ${REQUEST_TIMEOUT_S} s); ${clientOpen} client sockets never reached the server`,
    );
    expect(held).toBe(0);
    expect(clientOpen).toBeLessThan(50);
    for (const s of [...flood, ...greedy]) s.socket.destroy();
    const health = await fetch(`${t.url}/health`);
    expect(health.status).toBe(200);
  }, 60_000);
});
