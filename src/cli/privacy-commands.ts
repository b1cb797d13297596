import type { Command } from "commander";
import { register as registerAudit } from "./audit.ts";
import { register as registerContactsShow } from "./contacts-show.ts";
import { register as registerPrivacyErase } from "./privacy-erase.ts";
import { register as registerPrivacyExport } from "./privacy-export.ts";
import { register as registerPrivacyPartner } from "./privacy-partner.ts";
import { register as registerPrivacyRetention } from "./privacy-retention.ts";

/**
 * The privacy commands (privacy ..., contacts show/touch, audit), registered
 * together so that src/cli/index.ts names them once.
 */
export function register(program: Command): void {
  for (const register of [
    registerPrivacyErase,
    registerPrivacyExport,
    registerPrivacyPartner,
    registerPrivacyRetention,
    registerContactsShow,
    registerAudit,
  ])
    register(program);
}
