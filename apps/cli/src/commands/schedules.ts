import type { FlowdeckClient } from '@flowdeck/client';
import type { ListSchedulesQuery, Schedule } from '@flowdeck/types';
import { PreviewScheduleRequest, ScheduleStatus } from '@flowdeck/types';
import { type Command, UsageError } from '../command.ts';
import { EXIT } from '../exit-codes.ts';
import { integerOption } from '../input.ts';
import { listJson, moreHint } from '../list.ts';
import { details, table, truncate } from '../table.ts';
import { formatZonedTime, relative } from '../time.ts';
import { describeSpec, displayZone, SPEC_OPTIONS, scheduleBody } from './schedule-options.ts';

/** Every schedule the query matches, a page of 200 per request rather than all in one answer. */
async function everySchedule(client: FlowdeckClient, query: ListSchedulesQuery) {
  const schedules: Schedule[] = [];
  for (let cursor: string | undefined; ; ) {
    const page = await client.schedules.pageAll({ ...query, limit: 200, cursor });
    schedules.push(...page.items);
    if (!page.nextCursor) return schedules;
    cursor = page.nextCursor;
  }
}

export const schedulesLs: Command = {
  words: ['schedules', 'ls'],
  args: ['flow?'],
  options: {
    tag: { type: 'string', help: 'only schedules with this tag' },
    status: { type: 'string', help: 'only active, paused or completed schedules' },
    limit: { type: 'string', help: 'at most this many schedules, 1-200 (default: all)' },
    cursor: { type: 'string', help: 'with --limit, the page after the one whose nextCursor this is' },
  },
  summary: "List schedules: every flow's, or one flow's",
  async run({ client, json, output, args, options }) {
    const status = options.status as string | undefined;
    if (status !== undefined && !ScheduleStatus.safeParse(status).success) {
      throw new UsageError(`--status: expected one of ${ScheduleStatus.options.join(', ')}, got '${status}'`);
    }
    const limit = integerOption(options.limit as string | undefined, '--limit');
    if (limit !== undefined && (limit < 1 || limit > 200)) {
      throw new UsageError(`--limit: expected 1 to 200, got ${limit}`);
    }
    const cursor = options.cursor as string | undefined;
    if (cursor !== undefined && limit === undefined) throw new UsageError('--cursor goes with --limit');
    const query = {
      ...(args[0] ? { flowName: args[0] } : {}),
      ...(options.tag ? { tag: options.tag as string } : {}),
      ...(status ? { status: status as ScheduleStatus } : {}),
    };
    const page =
      limit === undefined
        ? { items: await everySchedule(client, query), nextCursor: null }
        : await client.schedules.pageAll({ ...query, limit, cursor });
    const schedules = page.items;
    if (json) output.out(listJson(schedules, page.nextCursor));
    else if (schedules.length === 0) output.out('No schedules.');
    else {
      const rows = schedules.map((s) => [
        s.id,
        s.flowName,
        describeSpec(s),
        s.status,
        s.status === 'active' ? relative(s.nextRun) : '-',
        String(s.stats.count),
        truncate(s.metadata.description ?? '', 40),
      ]);
      output.out(table(['Id', 'Flow', 'Schedule', 'Status', 'Next run', 'Runs', 'Description'], rows));
    }
    if (page.nextCursor && !json) output.err(moreHint('schedules', page.nextCursor));
    return EXIT.ok;
  },
};

