import { describe, expect, it } from 'vitest';
import { outcomeLabel, outcomeTone, runNowNotice } from '../src/features/schedules/occurrence-outcome.ts';

describe('how the console words what a fire did', () => {
  it('labels a fire skipped because the schedule was paused "skipped: paused"', () => {
    expect(outcomeLabel('skipped-paused')).toBe('skipped: paused');
    expect(outcomeTone('skipped-paused')).toBe('warning');
  });

  it('shows an outcome it does not know by its own name, in a neutral badge', () => {
    expect(outcomeLabel('deferred-by-quota')).toBe('deferred by quota');
    expect(outcomeTone('deferred-by-quota')).toBe('neutral');
  });

  it('says a Run now was queued and for when, with the zone named', () => {
    const notice = runNowNotice({ outcome: 'queued', scheduledFor: Date.UTC(2026, 11, 6, 1, 0, 0) });
    expect(notice.tone).toBe('success');
    expect(notice.message).toMatch(/^Run queued for \d{1,2} \w{3} 2026, \d{2}:00:00 [A-Z][\w+:-]+$/);
  });

  it('says why a Run now did not start a run', () => {
    expect(runNowNotice({ outcome: 'failed', scheduledFor: 0, error: 'input no longer valid' })).toEqual({
      tone: 'error',
      message: 'Run not started — failed to start (input no longer valid)',
    });
    expect(runNowNotice({ outcome: 'skipped-overlap', scheduledFor: 0 }).message).toBe(
      'Run not started — skipped: overlap',
    );
  });
});
