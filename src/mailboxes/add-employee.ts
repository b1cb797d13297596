import { AppError } from "../errors.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { recordAudit } from "../privacy/record-audit.ts";
import type { Clock, Db } from "../types.ts";
import { employeeView, type EmployeeView } from "./employee-view.ts";
import { newEmployeeSchema, parseEmployeeInput } from "./employee-input.ts";
import { findEmployee } from "./find-employee.ts";

/** Adds an employee's mailbox to the directory. The login defaults to the address. */
export async function addEmployee(
  deps: { db: Db; clock: Clock },
  input: unknown,
  actor: string,
): Promise<EmployeeView> {
  const data = parseEmployeeInput(newEmployeeSchema, input);
  const successor = data.successor ? await findEmployee(deps.db, data.successor) : null;
  try {
    return await deps.db.$transaction(async (tx) => {
      const employee = await tx.employee.create({
        data: {
          address: data.address,
          imapHost: data.imapHost,
          imapPort: data.imapPort,
          tlsMode: data.tlsMode ?? "tls",
          login: data.login ?? data.address,
          secretRef: data.secretRef.trim(),
          status: data.status ?? "active",
          successorId: successor?.id ?? null,
          cleanupPolicy: data.cleanupPolicy ?? Prisma.DbNull,
          language: data.language ?? null,
          departedAt: data.status === "departed" ? deps.clock.now() : null,
        },
        include: { successor: { select: { id: true, address: true } } },
      });
      await recordAudit(tx, {
        actor,
        action: "employee.added",
        subjectType: "employee",
        subjectId: employee.id,
        detail: { status: employee.status, successorId: employee.successorId },
      });
      return employeeView(employee);
    });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002")
      throw new AppError(
        "conflict",
        `employee "${data.address}" is already in the directory; change it with: mailsteward employees set ${data.address} ...`,
      );
    throw error;
  }
}
