/**
 * A console session ends after `idleMs` without a request, and in any case
 * `absoluteMs` after sign-in (OWASP Session Management: idle and absolute
 * timeouts). Long enough for an afternoon of composing, short enough that a
 * forgotten browser does not stay signed in overnight.
 */
export const sessionLifetimes = { idleMs: 2 * 3_600_000, absoluteMs: 12 * 3_600_000 };

/** last_seen_at is written at most this often: a page polling every 2 s must not write every time. */
export const touchEveryMs = 60_000;
