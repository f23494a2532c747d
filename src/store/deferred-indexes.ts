import type { Knex } from 'knex';
import type { StoreDialect } from './store.js';

/** Indexes dropped for a load; {@link rebuild} builds them again, in the same transaction. */
export interface DeferredIndexes {
  /** The tables whose indexes were dropped (the ones that were empty). */
  readonly tables: readonly string[];
  rebuild(): Promise<void>;
}

interface IndexDef {
  table: string;
  /** The schema-qualified index, for `drop index`. */
  qualified: string;
  /** `create index …` as the catalog gives it. */
  def: string;
  /** Set when the index backs a constraint (primary key, unique): dropped and added as one. */
  constraint: string | null;
  constraintDef: string | null;
  qualifiedTable: string;
}

/**
 * On PostgreSQL and PGlite, drops the indexes (primary keys and unique constraints included) of
 * those `tables` that are empty, so that a load from empty inserts into bare heaps and each index
 * is built once, sorted, by {@link DeferredIndexes.rebuild}: a random insertion per row and per
 * index otherwise. A full run's match index (emptied first, ten million rows at a million records)
 * and a first full load of a master (hundreds of thousands of rows with random keys per table;
 * 210k customers: 3.4–3.7 s into the indexed table, 2.4 s loaded bare and indexed after, measured
 * alone) are loaded so.
 *
 * Must run inside `trx`: the drops take the empty tables' exclusive locks until it ends (readers
 * wait for the load instead of seeing the empty tables), and a rollback puts the indexes back. The
 * definitions come from the catalog, so they are the migrations' whatever those become. A
 * duplicate key still fails the transaction, when its constraint is built again. MySQL (InnoDB
 * tables are clustered on their primary key) keeps its indexes: nothing is dropped.
 */
export async function dropIndexesWhileEmpty(trx: Knex.Transaction, dialect: StoreDialect, tables: readonly string[]): Promise<DeferredIndexes> {
  if (dialect === 'mysql') return { tables: [], rebuild: async () => undefined };
  const empty: string[] = [];
  const filled = async (table: string): Promise<boolean> => ((await trx.raw('select exists (select 1 from ??) as filled', [table])).rows as { filled: boolean }[])[0]!.filled;
  for (const table of tables) {
    // A table with rows is left alone and unlocked (readers go on seeing it as it was). An empty
    // one is locked and looked at again, so that no row arrives between the look and the drops.
    if (await filled(table)) continue;
    await trx.raw('lock table ?? in access exclusive mode', [table]);
    if (!(await filled(table))) empty.push(table);
  }
  const defs: IndexDef[] = [];
  for (const table of empty) {
    const res = await trx.raw(
      `select format('%I.%I', n.nspname, i.relname) as qualified, format('%I.%I', n.nspname, c.relname) as qualified_table,
              pg_get_indexdef(i.oid) as def, con.conname as constraint, pg_get_constraintdef(con.oid) as constraint_def
         from pg_index x
         join pg_class c on c.oid = x.indrelid
         join pg_class i on i.oid = x.indexrelid
         join pg_namespace n on n.oid = i.relnamespace
         left join pg_constraint con on con.conindid = i.oid and con.conrelid = c.oid
        where c.oid = to_regclass(?)
        order by i.relname`,
      [table],
    );
    for (const r of res.rows as { qualified: string; qualified_table: string; def: string; constraint: string | null; constraint_def: string | null }[]) {
      defs.push({ table, qualified: r.qualified, qualifiedTable: r.qualified_table, def: r.def, constraint: r.constraint, constraintDef: r.constraint_def });
    }
  }
  for (const d of defs) {
    if (d.constraint) await trx.raw(`alter table ${d.qualifiedTable} drop constraint ??`, [d.constraint]);
    else await trx.raw(`drop index ${d.qualified}`);
  }
  return {
    tables: empty,
    async rebuild() {
      for (const d of defs) {
        if (d.constraint) await trx.raw(`alter table ${d.qualifiedTable} add constraint ?? ${d.constraintDef}`, [d.constraint]);
        else await trx.raw(d.def);
      }
    },
  };
}
