import { AppError } from "../../errors.ts";

/** A contact id from a console URL; anything but a positive integer is a 400 that quotes it. */
export function readContactId(raw: string): number {
  const id = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(id) || id <= 0)
    throw new AppError(
      "invalid_input",
      `contact id "${raw.slice(0, 40)}" is not valid; expected a positive integer such as 42`,
    );
  return id;
}
