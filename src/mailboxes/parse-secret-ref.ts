import { AppError } from "../errors.ts";

export type SecretRef = { kind: "env"; name: string } | { kind: "file"; path: string };

/**
 * An employee's password is never stored: the directory keeps where to read it.
 * `env:NAME` names an environment variable; `file:PATH` a file holding the
 * password (one line; a trailing newline is dropped). A relative PATH resolves
 * against MAILBOX_SECRETS_DIR.
 */
export function parseSecretRef(ref: string): SecretRef {
  const text = ref.trim();
  const env = /^env:([A-Za-z_][A-Za-z0-9_]*)$/.exec(text);
  if (env?.[1]) return { kind: "env", name: env[1] };
  const file = /^file:(.+)$/.exec(text);
  if (file?.[1]) return { kind: "file", path: file[1] };
  throw new AppError(
    "invalid_input",
    `secret reference "${text.slice(0, 80)}" is not valid; expected env:VARIABLE_NAME or file:/path/to/password-file (the password itself is never stored)`,
  );
}
