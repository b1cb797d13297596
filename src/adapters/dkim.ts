/**
 * DKIM signing (RFC 6376) with node:crypto, relaxed/relaxed canonicalisation.
 * nodemailer's own signer re-parses every message it streams; the campaign
 * sender already knows its header fields and body, so it signs them directly,
 * which keeps the per-recipient cost to one body hash and one signature.
 * RSA-SHA256 (2048-bit keys) or Ed25519-SHA256 (RFC 8463), from the key type.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import { Worker } from "node:worker_threads";
import { AppError } from "../errors.ts";
import type { DkimSigner } from "../types.ts";

export interface DkimOptions {
  domain: string;
  selector: string;
  /** PEM (PKCS#1 or PKCS#8) */
  privateKey: string;
  clock?: () => Date;
  /** worker threads for signAsync; default one per core but one, at least one and at most four */
  threads?: number;
}

export function loadDkimSigner(opts: {
  domain: string;
  selector: string;
  privateKeyFile: string;
}): DkimSigner {
  let pem: string;
  try {
    pem = fs.readFileSync(opts.privateKeyFile, "utf8");
  } catch (error) {
    throw new AppError(
      "config",
      `DKIM_PRIVATE_KEY_FILE: cannot read ${opts.privateKeyFile} (${(error as Error).message}); expected a PEM private key, e.g. from: openssl genrsa -out dkim.pem 2048`,
    );
  }
  return createDkimSigner({ domain: opts.domain, selector: opts.selector, privateKey: pem });
}

export function createDkimSigner(opts: DkimOptions): DkimSigner {
  let key: crypto.KeyObject;
  try {
    key = crypto.createPrivateKey(opts.privateKey);
  } catch (error) {
    throw new AppError(
      "config",
      `DKIM key: not a PEM private key (${(error as Error).message}); expected RSA (2048 bits) or Ed25519`,
    );
  }
  const type = key.asymmetricKeyType;
  if (type !== "rsa" && type !== "ed25519") {
    throw new AppError(
      "config",
      `DKIM key: type "${type}" is not supported; expected RSA (2048 bits) or Ed25519`,
    );
  }
  const algorithm = type === "rsa" ? "rsa-sha256" : "ed25519-sha256";
  const now = opts.clock ?? (() => new Date());
  const prepare = (headers: ReadonlyArray<readonly [string, string]>, body: Buffer) => {
    const bh = crypto.createHash("sha256").update(canonicalBodyRelaxed(body)).digest("base64");
    const names = headers.map(([name]) => name.toLowerCase()).join(":");
    const t = Math.floor(now().getTime() / 1000);
    // Folded with CRLF+TAB between tags; relaxed canonicalisation turns each fold into one space.
    const value = `v=1; a=${algorithm}; c=relaxed/relaxed; d=${opts.domain}; s=${opts.selector};\r\n\tt=${t}; h=${names};\r\n\tbh=${bh};\r\n\tb=`;
    let input = "";
    for (const [name, v] of headers) input += canonicalHeaderRelaxed(name, v) + "\r\n";
    input += canonicalHeaderRelaxed("DKIM-Signature", value);
    return { value, input };
  };
  let pool: SigningWorker | undefined;
  const threads = opts.threads ?? Math.max(1, Math.min(4, os.availableParallelism() - 1));
  return {
    domain: opts.domain,
    selector: opts.selector,
    sign(headers, body) {
      const { value, input } = prepare(headers, body);
      return `DKIM-Signature: ${value}${signInput(key, type, input)}\r\n`;
    },
    async signAsync(headers, body) {
      const { value, input } = prepare(headers, body);
      pool ??= startSigningPool(opts.privateKey, type, threads);
      return `DKIM-Signature: ${value}${await pool.sign(input)}\r\n`;
    },
    async close() {
      await pool?.close();
      pool = undefined;
    },
  };
}

function signInput(key: crypto.KeyObject | string, type: "rsa" | "ed25519", input: string): string {
  const signature =
    type === "rsa"
      ? crypto.sign("sha256", Buffer.from(input, "utf8"), key)
      : // RFC 8463 §3: Ed25519 signs the SHA-256 hash of the input, not the input itself.
        crypto.sign(null, crypto.createHash("sha256").update(input, "utf8").digest(), key);
  return signature.toString("base64");
}

