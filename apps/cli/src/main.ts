import { parseArgs } from 'node:util';
import { createFlowdeckClient, FlowdeckApiError } from '@flowdeck/client';
import { type Command, type Output, UsageError, usageOf } from './command.ts';
import { commands } from './commands/index.ts';
import { describeApiError, exitCodeOf } from './errors.ts';
import { EXIT, type ExitCode } from './exit-codes.ts';
import { commandHelp, mainHelp } from './help.ts';
import { settingsFrom } from './settings.ts';

const GLOBAL_OPTIONS = {
  url: { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const stdio: Output = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

/** Runs one command line; resolves with the exit code. */
export async function main(
  argv: string[],
  env: Record<string, string | undefined>,
  output: Output = stdio,
  signal: AbortSignal = interruptSignal(),
): Promise<ExitCode> {
  const words = positionalWords(argv);
  const command = findCommand(words);
  if (!command) {
    const asked = argv.includes('--help') || argv.includes('-h') || words.length === 0;
    (asked ? output.out : output.err)(mainHelp(commands));
    if (!asked) output.err(`\nerror: unknown command '${words.join(' ')}'`);
    return asked ? EXIT.ok : EXIT.usage;
  }
  try {
    const parsed = parseArgs({
      args: argv,
      options: { ...GLOBAL_OPTIONS, ...command.options },
      allowPositionals: true,
      strict: true,
    });
    const options = parsed.values as Record<string, string | boolean | string[] | undefined>;
    if (options.help) {
      output.out(commandHelp(command));
      return EXIT.ok;
    }
    const args = checkArgs(command, parsed.positionals.slice(command.words.length));
    const settings = settingsFrom({ url: options.url as string, token: options.token as string }, env);
    const client = createFlowdeckClient({ baseUrl: settings.url, token: settings.token });
    return await command.run({ client, json: Boolean(options.json), args, options, output, signal });
  } catch (error) {
    if (error instanceof FlowdeckApiError) {
      output.err(describeApiError(error));
      return exitCodeOf(error);
    }
    if (error instanceof UsageError || isParseArgsError(error)) {
      output.err(`error: ${(error as Error).message}\nusage: ${usageOf(command)} (see --help)`);
      return EXIT.usage;
    }
    if (signal.aborted) return EXIT.unavailable;
    throw error;
  }
}

/** The words of a command line, without options and the values of options that take one. */
function positionalWords(argv: string[]): string[] {
  const takesValue = new Set(
    [GLOBAL_OPTIONS, ...commands.map((command) => command.options ?? {})].flatMap((options) =>
      Object.entries(options)
        .filter(([, spec]) => spec.type === 'string')
        .map(([name]) => `--${name}`),
    ),
  );
  const words: string[] = [];
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index]!;
    if (takesValue.has(arg)) index += 1;
    else if (!arg.startsWith('-')) words.push(arg);
  }
  return words;
}

/** The command whose words the command line starts with (`schedules create ...`). */
function findCommand(words: string[]): Command | undefined {
  return commands.find((command) => command.words.every((word, index) => words[index] === word));
}

function checkArgs(command: Command, given: string[]): string[] {
  const required = command.args.filter((arg) => !arg.endsWith('?')).length;
  if (given.length < required) {
    throw new UsageError(
      `missing ${command.args
        .slice(given.length, required)
        .map((a) => `<${a}>`)
        .join(' ')}`,
    );
  }
  if (given.length > command.args.length)
    throw new UsageError(`unexpected argument '${given[command.args.length]}'`);
  return given;
}

function isParseArgsError(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code ?? '';
  return code.startsWith('ERR_PARSE_ARGS');
}

/** Ctrl-C stops a `--wait` cleanly instead of leaving a half-read stream. */
function interruptSignal(): AbortSignal {
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  return controller.signal;
}
