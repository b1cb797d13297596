/**
 * One SMTP client session (RFC 5321) for pre-built messages: greeting, EHLO,
 * STARTTLS (RFC 3207), AUTH PLAIN or LOGIN (RFC 4954), then transactions.
 *
 * Why not nodemailer's SMTPConnection: it waits for each reply before the
 * next command and streams the body through a JavaScript dot-stuffing
 * transform, so a 54 KB message cost about ten socket writes and five round
 * trips. With PIPELINING (RFC 2920) MAIL FROM, RCPT TO and DATA go in one
 * write, and the body with its final dot in another: two writes and two
 * round trips per message. A server without PIPELINING gets one command at a
 * time.
 *
 * Errors carry what mailer.ts's toSendError reads, in nodemailer's shape:
 * `code` (ECONNECTION, ETLS, EAUTH, EPROTOCOL, EENVELOPE), `responseCode`
 * and `response` for a server reply, and `handedOver`: whether the final dot
 * was written, after which the server may have accepted the message even if
 * we never hear its reply.
 */
import net from "node:net";
import os from "node:os";
import tls from "node:tls";

export interface SmtpSessionOptions {
  /** the socket from `connect` is TLS already (smtps, RFC 8314) */
  secure: boolean;
  /** refuse a server that does not offer STARTTLS; without it STARTTLS is still used when offered */
  requireTls: boolean;
  /** certificate checks for STARTTLS (ca, rejectUnauthorized, servername) */
  tls?: tls.ConnectionOptions | undefined;
  auth?: { user: string; pass: string } | undefined;
  connect(): Promise<net.Socket>;
}

export interface SmtpSession {
  send(envelope: { from: string; to: string[] }, message: Buffer): Promise<{ response: string }>;
  /** QUIT, then close */
  quit(): void;
  close(): void;
  /** called once when the connection fails or the server closes it */
  onLost(listener: (error: Error) => void): void;
}

type SmtpError = Error & {
  code: string;
  responseCode?: number;
  response?: string;
  handedOver?: boolean;
};

function smtpError(message: string, code: string, reply?: Reply, handedOver = false): SmtpError {
  return Object.assign(new Error(reply ? `${message}: ${reply.text}` : message), {
    code,
    ...(reply ? { responseCode: reply.code, response: reply.text } : {}),
    handedOver,
  });
}

interface Reply {
  code: number;
  /** all lines, joined with newlines */
  text: string;
}

/**
 * RFC 5321 §4.5.3.2 gives clients 5 minutes for most replies and 10 for the
 * one after the final dot: one limit for a transaction's replies. Setting up
 * (greeting, EHLO, STARTTLS, AUTH) gets nodemailer's 30 s, so a server that
 * accepts connections and never greets does not hold a slot for minutes.
 */
const transactionTimeoutMs = 10 * 60_000;
const setupTimeoutMs = 30_000;

