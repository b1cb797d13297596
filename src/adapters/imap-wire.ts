/**
 * A small IMAP4rev1 client (RFC 3501) for the handover's copy path, where
 * imapflow cannot go: it runs one command at a time and needs each APPEND
 * whole in memory. This one pipelines commands (several tags in flight), and
 * lets a caller take a literal as a stream as it arrives (a FETCH BODY[])
 * and write one as a stream (an APPEND, non-synchronizing with LITERAL+,
 * RFC 7888, else after the server's "+" continuation). Reading pauses while
 * a sink is full, so memory stays flat in the message size.
 *
 * Responses are handed over as token trees: atoms and quoted strings as
 * strings, parenthesised lists as arrays, literals as Buffers (or as
 * `{ streamed: n }` when a sink took them), NIL as null.
 */
import net from "node:net";
import tls from "node:tls";

export interface ImapEndpoint {
  host: string;
  port: number;
  /** "implicit": TLS from the first byte (993); "starttls": RFC 2595 upgrade; "none": loopback tests only */
  tls: "implicit" | "starttls" | "none";
  user: string;
  password: string;
  /** verify the server's certificate (default true) */
  rejectUnauthorized?: boolean;
  timeoutMs?: number;
}

export type Token = string | null | Buffer | { streamed: number } | Token[];

export interface Tagged {
  status: "OK" | "NO" | "BAD";
  /** the response code in brackets, e.g. "APPENDUID 1796164072 7", or "" */
  code: string;
  text: string;
}

export class ImapWireError extends Error {
  constructor(
    message: string,
    /** "connect", "auth", "no", "bad", "closed", "protocol" */
    readonly kind: "connect" | "auth" | "no" | "bad" | "closed" | "protocol",
    readonly response?: Tagged,
  ) {
    super(message);
    this.name = "ImapWireError";
  }
}

/** Takes a literal's bytes; `write` returning false pauses reading until `onReady` fires. */
export interface LiteralSink {
  write(chunk: Buffer): boolean;
  end(): void;
  onReady(resume: () => void): void;
}

interface Pending {
  resolve(t: Tagged): void;
  reject(e: Error): void;
  onUntagged?: ((tokens: Token[]) => void) | undefined;
  onContinue?: (() => void) | undefined;
}

const CRLF = Buffer.from("\r\n");

export class ImapWire {
  capabilities = new Set<string>();
  /** hooks a literal that is about to arrive; `head` is the response text before it */
  literalHook: ((head: string, size: number) => LiteralSink | undefined) | undefined;
  private socket!: net.Socket;
  private buffer: Buffer = Buffer.alloc(0);
  private parts: string[] = [];
  private literals: Token[] = [];
  private literalLeft = 0;
  private literalSink: LiteralSink | undefined;
  private literalChunks: Buffer[] = [];
  private paused = false;
  private pending = new Map<string, Pending>();
  /** commands waiting for a "+" continuation, in the order they were sent */
  private continuations: Array<() => void> = [];
  private closeWaiters: Array<(e: Error) => void> = [];
  private drainWaiters: Array<() => void> = [];
  private tagCounter = 0;
  private closedError: Error | undefined;
  private greeting: ((t: Tagged) => void) | undefined;
  private onUntaggedDefault: ((tokens: Token[]) => void) | undefined;

  static async open(endpoint: ImapEndpoint): Promise<ImapWire> {
    const wire = new ImapWire();
    await wire.connect(endpoint);
    return wire;
  }

