import { hashCredential, newCredential } from "./credential-hash.ts";
import type { OperatorDeps } from "./operator-deps.ts";
import { sessionLifetimes } from "./session-lifetimes.ts";

/**
 * A new session for an operator who just signed in. Always a fresh id, never
 * one the browser brought: an id planted before sign-in (session fixation)
 * is worth nothing after it. Returns the id for the cookie; only its keyed
 * hash is stored.
 */
export async function createSession(
  deps: OperatorDeps,
  input: { operatorId: number; userAgent?: string | undefined },
): Promise<{ sessionId: string; expiresAt: Date }> {
  const sessionId = newCredential("mss_");
  const now = deps.clock.now();
  const expiresAt = new Date(now.getTime() + sessionLifetimes.absoluteMs);
  await deps.db.operatorSession.create({
    data: {
      tokenHash: hashCredential(deps.config.suppressionKey, sessionId, "session"),
      operatorId: input.operatorId,
      createdAt: now,
      lastSeenAt: now,
      expiresAt,
      userAgent: shortUserAgent(input.userAgent),
    },
  });
  return { sessionId, expiresAt };
}

/** Browser and platform, e.g. "Chrome on Linux": enough for a session list, not a fingerprint. */
export function shortUserAgent(header: string | undefined): string | null {
  if (!header) return null;
  const browser =
    /(Edg|Firefox|Chrome|Chromium|Safari|curl)\//.exec(header)?.[1]?.replace("Edg", "Edge") ??
    "other";
  const platform = /(Windows|Mac OS X|Android|iPhone|iPad|Linux)/.exec(header)?.[1] ?? "other";
  return `${browser} on ${platform.replace("Mac OS X", "macOS")}`;
}
