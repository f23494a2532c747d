export { scoreQuality } from './scores.js';
export type { QualityReport, QualityRow, Dimension } from './scores.js';
