import fs from "node:fs/promises";
import path from "node:path";
import { isWritable } from "./is-writable.ts";
import { templateFolders } from "./resolve-template-file.ts";

export interface TemplateFile {
  /** relative to the templates folder, e.g. "newsletters/monthly.mjml" */
  path: string;
  folder: (typeof templateFolders)[number];
  name: string;
  bytes: number;
  modifiedAt: Date;
  /** whether this process may write it (fs.access W_OK on the file and its folder) */
  writable: boolean;
}

/** Every MJML file in the templates folder, by folder then name. */
export async function listTemplateFiles(templatesDir: string): Promise<TemplateFile[]> {
  const out: TemplateFile[] = [];
  for (const folder of templateFolders) {
    const dir = path.join(templatesDir, folder);
    const names = await fs.readdir(dir).catch(() => [] as string[]);
    const dirWritable = await isWritable(dir);
    for (const file of names.filter((n) => n.endsWith(".mjml")).sort()) {
      const full = path.join(dir, file);
      const stat = await fs.stat(full).catch(() => null);
      if (!stat?.isFile()) continue;
      out.push({
        path: `${folder}/${file}`,
        folder,
        name: file.slice(0, -".mjml".length),
        bytes: stat.size,
        modifiedAt: stat.mtime,
        writable: dirWritable && (await isWritable(full)),
      });
    }
  }
  return out;
}
