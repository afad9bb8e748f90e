import { type MouseEvent, useCallback, useSyncExternalStore } from 'react';

/**
 * A tiny router over the History API. The console has two screens and a little query
 * state, so a router library would weigh more than it gives.
 */
export type Route =
  | { name: 'flows'; flow: string | undefined; run: string | undefined; schedule: string | undefined }
  | { name: 'run'; flow: string; runId: string }
  | { name: 'audit'; flow: string | undefined; schedule: string | undefined }
  | { name: 'not-found'; path: string };

const NAVIGATE_EVENT = 'flowdeck:navigate';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  window.addEventListener(NAVIGATE_EVENT, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(NAVIGATE_EVENT, onChange);
  };
}

const currentUrl = () => window.location.pathname + window.location.search;

export function parseRoute(url: string): Route {
  const { pathname, searchParams } = new URL(url, window.location.origin);
  const path = pathname.replace(/\/+$/, '') || '/';
  if (path === '/' || path === '/flows') {
    return {
      name: 'flows',
      flow: searchParams.get('flow') ?? undefined,
      run: searchParams.get('run') ?? undefined,
      schedule: searchParams.get('schedule') ?? undefined,
    };
  }
  if (path === '/audit') {
    return {
      name: 'audit',
      flow: searchParams.get('flow') ?? undefined,
      schedule: searchParams.get('schedule') ?? undefined,
    };
  }
  const run = /^\/flows\/([^/]+)\/runs\/([^/]+)$/.exec(path);
  if (run) return { name: 'run', flow: decodeURIComponent(run[1]!), runId: decodeURIComponent(run[2]!) };
  return { name: 'not-found', path };
}

export function flowsUrl(
  params: { flow?: string | undefined; run?: string | undefined; schedule?: string | undefined } = {},
): string {
  const search = new URLSearchParams();
  if (params.flow) search.set('flow', params.flow);
  if (params.run) search.set('run', params.run);
  if (params.schedule) search.set('schedule', params.schedule);
  const query = search.toString();
  return `/flows${query ? `?${query}` : ''}`;
}

export function auditUrl(params: { flow?: string | undefined; schedule?: string | undefined } = {}): string {
  const search = new URLSearchParams();
  if (params.flow) search.set('flow', params.flow);
  if (params.schedule) search.set('schedule', params.schedule);
  const query = search.toString();
  return `/audit${query ? `?${query}` : ''}`;
}

export function runUrl(flow: string, runId: string): string {
  return `/flows/${encodeURIComponent(flow)}/runs/${encodeURIComponent(runId)}`;
}

export function navigate(url: string, options: { replace?: boolean } = {}): void {
  if (url === currentUrl()) return;
  if (options.replace) window.history.replaceState(null, '', url);
  else window.history.pushState(null, '', url);
  window.dispatchEvent(new Event(NAVIGATE_EVENT));
}

export function useRoute(): Route {
  const url = useSyncExternalStore(subscribe, currentUrl, currentUrl);
  return parseRoute(url);
}

/** Click handler for in-app links: lets modified clicks (new tab) through, routes the rest. */
export function useLinkHandler(url: string) {
  return useCallback(
    (event: MouseEvent<HTMLAnchorElement>) => {
      if (event.defaultPrevented || event.button !== 0) return;
      if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      event.preventDefault();
      navigate(url);
    },
    [url],
  );
}
