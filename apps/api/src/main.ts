import type { AddressInfo } from 'node:net';
import { createEngine, createLogger, loadConfig } from '@flowdeck/engine';
import { createApp } from './app.ts';

const config = loadConfig(process.env);
const logger = createLogger(config.logLevel, { service: 'api' });
const engine = createEngine({
  redis: config.redis,
  prefix: config.prefix,
  retention: config.retention,
  heartbeatMs: config.heartbeatMs,
  logger,
});
const shutdown = new AbortController();
const app = createApp({ engine, logger, consoleDir: config.consoleDir, shutdown: shutdown.signal });

const server = app.listen(config.port, config.host, (error?: Error) => {
  if (error) {
    logger.error('could not listen', { host: config.host, port: config.port, error: error.message });
    process.exit(1);
  }
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  logger.info('api listening', { url: `http://${host}:${port}` });
});

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
