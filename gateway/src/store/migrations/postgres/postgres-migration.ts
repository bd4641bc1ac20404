/**
 * One version of the PostgreSQL schema. The SQL lives in a TypeScript
 * module, not a `.sql` file, so that `tsc` carries it into `dist/` with the
 * code that runs it: no copy step in the build, and no path to get right
 * at run time, whatever the working directory.
 */
export interface PostgresMigration {
  /** 1, 2, 3, …: the order of application, recorded in schema_migrations. */
  readonly version: number;
  /** What the version does, in a few words. */
  readonly name: string;
  /** Statements run in one transaction with the others of the start. */
  readonly sql: string;
}
