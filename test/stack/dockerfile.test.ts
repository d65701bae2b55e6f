// Dockerfile lint (no Docker daemon here): bases pinned by major, never latest; multi-stage with npm ci + build
// first and npm ci --omit=dev last; non-root USER; HEALTHCHECK on /health; bubblewrap and python3; every COPY
// source exists and is not excluded by .dockerignore.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type DockerInstruction, exists, isDockerIgnored, parseDockerfile, ROOT } from './stack-files.js';

const DOCKERFILES = [
  { path: 'Dockerfile', context: '' },
  { path: 'docker/mlflow.Dockerfile', context: 'docker/' },
];

function stages(instructions: DockerInstruction[]): DockerInstruction[][] {
  const result: DockerInstruction[][] = [];
  for (const instruction of instructions) {
    if (instruction.instruction === 'FROM') result.push([]);
    result.at(-1)?.push(instruction);
  }
  return result;
}

describe.each(DOCKERFILES)('$path', ({ path, context }) => {
  const instructions = parseDockerfile(readFileSync(`${ROOT}${path}`, 'utf8'));
  const stageNames = new Set(
    instructions.filter((item) => item.instruction === 'FROM').map((item) => item.args.split(/\s+as\s+/i)[1]),
  );

  it('pins each base image by a version (a major at least), never latest', () => {
    for (const from of instructions.filter((item) => item.instruction === 'FROM')) {
      const image = from.args.split(/\s+/)[0]!;
      if (stageNames.has(image)) continue;
      const tag = image.split(':')[1] ?? '';
      expect(tag, `line ${from.line}: ${image}`).toMatch(/^v?\d+/);
      expect(tag).not.toMatch(/latest/);
    }
  });

  it('runs as a non-root user and has a HEALTHCHECK', () => {
    const last = stages(instructions).at(-1)!;
    const user = last.filter((item) => item.instruction === 'USER').at(-1);
    expect(user, 'USER in the final stage').toBeDefined();
    expect(user!.args).not.toMatch(/^(root|0)(:|$)/);
    expect(last.some((item) => item.instruction === 'HEALTHCHECK' && /\/health/.test(item.args))).toBe(true);
  });

  it('copies only sources that exist and that .dockerignore lets into the context', () => {
    const ignore = exists(`${context}.dockerignore`)
      ? readFileSync(`${ROOT}${context}.dockerignore`, 'utf8')
      : '';
    for (const copy of instructions.filter(
      (item) => item.instruction === 'COPY' || item.instruction === 'ADD',
    )) {
      if (/--from=/.test(copy.args)) continue;
      const parts = copy.args.split(/\s+/).filter((part) => !part.startsWith('--'));
      for (const source of parts.slice(0, -1)) {
        const clean = source.replace(/^\.\/?/, '').replace(/\/$/, '');
        expect(exists(`${context}${clean}`), `line ${copy.line}: ${source} exists`).toBe(true);
        expect(isDockerIgnored(clean, ignore), `line ${copy.line}: ${source} is not ignored`).toBe(false);
      }
    }
  });
});

describe('Dockerfile (roma image)', () => {
  const instructions = parseDockerfile(readFileSync(`${ROOT}Dockerfile`, 'utf8'));
  const [first, ...rest] = stages(instructions);
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
