import { readFile } from 'node:fs/promises';
import { parseDuration } from '@flowdeck/types/schedule-text';
import { UsageError } from './command.ts';

/** The flow input from `--input JSON` or `--input-file F` (`-` for stdin); undefined when neither. */
export async function readInput(options: Record<string, unknown>): Promise<unknown> {
  const inline = options.input as string | undefined;
  const file = options['input-file'] as string | undefined;
  if (inline !== undefined && file !== undefined)
    throw new UsageError('give --input or --input-file, not both');
  if (inline !== undefined) return parseJson(inline, '--input');
  if (file === undefined) return undefined;
  let text: string;
  try {
    text = file === '-' ? await readStdin() : await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read --input-file ${file}: ${(error as Error).message}`);
  }
  return parseJson(text, file);
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${source} is not valid JSON: ${(error as Error).message}`);
  }
}

async function readStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) text += chunk;
  return text;
}

export function durationOption(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = parseDuration(value);
  if (ms === null)
    throw new UsageError(`${flag}: '${value}' is not a duration; write it like 90s, 5m, 1h30m or 2d`);
  return ms;
}

export function integerOption(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`${flag}: expected a whole number, got '${value}'`);
  return Number(value);
}
