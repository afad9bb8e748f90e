import type { Request, Response } from 'express';

const HEARTBEAT_MS = 15_000;

export interface EventStream {
  /** Aborted when the client goes away or the server shuts down. */
  signal: AbortSignal;
  send(event: { id: string; type: string; data: unknown }): Promise<void>;
  end(): void;
}

/**
 * Switches the response to Server-Sent Events. A comment line every 15 s keeps proxies and
 * load balancers from closing a quiet stream; writes wait for `drain` so a slow client
 * cannot make the server buffer a whole run's events.
 */
export function openEventStream(req: Request, res: Response, shutdown: AbortSignal): EventStream {
  const controller = new AbortController();
  const abort = () => controller.abort();
  res.on('close', abort);
  shutdown.addEventListener('abort', abort, { once: true });

  res.status(200).set({
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.flushHeaders();
  req.socket.setNoDelay(true);

  const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), HEARTBEAT_MS);
  heartbeat.unref();

  return {
    signal: controller.signal,
    async send({ id, type, data }) {
      if (controller.signal.aborted) return;
      if (!res.write(`id: ${id}\nevent: ${type}\ndata: ${JSON.stringify(data)}\n\n`)) {
        await new Promise((resolve) => {
          res.once('drain', resolve);
          controller.signal.addEventListener('abort', resolve, { once: true });
        });
      }
    },
    end() {
      clearInterval(heartbeat);
      shutdown.removeEventListener('abort', abort);
      if (!res.writableEnded) res.end();
    },
  };
}

export function wantsEventStream(req: Request): boolean {
  return req.accepts(['application/json', 'text/event-stream']) === 'text/event-stream';
}
