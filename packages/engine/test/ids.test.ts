import { describe, expect, it } from 'vitest';
import { newRunId, RUN_ID_PATTERN, runIdFloor } from '../src/ids.ts';

describe('run ids', () => {
  it('made within one millisecond sort in the order they were made, and after that millisecond’s floor', () => {
    const now = Date.parse('2027-01-01T00:00:00Z');
    const ids = Array.from({ length: 1000 }, () => newRunId(now));
    expect(ids.every((id) => RUN_ID_PATTERN.test(id))).toBe(true);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids[0]! >= runIdFloor(now) && ids[0]! < runIdFloor(now + 1)).toBe(true);
    expect(newRunId(now + 1) > ids.at(-1)!).toBe(true);
  });
});
