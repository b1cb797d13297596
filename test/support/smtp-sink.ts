// A real SMTP server on loopback that records what it receives and can be told
// to refuse or drop, the peer for sending tests and benchmarks.
import net from "node:net";
import { SMTPServer, type SMTPServerSession } from "smtp-server";

export interface ReceivedMessage {
  from: string;
  to: string[];
  raw: Buffer;
  messageId: string | undefined;
  receivedAt: Date;
  /** false when the sink dropped the connection instead of answering 250 (see dropAfter). */
  acknowledged: boolean;
  /** the session was encrypted (STARTTLS or implicit TLS) when the message came */
  secure: boolean;
  /** the user the session authenticated as, if it did */
  user: string | undefined;
}

export type SmtpStage = "mail" | "rcpt" | "data";
export type Refusal = { code: number; message: string };
/** Called for every MAIL FROM, RCPT TO and completed DATA; a Refusal is sent as the reply. */
export type RefuseRule = (stage: SmtpStage, address?: string) => Refusal | undefined;

export interface SmtpSinkOptions {
  /** false keeps no messages, only `count`, `duplicates` and Message-IDs (benchmarks). Default true. */
  keepMessages?: boolean;
  port?: number;
  /**
   * TLS with this key and certificate (PEM): STARTTLS is offered (RFC 3207),
   * or, with `secure`, the whole session is TLS from the first byte (RFC 8314).
   */
  tls?: { key: string | Buffer; cert: string | Buffer; secure?: boolean };
  /** AUTH required (PLAIN and LOGIN, over TLS only): MAIL FROM before it is refused with 530 */
  auth?: { user: string; pass: string };
}

export interface SmtpSink {
  host: "127.0.0.1";
  port: number;
  messages: ReceivedMessage[];
  /** Messages accepted so far, kept or not. */
  readonly count: number;
  /** Accepted messages whose Message-ID had been seen before: double sends. */
  readonly duplicates: number;
  /** AUTH attempts refused for a wrong user or password */
  readonly authFailures: number;
  /** TCP connections accepted so far, and the most open at once */
  readonly connections: number;
  readonly maxOpenConnections: number;
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedMessage[]>;
  refuse(rule: RefuseRule | undefined): void;
  /** Destroys the next n connections as soon as they are accepted, before the greeting. */
  dropNextConnections(n: number): void;
  /**
   * Accepts n more messages normally; the one after them is recorded but its
   * connection is destroyed instead of replying 250: the sender cannot know it arrived.
   */
  dropAfter(n: number): void;
  clear(): void;
  close(): Promise<void>;
}

export function messageIdOf(raw: Buffer): string | undefined {
  const head =
    raw.toString("latin1", 0, Math.min(raw.length, 65_536)).split(/\r?\n\r?\n/, 1)[0] ?? "";
  return (
    /^message-id:[ \t]*(.*?)[ \t]*$/im.exec(head.replace(/\r?\n[ \t]+/g, " "))?.[1] || undefined
  );
}

function refusalError({ code, message }: Refusal): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

