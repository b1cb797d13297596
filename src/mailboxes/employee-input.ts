import { z } from "zod";
import { AppError } from "../errors.ts";
import { locales } from "../i18n/translate.ts";
import { cleanupOverridesSchema } from "./cleanup-policy.ts";
import { parseSecretRef } from "./parse-secret-ref.ts";

const host = z
  .string()
  .trim()
  .min(1)
  .max(253)
  .regex(/^[A-Za-z0-9.:[\]-]+$/, "expected a host name or an IP address");

/** The fields of the mailbox directory, as the CLI and the admin API take them. */
export const employeeFieldsSchema = z.object({
  address: z.email({ error: "expected an address such as pat@example.com" }).trim().toLowerCase(),
  imapHost: host,
  imapPort: z.coerce.number().int().min(1).max(65535),
  tlsMode: z.enum(["tls", "starttls", "none"], {
    error: 'expected "tls" (port 993), "starttls" (port 143) or "none" (loopback only)',
  }),
  login: z.string().min(1).max(320),
  secretRef: z.string().superRefine((value, ctx) => {
    try {
      parseSecretRef(value);
    } catch (error) {
      ctx.addIssue({ code: "custom", message: (error as Error).message });
    }
  }),
  status: z.enum(["active", "departing", "departed"], {
    error: "expected active, departing or departed",
  }),
  /** an id or address of another employee, or null for none */
  successor: z.string().nullable(),
  cleanupPolicy: cleanupOverridesSchema.nullable(),
  /** the language of the mail we send them (the review digest); null: DEFAULT_LANGUAGE */
  language: z
    .enum(locales, { error: `expected one of ${locales.join(", ")} (or none: the default)` })
    .nullable(),
});

export const newEmployeeSchema = employeeFieldsSchema
  .partial({
    login: true,
    status: true,
    successor: true,
    cleanupPolicy: true,
    tlsMode: true,
    language: true,
  })
  .strict();
export const employeeChangesSchema = employeeFieldsSchema
  .omit({ address: true })
  .partial()
  .strict();

export type NewEmployee = z.infer<typeof newEmployeeSchema>;
export type EmployeeChanges = z.infer<typeof employeeChangesSchema>;

/** Parses with the schema; the error names each bad field and what was expected. */
export function parseEmployeeInput<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issues = result.error.issues
    .map((i) => `${i.path.join(".") || "employee"}: ${i.message}`)
    .join("; ");
  throw new AppError("invalid_input", `invalid employee: ${issues}`);
}
