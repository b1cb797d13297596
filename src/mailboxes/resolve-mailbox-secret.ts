import fs from "node:fs/promises";
import path from "node:path";
import { AppError } from "../errors.ts";
import { parseSecretRef } from "./parse-secret-ref.ts";

export interface SecretSources {
  /** relative file references resolve here (config.mailboxes.secretsDir) */
  secretsDir: string;
  /** default process.env */
  env?: NodeJS.ProcessEnv;
}

/**
 * Reads the password an employee's secret reference points to. The value is
 * returned to the caller only: never logged, never put in an error or an
 * audit entry. Errors name the employee by id and the reference, not the value.
 */
export async function resolveMailboxSecret(
  employee: { id: number; secretRef: string },
  sources: SecretSources,
): Promise<string> {
  const ref = parseSecretRef(employee.secretRef);
  if (ref.kind === "env") {
    const value = (sources.env ?? process.env)[ref.name];
    if (value === undefined || value === "")
      throw new AppError(
        "config",
        `employee ${employee.id}: the password is to come from the environment variable ${ref.name}, which is not set; set it for the worker and the CLI, or change the reference (mailsteward employees set ${employee.id} --secret-ref ...)`,
      );
    return value;
  }
  const file = path.resolve(sources.secretsDir, ref.path);
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch (error) {
    throw new AppError(
      "config",
      `employee ${employee.id}: cannot read the password file ${file} (${(error as NodeJS.ErrnoException).code ?? "error"}); create it (mode 0600) or change the reference (mailsteward employees set ${employee.id} --secret-ref ...)`,
      { cause: (error as NodeJS.ErrnoException).code ?? null },
    );
  }
  const value = text.replace(/\r?\n$/, "");
  if (value === "")
    throw new AppError("config", `employee ${employee.id}: the password file ${file} is empty`);
  return value;
}
