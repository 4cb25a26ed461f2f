import { ApiError } from '../http/error.filter.js';

/** Returns the value, or throws 404 naming what was not found. */
export function found<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined) throw new ApiError(404, 'not_found', `${what} not found`);
  return value;
}
