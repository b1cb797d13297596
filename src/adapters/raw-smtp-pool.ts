/**
 * A pool of SMTP sessions (smtp-session.ts) for pre-built messages.
 *
 * Why not nodemailer's pooled transport: for every `sendMail({ raw })` it
 * builds a Mail object and a MIME node tree, generates a Message-ID it never
 * uses (five randomBytes calls) and pipes the message through streams; and
 * its connection neither pipelines nor writes the body in one piece (see
 * smtp-session.ts).
 *
 * Policy is kept as nodemailer's pool has it: at most `size` connections, a
 * connection is closed after `maxMessages` messages, and any error closes it
 * (its state after a refused command or a broken DATA is not trusted); a
 * message is never re-sent by the pool (the caller decides).
 */
import type { Socket } from "node:net";
import type { ConnectionOptions } from "node:tls";
import { openSmtpSession, type SmtpSession } from "./smtp-session.ts";

export interface RawSmtpPoolOptions {
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
  /**
   * Rejects with the session's error; its `handedOver` says whether the final
   * dot was written (the server may then have accepted the message).
   */
  send(envelope: { from: string; to: string[] }, message: Buffer): Promise<{ response: string }>;
  close(): void;
}

interface Lane {
  session: SmtpSession;
  messages: number;
  broken: boolean;
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
    const session = await openSmtpSession({
      secure: opts.secure,
      requireTls: opts.requireTls ?? false,
      tls: opts.tls,
      auth: opts.auth,
      connect: opts.connect,
    });
    const lane: Lane = { session, messages: 0, broken: false };
    // also an idle connection the server closes (timeout, shutdown): retired, never a crash
    session.onLost(() => retire(lane));
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
      if (!lane.broken) lane.session.quit();
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
        const info = await lane.session.send(envelope, message);
        lane.messages++;
        release(lane);
        return info;
      } catch (error) {
        lane.session.close();
        lane.broken = true;
        release(lane);
        throw error;
      }
    },
    close() {
      closed = true;
      for (const lane of idle.splice(0)) {
        lane.broken = true;
        lane.session.quit();
      }
      for (const next of waiting.splice(0)) next(undefined);
    },
  };
}
