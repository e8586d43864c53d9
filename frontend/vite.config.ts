/// <reference types="vitest/config" />
// Build and dev-server settings. `npm run build` writes dist/, which `rapport serve` serves at `/`
// with a fallback to index.html for client-side routes; assets live under /assets/.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const backend = process.env.RAPPORT_API ?? 'http://127.0.0.1:8000';

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    emptyOutDir: true,
    sourcemap: true,
  },
  server: {
    proxy: {
      '/api': { target: backend, changeOrigin: false },
    },
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