  private async connect(ep: ImapEndpoint): Promise<void> {
    const timeout = ep.timeoutMs ?? 15_000;
    const verify = ep.rejectUnauthorized !== false;
    const greeted = new Promise<Tagged>((resolve) => (this.greeting = resolve));
    this.socket = await new Promise<net.Socket>((resolve, reject) => {
      const fail = (error: Error) =>
        reject(
          new ImapWireError(
            `cannot connect to ${ep.host}:${ep.port} (${error.message}); check the host, port and TLS mode`,
            "connect",
          ),
        );
      const socket =
        ep.tls === "implicit"
          ? tls.connect({
              host: ep.host,
              port: ep.port,
              servername: ep.host,
              rejectUnauthorized: verify,
            })
          : net.connect(ep.port, ep.host);
      // Idle is fine (a connection waits while its peer works); silence while
      // a command waits for its answer is not.
      socket.setTimeout(timeout, () => {
        if ((this.pending.size > 0 && !this.paused) || this.greeting)
          socket.destroy(new Error(`no answer within ${timeout} ms`));
      });
      socket.once("error", fail);
      socket.once(ep.tls === "implicit" ? "secureConnect" : "connect", () => {
        socket.off("error", fail);
        resolve(socket);
      });
    });
    this.attach(this.socket);
    const hello = await Promise.race([greeted, this.closedPromise()]);
    if (hello.status !== "OK")
      throw new ImapWireError(`server greeting was not OK: ${hello.text}`, "protocol");
    if (ep.tls === "starttls") {
      const answer = await this.command("STARTTLS");
      if (answer.status !== "OK")
        throw new ImapWireError(`STARTTLS refused: ${answer.text}`, "connect", answer);
      const plain = this.socket;
      plain.removeAllListeners("data");
      this.socket = await new Promise<net.Socket>((resolve, reject) => {
        const secure = tls.connect({
          socket: plain,
          servername: ep.host,
          rejectUnauthorized: verify,
        });
        secure.once("secureConnect", () => resolve(secure));
        secure.once("error", (error) =>
          reject(new ImapWireError(`TLS with ${ep.host} failed: ${error.message}`, "connect")),
        );
      });
      this.attach(this.socket);
    }
    const login = await this.command(`LOGIN ${quote(ep.user)} ${quote(ep.password)}`);
    if (login.status !== "OK")
      throw new ImapWireError(
        `login refused by ${ep.host}:${ep.port}: ${login.text}; check the login and its secret`,
        "auth",
        login,
      );
    if (!/^CAPABILITY /i.test(login.code)) await this.command("CAPABILITY");
    else this.setCapabilities(login.code.slice("CAPABILITY ".length));
  }

