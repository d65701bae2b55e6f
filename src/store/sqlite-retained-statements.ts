// Keeps better-sqlite3 statements reachable for the life of the process: on Node 24, better-sqlite3 12 aborts
// when the garbage collector finalizes a statement ("Assertion failed: (env) != nullptr",
// WiseLibs/better-sqlite3#1515). The store prepares a fixed set per opened database, so this stays small.
const retained: unknown[] = [];

export function retainStatements(statements: Iterable<unknown>): void {
  for (const statement of statements) retained.push(statement);
}
