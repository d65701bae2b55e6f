// `roma schema export [dir]`: writes every contract as a JSON Schema file.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { contractJsonSchemas } from '../../contracts/index.js';

export function writeSchemaFiles(directory: string): string[] {
  mkdirSync(directory, { recursive: true });
  const written: string[] = [];
  for (const [name, schema] of Object.entries(contractJsonSchemas())) {
    const file = join(directory, `${name}.schema.json`);
    writeFileSync(file, `${JSON.stringify(schema, null, 2)}\n`);
    written.push(file);
  }
  return written;
}

export function registerSchemaCommand(program: Command): void {
  const schema = program.command('schema').description('contracts as JSON Schema');
  schema
    .command('export')
    .description('write each contract as a JSON Schema (draft 2020-12) file')
    .argument('[dir]', 'output directory', 'schemas')
    .action((dir: string) => {
      const files = writeSchemaFiles(resolve(dir));
      for (const file of files) console.log(file);
    });
}