  private attach(socket: net.Socket): void {
    // Without it an APPEND's closing CRLF waits ~40 ms for the peer's delayed ACK (TESTING.md).
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.receive(chunk));
    socket.on("error", (error) => this.fail(error));
    socket.on("drain", () => {
      for (const resume of this.drainWaiters.splice(0)) resume();
    });
    socket.on("close", () => this.fail(new Error("connection closed")));
  }

  private closedPromise(): Promise<never> {
    return new Promise((_, reject) => {
      if (this.closedError) reject(this.closedError);
      else this.closeWaiters.push(reject);
    });
  }

  private fail(error: Error): void {
    if (this.closedError) return;
    this.closedError = new ImapWireError(`IMAP connection lost: ${error.message}`, "closed");
    this.literalSink?.end();
    for (const p of this.pending.values()) p.reject(this.closedError);
    for (const reject of this.closeWaiters) reject(this.closedError);
    this.pending.clear();
    this.continuations = [];
    this.closeWaiters = [];
    for (const resume of this.drainWaiters.splice(0)) setImmediate(resume);
    this.socket?.destroy();
  }

  get closed(): boolean {
    return this.closedError !== undefined;
  }

  /** Sends `line` (no literals) and resolves with the tagged answer; untagged responses go to `onUntagged`. */
  command(line: string, onUntagged?: (tokens: Token[]) => void): Promise<Tagged> {
    const tag = this.nextTag();
    const answer = this.expect(tag, onUntagged);
    this.write(Buffer.from(`${tag} ${line}\r\n`, "latin1"));
    return answer;
  }

  /** `command` that throws unless the answer is OK. */
  async ok(line: string, onUntagged?: (tokens: Token[]) => void): Promise<Tagged> {
    const answer = await this.command(line, onUntagged);
    if (answer.status !== "OK")
      throw new ImapWireError(
        `${line.split(" ")[0]} failed: ${answer.status} ${answer.code ? `[${answer.code}] ` : ""}${answer.text}`,
        answer.status === "NO" ? "no" : "bad",
        answer,
      );
    return answer;
  }

  /**
   * Starts `prefix {size}` (e.g. an APPEND) and returns a sink for the literal's
   * bytes and the tagged answer. The caller writes exactly `size` bytes and ends.
   */
  commandWithLiteral(prefix: string, size: number): { sink: LiteralSink; answer: Promise<Tagged> } {
    const tag = this.nextTag();
    // RFC 7888: LITERAL+ allows any size non-synchronizing; LITERAL- only up to 4096 bytes.
    const nonSync =
      this.capabilities.has("LITERAL+") || (this.capabilities.has("LITERAL-") && size <= 4096);
    let ready = nonSync;
    const held: Buffer[] = [];
    const hooks: Array<() => void> = [];
    const answer = this.expect(tag, undefined);
    answer.catch(() => undefined);
    const onContinue = () => {
      ready = true;
      for (const chunk of held.splice(0)) this.write(chunk);
      for (const hook of hooks.splice(0)) hook();
    };
    if (!nonSync) {
      this.continuations.push(onContinue);
      // A synchronizing literal refused at once (tagged NO) never gets its "+".
      const drop = () => {
        const at = this.continuations.indexOf(onContinue);
        if (at >= 0) this.continuations.splice(at, 1);
      };
      answer.then(drop, drop);
    }
    this.write(Buffer.from(`${tag} ${prefix} {${size}${nonSync ? "+" : ""}}\r\n`, "latin1"));
    const sink: LiteralSink = {
      write: (chunk) => {
        if (!ready) {
          held.push(chunk);
          return false;
        }
        return this.write(chunk);
      },
      end: () => {
        if (ready) this.write(CRLF);
        else hooks.push(() => this.write(CRLF));
      },
      onReady: (resume) => {
        if (!ready) hooks.push(resume);
        else this.drained(resume);
      },
    };
    return { sink, answer };
  }

  /**
   * Starts a command whose literals the caller writes itself, all
   * non-synchronizing (only with LITERAL+): e.g. a MULTIAPPEND (RFC 3502),
   * `prefix` then per message ` (flags) "date" {n+}` CRLF and the bytes,
   * then `end()` for the closing CRLF.
   */
  startRawCommand(prefix: string): {
    answer: Promise<Tagged>;
    write(data: Buffer | string): boolean;
    end(): void;
  } {
    const tag = this.nextTag();
    const answer = this.expect(tag, undefined);
    // The caller may first learn of a lost connection elsewhere and never await this.
    answer.catch(() => undefined);
    this.write(Buffer.from(`${tag} ${prefix}`, "latin1"));
    return {
      answer,
      write: (data) => this.write(typeof data === "string" ? Buffer.from(data, "latin1") : data),
      end: () => {
        this.write(CRLF);
      },
    };
  }

  /** resolves when the socket's write buffer has room again (or at once) */
  drained(resume: () => void): void {
    if (this.closedError || this.socket.writableLength === 0) setImmediate(resume);
    else this.drainWaiters.push(resume);
  }

  /** Bytes queued on the socket and not yet sent; callers slow down while it is high. */
  get writeBacklog(): number {
    return this.socket.writableLength;
  }

  write(data: Buffer): boolean {
    if (this.closedError) return true;
    return this.socket.write(data);
  }

  onUntagged(handler: ((tokens: Token[]) => void) | undefined): void {
    this.onUntaggedDefault = handler;
  }

  async close(): Promise<void> {
    if (this.closedError) return;
    const bye = this.command("LOGOUT").catch(() => undefined);
    await Promise.race([bye, new Promise((r) => setTimeout(r, 500))]);
    this.socket.destroy();
  }

  /** Cuts the connection at once (a half-written APPEND is then discarded by the server). */
  destroy(): void {
    this.fail(new Error("closed by us"));
  }

  private nextTag(): string {
    return `m${(++this.tagCounter).toString(36)}`;
  }

  private expect(tag: string, onUntagged?: (tokens: Token[]) => void): Promise<Tagged> {
    if (this.closedError) return Promise.reject(this.closedError);
    return new Promise((resolve, reject) => this.pending.set(tag, { resolve, reject, onUntagged }));
  }

  private setCapabilities(list: string): void {
    this.capabilities = new Set(list.toUpperCase().split(/\s+/).filter(Boolean));
  }

  private receive(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    this.process();
  }

  private pause(): void {
    this.paused = true;
    this.socket.pause();
  }

  private resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.socket.resume();
    this.process();
  }

  private process(): void {
    while (!this.paused && this.buffer.length > 0) {
      if (this.literalLeft > 0) {
        const take = Math.min(this.literalLeft, this.buffer.length);
        const piece = this.buffer.subarray(0, take);
        this.buffer = this.buffer.subarray(take);
        this.literalLeft -= take;
        if (this.literalSink) {
          const sink = this.literalSink;
          const more = sink.write(piece);
          if (this.literalLeft === 0) {
            sink.end();
            this.literalSink = undefined;
          }
          if (!more) {
            this.pause();
            sink.onReady(() => this.resume());
          }
        } else {
          this.literalChunks.push(Buffer.from(piece));
          if (this.literalLeft === 0) {
            this.literals.push(Buffer.concat(this.literalChunks));
            this.literalChunks = [];
          }
        }
        continue;
      }
      const end = this.buffer.indexOf(CRLF);
      if (end < 0) return;
      const line = this.buffer.toString("latin1", 0, end);
      this.buffer = this.buffer.subarray(end + 2);
      const literal = /\{(\d+)\}$/.exec(line);
      if (literal) {
        this.parts.push(line.slice(0, literal.index));
        const size = Number(literal[1]);
        const sink = this.literalHook?.(this.parts.join(""), size);
        this.literalLeft = size;
        if (sink) {
          this.literals.push({ streamed: size });
          this.literalSink = sink;
          if (size === 0) {
            sink.end();
            this.literalSink = undefined;
          }
        } else if (size === 0) this.literals.push(Buffer.alloc(0));
        continue;
      }
      this.parts.push(line);
      const parts = this.parts;
      const literals = this.literals;
      this.parts = [];
      this.literals = [];
      this.dispatch(parts, literals);
    }
  }

  private dispatch(parts: string[], literals: Token[]): void {
    const first = parts[0]!;
    if (first.startsWith("+")) {
      this.continuations.shift()?.();
      return;
    }
    if (first.startsWith("* ")) {
      const tokens = tokenize(parts, literals, 2);
      const head = typeof tokens[0] === "string" ? tokens[0].toUpperCase() : "";
      if (this.greeting && (head === "OK" || head === "PREAUTH" || head === "BYE")) {
        const greet = this.greeting;
        this.greeting = undefined;
        const t = parseTagged(`x ${first.slice(2)}`);
        if (/^CAPABILITY /i.test(t.code)) this.setCapabilities(t.code.slice(11));
        greet(head === "BYE" ? { ...t, status: "NO" } : t);
        return;
      }
      if (head === "CAPABILITY") this.setCapabilities(first.slice(2 + 11));
      // Untagged responses are not tied to a command (RFC 3501 7): hand them to all listeners.
      let handled = false;
      for (const p of this.pending.values()) {
        if (p.onUntagged) {
          p.onUntagged(tokens);
          handled = true;
        }
      }
      if (!handled) this.onUntaggedDefault?.(tokens);
      return;
    }
    const tagged = parseTagged(first);
    const tag = first.slice(0, first.indexOf(" "));
    const waiting = this.pending.get(tag);
    if (!waiting) return;
    this.pending.delete(tag);
    waiting.resolve(tagged);
  }
}

