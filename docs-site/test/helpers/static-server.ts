import { createReadStream, existsSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize, resolve } from "node:path";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

/** A static server for the built site on a loopback port. */
export interface StaticSite {
  origin: string;
  close(): Promise<void>;
}

/** Resolves a clean URL (`/chat`) to its file (`chat.html`), as a static host with cleanUrls does. */
function fileFor(root: string, pathname: string): string | undefined {
  const safe = normalize(decodeURIComponent(pathname)).replace(/^(\.\.[/\\])+/, "");
  const base = join(root, safe);
  if (!base.startsWith(root)) return undefined;
  for (const candidate of [base, `${base}.html`, join(base, "index.html")]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

/**
 * Serves `dist` on 127.0.0.1 with an OS-chosen port, under `base` (e.g. `/docs/`) as a host
 * serving the site below a path would. Unknown paths, and any path outside `base`, get
 * `404.html` and status 404.
 */
export async function serveStatic(dist: string, base = "/"): Promise<StaticSite> {
  const root = resolve(dist);
  const server: Server = createServer((req, res) => {
    const { pathname } = new URL(req.url ?? "/", "http://localhost");
    const inside = pathname.startsWith(base) || `${pathname}/` === base;
    const file = inside ? fileFor(root, `/${pathname.slice(base.length)}`) : undefined;
    const target = file ?? join(root, "404.html");
    res.writeHead(file ? 200 : 404, {
      "Content-Type": TYPES[extname(target)] ?? "application/octet-stream",
    });
    createReadStream(target).pipe(res);
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise((done) => server.close(() => done())),
  };
}
