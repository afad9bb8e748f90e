import { luaScript } from './lua.ts';

/**
 * The run state machine lives in scripts (lua/create-run.lua, step-*.lua) so each transition is
 * atomic even when parallel steps finish at the same instant on different workers: exactly one of
 * them sees a dependant's last need complete and enqueues it, and a step job that runs twice (a
 * retry after a crash) changes nothing the second time.
 *
 * Run hash fields: id, flow, input, trigger (JSON, without a schedule's id and time; see
 * run-trigger.ts), scheduleId and scheduledFor, createdAt, steps (graph JSON), status,
 * startedAt, finishedAt, error, output, remaining; per step `s:<step>` status,
 * `a:` attempts, `t0:`/`t1:` times, `o:` output JSON, `e:` error JSON, `w:` needs left.
 * Events are the entries of a list per run, each the event JSON without its id; an event's id is
 * its position in the list, from 1. A list is the cheapest record of a run's few events: a new
 * Redis stream takes a 4 KB listpack and had to be rewritten at its size when the run ended,
 * about a tenth of a run's Redis time. Followers poll the list (see events.ts).
 */

/** Creates a run (see its header for KEYS, ARGV and answers). */
export const createRunScript = luaScript('create-run');
export const stepStartedScript = luaScript('step-started');
export const stepCompletedScript = luaScript('step-completed');
export const stepFailedScript = luaScript('step-failed');

/** An operator's actions on a run (see each file's header). */
export const cancelRunScript = luaScript('cancel-run');
export const retryRunScript = luaScript('retry-run');
export const deleteRunScript = luaScript('delete-run');
export const linkReplayScript = luaScript('link-replay');
