import { isRecurring, type ScheduleRecord } from './record.ts';

/**
 * Schedules kept as their fires last read them, for the next fire to check rather than read (see
 * fireKnown in fire.ts). The least recently read go first; schedules fire in turn, so a worker firing
 * more schedules than this would find none of them kept. A record takes about 600 bytes and its input.
 */
export const KNOWN_KEPT = 50_000;

/**
 * The schedules a worker's fires have read, by flow and id. Only active recurring schedules are
 * kept: a paused, completed or one-time schedule has no next fire to check quickly.
 */
export class KnownSchedules {
  readonly #records = new Map<string, ScheduleRecord>();
  readonly capacity: number;

  constructor(capacity = KNOWN_KEPT) {
    this.capacity = capacity;
  }

  get size() {
    return this.#records.size;
  }

  get(flow: string, id: string): ScheduleRecord | undefined {
    return this.#records.get(keyOf(flow, id));
  }

  /** Keeps `record` as the newest read of its schedule, or forgets the schedule if it is not kept. */
  remember(record: ScheduleRecord) {
    const key = keyOf(record.flowName, record.id);
    // Deleting first makes a re-read the most recent entry (a Map iterates in insertion order).
    this.#records.delete(key);
    if (record.status !== 'active' || !isRecurring(record)) return;
    if (this.#records.size >= this.capacity) this.#records.delete(this.#records.keys().next().value!);
    this.#records.set(key, record);
  }

  forget(flow: string, id: string) {
    this.#records.delete(keyOf(flow, id));
  }
}

/** Flow names never hold a newline, so the pair cannot collide with another. */
const keyOf = (flow: string, id: string) => `${flow}\n${id}`;
