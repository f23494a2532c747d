import pino, { type Logger } from 'pino';

/**
 * Paths that may hold personal data. pino censors them wherever they appear in a log object,
 * so a value never reaches a log line even when someone logs a record by mistake.
 */
export const REDACT_PATHS = [
  'values',
  'record',
  'raw',
  'fields',
  '*.values',
  '*.record',
  '*.raw',
  '*.fields',
  ...[
    'full_name', 'given_name', 'family_name', 'email', 'phone', 'birth_date', 'national_id', 'tax_id',
    'address_line1', 'address_line2', 'postal_code',
  ].flatMap((f) => [f, `*.${f}`]),
];

/** The process logger: JSON lines on stderr (stdout carries command output), personal data redacted. */
export function createLogger(level: string = 'warn'): Logger {
  return pino({ level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, pino.destination(2));
}
