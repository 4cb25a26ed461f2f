/** List query parameters: defaults, accepted values, and a 400 naming each bad parameter. */
import { describe, expect, it } from '@jest/globals';
import { encodeCursor } from '../cursor.js';
import { ApiError } from './api-error.js';
import { parseListParameters } from './list-query.js';

const parse = (query: string) => parseListParameters(new URLSearchParams(query));

function rejection(query: string): ApiError {
  try {
    parse(query);
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error(`"${query}" was accepted`);
}

describe('parseListParameters', () => {
  it('defaults to all alerts, 50 per page, from the newest', () => {
    expect(parse('')).toEqual({ unread: undefined, limit: 50, after: undefined });
  });

  it('reads unread, limit and cursor', () => {
    const position = { createdAt: new Date('2026-11-23T10:00:00.000Z'), id: 'x' };
    expect(parse(`unread=true&limit=200&cursor=${encodeCursor(position)}`)).toEqual({ unread: true, limit: 200, after: position });
    expect(parse('unread=false&limit=1')).toMatchObject({ unread: false, limit: 1 });
  });

  it.each<[string, string]>([
    ['unread=yes', 'unread'],
    ['unread=1', 'unread'],
    ['limit=0', 'limit'],
    ['limit=201', 'limit'],
    ['limit=2.5', 'limit'],
    ['limit=abc', 'limit'],
    ['limit=-1', 'limit'],
    ['cursor=garbage$', 'cursor'],
    ['limit=5&limit=6', 'limit'],
  ])('refuses %s with a 400 naming "%s"', (query, name) => {
    const error = rejection(query);
    expect(error.status).toBe(400);
    expect(error.code).toBe('validation_failed');
    expect(error.message).toContain(`"${name}"`);
    expect(error.details.map((d) => d.path)).toEqual([name]);
  });

  it('names every bad parameter at once', () => {
    expect(rejection('unread=maybe&limit=0').details.map((d) => d.path)).toEqual(['unread', 'limit']);
  });
});
