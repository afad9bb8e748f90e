import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { type RequestHandler, type Router } from 'express';

const ONE_YEAR_SECONDS = 365 * 24 * 3600;

/**
 * Serves the built console. Files under /assets/ have content hashes in their names, so they
 * are cached for a year; index.html is revalidated every time so a deploy shows at once.
 * Any other GET outside /api gets index.html, for the SPA's client-side routes.
 */
export function consoleRouter(consoleDir: string): Router | null {
  const indexHtml = join(consoleDir, 'index.html');
  if (!existsSync(indexHtml)) return null;
  const router = express.Router();
  router.use(
    express.static(consoleDir, {
      index: false,
      setHeaders: (res, path) => {
        const immutable = path.startsWith(join(consoleDir, 'assets'));
        res.set('cache-control', immutable ? `public, max-age=${ONE_YEAR_SECONDS}, immutable` : 'no-cache');
      },
    }),
  );
  router.use(spaFallback(indexHtml));
  return router;
}

function spaFallback(indexHtml: string): RequestHandler {
  return (req, res, next) => {
    const isPage = (req.method === 'GET' || req.method === 'HEAD') && !/^\/(api|assets)(\/|$)/.test(req.path);
    if (!isPage) return next();
    res.set('cache-control', 'no-cache');
    res.sendFile(indexHtml);
  };
}
