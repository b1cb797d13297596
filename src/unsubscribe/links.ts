/**
 * The links a subscriber is sent. The https URL serves both the RFC 8058
 * one-click POST and the page a person opens; the mailto form is the RFC 2369
 * fallback, with the token in the local part's subaddress.
 */
import type { Config } from "../config/load-config.ts";

type LinkConfig = Pick<Config, "publicBaseUrl" | "unsubscribeAddress">;

export function unsubscribeUrl(config: Pick<LinkConfig, "publicBaseUrl">, token: string): string {
  return `${config.publicBaseUrl}/u/${token}`;
}

/** `mailto:unsubscribe+TOKEN@example.com?subject=unsubscribe` */
export function unsubscribeMailto(
  config: Pick<LinkConfig, "unsubscribeAddress">,
  token: string,
): string {
  const at = config.unsubscribeAddress.lastIndexOf("@");
  const local = config.unsubscribeAddress.slice(0, at);
  const domain = config.unsubscribeAddress.slice(at + 1);
  return `mailto:${local}+${token}@${domain}?subject=unsubscribe`;
}

export function confirmUrl(config: Pick<LinkConfig, "publicBaseUrl">, token: string): string {
  return `${config.publicBaseUrl}/confirm/${token}`;
}
