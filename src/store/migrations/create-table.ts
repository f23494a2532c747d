import type { Knex } from 'knex';

/**
 * Creates a table the same way in every dialect: on MySQL in `utf8mb4` with the binary
 * collation, so that keys compare like on PostgreSQL ('ABC' and 'abc' are two source keys).
 * Migrations use this helper; a released migration's behaviour must not change with it.
 */
export function createTable(knex: Knex, name: string, build: (t: Knex.CreateTableBuilder) => void): Knex.SchemaBuilder {
  const mysql = knex.client.dialect === 'mysql';
  return knex.schema.createTable(name, (t) => {
    if (mysql) {
      t.charset('utf8mb4');
      t.collate('utf8mb4_bin');
    }
    build(t);
  });
}
