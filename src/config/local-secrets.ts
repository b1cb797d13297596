import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { AppError } from "../errors.ts";
import { lockDataDir } from "../adapters/data-dir-lock.ts";
import { formatSigningKeys, parseSigningKeys, type SigningKey } from "./signing-keys.ts";

export interface Secrets {
  signingKeys: SigningKey[];
  suppressionKey: string;
  adminToken: string | undefined;
}

interface Given {
  signingKeys: SigningKey[] | undefined;
  suppressionKey: string | undefined;
  adminToken: string | undefined;
}

/**
 * On the embedded default, missing secrets are generated once into
 * DATA_DIR/secrets.json (mode 0600) so a first run needs no setup. With
 * DATABASE_URL (a real deployment) they must come from the environment:
 * a key that silently changed would break every link already sent.
 */
export function resolveSecrets(
  given: Given,
  opts: { embedded: boolean; dataDir: string; warn: (message: string) => void },
): Secrets {
  const file = path.join(opts.dataDir, "secrets.json");
  if (given.signingKeys && given.suppressionKey) {
    return {
      signingKeys: given.signingKeys,
      suppressionKey: given.suppressionKey,
      // The CLI beside an embedded worker runs its commands through the admin API with this token.
      adminToken:
        given.adminToken ??
        (opts.embedded
          ? readOrCreateSecrets(file, opts.dataDir, opts.warn, ["adminToken"]).adminToken
          : undefined),
    };
  }
  if (!opts.embedded) {
    const missing = [
      !given.signingKeys && "SIGNING_KEYS",
      !given.suppressionKey && "SUPPRESSION_KEY",
    ]
      .filter(Boolean)
      .join(" and ");
    throw new AppError(
      "config",
      `${missing} must be set when DATABASE_URL is: SIGNING_KEYS=k1:$(openssl rand -base64 32) and SUPPRESSION_KEY=$(openssl rand -base64 32); keep them secret and stable (changing them breaks sent links and suppression)`,
    );
  }
  const stored = readOrCreateSecrets(file, opts.dataDir, opts.warn, [
    ...(given.signingKeys ? [] : (["signingKeys"] as const)),
    ...(given.suppressionKey ? [] : (["suppressionKey"] as const)),
    ...(given.adminToken ? [] : (["adminToken"] as const)),
  ]);
  return {
    signingKeys:
      given.signingKeys ?? parseSigningKeys(stored.signingKeys ?? "", `${file} signingKeys`),
    suppressionKey: given.suppressionKey ?? stored.suppressionKey ?? "",
    adminToken: given.adminToken ?? stored.adminToken,
  };
}

interface StoredSecrets {
  signingKeys?: string;
  suppressionKey?: string;
  adminToken?: string;
}

/**
 * Two processes starting together on a fresh data directory must end up with
 * the same secrets. The creator holds the owner lock (so at most one process
 * generates), writes a private temporary file and links it into place
 * (link(2) fails if the name exists, like open with `wx`, and the file is
 * whole from its first moment); every process then uses what it reads back
 * from the file, never what it generated. A process that finds the lock held
 * waits for the file to appear.
 */
function readOrCreateSecrets(
  file: string,
  dataDir: string,
  warn: (message: string) => void,
  want: ReadonlyArray<keyof StoredSecrets>,
): StoredSecrets {
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (fs.existsSync(file)) {
      const stored = readSecrets(file);
      if (stored.adminToken || !want.includes("adminToken")) return stored;
      return addAdminToken(file, dataDir, warn) ?? stored;
    }
    let lock: { release(): void } | undefined;
    try {
      lock = lockDataDir(dataDir, "creating secrets.json");
    } catch (error) {
      if (!(error instanceof AppError && error.code === "data_dir_locked")) throw error;
      if (Date.now() > deadline) throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
      continue;
    }
    try {
      if (fs.existsSync(file)) return readSecrets(file);
      // Only what the environment does not give: a key stored unused here would silently take
      // over (and break every link already sent) the day the variable is dropped.
      const generate = {
        signingKeys: () => formatSigningKeys([{ id: "k1", secret: crypto.randomBytes(32) }]),
        suppressionKey: () => crypto.randomBytes(32).toString("base64"),
        adminToken: () => crypto.randomBytes(24).toString("hex"),
      };
      const fresh = Object.fromEntries(want.map((k) => [k, generate[k]()])) as StoredSecrets;
      const temporary = `${file}.${process.pid}.${crypto.randomBytes(4).toString("hex")}`;
      fs.writeFileSync(temporary, JSON.stringify(fresh, null, 2), { mode: 0o600, flag: "wx" });
      try {
        fs.linkSync(temporary, file);
        const names = {
          signingKeys: "signing keys",
          suppressionKey: "suppression key",
          adminToken: "admin token",
        };
        warn(
          `generated ${want.map((k) => names[k]).join(", ")} into ${file} (mode 0600); back it up with the data, or set SIGNING_KEYS, SUPPRESSION_KEY and ADMIN_TOKEN`,
        );
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      } finally {
        fs.rmSync(temporary, { force: true });
      }
      return readSecrets(file);
    } finally {
      lock.release();
    }
  }
}

/**
 * A secrets.json from before the admin token was generated, or written when
 * SIGNING_KEYS and SUPPRESSION_KEY came from the environment, gets one, so the
 * CLI can reach the worker's admin API. The file is replaced whole (rename)
 * under the owner lock; a process that finds the lock held (a running worker,
 * which added the token when it started) goes on without.
 */
function addAdminToken(
  file: string,
  dataDir: string,
  warn: (message: string) => void,
): StoredSecrets | undefined {
  let lock: { release(): void };
  try {
    lock = lockDataDir(dataDir, "adding an admin token to secrets.json");
  } catch (error) {
    if (error instanceof AppError && error.code === "data_dir_locked") return undefined;
    throw error;
  }
  try {
    const stored = readSecrets(file);
    if (stored.adminToken) return stored;
    const temporary = `${file}.${process.pid}.${crypto.randomBytes(4).toString("hex")}`;
    const adminToken = crypto.randomBytes(24).toString("hex");
    fs.writeFileSync(temporary, JSON.stringify({ ...stored, adminToken }, null, 2), {
      mode: 0o600,
      flag: "wx",
    });
    fs.renameSync(temporary, file);
    warn(`generated an admin token into ${file} (mode 0600), or set ADMIN_TOKEN`);
    return readSecrets(file);
  } finally {
    lock.release();
  }
}

function readSecrets(file: string): StoredSecrets {
  const text = fs.readFileSync(file, "utf8");
  try {
    const data: unknown = JSON.parse(text);
    if (typeof data !== "object" || data === null || Array.isArray(data)) throw new Error("shape");
    return data as StoredSecrets;
  } catch {
    // The text is secret: say what is wrong with the file, never what it holds.
    throw new AppError(
      "config",
      `${file} is not a JSON object of secrets; restore it from the data backup (its keys sign every link already sent), or set SIGNING_KEYS, SUPPRESSION_KEY and ADMIN_TOKEN`,
    );
  }
}
