import type { CreateScheduleRequest } from '@flowdeck/types';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api } from '../../../api/client.ts';
import { queryKeys } from '../../../api/query-keys.ts';

const DEBOUNCE_MS = 250;

function useDebounced<T>(value: T, delayMs: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), delayMs);
    return () => clearTimeout(timer);
  }, [value, delayMs]);
  return debounced;
}

/**
 * The server's reading of a schedule spec while it is being typed: plain-English text, the
 * next fire times computed exactly as they will fire, and warnings. Nothing is written.
 */
export function useSchedulePreview(flowName: string, spec: CreateScheduleRequest | null) {
  const key = spec ? JSON.stringify(spec) : null;
  const debouncedKey = useDebounced(key, DEBOUNCE_MS);
  return useQuery({
    queryKey: queryKeys.schedules.preview(flowName, debouncedKey),
    queryFn: ({ signal }) =>
      api.schedules.preview(flowName, JSON.parse(debouncedKey ?? '{}') as CreateScheduleRequest, { signal }),
    enabled: debouncedKey !== null,
    placeholderData: keepPreviousData,
    retry: false,
    staleTime: 5_000,
  });
}
