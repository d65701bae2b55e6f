// Dockerfile lint (no Docker daemon here): bases pinned by major, never latest; multi-stage with npm ci + build
// first and npm ci --omit=dev last; non-root USER; HEALTHCHECK on /health; bubblewrap and python3; every COPY
// source exists and is not excluded by .dockerignore.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  type DockerInstruction,
  dockerfileProblems,
  exists,
  isDockerIgnored,
  parseDockerfile,
  ROOT,
  stagesOf,
} from './stack-files.js';

const DOCKERFILES = [
  { path: 'Dockerfile', context: '' },
  { path: 'docker/mlflow.Dockerfile', context: 'docker/' },
];

describe('the Dockerfile lint', () => {
  it.each(DOCKERFILES)('finds nothing wrong with $path', ({ path, context }) => {
    const ignore = exists(`${context}.dockerignore`)
      ? readFileSync(`${ROOT}${context}.dockerignore`, 'utf8')
      : '';
    const text = readFileSync(`${ROOT}${path}`, 'utf8');
    expect(dockerfileProblems(text, { context, ignore })).toEqual([]);
    // It saw what it checks (a parse that found nothing would find nothing wrong).
    expect(parseDockerfile(text).some((item) => item.instruction === 'FROM')).toBe(true);
  });

  it('finds each problem it lints for in a Dockerfile that has them all (negative control)', () => {
    const ignore = readFileSync(`${ROOT}.dockerignore`, 'utf8');
    const broken = [
      'FROM node:latest AS build',
      'COPY src ./src',
      'FROM node',
      'COPY --from=build /app/dist ./dist',
      'COPY test ./test',
      'COPY no-such-dir ./x',
      'USER root',
    ].join('\n');
    const problems = dockerfileProblems(broken, { context: '', ignore });
    expect(problems).toEqual([
      'line 1: base node:latest is not pinned by a version',
      'line 3: base node is not pinned by a version',
      'the final stage runs as root (no non-root USER)',
      'no HEALTHCHECK on /health in the final stage',
      'line 5: COPY source test is excluded by .dockerignore',
      'line 6: COPY source no-such-dir does not exist',
    ]);
  });
});

describe('Dockerfile (roma image)', () => {
  const instructions = parseDockerfile(readFileSync(`${ROOT}Dockerfile`, 'utf8'));
  const [first, ...rest] = stagesOf(instructions);
  const last = rest.at(-1)!;
  const runs = (stage: DockerInstruction[]) =>
    stage
      .filter((item) => item.instruction === 'RUN')
      .map((item) => item.args)
      .join('\n');

  it('builds in a first stage and installs production dependencies only in the last', () => {
    expect(rest.length).toBeGreaterThanOrEqual(1);
    expect(runs(first!)).toMatch(/npm ci\b/);
    expect(runs(first!)).toMatch(/npm run build/);
    expect(runs(last)).toMatch(/npm ci --omit=dev/);
    expect(last.some((item) => item.instruction === 'COPY' && /--from=build .*dist/.test(item.args))).toBe(
      true,
    );
  });

  it('installs bubblewrap and python3 for the process sandbox', () => {
    expect(runs(last)).toMatch(/apt-get install[^&]*bubblewrap/);
    expect(runs(last)).toMatch(/apt-get install[^&]*python3/);
  });

  it('keeps secrets, installs and local state out of the build context (the lint itself has a positive control)', () => {
    const ignore = readFileSync(`${ROOT}.dockerignore`, 'utf8');
    for (const path of ['node_modules', '.env', '.roma/roma.db', 'dist/src/cli/main.js', '.git']) {
      expect(isDockerIgnored(path, ignore), path).toBe(true);
    }
    expect(isDockerIgnored('.env.example', ignore)).toBe(false);
    expect(isDockerIgnored('src/cli/main.ts', ignore)).toBe(false);
  });
});
