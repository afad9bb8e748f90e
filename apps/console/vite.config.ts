import react from '@vitejs/plugin-react';
import { defaultClientConditions, defineConfig } from 'vite';
import { monacoJsonOnly } from './vite-plugins/monaco-json-only.ts';
import { precompress } from './vite-plugins/precompress.ts';

/** In development the API runs separately (`PORT` 3000 by default); in production it serves `dist/`. */
const apiTarget = process.env.FLOWDECK_API_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  // The API serves the `.br` and `.gz` copies `precompress` writes beside each built file.
  plugins: [react(), monacoJsonOnly(), precompress()],
  // Workspace packages from their TypeScript sources (their `source` export), never a stale build.
  resolve: { conditions: ['source', ...defaultClientConditions] },
  server: {
    proxy: { '/api': { target: apiTarget, changeOrigin: false } },
  },
  build: {
    target: 'es2022',
    // Read by scripts/first-load-size.mjs to find what the first page load downloads.
    manifest: true,
    // Monaco is split into its own lazy chunks; it is large by nature and never on the first load.
    chunkSizeWarningLimit: 4096,
  },
});
