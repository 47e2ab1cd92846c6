import { Client } from 'pg';
import { createDatabase, databaseOf, dropDatabase, withDatabase } from './databases';

/** A server that knows `existing` databases and answers CREATE with `createError` when given. */
function fakeServer(existing: string[], createError?: Error & { code?: string }) {
  const statements: string[] = [];
  const admin = {
    query: (sql: string, params?: string[]) => {
      statements.push(sql);
      if (sql.startsWith('SELECT'))
        return Promise.resolve({ rowCount: existing.includes(params![0]) ? 1 : 0 });
      if (sql.startsWith('CREATE') && createError) return Promise.reject(createError);
      return Promise.resolve({ rowCount: 0 });
    },
  } as unknown as Client;
  return { admin, statements };
}

describe('databases', () => {
  it('creates a database only when it is missing, and says whether it did', async () => {
    const missing = fakeServer([]);
    await expect(createDatabase(missing.admin, 'orders')).resolves.toBe(true);
    expect(missing.statements.at(-1)).toBe('CREATE DATABASE "orders"');
    const present = fakeServer(['orders']);
    await expect(createDatabase(present.admin, 'orders')).resolves.toBe(false);
    expect(present.statements).toHaveLength(1);
  });

  it('takes a database another process created meanwhile as created, and fails on anything else', async () => {
    const raced = fakeServer(
      [],
      Object.assign(new Error('database "orders" already exists'), { code: '42P04' }),
    );
    await expect(createDatabase(raced.admin, 'orders')).resolves.toBe(false);
    const denied = fakeServer(
      [],
      Object.assign(new Error('permission denied to create database'), { code: '42501' }),
    );
    await expect(createDatabase(denied.admin, 'orders')).rejects.toThrow('permission denied');
  });

  it('quotes names as identifiers and ends the sessions of a database it drops', async () => {
    const server = fakeServer([]);
    await dropDatabase(server.admin, 'a "quoted" name');
    expect(server.statements).toEqual(['DROP DATABASE IF EXISTS "a ""quoted"" name" WITH (FORCE)']);
  });

  it('reads and replaces the database of a URL, keeping the rest', () => {
    const url = 'postgres://app:s%40cret@db.example:5433/orders?sslmode=require';
    expect(databaseOf(url)).toBe('orders');
    expect(withDatabase(url, 'postgres')).toBe(
      'postgres://app:s%40cret@db.example:5433/postgres?sslmode=require',
    );
  });
});
