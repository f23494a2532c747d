export { createConnector } from './registry.js';
export { CsvSource, sniffDelimiter, detectBom } from './csv/csv-source.js';
export { CsvParser } from './csv/csv-parser.js';
export { HttpSource } from './http/http-source.js';
export { SqlSource } from './sql/sql-source.js';
export { XlsxSource } from './xlsx/xlsx-source.js';
export type { SourceConnector, SourceBatch, Cursor } from './connector.js';
