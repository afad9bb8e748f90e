// Starts a second Flowdeck stack for the browser tests once the first one answers, so the
// two never build the console at the same time. Signals are passed on to it.
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

const waitFor = process.env.FLOWDECK_E2E_WAIT_FOR;
if (waitFor) {
  for (;;) {
    const answered = await fetch(waitFor).then(
      () => true,
      () => false,
    );
    if (answered) break;
    await sleep(200);
  }
}
const child = spawn(process.execPath, ['scripts/start.mjs'], { stdio: 'inherit' });
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => child.kill(signal));
child.once('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