export async function openSmtpSession(opts: SmtpSessionOptions): Promise<SmtpSession> {
  let socket: net.Socket = await opts.connect();
  const waiting: Array<{ resolve: (r: Reply) => void; reject: (e: Error) => void }> = [];
  let lost: Error | undefined;
  let lostListener: ((error: Error) => void) | undefined;
  let buffered = "";
  let lines: string[] = [];

  const onData = (chunk: Buffer) => {
    buffered += chunk.toString("utf8");
    for (let eol = buffered.indexOf("\n"); eol >= 0; eol = buffered.indexOf("\n")) {
      const line = buffered.slice(0, eol).replace(/\r$/, "");
      buffered = buffered.slice(eol + 1);
      lines.push(line);
      // "250-" continues a multi-line reply, "250 " (or a bare "250") ends it
      if (line.charAt(3) === "-") continue;
      const reply = { code: Number(line.slice(0, 3)) || 0, text: lines.join("\n") };
      lines = [];
      const next = waiting.shift();
      if (next) next.resolve(reply);
      else fail(smtpError("unexpected reply from the server", "EPROTOCOL", reply));
    }
    if (waiting.length === 0) socket.setTimeout(0);
  };
  const fail = (error: Error) => {
    if (lost) return;
    lost = error;
    for (const w of waiting.splice(0)) w.reject(error);
    socket.destroy();
    lostListener?.(error);
  };
  const onError = (error: Error) => fail(smtpError(error.message, "ECONNECTION"));
  const onEnd = () => fail(smtpError("Connection closed unexpectedly", "ECONNECTION"));
  const onTimeout = () => fail(smtpError("the server did not answer in time", "ECONNECTION"));
  const attach = (s: net.Socket) => {
    s.on("data", onData);
    s.on("error", onError);
    s.on("end", onEnd);
    s.on("close", onEnd);
    s.on("timeout", onTimeout);
  };
  const detach = (s: net.Socket) => {
    s.off("data", onData);
    s.off("error", onError);
    s.off("end", onEnd);
    s.off("close", onEnd);
    s.off("timeout", onTimeout);
  };
  attach(socket);

  const reply = (timeoutMs = setupTimeoutMs) =>
    new Promise<Reply>((resolve, reject) => {
      if (lost) return reject(lost);
      waiting.push({ resolve, reject });
      socket.setTimeout(timeoutMs);
    });
  const command = (line: string, timeoutMs = setupTimeoutMs) => {
    const answer = reply(timeoutMs);
    socket.write(`${line}\r\n`);
    return answer;
  };

  let extensions: string;
  try {
    const greeting = await reply();
    if (greeting.code !== 220) throw smtpError("Invalid greeting", "EPROTOCOL", greeting);
    const name = heloName(socket);
    extensions = await hello(command, name);
    if (!opts.secure && offers(extensions, "STARTTLS")) {
      const answer = await command("STARTTLS");
      if (answer.code !== 220)
        throw smtpError("Error upgrading connection with STARTTLS", "ETLS", answer);
      detach(socket);
      socket = await upgrade(socket, opts.tls);
      attach(socket);
      extensions = await hello(command, name);
    } else if (!opts.secure && opts.requireTls) {
      throw smtpError(
        "the server does not offer STARTTLS (RFC 3207), which is required (SMTP_REQUIRE_TLS, or credentials in SMTP_URL)",
        "ETLS",
      );
    }
    if (opts.auth) await authenticate(command, extensions, opts.auth);
  } catch (error) {
    detach(socket);
    socket.destroy();
    throw error;
  }
  const pipelining = offers(extensions, "PIPELINING");
  /** no more transactions: what the server or the socket does from here on is no loss */
  const retire = (why: string) => {
    lostListener = undefined;
    fail(smtpError(why, "ECONNECTION"));
  };
  return {
    async send(envelope, message) {
      for (const address of [envelope.from, ...envelope.to])
        if (/[\r\n<>]/.test(address))
          throw smtpError(`Invalid address ${JSON.stringify(address)}`, "EENVELOPE");
      const commands = [
        `MAIL FROM:<${envelope.from}>`,
        ...envelope.to.map((to) => `RCPT TO:<${to}>`),
        "DATA",
      ];
      let replies: Reply[];
      if (pipelining) {
        const answers = commands.map(() => reply(transactionTimeoutMs));
        socket.write(commands.join("\r\n") + "\r\n");
        // every reply is read, so a refusal leaves no answer behind for the next transaction
        replies = await Promise.all(answers);
      } else {
        replies = [];
        for (const line of commands) {
          const answer = await command(line, transactionTimeoutMs);
          replies.push(answer);
          if (answer.code >= 400) break;
        }
      }
      const last = commands.length - 1;
      const refused = replies.findIndex((r, i) => (i === last ? r.code !== 354 : r.code >= 400));
      if (refused >= 0) {
        // with PIPELINING a refused RCPT TO is followed by DATA's 503/554: the first refusal is the verdict
        const step = commands[refused]!.split(":")[0]!;
        throw smtpError(`${step} refused`, "EENVELOPE", replies[refused]);
      }
      const final = reply(transactionTimeoutMs);
      socket.cork();
      for (const part of dotStuffed(message)) socket.write(part);
      socket.write(endsWithCrlf(message) ? ".\r\n" : "\r\n.\r\n");
      socket.uncork();
      let answer: Reply;
      try {
        answer = await final;
      } catch (error) {
        throw Object.assign(error as SmtpError, { handedOver: true });
      }
      if (answer.code !== 250) throw smtpError("Message refused", "EMESSAGE", answer);
      return { response: answer.text };
    },
    quit() {
      if (lost) return;
      lostListener = undefined;
      lost = smtpError("session ended with QUIT", "ECONNECTION");
      // the 221 is not awaited; a server that never closes its side is cut off after a while
      socket.end("QUIT\r\n");
      setTimeout(() => socket.destroy(), 10_000).unref();
    },
    close() {
      retire("closed by the client");
    },
    onLost(listener) {
      lostListener = listener;
    },
  };
}

