/**
 * Starts the till screen in steps. Evaluated at once, the renderer (React, Dexie, RxDB, every zod schema of the
 * contracts and the loyalty engine, the till screen) was one task of 110 ms on an idle 2-core till and up to
 * 640 ms on a busy one: the page could neither paint nor take a key meanwhile. Here the page paints a starting
 * line first; then each step is a chunk of its own, evaluated in its own task with the page free between steps,
 * and the steps after find what the earlier ones evaluated already. The till screen comes last.
 *
 * Invariant: a step only evaluates modules (none opens the database or the host connection), so the order keeps
 * the tasks short and nothing else: any order starts the same till.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { t } from './ui/strings';
import './styles.css';

/** The libraries and contracts the till screen needs, in the order evaluated; each is one task's work. */
const steps: ReadonlyArray<() => Promise<unknown>> = [
  () => import('dexie'),
  () => import('rxdb'),
  () => import('zod'),
  () => import('../../shared/engine/program'),
  () => import('../../shared/documents'),
  () => import('../../shared/ipc'),
  () => import('../../shared/replication'),
];

function nextTask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

async function start(root: ReturnType<typeof createRoot>): Promise<void> {
  for (const step of steps) {
    await step();
    await nextTask();
  }
  const { connectHost } = await import('./host/host-client');
  await nextTask();
  const { App } = await import('./ui/App');
  await nextTask();
  root.render(
    <StrictMode>
      <App host={connectHost()} />
    </StrictMode>,
  );
}

const root = createRoot(document.getElementById('root')!);
root.render(<p className="muted">{t.starting}</p>);
start(root).catch((e: unknown) => {
  // A chunk that cannot load (a damaged install): say so instead of a blank screen.
  root.render(<p role="alert">{t.startFailed(e instanceof Error ? e.message : String(e))}</p>);
});
