import { createLogger, type DefinedFlow, startWorker } from '@flowdeck/engine';
import { exampleFlows } from './flows/index.ts';
import { loadUserFlows } from './load-flows.ts';
import { selectFlows } from './select-flows.ts';
import { loadWorkerSettings } from './settings.ts';

const config = loadWorkerSettings(process.env);
const logger = createLogger(config.logLevel, { service: 'worker' });

const loaded: DefinedFlow[] = [
  ...(config.examples ? exampleFlows : []),
  ...(config.flowsModule ? await loadUserFlows(config.flowsModule) : []),
];
let flows: DefinedFlow[];
try {
  flows = selectFlows(loaded, config.workerFlows);
} catch (error) {
  logger.error((error as Error).message);
  process.exit(1);
}
if (flows.length === 0) {
  logger.error(
    'no flows to host: set FLOWDECK_FLOWS to a module or folder of flows, or FLOWDECK_EXAMPLES=on',
  );
  process.exit(1);
}

const worker = await startWorker({ ...config, flows, logger });

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping: finishing running steps', { signal, graceMs: config.shutdownGraceMs });
    worker.close().then(
      () => process.exit(0),
      (error: Error) => {
        logger.error('shutdown failed', { error: error.message });
        process.exit(1);
      },
    );
  });
}
