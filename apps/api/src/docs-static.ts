import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Router } from 'express';

const pageDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs-page');
const swaggerDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
/** The two files of swagger-ui-dist the page loads; the rest of the package is not served. */
const VENDOR_FILES = new Set(['/swagger-ui.css', '/swagger-ui-bundle.js']);

/**
 * The browsable API reference at `/api/docs/`: a small page of ours that runs Swagger UI,
 * bundled from node_modules (no CDN), on `/api/openapi.json`.
 */
export function docsRouter(): Router {
  const router = express.Router({ strict: true });
  router.get('/', (req, res, next) => {
    if (!req.originalUrl.split('?')[0]!.endsWith('/')) {
      res.redirect(301, `${req.baseUrl}/`);
      return;
    }
    next();
  });
  router.use(express.static(pageDir, { index: 'index.html', setHeaders: noCache }));
  router.use('/vendor', (req, _res, next) => next(VENDOR_FILES.has(req.path) ? undefined : 'router'));
  router.use('/vendor', express.static(swaggerDir, { index: false, maxAge: '1d' }));
  return router;
}

function noCache(res: express.Response) {
  res.set('cache-control', 'no-cache');
}
