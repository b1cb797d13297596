/**
 * The handover's connections: one control pair (source and target) and up
 * to `settings.connections` worker pairs, opened lazily and reopened after
 * a loss. Login failures become errors that name the side and the employee.
 */
import { AppError } from "../errors.ts";
import type { Employee } from "../generated/prisma/client.ts";
import type { HandoverConnections } from "./copy-handover-folder.ts";
import type { HandoverSession, ImapAccount } from "./handover-types.ts";
import { resolveMailboxSecret } from "./resolve-mailbox-secret.ts";
import type { HandoverDeps } from "./run-handover.ts";

type Pair = { source: HandoverSession; target: HandoverSession };

export async function openHandoverConnections(
  deps: Pick<HandoverDeps, "openSession" | "secrets" | "settings">,
  employee: Employee,
  successor: Employee,
): Promise<HandoverConnections & { closeAll(): Promise<void> }> {
  const account = async (e: Employee): Promise<ImapAccount> => ({
    host: e.imapHost,
    port: e.imapPort,
    tls: e.tlsMode === "tls" ? "implicit" : e.tlsMode,
    user: e.login,
    password: await resolveMailboxSecret(e, deps.secrets),
    rejectUnauthorized: deps.secrets.tlsVerify,
  });
  const sourceAccount = await account(employee);
  const targetAccount = await account(successor);
  const open = async (side: "source" | "target"): Promise<HandoverSession> => {
    const who = side === "source" ? employee : successor;
    try {
      return await deps.openSession(side === "source" ? sourceAccount : targetAccount);
    } catch (error) {
      const kind = (error as { kind?: string }).kind;
      if (kind === "auth")
        throw new AppError(
          "refused",
          `cannot log in to the ${side === "source" ? "departing employee's" : "successor's"} mailbox (employee ${who.id}): ${(error as Error).message}; a mailbox that does not exist is refused the same way; nothing was copied or deleted`,
        );
      throw error;
    }
  };
  const pairs = new Map<number, Promise<Pair>>();
  const get = (i: number): Promise<Pair> => {
    let pair = pairs.get(i);
    if (!pair) {
      pair = Promise.all([open("source"), open("target")]).then(([source, target]) => ({
        source,
        target,
      }));
      pairs.set(i, pair);
      pair.catch(() => pairs.delete(i));
    }
    return pair;
  };
  const discard = (i: number) => {
    const pair = pairs.get(i);
    pairs.delete(i);
    void pair?.then(
      (p) => Promise.all([p.source.close(), p.target.close()]),
      () => undefined,
    );
  };
  const CONTROL = -1;
  return {
    workers: deps.settings.connections,
    async control() {
      const pair = await get(CONTROL);
      if (!pair.source.closed && !pair.target.closed) return pair;
      discard(CONTROL);
      return get(CONTROL);
    },
    async pair(i) {
      const pair = await get(i);
      if (!pair.source.closed && !pair.target.closed) return pair;
      discard(i);
      return get(i);
    },
    discard,
    async closeAll() {
      const all = [...pairs.values()];
      pairs.clear();
      await Promise.all(
        all.map((p) =>
          p.then(
            (x) => Promise.all([x.source.close(), x.target.close()]),
            () => undefined,
          ),
        ),
      );
    },
  };
}
