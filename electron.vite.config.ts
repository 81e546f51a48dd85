import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

// Main and preload are built for Electron; the renderer is a plain web app so
// it also runs in any Chromium, served by the browser-mode till host.
export default defineConfig({
  main: {
    build: {
      rollupOptions: {
        input: { index: resolve(import.meta.dirname, 'src-main/index.ts') },
        external: ['node-hid'],
      },
    },
  },
  preload: {
    build: {
      // A sandboxed preload can require only `electron`: bundle everything else.
      externalizeDeps: false,
      rollupOptions: {
        external: ['electron'],
        input: { index: resolve(import.meta.dirname, 'src-main/preload/index.ts') },
        // CommonJS so the window can keep `sandbox: true` (ESM preloads need the sandbox off).
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(import.meta.dirname, 'src-renderer'),
    base: './',
    plugins: [react()],
    build: {
      rollupOptions: { input: { index: resolve(import.meta.dirname, 'src-renderer/index.html') } },
    },
  },
});
