/**
 * Builds the renderer once before the end-to-end tests, so the till host
 * serves the code under test (out/renderer), never a stale bundle.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');

export default function globalSetup(): void {
  execFileSync(process.execPath, [join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'], {
    cwd: root,
    stdio: 'inherit',
  });
}
