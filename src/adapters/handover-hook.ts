/**
 * Runs the configured account-deletion hook once the source is emptied:
 * IMAP cannot delete an account, the mail system's own tooling can. A
 * command gets the employee in its environment; a URL gets a JSON POST.
 * Either must succeed (exit 0, or a 2xx answer) within the timeout. Here,
 * among the adapters, because it spawns processes and makes requests: the
 * handover is handed it (HandoverDeps.callHook), so tests choose the edge.
 */
import { spawn } from "node:child_process";
import type { HandoverConfig } from "../config/handover-config.ts";
import { AppError } from "../errors.ts";
import type { HookPayload } from "../mailboxes/handover-hook-port.ts";

export async function callHandoverHook(
  settings: Pick<HandoverConfig, "hook" | "hookTimeoutMs">,
  payload: HookPayload,
): Promise<"none" | "command" | "url"> {
  const hook = settings.hook;
  if (!hook) return "none";
  if ("command" in hook) {
    await runCommand(hook.command, payload, settings.hookTimeoutMs);
    return "command";
  }
  let answer: Response;
  try {
    answer = await fetch(hook.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(settings.hookTimeoutMs),
    });
  } catch (error) {
    throw new AppError(
      "refused",
      `the account-deletion hook HANDOVER_HOOK_URL did not answer (${(error as Error).message}); the mailbox is emptied, rerun the handover to call the hook again`,
    );
  }
  if (!answer.ok)
    throw new AppError(
      "refused",
      `the account-deletion hook HANDOVER_HOOK_URL answered ${answer.status}; expected 2xx; the mailbox is emptied, rerun the handover to call the hook again`,
    );
  return "url";
}

function runCommand(command: string, payload: HookPayload, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("/bin/sh", ["-c", command], {
      stdio: ["ignore", "ignore", "pipe"],
      env: {
        ...process.env,
        MAILSTEWARD_HANDOVER_ID: String(payload.handoverId),
        MAILSTEWARD_EMPLOYEE_ID: String(payload.employeeId),
        MAILSTEWARD_EMPLOYEE_ADDRESS: payload.address,
        MAILSTEWARD_EMPLOYEE_LOGIN: payload.login,
      },
      timeout: timeoutMs,
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-500)));
    child.once("error", (error) =>
      reject(new AppError("refused", `cannot run HANDOVER_HOOK_COMMAND: ${error.message}`)),
    );
    child.once("exit", (code, signal) => {
      if (code === 0) resolve();
      else
        reject(
          new AppError(
            "refused",
            `HANDOVER_HOOK_COMMAND exited with ${signal ?? code}${stderr ? `: ${stderr.trim()}` : ""}; expected 0; the mailbox is emptied, rerun the handover to call the hook again`,
          ),
        );
    });
  });
}
