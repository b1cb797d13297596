import { fileURLToPath } from "node:url";

/** templates/ at the repository root, where layouts, partials and newsletters live. */
export const defaultTemplatesDir = fileURLToPath(new URL("../../templates/", import.meta.url));
