import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { AppError } from "../errors.ts";
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
  let stored: { signingKeys?: string; suppressionKey?: string; adminToken?: string };
  if (fs.existsSync(file)) {
    stored = JSON.parse(fs.readFileSync(file, "utf8"));
  } else {
    stored = {
      signingKeys: formatSigningKeys([{ id: "k1", secret: crypto.randomBytes(32) }]),
      suppressionKey: crypto.randomBytes(32).toString("base64"),
      adminToken: crypto.randomBytes(24).toString("hex"),
    };
    fs.mkdirSync(opts.dataDir, { recursive: true });
    fs.writeFileSync(file, JSON.stringify(stored, null, 2), { mode: 0o600 });
    opts.warn(
      `generated signing keys, suppression key and admin token into ${file} (mode 0600); back it up with the data, or set SIGNING_KEYS, SUPPRESSION_KEY and ADMIN_TOKEN`,
    );
  }
  return {
    signingKeys:
      given.signingKeys ?? parseSigningKeys(stored.signingKeys ?? "", `${file} signingKeys`),
    suppressionKey: given.suppressionKey ?? stored.suppressionKey ?? "",
    adminToken: given.adminToken ?? stored.adminToken,
  };
}
