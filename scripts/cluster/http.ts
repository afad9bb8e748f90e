// A small client for the Flowdeck API as the cluster test uses it: JSON calls and an SSE reader.

export interface Reply<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

export interface SseEvent {
  id: string;
  type: string;
  data: unknown;
}

// biome-ignore lint/suspicious/noExplicitAny: replies are checked by the tests that read them
type Json = any;

export class ApiClient {
  constructor(
    readonly name: string,
    readonly base: string,
  ) {}

  async call(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
    timeoutMs = 15_000,
  ): Promise<Reply<Json>> {
    const response = await fetch(`${this.base}${path}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? null : JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, body: parsed, headers: response.headers };
  }

  /** Like `call`, but throws unless the status is one of `expected`. */
  async expect(
    expected: number | number[],
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<Json> {
    const reply = await this.call(method, path, body, headers);
    const allowed = Array.isArray(expected) ? expected : [expected];
    if (!allowed.includes(reply.status)) {
      throw new Error(
        `${this.name}: ${method} ${path} answered ${reply.status}, expected ${allowed.join('/')}: ${JSON.stringify(reply.body).slice(0, 300)}`,
      );
    }
    return reply.body;
  }

  get = (path: string) => this.expect(200, 'GET', path);

  /** Reads a Server-Sent Events stream until `done(event)` holds or the time is up. */
  async events(path: string, done: (event: SseEvent) => boolean, timeoutMs = 30_000): Promise<SseEvent[]> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    const events: SseEvent[] = [];
    try {
      const response = await fetch(`${this.base}${path}`, {
        headers: { accept: 'text/event-stream' },
        signal: controller.signal,
      });
      if (response.status !== 200 || !response.body)
        throw new Error(`${this.name}: GET ${path} (SSE) answered ${response.status}`);
      const decoder = new TextDecoder();
      let buffer = '';
      for await (const chunk of response.body) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let end = buffer.indexOf('\n\n');
        while (end !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf('\n\n');
          const fields = Object.fromEntries(
            block
              .split('\n')
              .filter((line) => !line.startsWith(':') && line.includes(':'))
              .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()]),
          ) as Record<string, string>;
          if (fields.event === undefined) continue;
          const event = { id: fields.id ?? '', type: fields.event, data: JSON.parse(fields.data ?? 'null') };
          events.push(event);
          if (done(event)) return events;
        }
      }
      return events;
    } catch (error) {
      if (controller.signal.aborted)
        throw new Error(
          `${this.name}: the event stream ${path} did not finish within ${timeoutMs} ms (got ${events.map((e) => e.type).join(', ')})`,
        );
      throw error;
    } finally {
      clearTimeout(timer);
      controller.abort();
    }
  }
}
