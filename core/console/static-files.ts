/**
 * Serves the renderer build. Paths are resolved inside the build folder only; unknown routes
 * without a file extension get index.html (client-side routing).
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

export interface StaticFile {
  path: string;
  type: string;
  size: number;
  stream: () => NodeJS.ReadableStream;
}

/** null when nothing is there (a 404), never a path outside `root`. */
export function resolveStatic(root: string, pathname: string): StaticFile | null {
  const base = resolve(root);
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (decoded.includes('\u0000')) return null;
  const candidate = resolve(base, `.${sep}${normalize(decoded)}`);
  if (candidate !== base && !candidate.startsWith(base + sep)) return null;
  let target = candidate;
  if (!isFile(target)) {
    // Client-side routes (/conversations/abc) fall back to the app; missing assets stay 404s.
    if (extname(decoded) !== '') return null;
    target = join(base, 'index.html');
    if (!isFile(target)) return null;
  }
  const file = target;
  return {
    path: file,
    type: TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    size: statSync(file).size,
    stream: () => createReadStream(file),
  };
}

function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}

/** Shown when the renderer has not been built: says how to build it. */
export const NOT_BUILT_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Scrollback console</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto;">
<h1>Scrollback console</h1>
<p>The server is running, but the user interface has not been built yet.</p>
<p>Run <code>npx vite build</code> (or <code>npm start</code>, which builds it) and reload.</p>
</body></html>
`;
