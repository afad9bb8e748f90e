import { type Run, RunStatus, type RunSummary } from '@flowdeck/types';
import { type Command, UsageError } from '../command.ts';
import { EXIT } from '../exit-codes.ts';
import { integerOption } from '../input.ts';
import { listJson, moreHint } from '../list.ts';
import { details, table } from '../table.ts';
import { elapsed, formatTime } from '../time.ts';

export const runsLs: Command = {
  words: ['runs', 'ls'],
  args: ['flow'],
  options: {
    status: {
      type: 'string',
      help: 'only runs with this status (queued, running, completed, failed, canceled)',
    },
    limit: { type: 'string', help: 'at most this many runs, 1-200 (default 20)' },
    cursor: { type: 'string', help: 'the page after the one whose nextCursor this is' },
  },
  summary: "List a flow's runs, newest first",
  async run({ client, json, output, args, options }) {
    const status = options.status as string | undefined;
    if (status !== undefined && !RunStatus.safeParse(status).success) {
      throw new UsageError(`--status: expected one of ${RunStatus.options.join(', ')}, got '${status}'`);
    }
    const limit = integerOption(options.limit as string | undefined, '--limit') ?? 20;
    const cursor = options.cursor as string | undefined;
    const list = await client.runs.list(args[0]!, { status: status as RunStatus | undefined, limit, cursor });
    if (json) output.out(listJson(list.items, list.nextCursor));
    else if (list.items.length === 0) output.out('No runs.');
    else output.out(table(['Run', 'Status', 'Trigger', 'Created', 'Took', 'Steps'], list.items.map(runRow)));
    if (list.nextCursor && !json) output.err(moreHint('runs', list.nextCursor));
    return EXIT.ok;
  },
};

function runRow(run: RunSummary): string[] {
  return [
    run.id,
    run.status,
    run.trigger.type,
    formatTime(run.createdAt),
    elapsed(run.startedAt, run.finishedAt),
    `${run.steps.completed}/${run.steps.total}`,
  ];
}

export const runsShow: Command = {
  words: ['runs', 'show'],
  args: ['flow', 'runId'],
  summary: 'Show a run with the state of each step',
  async run({ client, json, output, args }) {
    const run = await client.runs.get(args[0]!, args[1]!);
    output.out(json ? JSON.stringify(run, null, 2) : describeRun(run));
    return EXIT.ok;
  },
};

export function describeRun(run: Run): string {
  const lines = [
    details([
      ['Run', run.id],
      ['Flow', run.flowName],
      ['Status', run.status],
      ['Trigger', triggerText(run)],
      ['Created', formatTime(run.createdAt)],
      ['Took', elapsed(run.startedAt, run.finishedAt)],
      ...(run.replays.length > 0 ? [['Replays', run.replays.join(', ')] as [string, string]] : []),
      ...(run.error ? [['Error', run.error.message] as [string, string]] : []),
    ]),
    '',
    table(
      ['Step', 'Status', 'Attempts', 'Took', 'Error'],
      run.steps.map((step) => [
        step.name,
        step.status,
        String(step.attempts),
        elapsed(step.startedAt, step.finishedAt),
        step.error?.message ?? '',
      ]),
    ),
  ];
  if (run.output !== undefined) lines.push('', `Output: ${JSON.stringify(run.output)}`);
  return lines.join('\n');
}

function triggerText({ trigger }: Run): string {
  if (trigger.scheduleId) return `schedule ${trigger.scheduleId}`;
  if (trigger.type === 'replay' && trigger.of) return `replay of ${trigger.of}`;
  return trigger.type;
}