/** EHLO, falling back to HELO for a server that does not know it (RFC 5321 §4.1.1.1) */
type Command = (line: string) => Promise<Reply>;

async function hello(command: Command, name: string): Promise<string> {
  const ehlo = await command(`EHLO ${name}`);
  if (ehlo.code === 250) return ehlo.text;
  const helo = await command(`HELO ${name}`);
  if (helo.code !== 250) throw smtpError("Invalid HELO", "EPROTOCOL", helo);
  return "";
}

function offers(extensions: string, keyword: string): boolean {
  return new RegExp(`^250[ -]${keyword}\\b`, "im").test(extensions);
}

async function authenticate(
  command: Command,
  extensions: string,
  auth: { user: string; pass: string },
): Promise<void> {
  const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");
  const mechanisms = /^250[ -]AUTH[ =](.*)$/im.exec(extensions)?.[1]?.toUpperCase().split(/\s+/);
  let answer: Reply;
  if (mechanisms?.includes("PLAIN")) {
    answer = await command(`AUTH PLAIN ${b64(`\u0000${auth.user}\u0000${auth.pass}`)}`);
  } else if (mechanisms?.includes("LOGIN")) {
    answer = await command("AUTH LOGIN");
    if (answer.code === 334) answer = await command(b64(auth.user));
    if (answer.code === 334) answer = await command(b64(auth.pass));
  } else {
    throw smtpError(
      `the server offers no AUTH mechanism we speak (PLAIN, LOGIN); it offers: ${mechanisms?.join(" ") ?? "none"}`,
      "EAUTH",
    );
  }
  if (answer.code !== 235) throw smtpError("Invalid login", "EAUTH", answer);
}

function upgrade(
  socket: net.Socket,
  options: tls.ConnectionOptions | undefined,
): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const secure = tls.connect({ ...options, socket });
    const onError = (error: Error) =>
      reject(smtpError(`Error initiating TLS - ${error.message}`, "ETLS"));
    secure.once("error", onError);
    secure.once("secureConnect", () => {
      secure.off("error", onError);
      secure.setNoDelay(true);
      resolve(secure);
    });
  });
}

/** the machine's name when it is a domain, else an address literal (RFC 5321 §4.1.3) */
function heloName(socket: net.Socket): string {
  const host = os.hostname();
  if (host.includes(".")) return host;
  const address = socket.localAddress ?? "127.0.0.1";
  return net.isIPv6(address) ? `[IPv6:${address}]` : `[${address}]`;
}

function endsWithCrlf(message: Buffer): boolean {
  return (
    message.length >= 2 && message[message.length - 2] === 13 && message[message.length - 1] === 10
  );
}

/**
 * RFC 5321 §4.5.2: a line that starts with "." gets one more. Our messages
 * are base64 parts and header lines, so usually there is none and the buffer
 * goes out as it is; the search is native.
 */
export function dotStuffed(message: Buffer): Buffer[] {
  const parts: Buffer[] = [];
  let start = 0;
  if (message[0] === 46) {
    parts.push(Buffer.from("."));
  }
  for (
    let i = message.indexOf("\n.", 0, "latin1");
    i >= 0;
    i = message.indexOf("\n.", i + 1, "latin1")
  ) {
    parts.push(message.subarray(start, i + 1), Buffer.from("."));
    start = i + 1;
  }
  parts.push(start === 0 ? message : message.subarray(start));
  return parts;
}
