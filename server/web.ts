// Serves the built UI (web/dist, see web/build.ts): hashed assets with a year-long immutable cache,
// sent precompressed (brotli or gzip, as the client accepts), and index.html for every other page path
// so that links into the app work (the UI routes itself).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Hono } from 'hono';

export const WEB_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../web/dist');

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

interface Asset {
  body: Buffer;
  gz?: Buffer;
  br?: Buffer;
  type: string;
}

function load(file: string): Asset | null {
  if (!fs.existsSync(file)) return null;
  const read = (f: string) => (fs.existsSync(f) ? fs.readFileSync(f) : undefined);
  return { body: fs.readFileSync(file), gz: read(`${file}.gz`), br: read(`${file}.br`), type: TYPES[path.extname(file)] ?? 'application/octet-stream' };
}

export function serveWeb(app: Hono, dist = WEB_DIST): void {
  const cache = new Map<string, Asset | null>();
  const asset = (rel: string): Asset | null => {
    if (!cache.has(rel)) cache.set(rel, load(path.join(dist, rel)));
    return cache.get(rel)!;
  };

  const send = (a: Asset, acceptEncoding: string, cacheControl: string) => {
    const headers: Record<string, string> = { 'content-type': a.type, 'cache-control': cacheControl, vary: 'accept-encoding' };
    let body = a.body;
    if (a.br && /\bbr\b/.test(acceptEncoding)) {
      body = a.br;
      headers['content-encoding'] = 'br';
    } else if (a.gz && /\bgzip\b/.test(acceptEncoding)) {
      body = a.gz;
      headers['content-encoding'] = 'gzip';
    }
    return new Response(new Uint8Array(body), { headers });
  };

  app.get('/assets/*', (c) => {
    const rel = c.req.path.slice(1);
    if (rel.includes('..')) return c.notFound();
    const a = asset(rel);
    if (!a) return c.notFound();
    return send(a, c.req.header('accept-encoding') ?? '', 'public, max-age=31536000, immutable');
  });

  // Page paths: everything that is not the API or ingest, and looks like a page (no file extension).
  app.get('*', (c, next) => {
    const p = c.req.path;
    if (p.startsWith('/api/') || p === '/api' || /\.[a-z0-9]{1,5}$/i.test(p)) return next();
    const index = asset('index.html');
    if (!index) {
      return c.text('The web UI is not built yet: run `npm run build` (npm start does it for you).', 503);
    }
    return send(index, c.req.header('accept-encoding') ?? '', 'no-cache');
  });
}