interface SigningWorker {
  sign(input: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * An RSA-2048 signature costs about 1 ms of CPU (`openssl speed rsa2048`
 * signs about 1,000 a second per core here), as much as everything else the
 * sender does per message: on worker threads it runs beside the sender's
 * thread, on the other cores. Each signature goes to the thread with the
 * fewest waiting, so a slow one does not hold the queue.
 */
function startSigningPool(pem: string, type: "rsa" | "ed25519", size: number): SigningWorker {
  const workers = Array.from({ length: size }, () => startSigningWorker(pem, type));
  return {
    sign(input) {
      let best = workers[0]!;
      for (const w of workers) if (w.waiting < best.waiting) best = w;
      return best.sign(input);
    },
    async close() {
      await Promise.all(workers.map((w) => w.close()));
    },
  };
}

function startSigningWorker(
  pem: string,
  type: "rsa" | "ed25519",
): SigningWorker & { readonly waiting: number } {
  const source = `
    const { parentPort, workerData } = require("node:worker_threads");
    const crypto = require("node:crypto");
    const key = crypto.createPrivateKey(workerData.pem);
    parentPort.on("message", ({ id, input }) => {
      try {
        const signature = workerData.type === "rsa"
          ? crypto.sign("sha256", Buffer.from(input, "utf8"), key)
          : crypto.sign(null, crypto.createHash("sha256").update(input, "utf8").digest(), key);
        parentPort.postMessage({ id, signature: signature.toString("base64") });
      } catch (error) {
        parentPort.postMessage({ id, error: String(error) });
      }
    });`;
  const worker = new Worker(source, { eval: true, workerData: { pem, type } });
  const pending = new Map<number, { resolve: (s: string) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  worker.unref();
  worker.on("message", (m: { id: number; signature?: string; error?: string }) => {
    const p = pending.get(m.id);
    pending.delete(m.id);
    if (pending.size === 0) worker.unref();
    if (m.signature !== undefined) p?.resolve(m.signature);
    else p?.reject(new Error(`DKIM signing failed: ${m.error}`));
  });
  worker.on("error", (error) => {
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  });
  return {
    get waiting() {
      return pending.size;
    },
    sign(input) {
      return new Promise((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve, reject });
        // only referenced while a signature is awaited, so an idle signer never keeps the process alive
        worker.ref();
        worker.postMessage({ id, input });
      });
    },
    async close() {
      await worker.terminate();
    },
  };
}

/** RFC 6376 §3.4.2: lower-case name, unfold, runs of WSP to one space, no WSP around the colon or at the end. */
export function canonicalHeaderRelaxed(name: string, value: string): string {
  return `${name.trim().toLowerCase()}:${value
    .replace(/\r\n/g, "")
    .replace(/[ \t]+/g, " ")
    .trim()}`;
}

/**
 * RFC 6376 §3.4.4. The campaign sender's bodies are base64 lines and MIME
 * boundaries, already canonical, so the common case returns the body as is
 * without copying; anything else is canonicalised line by line.
 */
export function canonicalBodyRelaxed(body: Buffer): Buffer {
  if (isCanonical(body)) return body;
  const text = body.toString("latin1").replace(/\r?\n/g, "\r\n");
  const lines = text.split("\r\n").map((line) => line.replace(/[ \t]+/g, " ").replace(/ $/, ""));
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return Buffer.from(lines.length === 0 ? "" : lines.join("\r\n") + "\r\n", "latin1");
}

/** native searches only: this runs once per message on bodies of tens of kilobytes */
function isCanonical(body: Buffer): boolean {
  const n = body.length;
  if (n === 0) return true;
  // ends with exactly one CRLF
  if (n < 2 || body[n - 2] !== 13 || body[n - 1] !== 10) return false;
  if (n >= 4 && body[n - 4] === 13 && body[n - 3] === 10) return false;
  if (body.includes(9) || body.includes("  ") || body.includes(" \r\n")) return false;
  // every LF preceded by CR: as many CRLF pairs as LFs
  let lf = 0;
  for (let i = body.indexOf(10); i !== -1; i = body.indexOf(10, i + 1)) {
    if (body[i - 1] !== 13) return false;
    lf++;
  }
  return lf > 0;
}
