import fs from "node:fs/promises";

/** fs.access W_OK: whether this process may write the file (a read-only mount or install says no). */
export async function isWritable(file: string): Promise<boolean> {
  return fs.access(file, fs.constants.W_OK).then(
    () => true,
    () => false,
  );
}
