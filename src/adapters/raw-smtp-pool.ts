/**
 * A pool of nodemailer SMTPConnection objects for pre-built messages.
 *
 * Why not nodemailer's pooled transport: for every `sendMail({ raw })` it
 * builds a Mail object and a MIME node tree, generates a Message-ID it never
 * uses (five randomBytes calls) and pipes the message through two extra
 * streams before the SMTP dot-stuffing one. Measured against the benchmark's
 * sink with a 54 KB message and 5 connections: 0.75 ms of sender CPU per
 * message through the transport, 0.49 ms through SMTPConnection directly
 * (1,050 vs 1,500 messages/s). The SMTP dialogue itself is nodemailer's.
 *
 * Policy is kept as nodemailer's pool has it: at most `size` connections, a
 * connection is closed after `maxMessages` messages, and any error closes it
 * (its state after a refused command or a broken DATA is not trusted); a
 * message is never re-sent by the pool (the caller decides).
 */
import type { Socket } from "node:net";
import type { Readable } from "node:stream";
import type { ConnectionOptions } from "node:tls";
import SMTPConnection from "nodemailer/lib/smtp-connection/index.js";

export interface RawSmtpPoolOptions {
  host: string;
  port: number;
  /** the socket from `connect` is TLS already (smtps, RFC 8314) */
  secure: boolean;
  /** refuse a server that does not offer STARTTLS (RFC 3207); without it STARTTLS is still used when offered */
  requireTls?: boolean;
  /** certificate checks for STARTTLS (ca, rejectUnauthorized, servername) */
  tls?: ConnectionOptions;
  auth?: { user: string; pass: string };
  size: number;
  maxMessages: number;
  /** opens the TCP (or TLS) socket, so the caller can set TCP_NODELAY */
  connect(): Promise<Socket>;
}

export interface RawSmtpPool {
  send(envelope: { from: string; to: string[] }, message: Readable): Promise<{ response: string }>;
  close(): void;
}

interface Lane {
  connection: SMTPConnection;
  messages: number;
  broken: boolean;
  /** rejects the send in progress: SMTPConnection reports a connection lost mid-send as an event, not through send's callback */
  fail?: ((error: Error) => void) | undefined;
}

export function createRawSmtpPool(opts: RawSmtpPoolOptions): RawSmtpPool {
  const idle: Lane[] = [];
  const waiting: Array<(lane: Lane | undefined) => void> = [];
  let open = 0;
  let closed = false;

  /** a lane whose connection failed or ended; an idle one gives its slot back here, a busy one when its send settles */
  const retire = (lane: Lane) => {
    lane.broken = true;
    const i = idle.indexOf(lane);
    if (i >= 0) {
      idle.splice(i, 1);
      open--;
    }
  };

  const openLane = async (): Promise<Lane> => {
    const socket = await opts.connect();
    const connection = new SMTPConnection({
      host: opts.host,
      port: opts.port,
      secure: opts.secure,
      connection: socket,
      ...(opts.secure ? { secured: true } : {}),
      requireTLS: opts.requireTls ?? false,
      ...(opts.tls ? { tls: opts.tls } : {}),
    } as SMTPConnection.Options);
    const lane: Lane = { connection, messages: 0, broken: false };
    // also an idle connection the server closes (timeout, shutdown): retired, and it must not crash the process
    connection.on("error", (error: Error) => {
      retire(lane);
      lane.fail?.(error);
    });
    connection.on("end", () => {
      retire(lane);
      lane.fail?.(new Error("Connection closed unexpectedly"));
    });
    try {
      // a connection closed before the greeting ends without calling connect's callback
      await new Promise<void>((resolve, reject) => {
        lane.fail = reject;
        connection.connect((error?: Error | null) => (error ? reject(error) : resolve()));
      });
      if (opts.auth) {
        const auth = opts.auth;
        await new Promise<void>((resolve, reject) => {
          lane.fail = reject;
          connection.login(auth, (error?: Error | null) => (error ? reject(error) : resolve()));
        });
      }
    } catch (error) {
      lane.broken = true;
      connection.close();
      throw error;
    } finally {
      lane.fail = undefined;
    }
    return lane;
  };

  const acquire = async (): Promise<Lane> => {
    if (closed) throw new Error("the SMTP pool is closed");
    for (;;) {
      const lane = idle.pop();
      if (!lane) break;
      if (!lane.broken) return lane;
    }
    if (open < opts.size) {
      open++;
      try {
        return await openLane();
      } catch (error) {
        release(undefined);
        throw error;
      }
    }
    const lane = await new Promise<Lane | undefined>((resolve) => waiting.push(resolve));
    return lane ?? acquire();
  };

  /** hands a healthy lane to the next waiter or parks it; `undefined` frees a slot */
  const release = (lane: Lane | undefined) => {
    if (lane && (lane.broken || closed || lane.messages >= opts.maxMessages)) {
      if (!lane.broken) lane.connection.quit();
      lane.broken = true;
      lane = undefined;
    }
    if (!lane) open--;
    const next = waiting.shift();
    if (next) next(lane);
    else if (lane) idle.push(lane);
  };

  return {
    async send(envelope, message) {
      const lane = await acquire();
      try {
        const info = await new Promise<{ response: string }>((resolve, reject) => {
          lane.fail = reject;
          // a copy: SMTPConnection consumes the recipient list it is given
          lane.connection.send(
            { from: envelope.from, to: [...envelope.to] },
            message,
            (error, result) => (error ? reject(error) : resolve(result)),
          );
        });
        lane.fail = undefined;
        lane.messages++;
        release(lane);
        return info;
      } catch (error) {
        lane.fail = undefined;
        lane.connection.close();
        lane.broken = true;
        release(lane);
        throw error;
      }
    },
    close() {
      closed = true;
      for (const lane of idle.splice(0)) {
        lane.broken = true;
        lane.connection.quit();
      }
      for (const next of waiting.splice(0)) next(undefined);
    },
  };
}
