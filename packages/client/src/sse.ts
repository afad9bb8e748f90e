/** One Server-Sent Event: `id:`, `event:` and the joined `data:` lines. */
export interface SseMessage {
  id: string | undefined;
  event: string;
  data: string;
}

/**
 * Reads a `text/event-stream` body message by message (the WHATWG parsing rules that matter
 * here: CRLF or LF lines, comment lines, multi-line data). Works wherever fetch streams
 * bodies, so a stream can carry an `Authorization` header, which EventSource cannot.
 */
export async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseMessage> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let message = emptyMessage();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      const lines = buffer.split(/\r\n|\r|\n/);
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        if (line === '') {
          if (message.hasData) yield { id: message.id, event: message.event, data: message.data.join('\n') };
          message = emptyMessage();
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon === -1 ? line : line.slice(0, colon);
        const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'data') {
          message.data.push(value);
          message.hasData = true;
        } else if (field === 'event') message.event = value;
        else if (field === 'id') message.id = value;
      }
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}

function emptyMessage() {
  return { id: undefined as string | undefined, event: 'message', data: [] as string[], hasData: false };
}
