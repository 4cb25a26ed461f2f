import { describe, expect, it } from '@jest/globals';
import { deepFreeze } from './routing.fixture.js';
import { unionChannels } from './merge.js';

describe('merge', () => {
  it.each([
    { lists: [], expected: [] },
    { lists: [[], []], expected: [] },
    { lists: [['mail'], []], expected: ['mail'] },
    { lists: [[], [], ['slack', 'mail', 'slack']], expected: ['slack', 'mail'] },
    { lists: [['mail', 'alert'], ['alert', 'slack'], ['slack']], expected: ['mail', 'alert', 'slack'] },
    { lists: [['mail'], [], ['mail']], expected: ['mail'] },
  ])('unionChannels($lists) = $expected', ({ lists, expected }) => {
    expect(unionChannels(deepFreeze(lists))).toEqual(expected);
  });

  it('returns the only non-empty list itself when it repeats no channel, never writing into it', () => {
    const only = deepFreeze(['mail', 'alert']);
    expect(unionChannels([[], only, []])).toBe(only);
    expect(only).toEqual(['mail', 'alert']);
  });
});
