import type { Command } from '../command.ts';
import { EXIT } from '../exit-codes.ts';
import { listJson } from '../list.ts';
import { details, table, truncate } from '../table.ts';

export const flowsLs: Command = {
  words: ['flows', 'ls'],
  args: [],
  summary: 'List the flows the workers publish',
  async run({ client, json, output }) {
    const flows = await client.flows.list();
    if (json) output.out(listJson(flows));
    else if (flows.length === 0) output.out('No flows yet: start a worker that hosts flows.');
    else {
      const rows = flows.map((flow) => [
        flow.name,
        String(flow.steps.length),
        flow.live ? 'yes' : 'no',
        truncate(flow.description, 60),
      ]);
      output.out(table(['Name', 'Steps', 'Live', 'Description'], rows));
    }
    return EXIT.ok;
  },
};

export const flowsShow: Command = {
  words: ['flows', 'show'],
  args: ['flow'],
  summary: 'Show a flow: its steps, input schema and workers',
  async run({ client, json, output, args }) {
    const flow = await client.flows.get(args[0]!);
    if (json) {
      output.out(JSON.stringify(flow, null, 2));
      return EXIT.ok;
    }
    const live = flow.workers.filter((worker) => worker.live).length;
    output.out(
      details([
        ['Flow', flow.name],
        ['Description', flow.description || '-'],
        ['Entry steps', flow.entrySteps.join(', ')],
        ['Workers', live > 0 ? `${live} live` : 'none live'],
      ]),
    );
    output.out('');
    const steps = flow.steps.map((step) => [
      step.name,
      step.needs.join(', ') || '-',
      String(step.retry.attempts),
      `${step.timeoutMs / 1000}s`,
    ]);
    output.out(table(['Step', 'Needs', 'Attempts', 'Timeout'], steps));
    output.out('');
    output.out(
      flow.inputSchema ? `Input schema:\n${JSON.stringify(flow.inputSchema, null, 2)}` : 'Input: any JSON',
    );
    return EXIT.ok;
  },
};
