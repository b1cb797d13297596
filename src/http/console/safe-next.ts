/**
 * Where to go after signing in: only a path inside the console. Anything
 * else (another host, "//evil.example", "/\\evil.example", a scheme) falls
 * back to the dashboard, so the sign-in link cannot be made an open redirect.
 */
export function safeNext(next: unknown): string {
  if (typeof next !== "string" || !next.startsWith("/admin") || /[\\\s]/.test(next))
    return "/admin";
  const base = "http://console.invalid";
  try {
    const url = new URL(next, base);
    if (url.origin !== base) return "/admin";
    if (url.pathname !== "/admin" && !url.pathname.startsWith("/admin/")) return "/admin";
    if (url.pathname === "/admin/sign-in" || url.pathname === "/admin/sign-out") return "/admin";
    return url.pathname + url.search;
  } catch {
    return "/admin";
  }
}
