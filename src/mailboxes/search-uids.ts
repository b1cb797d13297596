import type { ImapSession } from "../adapters/imap-connect.ts";

type Query = Parameters<ImapSession["search"]>[0];

/**
 * UID SEARCH that never mistakes a failure for "nothing matched": imapflow
 * answers `false` when the server refused and `undefined` when no folder is
 * selected (a connection that just dropped), and either read as an empty
 * result would skip messages, or count them as kept, silently.
 */
export async function searchUids(
  session: ImapSession,
  query: Query,
  where: string,
): Promise<number[]> {
  const found = await session.search(query, { uid: true });
  if (found === false || found === undefined)
    throw Object.assign(
      new Error(
        `UID SEARCH failed in folder ${JSON.stringify(where)} (${session.usable ? "refused by the server" : "connection lost"})`,
      ),
      { code: session.usable ? "SearchFailed" : "NoConnection" },
    );
  return [...found].sort((a, b) => a - b);
}
