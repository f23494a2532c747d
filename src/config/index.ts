export { loadConfig, parseConfig, expandEnv } from './load-config.js';
export { configSchema, sourceSchema, csvSourceSchema, matchingSchema } from './schema.js';
export type { Config, SourceConfig, CsvSourceConfig, MatchingConfig } from './schema.js';
