import { slugify } from '@curation/content';
import { deriveFields } from './derived-fields.util';

describe('deriveFields', () => {
  it('matches the reference document', () => {
    expect(
      deriveFields(
        'https://www.healthcareitnews.com/news/emea/nhsx-sets-out-digital-guidance-nhs-trusts',
        'NHSX sets out digital guidance for NHS trusts',
      ),
    ).toEqual({
      brand: 'healthcareitnews.com',
      slug: 'healthcareitnews-nhsx-sets-out-digital-guidance-for-nhs-trusts',
    });
  });

  it('uses the registrable domain under multi-part public suffixes and subdomains', () => {
    expect(deriveFields('https://news.bbc.co.uk/x', 'Héllo, World!')).toEqual({
      brand: 'bbc.co.uk',
      slug: 'bbc-hello-world',
    });
  });

  it('falls back to the host name for addresses', () => {
    expect(deriveFields('http://127.0.0.1:8080/x', 'T').brand).toBe('127.0.0.1');
  });

  it('drops apostrophes like the offering permalinks do', () => {
    expect(slugify("H1's HCP Universe")).toBe('h1s-hcp-universe');
    expect(slugify('Doktor.se')).toBe('doktor-se');
  });
});
