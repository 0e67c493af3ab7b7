import fc from 'fast-check';
import {
  CatalogueEntry,
  Catalogues,
  CHANGES_LISTED,
  configurationChanges,
  decodeIds,
  encodeIds,
  INVENTORY_LABEL_BYTES,
  INVENTORY_MAX_BYTES,
  inventoryOf,
  readIssueCounts,
} from '../../src/phase5/configuration';

/**
 * The inventory the 12-hour report keeps and the changes the 24-hour report
 * finds in it: compact enough for one KVS value on any site, and never a change
 * that did not happen.
 */

const RUNS = Number(process.env.PROPERTY_RUNS ?? 100);

const entries = (ids: number[], label = (id: number) => `Item ${id}`): CatalogueEntry[] =>
  ids.map((id) => ({ id: String(id), label: label(id) }));

const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

const catalogues = (over: Partial<Catalogues> = {}): Catalogues => ({
  projects: entries(range(10_000, 3)),
  custom_fields: range(10_000, 3).map((n) => ({ id: `customfield_${n}`, label: `Field ${n}` })),
  issue_types: entries(range(10_000, 3)),
  statuses: entries(range(10_000, 3)),
  ...over,
});

describe('ids kept as runs', () => {
  it('come back exactly as they went in, whatever they are', () => {
    const id = fc.oneof(
      fc.integer({ min: 0, max: 2 ** 40 }).map(String),
      fc.integer({ min: 10_000, max: 10_050 }).map(String),
      fc.string({ minLength: 1, maxLength: 6 }),
    );
    fc.assert(
      fc.property(fc.uniqueArray(id), (ids) => {
        const list = inventoryOf(catalogues({ statuses: ids.map((i) => ({ id: i, label: `s${i}` })) }), null).statuses!;
        const back = decodeIds(list.ids)!;
        expect(new Set(back)).toEqual(new Set(ids));
        expect(back).toHaveLength(ids.length);
        // Each label still belongs to its id.
        back.forEach((i, n) => expect(list.labels![n]).toBe(`s${i}`));
      }),
      { numRuns: RUNS },
    );
  });

  it('compress a site’s sequential ids to a handful of runs', () => {
    const ids = [...range(10_000, 2_990), 13_100, ...range(13_200, 9)].map(String);
    expect(encodeIds(ids)).toEqual([[10_000, 12_989], 13_100, [13_200, 13_208]]);
  });

  it('refuse what a hand edit or an older schema left, rather than guess', () => {
    expect(decodeIds('10000-10010')).toBeNull();
    expect(decodeIds([[5, 1]])).toBeNull();
    expect(decodeIds([{ id: 1 }])).toBeNull();
    expect(decodeIds([[0, 1e12]])).toBeNull();
  });
});

describe('the inventory stays well inside one KVS value', () => {
  it('drops the names of the largest list first when names would pass their budget', () => {
    const long = (id: number) => `A custom field with a long descriptive name, number ${id}`;
    const inventory = inventoryOf(
      catalogues({
        custom_fields: range(10_000, 3_000).map((n) => ({ id: `customfield_${n}`, label: long(n) })),
      }),
      null,
    );

    expect(inventory.custom_fields!.labels).toBeNull();
    expect(inventory.custom_fields!.ids).toEqual([[10_000, 12_999]]);
    expect(inventory.projects!.labels).toEqual(['Item 10000', 'Item 10001', 'Item 10002']);
    expect(JSON.stringify(inventory).length).toBeLessThan(INVENTORY_LABEL_BYTES);
  });

  it('drops a whole list when its ids alone are too many, and the 24-hour report says it could not compare it', () => {
    // Every other id: no runs to compress.
    const scattered = range(0, 40_000).map((i) => ({ id: `customfield_${10_000 + 2 * i}`, label: 'x' }));
    const inventory = inventoryOf(catalogues({ custom_fields: scattered }), null);

    expect(inventory.custom_fields).toBeNull();
    expect(inventory.projects).not.toBeNull();
    expect(JSON.stringify(inventory).length).toBeLessThanOrEqual(INVENTORY_MAX_BYTES);
    expect(configurationChanges(inventory, catalogues({ custom_fields: scattered })).custom_fields).toEqual({
      status: 'not_compared',
      reason: 'NOT_LISTED_12H',
    });
  });

  it('keeps each project’s issue count beside its id, only when the listing gave one for every project', () => {
    const counts = new Map([
      ['10000', 5],
      ['10001', 0],
      ['10002', 12],
    ]);
    expect(readIssueCounts(inventoryOf(catalogues(), counts))).toEqual(counts);
    expect(inventoryOf(catalogues(), new Map([['10000', 5]])).project_issue_counts).toBeNull();
  });
});

describe('changes between the two reports', () => {
  it('names what was added and removed, and finds nothing when nothing changed', () => {
    const before = inventoryOf(catalogues(), null);
    const after = catalogues({
      custom_fields: [
        { id: 'customfield_10000', label: 'Field 10000' },
        { id: 'customfield_10002', label: 'Field 10002' },
        { id: 'customfield_10003', label: 'Release Risk' },
      ],
      projects: [...entries(range(10_000, 3)), { id: '10003', label: 'LAUNCH', name: 'Launch Readiness' }],
    });

    const changes = configurationChanges(before, after);

    expect(changes.custom_fields).toEqual({
      added_count: 1,
      removed_count: 1,
      added: [{ id: 'customfield_10003', label: 'Release Risk' }],
      removed: [{ id: 'customfield_10001', label: 'Field 10001' }],
    });
    expect(changes.projects).toMatchObject({ added: [{ id: '10003', label: 'LAUNCH', name: 'Launch Readiness' }] });
    const none = { added_count: 0, removed_count: 0, added: [], removed: [] };
    expect(configurationChanges(before, catalogues())).toEqual({
      projects: none,
      custom_fields: none,
      issue_types: none,
      statuses: none,
    });
  });

  it('lists at most CHANGES_LISTED of each, and counts them all', () => {
    const before = inventoryOf(catalogues(), null);
    const changes = configurationChanges(before, catalogues({ statuses: entries(range(20_000, 100)) }));
    expect(changes.statuses).toMatchObject({ added_count: 100, removed_count: 3 });
    expect((changes.statuses as { added: unknown[] }).added).toHaveLength(CHANGES_LISTED);
  });

  it('does not compare a list this report could not read', () => {
    const before = inventoryOf(catalogues(), null);
    expect(configurationChanges(before, catalogues({ projects: null })).projects).toEqual({
      status: 'not_compared',
      reason: 'NOT_LISTED_NOW',
    });
  });
});
