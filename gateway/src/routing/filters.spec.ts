import { describe, expect, it } from '@jest/globals';
import type { EventData } from '@herald/contracts';
import { eventScope } from './event-scope.js';
import { filterFacts, filterReason } from './filters.js';
import { heraldEvent, snapshotInput } from './routing.fixture.js';
import { buildSnapshot } from './snapshot.js';
import type { ColumnFilter } from './snapshot-input.js';

const snapshot = buildSnapshot(
  snapshotInput({
    productTypes: [
      { id: '1', name: 'Internal' },
      { id: '3', name: 'Customer' },
    ],
    products: [{ id: '7', name: 'Web', product_type_id: '3' }],
  }),
);

function reason(filter: ColumnFilter | undefined, data: Partial<EventData>): string | undefined {
  const event = heraldEvent('scan_added', data);
  return filterReason(filter, filterFacts(event, eventScope(event.data, snapshot)));
}

describe('filterReason', () => {
  const cases: ReadonlyArray<readonly [string, ColumnFilter | undefined, Partial<EventData>, string | undefined]> = [
    ['no filter passes', undefined, {}, undefined],
    ['an empty filter passes', {}, {}, undefined],
    ['severity equal to the minimum passes', { min_severity: 'High' }, { severity: 'High' }, undefined],
    ['severity above the minimum passes', { min_severity: 'High' }, { severity: 'Critical' }, undefined],
    ['severity below the minimum is filtered', { min_severity: 'High' }, { severity: 'Low' }, 'severity Low is below High'],
    ['Info is below Low', { min_severity: 'Low' }, { severity: 'Info' }, 'severity Info is below Low'],
    [
      'no severity is filtered when one is asked for',
      { min_severity: 'Medium' },
      {},
      'the event has no severity (the filter asks for Medium or above)',
    ],
    [
      'finding.severity counts when data.severity is absent',
      { min_severity: 'High' },
      { finding: { id: '1', name: 'XSS', severity: 'Medium' } },
      'severity Medium is below High',
    ],
    [
      'data.severity wins over finding.severity',
      { min_severity: 'High' },
      { severity: 'Critical', finding: { id: '1', name: 'XSS', severity: 'Low' } },
      undefined,
    ],
    [
      'a finding severity outside the scale is no severity',
      { min_severity: 'Info' },
      { finding: { id: '1', name: 'XSS', severity: 'S1' } },
      'the event has no severity (the filter asks for Info or above)',
    ],
    [
      'product type from the directory passes',
      { product_types: ['3'] },
      { product: { id: '7', name: 'Web', product_type_id: '9' } },
      undefined,
    ],
    [
      'product type not listed is filtered',
      { product_types: ['1', '2'] },
      { product: { id: '7', name: 'Web' } },
      'product type 3 is not in [1, 2]',
    ],
    ['a product-type scope counts', { product_types: ['1'] }, { product_type: { id: '1', name: 'Internal' } }, undefined],
    [
      'no product type is filtered when one is asked for',
      { product_types: ['1'] },
      {},
      'the event has no product type (the filter asks for [1])',
    ],
    ['one matching tag passes', { tags_any: ['pci', 'gdpr'] }, { tags: ['internal', 'gdpr'] }, undefined],
    ['no matching tag is filtered', { tags_any: ['pci'] }, { tags: ['internal'] }, 'no tag in [pci]'],
    ['no tags at all is filtered', { tags_any: ['pci'] }, {}, 'no tag in [pci]'],
    ['tags compare exactly', { tags_any: ['pci'] }, { tags: ['PCI'] }, 'no tag in [pci]'],
    [
      'every clause must pass; severity is reported first',
      { min_severity: 'High', product_types: ['1'], tags_any: ['pci'] },
      { severity: 'Low', tags: [] },
      'severity Low is below High',
    ],
    [
      'then product type',
      { min_severity: 'High', product_types: ['1'], tags_any: ['pci'] },
      { severity: 'High', product: { id: '7', name: 'Web' } },
      'product type 3 is not in [1]',
    ],
    [
      'then tags',
      { min_severity: 'High', product_types: ['3'], tags_any: ['pci'] },
      { severity: 'High', product: { id: '7', name: 'Web' }, tags: ['gdpr'] },
      'no tag in [pci]',
    ],
  ];

  it.each(cases)('%s', (_name, filter, data, expected) => {
    expect(reason(filter, data)).toBe(expected);
  });
});
