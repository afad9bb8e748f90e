import type { FlowdeckClient } from '@flowdeck/client';
import type { ExitCode } from './exit-codes.ts';

export type OptionSpec = { type: 'string' | 'boolean'; multiple?: boolean; short?: string };

export interface Output {
  out(text: string): void;
  err(text: string): void;
}

export interface Context {
  client: FlowdeckClient;
  /** `--json`: machine-readable output on stdout, nothing else there. */
  json: boolean;
  args: string[];
  options: Record<string, string | boolean | string[] | undefined>;
  output: Output;
  signal: AbortSignal;
}

/** One `flowdeck` command: its words, its arguments and options, and what it does. */
export interface Command {
  words: string[];
  /** Positional arguments; a trailing `?` marks an optional one. */
  args: string[];
  options?: Record<string, OptionSpec & { help: string }>;
  summary: string;
  /** Lines for `--help` under the summary: what the server may refuse, and the exit code then. */
  notes?: string[];
  run(context: Context): Promise<ExitCode>;
}

/** A command line that cannot work; exit code 2 with this message and the usage. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function usageOf(command: Command): string {
  const args = command.args.map((arg) => (arg.endsWith('?') ? `[${arg.slice(0, -1)}]` : `<${arg}>`));
  return ['flowdeck', ...command.words, ...args].join(' ');
}
