import { z } from 'zod';
import { baseSource } from '../source-base.js';

/**
 * Options of an `xlsx` source: one sheet of an Excel workbook (.xlsx), read as a stream.
 * Values arrive as trimmed text: dates as ISO `yyyy-mm-dd` (or `yyyy-mm-ddTHH:MM:SS` with a
 * time), numbers without float noise, formulas as their cached result, merged areas filled
 * with the merged value. See src/connectors/xlsx/xlsx-source.ts.
 */
export const xlsxSourceSchema = z.object({
  ...baseSource,
  kind: z.literal('xlsx'),
  /** The workbook file; relative paths resolve against the configuration file's folder. */
  path: z.string().min(1),
  /**
   * Sheet name, or 1-based position in the workbook's tab order. Default: the first sheet.
   * A string of digits that names no sheet is taken as a position.
   */
  sheet: z
    .union([z.string().min(1), z.number().int().positive()])
    .optional()
    .describe('sheet name or 1-based index; the first sheet when absent'),
  /**
   * 1-based row number of the header. Default: found, as the first row whose non-empty cells
   * are mostly text, that is about as wide as the table, and that has data below it.
   */
  header_row: z.number().int().positive().optional().describe('1-based header row; found when absent'),
});
export type XlsxSourceConfig = z.infer<typeof xlsxSourceSchema>;
