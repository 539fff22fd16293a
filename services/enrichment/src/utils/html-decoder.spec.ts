import iconv from 'iconv-lite';
import { decodeHtml, detectCharset } from './html-decoder';

describe('decodeHtml', () => {
  it('decodes a windows-1252 page declared in the header', () => {
    const body = iconv.encode('<p>caf\u00e9 \u2018quoted\u2019 \u20ac5</p>', 'windows-1252');
    const decoded = decodeHtml(body, 'text/html; charset=windows-1252');
    expect(decoded).toEqual({ ok: true, html: '<p>café ‘quoted’ €5</p>', charset: 'windows-1252' });
  });

  it('reads ISO-8859-1 as windows-1252, as browsers do', () => {
    const body = iconv.encode('<p>\u2019</p>', 'windows-1252');
    expect(decodeHtml(body, 'text/html; charset=ISO-8859-1')).toMatchObject({
      ok: true,
      html: '<p>’</p>',
    });
  });

  it('finds the charset in <meta charset> and in http-equiv', () => {
    const sjis = iconv.encode(
      '<html><head><meta charset="Shift_JIS"></head><body>日本語</body></html>',
      'shift_jis',
    );
    expect(decodeHtml(sjis, 'text/html')).toMatchObject({ ok: true, charset: 'shift_jis' });
    expect((decodeHtml(sjis, 'text/html') as { html: string }).html).toContain('日本語');
    const latin = iconv.encode(
      '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-15"><p>\u20ac</p>',
      'iso-8859-15',
    );
    expect((decodeHtml(latin, undefined) as { html: string }).html).toContain('€');
  });

  it('prefers the BOM over everything and strips it', () => {
    const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('<p>é</p>')]);
    expect(decodeHtml(body, 'text/html; charset=windows-1252')).toEqual({
      ok: true,
      html: '<p>é</p>',
      charset: 'utf-8',
    });
  });

  it('falls back to UTF-8 for valid UTF-8 and windows-1252 otherwise', () => {
    expect(detectCharset(Buffer.from('<p>é</p>'), 'text/html')).toBe('utf-8');
    expect(detectCharset(Buffer.from([0x3c, 0x70, 0x3e, 0xe9, 0x3c]), 'text/html')).toBe(
      'windows-1252',
    );
  });

  it('ignores an unknown charset label', () => {
    expect(detectCharset(Buffer.from('<p>x</p>'), 'text/html; charset=x-made-up')).toBe('utf-8');
  });

  it('refuses a PDF, by content type or by its magic bytes', () => {
    const pdf = Buffer.from('%PDF-1.7\n...');
    expect(decodeHtml(pdf, 'application/pdf')).toEqual({
      ok: false,
      reason: expect.stringContaining('application/pdf') as string,
    });
    expect(decodeHtml(pdf, undefined)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('PDF') as string,
    });
  });

  it('accepts XHTML and refuses other types', () => {
    expect(decodeHtml(Buffer.from('<p/>'), 'application/xhtml+xml')).toMatchObject({ ok: true });
    expect(decodeHtml(Buffer.from('{}'), 'application/json')).toMatchObject({ ok: false });
    expect(decodeHtml(Buffer.from('GIF89a'), 'image/gif')).toMatchObject({ ok: false });
  });
});
