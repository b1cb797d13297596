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
  if (given.signingKeys && given.suppressionKey) {
    return {
      signingKeys: given.signingKeys,
      suppressionKey: given.suppressionKey,
      adminToken: given.adminToken,
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
  const file = path.join(opts.dataDir, "secrets.json");
  const stored = readOrCreateSecrets(file, opts.dataDir, opts.warn);
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
): StoredSecrets {
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (fs.existsSync(file)) return readSecrets(file);
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
      const fresh: StoredSecrets = {
        signingKeys: formatSigningKeys([{ id: "k1", secret: crypto.randomBytes(32) }]),
        suppressionKey: crypto.randomBytes(32).toString("base64"),
        adminToken: crypto.randomBytes(24).toString("hex"),
      };
      const temporary = `${file}.${process.pid}.${crypto.randomBytes(4).toString("hex")}`;
      fs.writeFileSync(temporary, JSON.stringify(fresh, null, 2), { mode: 0o600, flag: "wx" });
      try {
        fs.linkSync(temporary, file);
        warn(
          `generated signing keys, suppression key and admin token into ${file} (mode 0600); back it up with the data, or set SIGNING_KEYS, SUPPRESSION_KEY and ADMIN_TOKEN`,
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
