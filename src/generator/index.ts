/**
 * Synthetic multi-source customer data for speed and quality benchmarks: `generateCustomers`
 * streams rows, `writeDataset` writes the CSV files, the truth and a matching config.yaml.
 */
export {
  generateCustomers,
  generateOptionsSchema,
  type GenerateOptions,
  type GeneratedRow,
  type GenerateSummary,
} from './generate-customers.js';
export {
  writeDataset,
  writeDatasetOptionsSchema,
  datasetConfig,
  csvField,
  formatLine,
  type WriteDatasetOptions,
  type DatasetSummary,
  type WrittenFile,
} from './write-dataset.js';
export { SOURCE_LAYOUTS, SOURCE_NAMES, type SourceLayout, type SourceName } from './sources.js';
export { formatPhone, type Phone, type PhoneStyle, type CountryCode } from './phones.js';
export { Rng, WeightedTable, deriveSeed } from './prng.js';
