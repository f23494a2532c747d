import type { Store } from '../../src/store/store.js';

/**
 * A trigger on `table` that makes the store refuse inserted rows with `message`: every row, or
 * those whose `source_key` is `key`. How tests make a real write fail half way (PostgreSQL,
 * PGlite and MySQL alike). Named after the table; {@link allowInserts} drops it.
 */
export async function refuseInserts(store: Store, table: string, message: string, key?: string): Promise<void> {
  const name = `refuse_${table}`;
  if (store.dialect === 'mysql') {
    const signal = `signal sqlstate '45000' set message_text = '${message}'`;
    await store.knex.raw(`create trigger ${name} before insert on ${table} for each row ${key === undefined ? signal : `begin if new.source_key = '${key}' then ${signal}; end if; end`}`);
    return;
  }
  const check = key === undefined ? `raise exception '${message}';` : `if new.source_key = '${key}' then raise exception '${message}'; end if;`;
  await store.knex.raw(`create or replace function ${name}() returns trigger language plpgsql as $$ begin ${check} return new; end $$`);
  await store.knex.raw(`create trigger ${name} before insert on ${table} for each row execute function ${name}()`);
}

/** Drops the trigger {@link refuseInserts} made on `table`. */
export async function allowInserts(store: Store, table: string): Promise<void> {
  await store.knex.raw(store.dialect === 'mysql' ? `drop trigger refuse_${table}` : `drop trigger refuse_${table} on ${table}`);
}
