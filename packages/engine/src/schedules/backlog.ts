/** How often a worker looks at each of its flows' queues for jobs due and not taken (see Backlogs). */
export const BACKLOG_CHECK_MS = 200;

/**
 * Whether a flow's workers are behind. A worker counts the jobs due and not yet taken in each of
 * its flows' queues every BACKLOG_CHECK_MS (see Queues.dueJobs). A backlog begins after the last
 * check that found none (or at the first check, for a worker that has not seen the queue empty)
 * and lasts until two checks in a row find none, or one fails (Redis away): a queue that is only
 * momentarily empty, between one burst of fires taken and the next, stays backlogged. A worker
 * that just started or reconnected has seen no backlog from before it looked, so the fires
 * planned then are late because nothing ran, not because the workers were behind.
 */
export class Backlogs {
  readonly #since = new Map<string, number>();
  /** The time of each flow's last check that found nothing due. */
  readonly #lastEmpty = new Map<string, number>();

  /** When `flow`'s backlog began, or undefined when it has none. */
  since(flow: string): number | undefined {
    return this.#since.get(flow);
  }

  /** One check of `flow`'s queue at `at`, which found `due` jobs (undefined: the check failed). */
  observe(flow: string, due: number | undefined, at: number) {
    if (due === undefined) {
      this.#since.delete(flow);
      this.#lastEmpty.delete(flow);
    } else if (due === 0) {
      // The second empty check in a row ends the backlog.
      if (this.#lastEmpty.has(flow)) this.#since.delete(flow);
      this.#lastEmpty.set(flow, at);
    } else {
      if (!this.#since.has(flow)) this.#since.set(flow, this.#lastEmpty.get(flow) ?? at);
      this.#lastEmpty.delete(flow);
    }
  }
}
