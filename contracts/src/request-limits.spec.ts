import { describe, expect, it } from '@jest/globals';
import { eventIdIssue, hasRequestBody, isJsonMediaType, pathIdIssue, unsupportedMediaTypeBody } from './request-limits.js';

describe('pathIdIssue', () => {
  it.each(['42', 'u-1', 'A.b_c~d:e@f', 'x'.repeat(128)])('accepts %s', (id) => {
    expect(pathIdIssue('id', id)).toBeUndefined();
  });

  it.each([
    ['', /^is empty$/],
    ['x'.repeat(129), /129 characters long, over the limit of 128/],
    ['a b', /characters/],
    ['a/b', /characters/],
    ['a\u0000', /characters/],
    ['é', /characters/],
  ])('refuses %j naming the parameter', (id, message) => {
    expect(pathIdIssue('userId', id)).toEqual({
      path: 'userId',
      message: expect.stringMatching(message),
      expected: '1 to 128 characters from A-Z a-z 0-9 . _ ~ : @ -',
    });
  });
});

describe('eventIdIssue', () => {
  it('accepts any printable id up to 256 characters', () => {
    expect(eventIdIssue('eventId', 'scan: 42/é')).toBeUndefined();
    expect(eventIdIssue('eventId', 'e'.repeat(256))).toBeUndefined();
  });

  it('refuses control characters and ids over 256 characters', () => {
    expect(eventIdIssue('eventId', 'a\nb')?.path).toBe('eventId');
    expect(eventIdIssue('eventId', 'e'.repeat(257))?.message).toBe('is 257 characters long, over the limit of 256');
  });
});

describe('JSON bodies', () => {
  it.each([
    ['application/json', true],
    ['application/json; charset=utf-8', true],
    ['Application/JSON', true],
    ['application/merge-patch+json', true],
    ['text/plain', false],
    ['application/x-www-form-urlencoded', false],
    ['multipart/form-data; boundary=x', false],
    [undefined, false],
  ])('%s is JSON: %s', (type, json) => {
    expect(isJsonMediaType(type)).toBe(json);
  });

  it('sees a body by Content-Length above 0 or chunked encoding', () => {
    expect(hasRequestBody({ 'content-length': '5' })).toBe(true);
    expect(hasRequestBody({ 'transfer-encoding': 'chunked' })).toBe(true);
    expect(hasRequestBody({ 'content-length': '0' })).toBe(false);
    expect(hasRequestBody({})).toBe(false);
  });

  it('the 415 body names the expected type and what was sent', () => {
    expect(unsupportedMediaTypeBody('text/plain')).toEqual({
      error: {
        code: 'unsupported_media_type',
        message: 'The request body must be JSON: send it with "Content-Type: application/json" (got Content-Type "text/plain")',
        details: [{ path: 'Content-Type', message: 'Content-Type "text/plain" is not JSON', expected: 'application/json' }],
      },
    });
  });
});
