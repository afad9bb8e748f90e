/**
 * Overload: more schedules firing every second than the machine can run (3,000 on 2 cores), for a
 * long run (60 s), Flowdeck beside raw BullMQ on one Redis. What is measured is behaviour, not
 * parity: whether the lag of the runs that start grows over the run (p99 of the first quarter of
 * the window against the last), and whether every planned fire is accounted for in the ledger
 * (started, or recorded `missed-overload`), with no duplicates. Raw BullMQ's p99 per quarter and
 * the fires it skipped are shown beside.
 */
import { type FlowdeckLagRun, flowdeckFires, rawBullmqFires } from './schedules-lag.ts';
import { type LagRun, p99BySlice, summarise } from './stats.ts';

export interface OverloadSide {
  /** p99 lag of the fires planned in each quarter of the window, in order. */
  quarters: number[];
  /** Fires that ran (Flowdeck: runs started; raw: jobs processed). */
  ran: number;
  /** Planned fires in the window. */
  planned: number;
  /** Planned fires with no run (raw) or no occurrence (Flowdeck). */
  unaccounted: number;
  duplicates: number;
}

export interface OverloadResult {
  schedules: number;
  seconds: number;
  ours: OverloadSide & { outcomes: Record<string, number> };
  raw: OverloadSide;
}

function side(run: LagRun, unaccounted: number): OverloadSide {
  const summary = summarise(run);
  return {
    quarters: p99BySlice(run, 4),
    ran: summary.fires,
    planned: run.keys.length * ((run.window[1] - run.window[0]) / 1000),
    unaccounted,
    duplicates: summary.duplicates,
  };
}

export async function overload(
  url: string,
  schedules: number,
  concurrency: number,
  seconds: number,
): Promise<OverloadResult> {
  const raw = await rawBullmqFires(url, schedules, concurrency, seconds);
  const ours: FlowdeckLagRun = await flowdeckFires(url, schedules, concurrency, seconds);
  return {
    schedules,
    seconds,
    raw: side(raw, summarise(raw).missed),
    ours: { ...side(ours, ours.unaccounted), outcomes: ours.outcomes },
  };
}

/** The last quarter's p99 over the first's: above 1 the lag grew during the run. */
export const growth = ({ quarters }: OverloadSide) => quarters.at(-1)! / quarters[0]!;

/** The target: the lag does not spiral (growth ≤ 1.25), every planned fire accounted for, none twice. */
export const overloadTargetMet = ({ ours }: OverloadResult) =>
  growth(ours) <= 1.25 && ours.unaccounted === 0 && ours.duplicates === 0;
