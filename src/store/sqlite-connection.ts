// Opens a connection to the store's SQLite file with the settings every connection of the store shares.
import Database from 'better-sqlite3';

export interface SqliteConnectionOptions {
  /** FULL fsyncs the WAL at every commit (survives a power cut); NORMAL survives a killed process only. */
  synchronous: 'FULL' | 'NORMAL';
  /** How long a write waits for another connection's lock before failing (retryable). */
  busyTimeoutMs: number;
}

export function connectSqlite(filePath: string, options: SqliteConnectionOptions): Database.Database {
  const database = new Database(filePath, { timeout: options.busyTimeoutMs });
  try {
    // exec, not pragma(): no statement object is left for the garbage collector (see retainStatements).
    database.exec('PRAGMA journal_mode = WAL');
    database.exec(`PRAGMA synchronous = ${options.synchronous}`);
    database.exec('PRAGMA foreign_keys = ON');
    return database;
  } catch (error) {
    database.close();
    throw error;
  }
}
