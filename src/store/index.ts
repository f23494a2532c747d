export { openStore } from './open-store.js';
export {
  STORE_DIALECTS,
  type RowSource,
  type Store,
  type StoreDialect,
  type StoreValue,
} from './store.js';
export { StoreQueryError } from './store-errors.js';
export { dialectOfUrl, maskStoreUrl, parseStoreUrl, type StoreLocation } from './store-url.js';
export {
  MIGRATIONS_TABLE,
  STORE_MIGRATIONS,
  type StoreMigration,
} from './migrations/migration-source.js';
