import type { FlowdeckClient } from '@flowdeck/client';
import type { Run, RunEvent } from '@flowdeck/types';
import type { Command, Output } from '../command.ts';
import { EXIT, type ExitCode } from '../exit-codes.ts';
import { readInput } from '../input.ts';
import { formatTime } from '../time.ts';
import { describeRun } from './runs.ts';

export const start: Command = {
  words: ['start'],
  args: ['flow'],
  options: {
    input: { type: 'string', help: 'the flow input as JSON' },
    'input-file': { type: 'string', help: 'read the input from a JSON file (- for stdin)' },
    'idempotency-key': { type: 'string', help: 'a repeated start with the same key returns the first run' },
    wait: { type: 'boolean', help: 'follow the run step by step; exit 0 when it completes, 1 when it fails' },
  },
  summary: 'Start a run of a flow',
  async run({ client, json, output, args, options, signal }) {
    const flow = args[0]!;
    const input = await readInput(options);
    const started = await client.flows.start(flow, input, {
      idempotencyKey: options['idempotency-key'] as string | undefined,
    });
    if (!options.wait) {
      if (json) output.out(JSON.stringify(started, null, 2));
      else
        output.out(
          `Started run ${started.runId} of ${flow}${started.created ? '' : ' (an earlier run with this key)'}`,
        );
      return EXIT.ok;
    }
    // With --json, stdout carries only the final run; progress goes to stderr.
    const progress = json ? output.err : output.out;
    progress(`Run ${started.runId} of ${flow}`);
    const run = await follow(client, flow, started.runId, progress, signal);
    if (json) output.out(JSON.stringify(run, null, 2));
    else output.out(`\n${describeRun(run)}`);
    return outcome(run);
  },
};

async function follow(
  client: FlowdeckClient,
  flow: string,
  runId: string,
  print: Output['out'],
  signal: AbortSignal,
): Promise<Run> {
  for await (const event of client.runs.follow(flow, runId, { signal })) print(eventLine(event));
  return client.runs.get(flow, runId);
}

function outcome(run: Run): ExitCode {
  return run.status === 'completed' ? EXIT.ok : EXIT.runFailed;
}

/** `14:03:05  step.completed  fetch` with the attempt, log line or error when there is one. */
export function eventLine(event: RunEvent): string {
  const time = formatTime(event.at).slice(11);
  const attempt = event.attempt && event.attempt > 1 ? ` (attempt ${event.attempt})` : '';
  const text = event.message ?? event.error?.message ?? '';
  return [time, event.type.padEnd(14), `${event.step ?? ''}${attempt}`, text].filter(Boolean).join('  ');
}
