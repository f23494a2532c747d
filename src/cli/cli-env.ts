import type { Config } from '../config/schema.js';
import type { Store } from '../store/store.js';

/** What command modules get from main: the configuration and a store opened the way every command opens it. */
export interface CliEnv {
  /** Loads the configuration (-c FILE, default ./crm-etl.yaml). */
  loadConfig(file: string | undefined): Promise<Config>;
  /** Loads the configuration, opens and migrates its store (with the CRM_ETL_KEY cipher), runs `fn`, closes. */
  withStore<T>(file: string | undefined, fn: (store: Store, config: Config) => Promise<T>): Promise<T>;
  /** The configuration file -c names, or the default one (CONFIG_NOT_FOUND when there is none). */
  configPath(file: string | undefined): string;
  /** Opens and migrates the store of an already loaded configuration for `fn`, then closes it. */
  withConfigStore<T>(config: Config, fn: (store: Store) => Promise<T>): Promise<T>;
  /** The process environment, read once at start-up. */
  env: Readonly<Record<string, string | undefined>>;
}
