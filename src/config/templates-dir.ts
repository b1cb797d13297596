import { fileURLToPath } from "node:url";

/** templates/ in the installation, where layouts, partials and newsletters live; TEMPLATES_DIR overrides it. */
export const defaultTemplatesDir = fileURLToPath(new URL("../../templates/", import.meta.url));
