/**
 * The console's session cookie. HttpOnly (no script reads it), SameSite=Strict
 * (no other site's page makes the browser send it), Secure when the console is
 * served over https. Over https the name carries the `__Host-` prefix, which
 * makes the browser refuse a cookie of that name set by a sibling subdomain or
 * over plain http (RFC 6265bis §4.1.3.2); the prefix requires Path=/, so the
 * path is / there and /admin on plain http (development, tests).
 */
import type { CookieSerializeOptions } from "@fastify/cookie";

export interface ConsoleCookie {
  name: string;
  options: CookieSerializeOptions;
}

export function consoleCookie(publicBaseUrl: string): ConsoleCookie {
  const secure = new URL(publicBaseUrl).protocol === "https:";
  return {
    name: secure ? "__Host-mailsteward_console" : "mailsteward_console",
    options: { httpOnly: true, sameSite: "strict", secure, path: secure ? "/" : "/admin" },
  };
}
