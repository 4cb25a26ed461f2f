/**
 * Limits every Herald HTTP API applies before a request reaches a handler (SPEC §7), shared by the
 * gateway and plugin APIs so both answer the same way:
 *
 * - Path ids (`/users/{id}`, `/webhooks/{id}`, …): 1 to `MAX_PATH_ID_LENGTH` characters from
 *   `A–Z a–z 0–9 . _ ~ : @ -`. Event ids in `/events/{id}/…` follow the envelope's rule instead
 *   (at most 256 characters, no control characters), so every accepted event can be looked up.
 * - Request bodies: JSON only (`application/json` or `application/*+json`), else 415.
 */
import type { ValidationIssue } from './errors.js';
import { MAX_EVENT_ID_LENGTH } from './envelope.js';

/** Longest path id, characters. */
export const MAX_PATH_ID_LENGTH = 128;

/** Characters a path id may use. */
export const PATH_ID_PATTERN = /^[A-Za-z0-9._~:@-]+$/;

const CONTROL = /[\u0000-\u001f\u007f]/;

/** The issue with a path id, naming the parameter, or `undefined` when it is acceptable. */
export function pathIdIssue(name: string, value: string): ValidationIssue | undefined {
  if (value.length === 0 || value.length > MAX_PATH_ID_LENGTH || !PATH_ID_PATTERN.test(value)) {
    return {
      path: name,
      message:
        value.length === 0
          ? 'is empty'
          : value.length > MAX_PATH_ID_LENGTH
            ? `is ${value.length} characters long, over the limit of ${MAX_PATH_ID_LENGTH}`
            : `${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)} contains characters ids may not use`,
      expected: `1 to ${MAX_PATH_ID_LENGTH} characters from A-Z a-z 0-9 . _ ~ : @ -`,
    };
  }
  return undefined;
}

/** Like `pathIdIssue`, for an event id (the envelope's `id` rule). */
export function eventIdIssue(name: string, value: string): ValidationIssue | undefined {
  if (value.length === 0 || value.length > MAX_EVENT_ID_LENGTH || CONTROL.test(value)) {
    return {
      path: name,
      message:
        value.length > MAX_EVENT_ID_LENGTH
          ? `is ${value.length} characters long, over the limit of ${MAX_EVENT_ID_LENGTH}`
          : 'is empty or contains control characters',
      expected: `an event id: 1 to ${MAX_EVENT_ID_LENGTH} characters, no control characters`,
    };
  }
  return undefined;
}

/** The body types Herald's APIs accept. */
export const JSON_MEDIA_TYPE = 'application/json';

/** True for `application/json` and `application/<x>+json`, with or without parameters. */
export function isJsonMediaType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  return type === JSON_MEDIA_TYPE || /^application\/[a-z0-9.+-]+\+json$/.test(type);
}

/** True when an HTTP request carries a body (a `Content-Length` above 0 or chunked encoding). */
export function hasRequestBody(headers: { readonly [name: string]: string | string[] | undefined }): boolean {
  const length = headers['content-length'];
  if (typeof length === 'string' && length.trim() !== '' && Number(length) > 0) return true;
  return headers['transfer-encoding'] !== undefined;
}

/** The 415 answer every API gives for a body that is not JSON (SPEC §7 error shape). */
export function unsupportedMediaTypeBody(contentType: string | undefined): {
  error: { code: string; message: string; details: ValidationIssue[] };
} {
  const got = contentType === undefined || contentType === '' ? 'no Content-Type' : `Content-Type "${contentType}"`;
  return {
    error: {
      code: 'unsupported_media_type',
      message: `The request body must be JSON: send it with "Content-Type: ${JSON_MEDIA_TYPE}" (got ${got})`,
      details: [{ path: 'Content-Type', message: `${got} is not JSON`, expected: JSON_MEDIA_TYPE }],
    },
  };
}
