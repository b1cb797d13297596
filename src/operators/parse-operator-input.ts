import { AppError } from "../errors.ts";
import { operatorRoles, type OperatorRole } from "./operator-deps.ts";

export function parseRole(value: string): OperatorRole {
  if ((operatorRoles as readonly string[]).includes(value)) return value as OperatorRole;
  throw new AppError(
    "invalid_input",
    `unknown role "${value}"; expected one of ${operatorRoles.join(", ")}`,
  );
}

/** Addresses are compared case-insensitively: stored lower-cased, trimmed. */
export function normaliseEmail(value: string): string {
  const email = value.trim().toLowerCase();
  if (!/^[^\s@]+@[^\s@]+$/.test(email))
    throw new AppError("invalid_input", `"${value}" is not an email address; expected name@domain`);
  return email;
}

// NIST SP 800-63B §5.1.1: at least 8; we ask for 12 since these accounts reach personal data.
export const minPasswordLength = 12;

export function checkPassword(password: string): string {
  if (password.length < minPasswordLength)
    throw new AppError(
      "invalid_input",
      `the password has ${password.length} characters; expected at least ${minPasswordLength}`,
    );
  return password;
}
