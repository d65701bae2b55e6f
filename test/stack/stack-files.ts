// Reading the stack's files for tests: docker-compose.yaml (YAML with merge keys), Dockerfiles, .dockerignore.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ComposeService {
  image?: string;
  build?: string | { context: string; dockerfile?: string };
  command?: string[] | string;
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test?: string[]; disable?: boolean };
  ports?: string[];
  volumes?: string[];
  restart?: string;
  profiles?: string[];
}

interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

export function readCompose(text = readFileSync(`${ROOT}docker-compose.yaml`, 'utf8')): ComposeFile {
  return parse(text, { merge: true }) as ComposeFile;
}

/** `${NAME:-default}` → the value from `env`, else the default (Compose's interpolation, the forms we use). */
export function interpolate(value: string, env: Record<string, string | undefined>): string {
  return value.replace(
    /\$\{([A-Z][A-Z0-9_]*)(?::([-?])([^}]*))?\}/g,
    (_, name: string, kind?: string, rest?: string) => {
      const set = env[name];
      if (set !== undefined && set !== '') return set;
      if (kind === '?') throw new Error(`${name}: ${rest}`);
      return kind === '-' ? (rest ?? '') : '';
    },
  );
}

export interface DockerInstruction {
  instruction: string;
  args: string;
  line: number;
}

/** Instructions of a Dockerfile, continuation lines joined, comments dropped. */
export function parseDockerfile(text: string): DockerInstruction[] {
  const instructions: DockerInstruction[] = [];
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index += 1) {
    const start = index;
    let line = lines[index]!;
    if (/^\s*(#|$)/.test(line)) continue;
    while (line.endsWith('\\') && index + 1 < lines.length) {
      index += 1;
      line = `${line.slice(0, -1)} ${lines[index]!.trim()}`;
    }
    const match = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line);
    if (match)
      instructions.push({ instruction: match[1]!.toUpperCase(), args: match[2]!.trim(), line: start + 1 });
  }
  return instructions;
}

/** True when `.dockerignore` keeps `path` (relative to the context) out of the build context. */
export function isDockerIgnored(path: string, ignoreText: string): boolean {
  let ignored = false;
  for (const raw of ignoreText.split('\n')) {
    const pattern = raw.trim();
    if (!pattern || pattern.startsWith('#')) continue;
    const negate = pattern.startsWith('!');
    const body = (negate ? pattern.slice(1) : pattern).replace(/^\/+|\/+$/g, '');
    const regex = new RegExp(
      `^${body
        .split('*')
        .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('[^/]*')}(/.*)?$`,
    );
    if (regex.test(path)) ignored = !negate;
  }
  return ignored;
}

export function exists(relativePath: string): boolean {
  return existsSync(`${ROOT}${relativePath}`);
}

/** The instructions of each build stage, in order. */
export function stagesOf(instructions: DockerInstruction[]): DockerInstruction[][] {
  const result: DockerInstruction[][] = [];
  for (const instruction of instructions) {
    if (instruction.instruction === 'FROM') result.push([]);
    result.at(-1)?.push(instruction);
  }
  return result;
}

/**
 * What the Dockerfile lint finds wrong with `text` (empty when nothing): a base not pinned by a version (a major
 * at least) or on `latest`, no non-root `USER` or no `HEALTHCHECK` on /health in the final stage, a `COPY`/`ADD`
 * source that does not exist under `context` or that `.dockerignore` keeps out of the build context.
 */
export function dockerfileProblems(
  text: string,
  {
    context,
    ignore,
    present = exists,
  }: { context: string; ignore: string; present?: (path: string) => boolean },
): string[] {
  const instructions = parseDockerfile(text);
  const problems: string[] = [];
  const froms = instructions.filter((item) => item.instruction === 'FROM');
  if (froms.length === 0) problems.push('no FROM');
  const stageNames = new Set(froms.map((item) => item.args.split(/\s+as\s+/i)[1]));
  for (const from of froms) {
    const image = from.args.split(/\s+/).find((part) => !part.startsWith('--'))!;
    if (stageNames.has(image)) continue;
    const tag = image.split('@')[0]!.split(':')[1] ?? '';
    if (!/^v?\d+/.test(tag) || /latest/.test(tag))
      problems.push(`line ${from.line}: base ${image} is not pinned by a version`);
  }
  const last = stagesOf(instructions).at(-1) ?? [];
  const user = last.filter((item) => item.instruction === 'USER').at(-1);
  if (!user || /^(root|0)(:|$)/.test(user.args))
    problems.push('the final stage runs as root (no non-root USER)');
  if (!last.some((item) => item.instruction === 'HEALTHCHECK' && /\/health/.test(item.args)))
    problems.push('no HEALTHCHECK on /health in the final stage');
  for (const copy of instructions.filter(
    (item) => item.instruction === 'COPY' || item.instruction === 'ADD',
  )) {
    if (/--from=/.test(copy.args)) continue;
    const parts = copy.args.split(/\s+/).filter((part) => !part.startsWith('--'));
    for (const source of parts.slice(0, -1)) {
      const clean = source.replace(/^\.\/?/, '').replace(/\/$/, '');
      if (!present(`${context}${clean}`))
        problems.push(`line ${copy.line}: COPY source ${source} does not exist`);
      else if (isDockerIgnored(clean, ignore))
        problems.push(`line ${copy.line}: COPY source ${source} is excluded by .dockerignore`);
    }
  }
  return problems;
}
