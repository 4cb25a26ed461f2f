import { describe, expect, it } from '@jest/globals';
import { deepFreeze } from './routing.fixture.js';
import { mergeRows, unionChannels } from './merge.js';
import type { EventChannels } from './snapshot-input.js';

describe('merge', () => {
  it.each([
    { lists: [], expected: [] },
    { lists: [['mail'], []], expected: ['mail'] },
    { lists: [['mail', 'alert'], ['alert', 'slack'], ['slack']], expected: ['mail', 'alert', 'slack'] },
  ])('unionChannels($lists) = $expected', ({ lists, expected }) => {
    expect(unionChannels(deepFreeze(lists))).toEqual(expected);
  });

  it('mergeRows is a union per column, scan_added_empty included, without touching its input', () => {
    const rows = deepFreeze<EventChannels[]>([
      { scan_added: ['mail'], scan_added_empty: [], other: ['alert'] },
      { scan_added: ['slack'], scan_added_empty: ['mail'] },
    ]);
    expect(mergeRows(rows)).toEqual({ scan_added: ['mail', 'slack'], scan_added_empty: ['mail'], other: ['alert'] });
    expect(rows).toEqual([
      { scan_added: ['mail'], scan_added_empty: [], other: ['alert'] },
      { scan_added: ['slack'], scan_added_empty: ['mail'] },
    ]);
  });
});
