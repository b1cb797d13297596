import type { Employee } from "../generated/prisma/client.ts";

/** What the CLI and the admin API show of an employee: the secret's reference, never a secret. */
export interface EmployeeView {
  id: number;
  address: string;
  imapHost: string;
  imapPort: number;
  tlsMode: Employee["tlsMode"];
  login: string;
  secretRef: string;
  status: Employee["status"];
  successor: { id: number; address: string } | null;
  cleanupPolicy: unknown;
  /** en, nl or nb; null: DEFAULT_LANGUAGE */
  language?: string | null;
  departedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export function employeeView(
  e: Employee & { successor?: { id: number; address: string } | null },
): EmployeeView {
  return {
    id: e.id,
    address: e.address,
    imapHost: e.imapHost,
    imapPort: e.imapPort,
    tlsMode: e.tlsMode,
    login: e.login,
    secretRef: e.secretRef,
    status: e.status,
    successor: e.successor ? { id: e.successor.id, address: e.successor.address } : null,
    cleanupPolicy: e.cleanupPolicy ?? null,
    language: e.language ?? null,
    departedAt: e.departedAt?.toISOString() ?? null,
    createdAt: e.createdAt.toISOString(),
    updatedAt: e.updatedAt.toISOString(),
  };
}