export async function startSmtpSink(opts: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const keepMessages = opts.keepMessages ?? true;
  const messages: ReceivedMessage[] = [];
  const seenIds = new Set<string>();
  const sockets = new Map<number, net.Socket>();
  let count = 0;
  let duplicates = 0;
  let authFailures = 0;
  let connections = 0;
  let maxOpen = 0;
  let rule: RefuseRule | undefined;
  let connectionsToDrop = 0;
  let acceptBeforeDrop: number | undefined;
  let waiters: Array<() => void> = [];

  const check = (stage: SmtpStage, address?: string) => {
    const refusal = rule?.(stage, address);
    return refusal ? refusalError(refusal) : null;
  };

  const record = (raw: Buffer, session: SMTPServerSession, acknowledged: boolean) => {
    const messageId = messageIdOf(raw);
    if (messageId !== undefined) {
      if (seenIds.has(messageId)) duplicates++;
      seenIds.add(messageId);
    }
    count++;
    if (keepMessages) {
      const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : "";
      const to = session.envelope.rcptTo.map((rcpt) => rcpt.address);
      const user = typeof session.user === "string" ? session.user : undefined;
      messages.push({
        from,
        to,
        raw,
        messageId,
        receivedAt: new Date(),
        acknowledged,
        secure: session.secure,
        user,
      });
    }
    for (const wake of waiters) wake();
  };

  const server = new SMTPServer({
    logger: false,
    authOptional: !opts.auth,
    authMethods: ["PLAIN", "LOGIN"],
    ...(opts.tls
      ? { key: opts.tls.key, cert: opts.tls.cert, secure: opts.tls.secure ?? false }
      : { disabledCommands: ["STARTTLS"] }),
    // There is no DNS on these machines: a reverse lookup per connection only adds delay.
    disableReverseLookup: true,
    size: 200 * 1024 * 1024,
    closeTimeout: 1000,
    onAuth: (auth, _session, callback) => {
      if (opts.auth && (auth.username !== opts.auth.user || auth.password !== opts.auth.pass)) {
        authFailures++;
        return callback(Object.assign(new Error("Invalid credentials"), { responseCode: 535 }));
      }
      callback(null, { user: auth.username });
    },
    onMailFrom: (address, _session, callback) => callback(check("mail", address.address)),
    onRcptTo: (address, _session, callback) => callback(check("rcpt", address.address)),
    onData: (stream, session, callback) => {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        const refused = check("data");
        if (refused) return callback(refused);
        const drop = acceptBeforeDrop === 0;
        if (acceptBeforeDrop !== undefined)
          acceptBeforeDrop = drop ? undefined : acceptBeforeDrop - 1;
        record(Buffer.concat(chunks), session, !drop);
        // Never calling back leaves the client waiting for a reply that will not come.
        if (drop) sockets.get(session.remotePort)?.destroy();
        else callback();
      });
    },
  });
  // Dropped connections surface here as ECONNRESET and the like; they are the point.
  server.on("error", () => {});
  server.server.on("connection", (socket: net.Socket) => {
    if (connectionsToDrop > 0) {
      connectionsToDrop--;
      socket.destroy();
      return;
    }
    const port = socket.remotePort ?? 0;
    sockets.set(port, socket);
    connections++;
    maxOpen = Math.max(maxOpen, sockets.size);
    socket.once("close", () => sockets.delete(port));
  });

  await new Promise<void>((resolve, reject) => {
    server.server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.server.address() as net.AddressInfo;

  return {
    host: "127.0.0.1",
    port,
    messages,
    get count() {
      return count;
    },
    get duplicates() {
      return duplicates;
    },
    get authFailures() {
      return authFailures;
    },
    get connections() {
      return connections;
    },
    get maxOpenConnections() {
      return maxOpen;
    },
    waitFor(target, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const wake = () => {
          if (count < target) return;
          clearTimeout(timer);
          waiters = waiters.filter((waiter) => waiter !== wake);
          resolve(messages);
        };
        const timer = setTimeout(() => {
          waiters = waiters.filter((waiter) => waiter !== wake);
          reject(
            new Error(
              `SMTP sink: expected ${target} messages within ${timeoutMs} ms, got ${count}`,
            ),
          );
        }, timeoutMs);
        waiters.push(wake);
        wake();
      });
    },
    refuse(next) {
      rule = next;
    },
    dropNextConnections(n) {
      connectionsToDrop = n;
    },
    dropAfter(n) {
      acceptBeforeDrop = n;
    },
    clear() {
      messages.length = 0;
      seenIds.clear();
      count = 0;
      duplicates = 0;
      authFailures = 0;
      connections = 0;
      maxOpen = sockets.size;
    },
    close() {
      for (const socket of sockets.values()) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
