import type { RequestHandler } from 'express';

/**
 * The Content-Security-Policy of everything the API serves, the console and the API
 * reference included: scripts, styles, fonts, images and workers from this origin only;
 * nothing from anywhere else, no plugins, no framing.
 *
 * - `style-src 'unsafe-inline'`: Monaco writes its theme into <style> elements and style
 *   attributes at run time (no script can be injected through it; scripts stay 'self').
 * - `img-src`/`font-src data:`: Vite inlines small assets (icons, Monaco's codicon font
 *   once small enough) as data: URLs, and Swagger UI draws icons as data: SVGs.
 * - `worker-src 'self'`: Monaco's editor and JSON workers are built by Vite as files of
 *   their own and started from /assets, so no blob: or data: worker is needed.
 * - No 'unsafe-eval': the console turns off zod's `new Function` fast path (zod-config.ts).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const HEADERS: Record<string, string> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'x-dns-prefetch-control': 'off',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
};

/** Security headers on every response; HSTS too when the request came over HTTPS. */
export const securityHeaders: RequestHandler = (req, res, next) => {
  res.set(HEADERS);
  if (req.secure) res.set('strict-transport-security', 'max-age=31536000; includeSubDomains');
  next();
};
