/**
 * What the handover hands the account-deletion hook once the source mailbox
 * is emptied (src/adapters/handover-hook.ts runs the configured command or
 * POSTs to the configured URL). The address goes to the hook and nowhere else.
 */
import type { HandoverConfig } from "../config/handover-config.ts";

export interface HookPayload {
  event: "handover.emptied";
  handoverId: number;
  employeeId: number;
  /** the account to delete: the hook needs it; it goes nowhere else */
  address: string;
  login: string;
}

/** "none" when no hook is configured; throws an AppError saying what failed otherwise */
export type CallHandoverHook = (
  settings: Pick<HandoverConfig, "hook" | "hookTimeoutMs">,
  payload: HookPayload,
) => Promise<"none" | "command" | "url">;
