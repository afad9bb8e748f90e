import type { AddressInfo } from 'node:net';
import { createEngine, createLogger } from '@flowdeck/engine';
import { createApp } from './app.ts';
import { bindingProblem, corsProblem } from './auth/bind-policy.ts';
import { loadTokens, type TokenStore } from './auth/tokens.ts';
import { loadApiSettings } from './settings.ts';

const config = loadApiSettings(process.env);
const logger = createLogger(config.logLevel, { service: 'api' });
const tokens = await loadTokensOrExit();
const refusal =
  bindingProblem(config.host, tokens.required) ?? corsProblem(config.access.corsOrigins, tokens.required);
if (refusal) {
  logger.error(refusal, { host: config.host });
  process.exit(1);
}
const engine = createEngine({
  redis: config.redis,
  prefix: config.prefix,
  retention: config.retention,
  heartbeatMs: config.heartbeatMs,
  auditMaxEntries: config.access.auditMaxEntries,
  auditRetentionMs: config.access.auditRetentionMs,
  auditHardMaxEntries: config.access.auditHardMaxEntries,
  logger,
});
const shutdown = new AbortController();
const app = createApp({
  engine,
  logger,
  consoleDir: config.consoleDir,
  shutdown: shutdown.signal,
  access: { tokens, writeRateLimit: config.access.writeRateLimit },
  corsOrigins: config.access.corsOrigins,
  allowedHosts: config.access.allowedHosts,
  trustProxy: config.access.trustProxy,
});

const server = app.listen(config.port, config.host, (error?: Error) => {
  if (error) {
    logger.error('could not listen', { host: config.host, port: config.port, error: error.message });
    process.exit(1);
  }
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  logger.info('api listening', { url: `http://${host}:${port}` });
  if (tokens.required) {
    logger.info('API tokens required', { tokens: tokens.entries.map((t) => `${t.name} (${t.scope})`) });
  } else {
    logger.warn(
      `no API tokens configured: the API is open to anyone on this machine and listens on ${config.host} only; set FLOWDECK_TOKENS or FLOWDECK_TOKENS_FILE to require tokens`,
      { servedHostNames: ['localhost', '127.0.0.1', '[::1]', '*.localhost', ...config.access.allowedHosts] },
    );
  }
});

/** The configured tokens; a malformed entry stops the API with a message saying which one. */
async function loadTokensOrExit(): Promise<TokenStore> {
  try {
    return await loadTokens(config.access);
  } catch (error) {
    logger.error(`invalid API tokens: ${(error as Error).message}`);
    process.exit(1);
  }
}

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping: finishing open requests', { signal });
    void stop().then(
      () => process.exit(0),
      (error: Error) => {
        logger.error('shutdown failed', { error: error.message });
        process.exit(1);
      },
    );
  });
}

/** Stop accepting, end the event streams, let open requests finish (bounded), close the engine. */
async function stop() {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  shutdown.abort();
  // A keep-alive connection whose request finishes after close() (an event stream ending just
  // now) would otherwise linger until its keep-alive timeout.
  const sweep = setInterval(() => server.closeIdleConnections(), 50);
  const force = setTimeout(() => server.closeAllConnections(), config.shutdownGraceMs);
  await closed;
  clearInterval(sweep);
  clearTimeout(force);
  await engine.close();
}
