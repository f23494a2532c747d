/** The closed set of error codes. A new code forces a decision in {@link isRetryable}. */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'CONFIG_NOT_FOUND'
  | 'SOURCE_NOT_FOUND'
  | 'SOURCE_UNAVAILABLE'
  | 'SOURCE_SCHEMA'
  | 'SOURCE_FAILURE_RATE'
  | 'STORE_QUERY'
  | 'STORE_CONNECT'
  | 'INPUT_INVALID'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'KEY_INVALID';

/** The one base error: a code from a closed set, a retryable flag and a cause. */
export class CrmEtlError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CrmEtlError';
    this.code = code;
    this.retryable = isRetryable(code);
  }
}

export function isRetryable(code: ErrorCode): boolean {
  switch (code) {
    case 'STORE_CONNECT':
    case 'STORE_QUERY':
    case 'SOURCE_UNAVAILABLE':
      return true;
    case 'CONFIG_INVALID':
    case 'CONFIG_NOT_FOUND':
    case 'SOURCE_NOT_FOUND':
    case 'SOURCE_SCHEMA':
    case 'SOURCE_FAILURE_RATE':
    case 'INPUT_INVALID':
    case 'NOT_FOUND':
    // Someone else changed the thing first (a configuration file): read it again, then decide.
    case 'CONFLICT':
    // A missing or wrong encryption key does not fix itself: the operator must set CRM_ETL_KEY.
    case 'KEY_INVALID':
      return false;
    default: {
      const never: never = code;
      return never;
    }
  }
}
