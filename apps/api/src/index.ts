export { type AppOptions, BODY_LIMIT_BYTES, createApp } from './app.ts';
