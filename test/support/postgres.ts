import pg from "pg";

/** The PostgreSQL server tests create databases on (`.ci/run` starts one where there is none). */
export const TEST_POSTGRES_SERVER = process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

/** The server's URL with another database. */
export function databaseUrl(name: string): string {
  const url = new URL(TEST_POSTGRES_SERVER);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Runs statements on the server's maintenance database (CREATE and DROP DATABASE cannot run in a transaction). */
export async function onServer(...statements: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_SERVER });
  await client.connect();
  try {
    for (const statement of statements) await client.query(statement);
  } finally {
    await client.end();
  }
}

/** A name no other test run or test uses: the run's process, the time and a random part. */
export function uniqueDatabaseName(purpose: string): string {
  return `hotline_${purpose}_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
}

/** Drops a database, closing the connections a killed test left open. */
export function dropDatabase(name: string): Promise<void> {
  return onServer(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
}

/**
 * A fresh database copied from the run's migrated template (CREATE DATABASE … TEMPLATE takes tens
 * of milliseconds; migrating takes seconds). `cleanup` drops it.
 */
export async function freshPostgresDatabase(template: string): Promise<{ url: string; cleanup: () => Promise<void> }> {
  const name = uniqueDatabaseName("test");
  await onServer(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
  return { url: databaseUrl(name), cleanup: () => dropDatabase(name) };
}

/** Whether the test server runs on this machine (its processes and their ids are this machine's). */
export function testServerIsLocal(): boolean {
  return ["127.0.0.1", "localhost", "[::1]", ""].includes(new URL(TEST_POSTGRES_SERVER).hostname);
}

/** Whether a process of this machine with this id still runs. */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Drops the databases test runs that were killed left behind (their names carry the run's process
 * id: see uniqueDatabaseName). Only on a server of this machine, where those ids mean something.
 */
export async function dropDatabasesOfEndedRuns(): Promise<void> {
  if (!testServerIsLocal()) return;
  const client = new pg.Client({ connectionString: TEST_POSTGRES_SERVER });
  await client.connect();
  let names: string[];
  try {
    names = (await client.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'hotline\\_%'`)).rows.map((r) => r.datname);
  } finally {
    await client.end();
  }
  const ended = names.filter((name) => {
    const pid = Number(/^hotline_[a-z]+_(\d+)_/.exec(name)?.[1]);
    return Number.isInteger(pid) && pid > 0 && !running(pid);
  });
  for (const name of ended) await dropDatabase(name);
}