export const schedulesCreate: Command = {
  words: ['schedules', 'create'],
  args: ['flow'],
  options: {
    ...SPEC_OPTIONS,
    input: { type: 'string', help: 'the input of each run, as JSON' },
    'input-file': { type: 'string', help: 'read the input from a JSON file (- for stdin)' },
    description: { type: 'string', help: 'what the schedule is for' },
    tag: { type: 'string', multiple: true, help: 'a tag (repeat for more)' },
    limit: { type: 'string', help: 'stop after this many runs' },
  },
  summary: 'Schedule a flow by cron, interval, delay or time',
  async run({ client, json, output, args, options }) {
    const schedule = await client.schedules.create(args[0]!, await scheduleBody(options));
    if (json) output.out(JSON.stringify(schedule, null, 2));
    else {
      const { nextRun } = schedule;
      const { zone } = displayZone(schedule.schedule);
      output.out(`Created schedule ${schedule.id} of ${schedule.flowName}`);
      output.out(
        details([
          ['Schedule', describeSpec(schedule)],
          [
            'Next run',
            nextRun === null ? '-' : `${formatZonedTime(nextRun, zone)} ${zone} (${relative(nextRun)})`,
          ],
        ]),
      );
    }
    return EXIT.ok;
  },
};

export const schedulesPreview: Command = {
  words: ['schedules', 'preview'],
  args: ['flow'],
  options: { ...SPEC_OPTIONS, count: { type: 'string', help: 'how many fire times, 1-50 (default 5)' } },
  summary: 'Show when a schedule would fire, without creating it',
  async run({ client, json, output, args, options }) {
    const body = await scheduleBody(options, PreviewScheduleRequest);
    const count = integerOption(options.count as string | undefined, '--count');
    const preview = await client.schedules.preview(args[0]!, body, count === undefined ? {} : { count });
    if (json) output.out(JSON.stringify(preview, null, 2));
    else {
      const { zone, whose } = displayZone(body);
      output.out(preview.description);
      output.out(`Next runs in ${zone} (${whose}):`);
      for (const at of preview.nextRuns) output.out(`  ${formatZonedTime(at, zone)}  (${relative(at)})`);
      for (const warning of preview.warnings) output.out(`warning: ${warning}`);
    }
    return EXIT.ok;
  },
};

function action(word: 'pause' | 'resume' | 'trigger' | 'rm', summary: string, call: Command['run']): Command {
  return { words: ['schedules', word], args: ['flow', 'id'], summary, run: call };
}

export const schedulesPause: Command = {
  ...action(
    'pause',
    'Pause a schedule until it is resumed',
    async ({ client, json, output, args, options }) => {
      const reason = options.reason as string | undefined;
      const schedule = await client.schedules.pause(
        args[0]!,
        args[1]!,
        reason === undefined ? {} : { reason },
      );
      output.out(json ? JSON.stringify(schedule, null, 2) : `Paused schedule ${schedule.id}`);
      return EXIT.ok;
    },
  ),
  options: { reason: { type: 'string', help: 'why, shown with the schedule' } },
};

export const schedulesResume = action(
  'resume',
  'Resume a paused schedule',
  async ({ client, json, output, args }) => {
    const schedule = await client.schedules.resume(args[0]!, args[1]!);
    const next = schedule.nextRun === null ? '' : `; next run ${relative(schedule.nextRun)}`;
    output.out(json ? JSON.stringify(schedule, null, 2) : `Resumed schedule ${schedule.id}${next}`);
    return EXIT.ok;
  },
);

export const schedulesTrigger = action(
  'trigger',
  'Fire a schedule once now',
  async ({ client, json, output, args }) => {
    const { occurrence } = await client.schedules.trigger(args[0]!, args[1]!);
    if (json) output.out(JSON.stringify({ occurrence }, null, 2));
    else {
      const run = occurrence.runId ? ` run ${occurrence.runId}` : '';
      output.out(
        `Fired schedule ${args[1]}: ${occurrence.outcome}${run}${occurrence.error ? ` (${occurrence.error})` : ''}`,
      );
    }
    return EXIT.ok;
  },
);

export const schedulesRm = action(
  'rm',
  'Delete a schedule (its past runs stay)',
  async ({ client, json, output, args }) => {
    const response = await client.schedules.delete(args[0]!, args[1]!);
    output.out(json ? JSON.stringify(response, null, 2) : response.message);
    return EXIT.ok;
  },
);
