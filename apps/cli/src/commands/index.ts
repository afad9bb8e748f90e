import type { Command } from '../command.ts';
import { flowsLs, flowsShow } from './flows.ts';
import { runsCancel, runsReplay, runsRetry, runsRm } from './run-actions.ts';
import { runsLs, runsShow } from './runs.ts';
import {
  schedulesCreate,
  schedulesLs,
  schedulesPause,
  schedulesPreview,
  schedulesResume,
  schedulesRm,
  schedulesTrigger,
} from './schedules.ts';
import { start } from './start.ts';
import { whoami } from './whoami.ts';

/** Every command, in the order `flowdeck --help` lists them. */
export const commands: Command[] = [
  flowsLs,
  flowsShow,
  start,
  runsLs,
  runsShow,
  runsCancel,
  runsRetry,
  runsReplay,
  runsRm,
  schedulesLs,
  schedulesCreate,
  schedulesPreview,
  schedulesPause,
  schedulesResume,
  schedulesTrigger,
  schedulesRm,
  whoami,
];
