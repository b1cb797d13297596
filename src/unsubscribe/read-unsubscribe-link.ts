import type { SigningKey } from "../config/signing-keys.ts";
import { isAppError } from "../errors.ts";
import { verifyToken, type TokenScope } from "./tokens.ts";

/** The scope of an unsubscribe link's token, or null when it is not valid (pages say so). */
export function readUnsubscribeLink(keys: SigningKey[], token: string): TokenScope | null {
  try {
    return verifyToken(keys, token, "unsubscribe");
  } catch (error) {
    if (isAppError(error, "invalid_token")) return null;
    throw error;
  }
}
