import { itemIdForUrl, itemIdForWorkPackage } from './item-id';

describe('item id namespaces', () => {
  const openProject = 'https://openproject.example.org';

  it('keeps work-package ids stable (the reference document and golden tests use them)', () => {
    expect(itemIdForWorkPackage(openProject, 7614)).toBe('66720087-aaf7-5d6b-ae8c-072d9430ecc3');
    expect(itemIdForWorkPackage(`${openProject}/`, 7614)).toBe(
      '66720087-aaf7-5d6b-ae8c-072d9430ecc3',
    );
  });

  it('a submission of a work package API URL cannot take over that work package item', () => {
    const apiUrl = `${openProject}/api/v3/work_packages/7614`;
    expect(itemIdForUrl(apiUrl)).not.toBe(itemIdForWorkPackage(openProject, 7614));
  });

  it('submission ids are deterministic v5 UUIDs', () => {
    expect(itemIdForUrl('https://a.example/x')).toBe(itemIdForUrl('https://a.example/x'));
    expect(itemIdForUrl('https://a.example/x')).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });
});
