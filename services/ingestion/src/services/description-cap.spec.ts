import { capDescription } from './description-cap';

const paragraph = (index: number) =>
  `<p>Paragraph ${index} with <a href="https://x.example/${index}">a link</a> and ünïcödé.</p>`;

describe('capDescription', () => {
  it('leaves a description within the limit as it is', () => {
    const html = `${paragraph(1)}${paragraph(2)}`;
    expect(capDescription(html, 10_000)).toEqual({ html });
  });

  it('cuts a 900 KB description after the last whole paragraph that fits, and says so', () => {
    const paragraphs = Array.from({ length: 12_000 }, (_, index) => paragraph(index));
    const html = paragraphs.join('\n');
    expect(Buffer.byteLength(html)).toBeGreaterThan(900_000);
    const { html: capped, cut } = capDescription(html, 200 * 1024);
    expect(Buffer.byteLength(capped)).toBeLessThanOrEqual(200 * 1024);
    expect(Buffer.byteLength(capped)).toBeGreaterThan(190 * 1024);
    expect(html.startsWith(capped)).toBe(true);
    expect(capped.endsWith('</p>')).toBe(true);
    expect(cut).toEqual({
      originalBytes: Buffer.byteLength(html),
      keptBytes: Buffer.byteLength(capped),
    });
  });

  it('descends into one huge wrapper and closes it', () => {
    const inner = Array.from({ length: 2_000 }, (_, index) => paragraph(index)).join('');
    const { html: capped } = capDescription(
      `<div class="wrap"><section>${inner}</section></div>`,
      10_000,
    );
    expect(Buffer.byteLength(capped)).toBeLessThanOrEqual(10_000);
    expect(capped).toMatch(/^<div class="wrap"><section><p>Paragraph 0 /);
    expect(capped).toMatch(/<\/p><\/section><\/div>$/);
  });

  it('keeps entities as written', () => {
    const html = `<p>a &amp; b &lt;c&gt;</p>${'<p>filler filler filler</p>'.repeat(100)}`;
    expect(capDescription(html, 200).html.startsWith('<p>a &amp; b &lt;c&gt;</p>')).toBe(true);
  });
});
