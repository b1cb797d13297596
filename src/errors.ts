/**
 * The one error type the domain throws. `code` is stable (tests, API clients and
 * the HTTP layer match on it); the message says what was wrong and what was
 * expected, quoting the bad value.
 */
export const errorCodes = [
  "invalid_input",
  "not_found",
  "conflict",
  "unauthorized",
  "invalid_token",
  "invalid_template",
  "config",
  "data_dir_locked",
  "refused",
  /** an IMAP server refused a mailbox's login */
  "mailbox_login_failed",
  /** an IMAP server could not be reached, or its certificate is not trusted */
  "mailbox_unreachable",
  "unparseable",
  /** a multi-step write stopped part-way; the message says exactly what was committed */
  "incomplete",
] as const;

export type ErrorCode = (typeof errorCodes)[number];

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "AppError";
  }
}

export function isAppError(error: unknown, code?: ErrorCode): error is AppError {
  return error instanceof AppError && (code === undefined || error.code === code);
}

/** `unknown list "newz"; known lists: news, events` */
export function unknownName(kind: string, name: string, known: readonly string[]): AppError {
  const choices = known.length > 0 ? known.join(", ") : "(none yet)";
  return new AppError("not_found", `unknown ${kind} "${name}"; known ${kind}s: ${choices}`, {
    kind,
    name,
    known,
  });
}