function parseTagged(line: string): Tagged {
  const m = /^\S+ (OK|NO|BAD)(?: \[([^\]]*)\])? ?(.*)$/i.exec(line);
  if (!m) return { status: "BAD", code: "", text: line };
  return { status: m[1]!.toUpperCase() as Tagged["status"], code: m[2] ?? "", text: m[3] ?? "" };
}

/** RFC 3501 quoted string; callers pass only CHAR8 text without CR/LF. */
export function quote(value: string): string {
  if (/[\r\n]/.test(value)) throw new Error("IMAP quoted strings cannot hold CR or LF");
  return `"${value.replace(/[\\"]/g, "\\$&")}"`;
}

/** Token trees from a response's text parts, with literal i after part i. */
export function tokenize(parts: string[], literals: Token[], skip = 0): Token[] {
  const root: Token[] = [];
  const stack: Token[][] = [root];
  for (let p = 0; p < parts.length; p++) {
    const text = parts[p]!;
    let i = p === 0 ? skip : 0;
    while (i < text.length) {
      const c = text[i]!;
      const top = stack[stack.length - 1]!;
      if (c === " ") i++;
      else if (c === "(") {
        const list: Token[] = [];
        top.push(list);
        stack.push(list);
        i++;
      } else if (c === ")") {
        if (stack.length > 1) stack.pop();
        i++;
      } else if (c === '"') {
        let j = i + 1;
        let value = "";
        while (j < text.length && text[j] !== '"') {
          if (text[j] === "\\") j++;
          value += text[j] ?? "";
          j++;
        }
        top.push(value);
        i = j + 1;
      } else {
        // Atoms may hold brackets with spaces inside (BODY[HEADER.FIELDS (MESSAGE-ID)]).
        let j = i;
        let depth = 0;
        while (j < text.length) {
          const d = text[j]!;
          if (d === "[") depth++;
          else if (d === "]") depth--;
          else if (depth === 0 && (d === " " || d === "(" || d === ")")) break;
          j++;
        }
        const atom = text.slice(i, j);
        top.push(atom.toUpperCase() === "NIL" ? null : atom);
        i = j;
      }
    }
    if (p < literals.length) stack[stack.length - 1]!.push(literals[p]!);
  }
  return root;
}
