import { request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@flowdeck/engine';
import { silentLogger } from '@flowdeck/engine';
import { type AppOptions, createApp } from '../src/app.ts';
import type { TestApi } from './helpers.ts';

/** A logger that keeps its lines, to check what the API logs. */
export function capturingLogger(
  lines: Record<string, unknown>[],
  base: Record<string, unknown> = {},
): Logger {
  const write = (level: string) => (msg: string, fields?: Record<string, unknown>) => {
    lines.push({ level, msg, ...base, ...fields });
  };
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    child: (fields) => capturingLogger(lines, { ...base, ...fields }),
  };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * One HTTP request with exactly the headers given, `Host` included (fetch sets Host from the
 * URL and would not send another).
 */
export function rawRequest(
  port: number,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'GET',
        path: options.path,
        headers: options.headers,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

export interface AppVariant {
  port: number;
  close(): Promise<void>;
}

/**
 * A second app, configured otherwise (allowed hosts, trust proxy, tokens), over the engine of
 * `api`, so its flows are registered. Closing it leaves `api` running.
 */
export async function startVariant(
  api: TestApi,
  options: Omit<AppOptions, 'engine' | 'logger'> & { logger?: Logger },
): Promise<AppVariant> {
  const app = createApp({ engine: api.engine, logger: silentLogger, ...options });
  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(0, '127.0.0.1', (error?: Error) =>
      error ? reject(error) : resolve(listening),
    );
  });
  return {
    port: (server.address() as AddressInfo).port,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
