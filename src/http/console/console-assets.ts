/**
 * /admin/assets/*: htmx, CodeMirror 5 and our own files, read once at start
 * (from node_modules and src/http/console/assets/), served with a content
 * hash as ETag. No build step: what is in the repository is what the browser
 * gets, so `npm ci` and `npm start` stay the only two commands.
 */
import crypto from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance } from "fastify";

const require = createRequire(import.meta.url);
const ownDir = fileURLToPath(new URL("./assets/", import.meta.url));

const fromPackages: Record<string, string> = {
  "htmx.min.js": "htmx.org/dist/htmx.min.js",
  "codemirror/codemirror.js": "codemirror/lib/codemirror.js",
  "codemirror/codemirror.css": "codemirror/lib/codemirror.css",
  "codemirror/xml.js": "codemirror/mode/xml/xml.js",
};

const types: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
};

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

function loadAssets(): Map<string, Asset> {
  const files = new Map<string, string>();
  for (const [name, module] of Object.entries(fromPackages))
    files.set(name, require.resolve(module));
  for (const entry of readdirSync(ownDir, { withFileTypes: true }))
    if (entry.isFile()) files.set(entry.name, path.join(ownDir, entry.name));
  const assets = new Map<string, Asset>();
  for (const [name, file] of files) {
    const body = readFileSync(file);
    const etag = `"${crypto.createHash("sha256").update(body).digest("base64url").slice(0, 22)}"`;
    assets.set(name, { body, type: types[path.extname(name)] ?? "application/octet-stream", etag });
  }
  return assets;
}

export function registerConsoleAssets(app: FastifyInstance): void {
  const assets = loadAssets();
  app.get<{ Params: { "*": string } }>("/admin/assets/*", async (request, reply) => {
    const asset = assets.get(request.params["*"]);
    if (!asset) return reply.code(404).type("text/plain; charset=utf-8").send("no such asset");
    // Revalidated every time (no-cache), answered 304 while unchanged: a deploy is seen at once.
    reply.header("cache-control", "no-cache").header("etag", asset.etag);
    if (request.headers["if-none-match"] === asset.etag) return reply.code(304).send();
    return reply.type(asset.type).send(asset.body);
  });
}
