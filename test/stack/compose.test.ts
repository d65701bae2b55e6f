// docker-compose.yaml: valid against the Compose Specification JSON Schema (vendored), and wired right —
// every variable the code reads is passed, depends_on targets exist and can be waited for, mounted files exist,
// secrets come from .env, ports stay on 127.0.0.1.
import { readFileSync, statSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { ROMA_ENV_ALIASES, WELL_KNOWN_ENV } from '../../src/config/index.js';
import { exists, interpolate, ROOT, readCompose } from './stack-files.js';

function schemaValidator() {
  const schema = JSON.parse(readFileSync(`${ROOT}test/support/compose-spec/compose-spec.json`, 'utf8'));
  // The schema names draft-07 by a URL Ajv does not carry; it is draft-07 (Ajv's default dialect).
  delete schema.$schema;
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
  return ajv.compile(schema);
}

const compose = readCompose();
const services = compose.services;
const ROMA_SERVICES = ['roma-api', 'ptc', 'worker'];

/** Every service `name` waits for, directly or through the services it waits for. */
function waitsFor(name: string, seen = new Set<string>()): Set<string> {
  for (const target of Object.keys(services[name]?.depends_on ?? {})) {
    if (seen.has(target)) continue;
    seen.add(target);
    waitsFor(target, seen);
  }
  return seen;
}

describe('docker-compose.yaml', () => {
  it('is valid against the Compose Specification schema (and a broken copy is not)', () => {
    const validate = schemaValidator();
    expect(validate(compose), JSON.stringify(validate.errors, null, 2)).toBe(true);
    const broken = readCompose();
    (broken.services.redis as Record<string, unknown>).healthcheck = {
      test: 'redis-cli ping',
      retries: 'ten',
    };
    (broken.services as Record<string, unknown>)['bad service'] = { image: 1 };
    expect(validate(broken)).toBe(false);
  });

  it('has the seed stack: redis, postgres, minio (+ bucket setup), mlflow, roma-api, ptc and a scalable worker', () => {
    expect(Object.keys(services).sort()).toEqual(
      ['minio', 'minio-setup', 'mlflow', 'postgres', 'ptc', 'redis', 'roma-api', 'worker'].sort(),
    );
    expect(services.redis!.image).toMatch(/^redis:7/);
    expect(services.postgres!.image).toMatch(/^postgres:16/);
    expect(services['roma-api']!.command).toEqual(['serve', '--host', '0.0.0.0', '--port', '8000']);
    expect(services.ptc!.command?.slice(0, 2)).toEqual(['ptc', 'serve']);
    expect(services.worker!.command).toEqual(['worker']);
    // Scalable: nothing that two replicas would fight over.
    expect(services.worker).not.toHaveProperty('container_name');
    expect(services.worker!.ports ?? []).toEqual([]);
  });

  it('keeps MLflow runs in PostgreSQL (the database the init script creates) and artifacts in a MinIO bucket minio-setup makes', () => {
    const mlflow = services.mlflow!;
    const command = (mlflow.command as string[]).map((arg) => interpolate(arg, { POSTGRES_PASSWORD: 'p' }));
    const backend = command.find((arg) => arg.startsWith('--backend-store-uri='))!.split('=')[1]!;
    expect(new URL(backend)).toMatchObject({
      protocol: 'postgresql:',
      hostname: 'postgres',
      pathname: '/mlflow',
    });
    expect(readFileSync(`${ROOT}docker/postgres-init/01-mlflow-database.sql`, 'utf8')).toMatch(
      /CREATE DATABASE mlflow;/,
    );
    const artifacts = command.find((arg) => arg.startsWith('--artifacts-destination='))!.split('=')[1]!;
    expect(artifacts).toBe('s3://mlflow/');
    expect(command).toContain('--serve-artifacts');
    expect(new URL(mlflow.environment!.MLFLOW_S3_ENDPOINT_URL!).hostname).toBe('minio');
    const setup = JSON.stringify(services['minio-setup']);
    expect(setup).toContain('stack/mlflow');
    expect(setup).toContain('stack/$$S3_BUCKET');
    expect(Object.keys(mlflow.depends_on ?? {}).sort()).toEqual(['minio-setup', 'postgres']);
  });

  it('gives each roma service every variable the code reads, pointing at services of the stack', () => {
    for (const name of ROMA_SERVICES) {
      const environment = services[name]!.environment ?? {};
      // The well-known names, the short ROMA_* names and the scale-out switch the README names; the data
      // dir comes from the image's ENV (a volume is mounted there).
      const expected = [
        ...Object.keys(WELL_KNOWN_ENV),
        ...Object.keys(ROMA_ENV_ALIASES),
        'ROMA_QUEUE_STEPS',
      ].filter(
        (variable) => !(name === 'ptc' && variable === 'PTC_SERVICE_URL') && variable !== 'ROMA_DATA_DIR',
      );
      const missing = expected.filter((variable) => !(variable in environment));
      expect(missing, `${name} lacks`).toEqual([]);
      for (const variable of [
        'REDIS_URL',
        'DATABASE_URL',
        'S3_ENDPOINT',
        'MLFLOW_TRACKING_URI',
        'PTC_SERVICE_URL',
      ]) {
        const value = environment[variable];
        if (value === undefined) continue;
        const host = new URL(interpolate(value, { REDIS_PASSWORD: 'p', POSTGRES_PASSWORD: 'p' })).hostname;
        expect(services, `${name}.${variable} → ${host}`).toHaveProperty([host]);
        expect([...waitsFor(name)], `${name} waits (maybe through another service) for ${host}`).toContain(
          host,
        );
      }
    }
    expect(services['roma-api']!.environment).toHaveProperty('ROMA_API_KEYS');
    const dockerfile = readFileSync(`${ROOT}Dockerfile`, 'utf8');
    expect(dockerfile).toMatch(/^ENV .*\bROMA_DATA_DIR=\/data\b/m);
    for (const name of ROMA_SERVICES) expect(services[name]!.volumes).toContain('roma-data:/data');
  });

  it('waits only for what can be waited for: healthchecks, or one-shot jobs that exit', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const [target, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect(services, `${name} depends on ${target}`).toHaveProperty([target]);
        const dependency = services[target]!;
        if (condition === 'service_healthy') {
          expect(dependency.healthcheck?.test, `${target} needs a healthcheck for ${name}`).toBeDefined();
          expect(dependency.healthcheck?.disable).not.toBe(true);
        } else {
          expect(condition).toBe('service_completed_successfully');
          expect(dependency.restart, `${target} is one-shot`).toBe('no');
        }
      }
    }
  });

  it('mounts files that exist, declares its named volumes, builds from Dockerfiles that exist', () => {
    for (const service of Object.values(services)) {
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0]!;
        if (source.startsWith('./')) expect(exists(source.slice(2)), source).toBe(true);
        else expect(compose.volumes ?? {}, `named volume ${source}`).toHaveProperty([source]);
      }
      if (typeof service.build === 'string')
        expect(exists(`${service.build.replace(/^\.\/?/, '')}Dockerfile`)).toBe(true);
      else if (service.build) {
        const dockerfile = `${service.build.context.replace(/^\.\//, '')}/${service.build.dockerfile ?? 'Dockerfile'}`;
        expect(exists(dockerfile), dockerfile).toBe(true);
      }
    }
    expect(statSync(`${ROOT}docker/redis.conf`).isFile()).toBe(true);
  });

  it('keeps secrets in .env and ports on 127.0.0.1, and pins every image', () => {
    const dotEnvExample = readFileSync(`${ROOT}.env.example`, 'utf8');
    for (const [name, service] of Object.entries(services)) {
      for (const [variable, value] of Object.entries(service.environment ?? {})) {
        if (/PASSWORD|SECRET|_KEY|TOKEN/.test(variable)) {
          expect(String(value), `${name}.${variable} must come from .env`).toMatch(
            /^\$\{[A-Z_]+(:[-?][^}]*)?\}$/,
          );
        }
      }
      for (const port of service.ports ?? []) expect(port, `${name} port`).toMatch(/^127\.0\.0\.1:/);
      if (service.image && !service.build) {
        expect(service.image, `${name} image`).toMatch(/:[^:]*\d/);
        expect(service.image).not.toMatch(/:latest$/);
      }
    }
    const text = readFileSync(`${ROOT}docker-compose.yaml`, 'utf8');
    for (const [, variable] of text.matchAll(/\$\{([A-Z][A-Z0-9_]*)/g)) {
      expect(dotEnvExample, `.env.example documents ${variable}`).toMatch(
        new RegExp(`^#? ?${variable}=`, 'm'),
      );
    }
    // Without the passwords in .env, interpolation refuses to start rather than run with blanks.
    expect(() => interpolate(services.redis!.environment!.REDISCLI_AUTH!, {})).toThrow(/REDIS_PASSWORD/);
  });
});
