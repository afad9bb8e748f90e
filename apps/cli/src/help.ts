import { type Command, usageOf } from './command.ts';
import { DEFAULT_URL } from './settings.ts';

export const GLOBAL_HELP: Array<[string, string]> = [
  ['--url URL', `the Flowdeck API (env FLOWDECK_URL; default ${DEFAULT_URL})`],
  ['--token TOKEN', 'a bearer token (env FLOWDECK_TOKEN)'],
  ['--json', 'print JSON for scripts instead of tables; lists print { items, nextCursor }'],
  ['-h, --help', 'show help'],
];

const EXIT_HELP = `Exit codes:
  0  done (with start --wait: the run completed)
  1  start --wait: the run failed or was canceled
  2  the command line is wrong
  3  the server refused the request: not found, invalid, or a conflict
     (such as canceling a run that has ended)
  4  no token, an unknown token, or a token without the needed scope
  5  the API could not be reached or was unavailable; worth a retry`;

function columns(rows: Array<[string, string]>): string {
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  return rows.map(([left, right]) => `  ${left.padEnd(width)}${right}`).join('\n');
}

export function mainHelp(commands: Command[]): string {
  return [
    'flowdeck: start, watch and schedule Flowdeck flows',
    '',
    'Commands:',
    columns(commands.map((command) => [usageOf(command).slice('flowdeck '.length), command.summary])),
    '',
    'Options:',
    columns(GLOBAL_HELP),
    '',
    'Durations are written like 90s, 5m, 1h30m or 2d.',
    '',
    EXIT_HELP,
  ].join('\n');
}

export function commandHelp(command: Command): string {
  const options = Object.entries(command.options ?? {}).map(([name, spec]): [string, string] => [
    `--${name}${spec.type === 'string' ? ' VALUE' : ''}`,
    spec.help,
  ]);
  return [
    `Usage: ${usageOf(command)}${options.length > 0 ? ' [options]' : ''}`,
    '',
    command.summary,
    ...(command.notes ? ['', ...command.notes] : []),
    ...(options.length > 0 ? ['', 'Options:', columns(options)] : []),
    '',
    'Global options:',
    columns(GLOBAL_HELP),
  ].join('\n');
}
