import type { Clock, Db } from "../types.ts";

/** What the operator functions are handed: the database, the clock, and the key source for credential hashes. */
export interface OperatorDeps {
  db: Db;
  clock: Clock;
  config: { suppressionKey: string };
}

export const operatorRoles = ["marketing", "it", "privacy", "admin"] as const;
export type OperatorRole = (typeof operatorRoles)[number];

/** What the rest of the code sees of an operator: never the password hash. */
export interface OperatorSummary {
  id: number;
  email: string;
  name: string | null;
  role: OperatorRole;
}

export const operatorSummary = { id: true, email: true, name: true, role: true } as const;
