import { defineConfig } from '@playwright/test';

// The till renderer in Debian's Chromium, served by the real browser-mode till host.
export default defineConfig({
  testDir: 'test/e2e',
  outputDir: 'test-results/e2e',
  // The till host serves out/renderer: build it from the current sources first.
  globalSetup: './test/e2e/global-setup.ts',
  timeout: 180_000,
  workers: 1,
  use: {
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
    viewport: { width: 1280, height: 800 },
  },
});
