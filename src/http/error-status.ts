import type { ErrorCode } from "../errors.ts";

/** The one place AppError codes become HTTP statuses. */
const statusByCode: Record<ErrorCode, number> = {
  invalid_input: 400,
  invalid_token: 400,
  unauthorized: 401,
  not_found: 404,
  conflict: 409,
  invalid_template: 422,
  refused: 422,
  mailbox_login_failed: 422,
  mailbox_unreachable: 502,
  unparseable: 422,
  incomplete: 500,
  config: 500,
  data_dir_locked: 503,
};

export function httpStatusOf(code: ErrorCode): number {
  return statusByCode[code];
}
