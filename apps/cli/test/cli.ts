import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'flowdeck.mjs');
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunningCli {
  /** Resolves once stdout has printed a line matching `pattern`, while the command may still run. */
  printed(pattern: RegExp): Promise<string>;
  exited(): boolean;
  done: Promise<CliResult>;
}

/** Runs the real `flowdeck` executable, as a user would, watching what it prints. */
export function startFlowdeck(args: string[], env: Record<string, string> = {}): RunningCli {
  return startCommand(process.execPath, [bin, ...args], env);
}

function startCommand(
  command: string,
  args: string[],
  env: Record<string, string>,
  cwd?: string,
): RunningCli {
  const childEnv: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, ...env };
  const child = spawn(command, args, { cwd, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiters: Array<() => void> = [];
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    for (const wake of waiters.splice(0)) wake();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const done = new Promise<CliResult>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      resolve({ code, stdout, stderr });
      for (const wake of waiters.splice(0)) wake();
    });
  });
  return {
    done,
    exited: () => child.exitCode !== null || child.signalCode !== null,
    async printed(pattern) {
      for (;;) {
        const line = stdout.split('\n').find((text) => pattern.test(text));
        if (line !== undefined) return line;
        if (child.exitCode !== null)
          throw new Error(`flowdeck exited without printing ${pattern}:\n${stdout}${stderr}`);
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    },
  };
}

export function flowdeck(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return startFlowdeck(args, env).done;
}

/** `npx flowdeck …` from the repository root, as the README says to run it (never downloading one). */
export function npxFlowdeck(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const quiet = { npm_config_update_notifier: 'false', ...env };
  return startCommand('npx', ['--no', 'flowdeck', ...args], quiet, repoRoot).done;
}
