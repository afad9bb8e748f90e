import { Redis, type RedisOptions } from 'ioredis';

/**
 * Connections. Commands from the API must fail fast while Redis is down (a 503, not a
 * hang), so the command client gives up after a few retries. BullMQ workers and blocking
 * readers need `maxRetriesPerRequest: null` and their own connection.
 */
export function commandClient(url: string, name: string): Redis {
  return new Redis(url, {
    connectionName: name,
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    retryStrategy: (times) => Math.min(times * 100, 2000),
  } satisfies RedisOptions);
}

export function blockingClient(url: string, name: string): Redis {
  return new Redis(url, {
    connectionName: name,
    maxRetriesPerRequest: null,
    retryStrategy: (times) => Math.min(times * 100, 2000),
  });
}
