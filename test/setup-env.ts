import { inject } from 'vitest';

// Runs in every test worker before its test file: code under test reads REDIS_URL from the
// environment, so the URL the global setup provided is put there.
process.env.REDIS_URL ||= inject('redisUrl');
