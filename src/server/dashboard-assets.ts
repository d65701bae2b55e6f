// Finds the dashboard built by `npm run build` (dist/dashboard/) and holds its page and script in memory.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface DashboardAssets {
  html: string;
  script: string;
}

/** From `src/server` (tsx) or `dist/src/server` (built): the package's `dist/dashboard`. */
function dashboardDirectory(): string | null {
  const candidates = ['../../dist/dashboard/', '../../../dist/dashboard/'].map((base) =>
    fileURLToPath(new URL(base, import.meta.url)),
  );
  return candidates.find((candidate) => existsSync(`${candidate}dashboard.js`)) ?? null;
}

export function loadDashboardAssets(directory = dashboardDirectory()): DashboardAssets | null {
  if (!directory) return null;
  return {
    html: readFileSync(`${directory}/index.html`, 'utf8'),
    script: readFileSync(`${directory}/dashboard.js`, 'utf8'),
  };
}
