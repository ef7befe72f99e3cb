/**
 * The console's build: React, served under `/console/` (locally by the HTTP gateway, on AWS by CloudFront from
 * the console bucket). One chunk per screen; `index.html` loads only the shell.
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export const CONSOLE_BASE = '/console/';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: CONSOLE_BASE,
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // Inline nothing: the CSP allows scripts and styles from 'self' only.
    assetsInlineLimit: 0,
    sourcemap: false,
  },
  logLevel: 'warn',
});
