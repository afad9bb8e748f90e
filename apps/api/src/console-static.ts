import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import express, {
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
  type Router,
} from 'express';
import Negotiator from 'negotiator';

const ONE_YEAR_SECONDS = 365 * 24 * 3600;
const IMMUTABLE = `public, max-age=${ONE_YEAR_SECONDS}, immutable`;

/** The copies the console build writes beside each large enough file, best first. */
const ENCODINGS = [
  { name: 'br', suffix: '.br' },
  { name: 'gzip', suffix: '.gz' },
] as const;

/**
 * Serves the built console. Files under /assets/ have content hashes in their names, so they
 * are cached for a year; index.html is revalidated every time so a deploy shows at once.
 * The build leaves brotli and gzip copies beside its files (vite-plugins/precompress.ts);
 * a browser that accepts one gets it, with the original's type. Any other GET outside /api
 * gets index.html, for the SPA's client-side routes.
 */
export function consoleRouter(consoleDir: string): Router | null {
  const indexHtml = join(consoleDir, 'index.html');
  if (!existsSync(indexHtml)) return null;
  const router = express.Router();
  router.use((req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    return sendPrecompressed(consoleDir, req.path, req, res, next);
  });
  router.use(
    express.static(consoleDir, {
      index: false,
      setHeaders: (res, path) => {
        res.set('cache-control', path.startsWith(join(consoleDir, 'assets')) ? IMMUTABLE : 'no-cache');
      },
    }),
  );
  router.use(spaFallback(consoleDir, indexHtml));
  return router;
}

function spaFallback(consoleDir: string, indexHtml: string): RequestHandler {
  return (req, res, next) => {
    const isPage = (req.method === 'GET' || req.method === 'HEAD') && !/^\/(api|assets)(\/|$)/.test(req.path);
    if (!isPage) return next();
    return sendPrecompressed(consoleDir, '/index.html', req, res, () => {
      res.set('cache-control', 'no-cache');
      res.sendFile(indexHtml);
    });
  };
}

/**
 * Sends the brotli or gzip copy of the file at `urlPath` when the build made one and the
 * request accepts it; otherwise calls `next` to send the file as it is. `Vary` is set either
 * way once a copy exists, so a shared cache never hands one client's encoding to another.
 */
async function sendPrecompressed(
  consoleDir: string,
  urlPath: string,
  req: Request,
  res: Response,
  next: NextFunction,
): Promise<void> {
  const filePath = fileUnder(consoleDir, urlPath);
  if (!filePath) return next();
  const available: Array<(typeof ENCODINGS)[number]> = [];
  for (const encoding of ENCODINGS) {
    if (await isFile(filePath + encoding.suffix)) available.push(encoding);
  }
  if (available.length === 0) return next();
  res.vary('Accept-Encoding');
  const chosen = bestEncoding(req, available);
  if (!chosen) return next();
  res.type(extname(filePath));
  res.set('content-encoding', chosen.name);
  res.set('cache-control', urlPath.startsWith('/assets/') ? IMMUTABLE : 'no-cache');
  // The still-encoded URL path: `send` decodes it and refuses `..` itself.
  res.sendFile(urlPath.slice(1) + chosen.suffix, { root: consoleDir, cacheControl: false }, (error) => {
    if (error && !res.headersSent) next(error);
  });
}

/** negotiator 1.1 breaks ties by a `preferred` order, which its published types do not declare yet. */
type EncodingNegotiator = {
  encoding(available: readonly string[], options: { preferred: readonly string[] }): string | undefined;
};

/**
 * The encoding of `available` the request ranks highest, ours (brotli first) breaking ties:
 * browsers list gzip first at equal weight, so Express's `acceptsEncodings` would never pick
 * brotli. Undefined when the plain file ranks higher (or nothing else is accepted).
 */
function bestEncoding<T extends { name: string }>(req: Request, available: T[]): T | undefined {
  const names = available.map((encoding) => encoding.name);
  const negotiator = new Negotiator(req) as unknown as EncodingNegotiator;
  const chosen = negotiator.encoding([...names, 'identity'], { preferred: names });
  return available.find((encoding) => encoding.name === chosen);
}

/** The file a URL path names inside `consoleDir`, or null for anything odd (dot files, `..`). */
function fileUnder(consoleDir: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.endsWith('/')) return null;
  const segments = decoded.split('/').slice(1);
  if (segments.some((segment) => segment === '' || segment.startsWith('.'))) return null;
  return join(consoleDir, ...segments);
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
