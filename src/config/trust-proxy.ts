/**
 * Which X-Forwarded-For hops to believe. `true` would believe the leftmost
 * entry, which the client writes itself: a per-IP limit is then bypassed with
 * a new header per request and consent evidence records an address the client
 * chose. So only a hop count (the proxies in front, each appending the peer it
 * saw) or the proxies' own addresses are accepted.
 */
import net from "node:net";
import { AppError } from "../errors.ts";

/** What Fastify's `trustProxy` is given: false, a hop count, or addresses/CIDR ranges. */
export type TrustProxy = false | number | string[];

export function parseTrustProxy(value: string | undefined): TrustProxy {
  const text = (value ?? "").trim().toLowerCase();
  if (text === "" || text === "false" || text === "no" || text === "0") return false;
  if (text === "true" || text === "yes") {
    throw new AppError(
      "config",
      `TRUST_PROXY (got "${value}"): "true" would trust whatever X-Forwarded-For a client sends; give the number of proxies in front of mailsteward (such as 1) or their addresses (such as 10.0.0.2,10.1.0.0/16)`,
    );
  }
  if (/^\d+$/.test(text)) {
    const hops = Number(text);
    if (hops > 16)
      throw new AppError(
        "config",
        `TRUST_PROXY (got "${value}"): expected a hop count from 1 to 16, or proxy addresses`,
      );
    return hops;
  }
  const entries = text.split(",").map((e) => e.trim());
  for (const [i, entry] of entries.entries()) {
    const [address, bits, extra] = entry.split("/");
    const family = net.isIP(address ?? "");
    const okBits =
      bits === undefined ||
      (/^\d+$/.test(bits) && Number(bits) <= (family === 6 ? 128 : 32) && extra === undefined);
    if (family === 0 || !okBits) {
      throw new AppError(
        "config",
        `TRUST_PROXY: entry ${i + 1} ("${entry}") is not an IP address or CIDR range; expected a hop count (1) or addresses such as 10.0.0.2,10.1.0.0/16`,
      );
    }
  }
  return entries;
}
