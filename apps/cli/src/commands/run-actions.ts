import type { Command } from '../command.ts';
import { EXIT } from '../exit-codes.ts';
import { readInput } from '../input.ts';

/**
 * What an operator does to one run: cancel, retry, replay, delete. A run whose status does not
 * allow the action is refused by the server (409, exit 3) with a message naming the status.
 */
function action(
  word: 'cancel' | 'retry' | 'replay' | 'rm',
  text: { summary: string; notes: string[] },
  call: Command['run'],
): Command {
  return { words: ['runs', word], args: ['flow', 'runId'], ...text, run: call };
}

export const runsCancel: Command = {
  ...action(
    'cancel',
    {
      summary: 'Cancel a queued or running run',
      notes: [
        'Steps not started are skipped and a running step is told to stop. Exits 3 when the run is',
        'not found or has already ended (run_ended).',
      ],
    },
    async ({ client, json, output, args, options }) => {
      const reason = options.reason as string | undefined;
      const run = await client.runs.cancel(args[0]!, args[1]!, reason === undefined ? {} : { reason });
      output.out(json ? JSON.stringify(run, null, 2) : `Canceled run ${run.id} of ${run.flowName}`);
      return EXIT.ok;
    },
  ),
  options: { reason: { type: 'string', help: 'why, shown in the run timeline (at most 500 characters)' } },
};

export const runsRetry = action(
  'retry',
  {
    summary: 'Continue a failed or canceled run from the steps that did not complete',
    notes: [
      'Completed steps keep their outputs; the others run again with their retry policy afresh.',
      'Exits 3 when the run is not found, or is queued, running or completed (run_not_ended).',
    ],
  },
  async ({ client, json, output, args }) => {
    const run = await client.runs.retry(args[0]!, args[1]!);
    if (json) output.out(JSON.stringify(run, null, 2));
    else {
      const again = run.steps.filter((step) => step.status !== 'completed').map((step) => step.name);
      output.out(`Retrying run ${run.id} of ${run.flowName}: ${again.join(', ')} will run again`);
    }
    return EXIT.ok;
  },
);

export const runsReplay: Command = {
  ...action(
    'replay',
    {
      summary: "Start a new run with a run's input, or with --input instead",
      notes: [
        "The input is checked against the flow's input schema. Exits 3 when the run is not found or",
        'the input breaks the schema (input_invalid, naming the field).',
      ],
    },
    async ({ client, json, output, args, options }) => {
      const input = await readInput(options);
      const replay = await client.runs.replay(args[0]!, args[1]!, input === undefined ? {} : { input });
      if (json) output.out(JSON.stringify(replay, null, 2));
      else output.out(`Started run ${replay.runId} of ${replay.flowName}, replaying ${replay.replayOf}`);
      return EXIT.ok;
    },
  ),
  options: {
    input: { type: 'string', help: "the new run's input as JSON (default: the run's own input)" },
    'input-file': { type: 'string', help: 'read the input from a JSON file (- for stdin)' },
  },
};

export const runsRm = action(
  'rm',
  {
    summary: 'Delete an ended run and its events',
    notes: [
      'Needs an admin token (exit 4 without). Exits 3 when the run is not found, or is still',
      'queued or running (run_not_ended): cancel it first.',
    ],
  },
  async ({ client, json, output, args }) => {
    const response = await client.runs.remove(args[0]!, args[1]!);
    output.out(json ? JSON.stringify(response, null, 2) : `Deleted run ${response.runId} of ${args[0]}`);
    return EXIT.ok;
  },
);
