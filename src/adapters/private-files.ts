/**
 * Keeps the embedded database's directory private to the user that runs
 * mailsteward: directories 0700, files 0600, whatever the umask. PGlite
 * creates its files with the process's umask (0666 & ~umask, so 0644 or
 * 0666), and a data directory that other local users can enter lets them
 * read every contact and write the data files. The directory's own 0700 is
 * what guards; the file modes keep a copied or moved directory private too.
 */
import fs from "node:fs";
import path from "node:path";

/** mkdir -p, then makes the leaf 0700 even when it existed or the umask widened it. */
export function ensurePrivateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
}

/** Sets every directory under `dir` (itself included) to 0700 and every other entry to 0600. */
export function tightenTree(dir: string): void {
  walk(dir, (entry, isDir) => {
    const want = isDir ? 0o700 : 0o600;
    if ((entry.mode & 0o777) !== want) fs.chmodSync(entry.path, want);
  });
}

/** Paths under `dir` that group or others may read, write or enter (for `mailsteward status`). */
export function findLooseModes(dir: string): Array<{ path: string; mode: string }> {
  const loose: Array<{ path: string; mode: string }> = [];
  walk(dir, (entry) => {
    if ((entry.mode & 0o077) !== 0)
      loose.push({ path: entry.path, mode: (entry.mode & 0o777).toString(8).padStart(4, "0") });
  });
  return loose;
}

function walk(
  dir: string,
  visit: (entry: { path: string; mode: number }, isDir: boolean) => void,
): void {
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(dir);
  } catch {
    return;
  }
  if (stat.isSymbolicLink()) return;
  visit({ path: dir, mode: stat.mode }, stat.isDirectory());
  if (!stat.isDirectory()) return;
  for (const name of fs.readdirSync(dir)) walk(path.join(dir, name), visit);
}
