/**
 * The start of a step that began without reading its run (see step-runner.ts, startsAtOnce). A
 * handler done before the event loop turns has its start recorded with its completion, one script
 * for both; one still running then, or one that logs, has it recorded at once, so the run shows
 * the step running and its log lines after its start.
 */
export function deferStart(record: () => void) {
  const startedAt = Date.now();
  let pending: NodeJS.Immediate | undefined = setImmediate(() => {
    pending = undefined;
    record();
  });
  return {
    /** Stops the deferred record: the start time when it is still to be recorded, else undefined. */
    settle(): number | undefined {
      if (pending === undefined) return undefined;
      clearImmediate(pending);
      pending = undefined;
      return startedAt;
    },
    /** Records the start now if it is still to be (before anything else the step records). */
    recordNow() {
      if (this.settle() !== undefined) record();
    },
  };
}

export type DeferredStart = ReturnType<typeof deferStart>;
