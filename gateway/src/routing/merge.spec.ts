import { describe, expect, it } from '@jest/globals';
import { deepFreeze } from './routing.fixture.js';
import { unionChannels, unionRows } from './merge.js';

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

  it.each([
    { rows: [[], [], []], expected: [] },
    { rows: [['mail', 'alert'], [], []], expected: ['mail', 'alert'] },
    { rows: [[], ['slack'], []], expected: ['slack'] },
    { rows: [[], [], ['alert', 'alert']], expected: ['alert'] },
    { rows: [['mail', 'mail', 'alert'], [], []], expected: ['mail', 'alert'] },
    { rows: [['mail'], ['alert', 'mail'], []], expected: ['mail', 'alert'] },
    { rows: [['mail'], [], ['slack', 'mail']], expected: ['mail', 'slack'] },
    { rows: [[], ['msteams'], ['alert', 'msteams']], expected: ['msteams', 'alert'] },
    {
      rows: [
        ['mail', 'alert'],
        ['alert', 'slack'],
        ['slack', 'webhooks'],
      ],
      expected: ['mail', 'alert', 'slack', 'webhooks'],
    },
  ])('unionRows(...$rows) = $expected, as unionChannels of the three', ({ rows, expected }) => {
    const [personal, product, system] = deepFreeze(rows) as [string[], string[], string[]];
    expect(unionRows(personal, product, system)).toEqual(expected);
    expect(unionRows(personal, product, system)).toEqual(unionChannels([personal, product, system]));
  });

  it('unionRows returns the only non-empty row itself when it repeats no channel, whichever row it is', () => {
    const only = deepFreeze(['mail', 'alert']);
    expect(unionRows(only, [], [])).toBe(only);
    expect(unionRows([], only, [])).toBe(only);
    expect(unionRows([], [], only)).toBe(only);
    expect(only).toEqual(['mail', 'alert']);
  });
});
