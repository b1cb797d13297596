import { connectImap, type ImapSession } from "../adapters/imap-connect.ts";
import type { Config } from "../config/load-config.ts";
import type { Employee } from "../generated/prisma/client.ts";
import type { Logger } from "../types.ts";
import { resolveMailboxSecret } from "./resolve-mailbox-secret.ts";

export interface MailboxDeps {
  config: Pick<Config, "mailboxes">;
  log: Logger;
  env?: NodeJS.ProcessEnv;
}

/** Resolves the employee's secret and logs in to their mailbox; the caller logs out. */
export async function openEmployeeMailbox(
  deps: MailboxDeps,
  employee: Pick<Employee, "id" | "imapHost" | "imapPort" | "tlsMode" | "login" | "secretRef">,
  opts: { connectTimeoutMs?: number; qresync?: boolean } = {},
): Promise<ImapSession> {
  const password = await resolveMailboxSecret(employee, {
    secretsDir: deps.config.mailboxes.secretsDir,
    env: deps.env,
  });
  return connectImap(
    {
      host: employee.imapHost,
      port: employee.imapPort,
      tlsMode: employee.tlsMode,
      login: employee.login,
      password,
      rejectUnauthorized: deps.config.mailboxes.tlsVerify,
    },
    { log: deps.log, label: `employee ${employee.id}`, ...opts },
  );
}
