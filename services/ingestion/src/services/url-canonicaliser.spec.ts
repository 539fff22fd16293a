import { InvalidUrlError, canonicaliseUrl } from './url-canonicaliser';

describe('canonicaliseUrl', () => {
  it.each([
    ['lower-cases the host', 'https://WWW.Example.COM/Path', 'https://www.example.com/Path'],
    ['drops the fragment', 'https://example.com/a#section', 'https://example.com/a'],
    ['drops the default port', 'https://example.com:443/a', 'https://example.com/a'],
    ['keeps another port', 'http://example.com:8080/a', 'http://example.com:8080/a'],
    [
      'drops utm_* parameters and keeps the others in order',
      'https://example.com/a?b=1&utm_source=x&UTM_Medium=y&c=2',
      'https://example.com/a?b=1&c=2',
    ],
    ['drops a query left empty', 'https://example.com/a?utm_campaign=z', 'https://example.com/a'],
    [
      'leaves an untouched query as it was',
      'https://example.com/a?q=a+b%20c',
      'https://example.com/a?q=a+b%20c',
    ],
    ['trims blanks', '  https://example.com/a  ', 'https://example.com/a'],
  ])('%s', (_label, input, expected) => {
    expect(canonicaliseUrl(input)).toBe(expected);
  });

  it('gives the same form for variants of one URL', () => {
    expect(canonicaliseUrl('HTTPS://Example.com:443/x?utm_source=mail#top')).toBe(
      canonicaliseUrl('https://example.com/x'),
    );
  });

  it.each(['not a url', 'ftp://example.com/a', 'javascript:alert(1)'])('refuses %s', (input) => {
    expect(() => canonicaliseUrl(input)).toThrow(InvalidUrlError);
  });
});
