import sanitizeHtml from 'sanitize-html';
import { expectInertMarkdown, HOSTILE_BODIES, renderMarkdownBody } from '@curation/testing';
import {
  ARTICLE_ALLOWED_ATTRIBUTES,
  ARTICLE_ALLOWED_SCHEMES,
  ARTICLE_ALLOWED_TAGS,
} from './article-html';
import {
  markdownInertHtml,
  markdownInertParagraphs,
  markdownInertText,
} from './markdown-inert-html';

function sanitised(html: string): string {
  return sanitizeHtml(html, {
    allowedTags: ARTICLE_ALLOWED_TAGS,
    allowedAttributes: ARTICLE_ALLOWED_ATTRIBUTES,
    allowedSchemes: ARTICLE_ALLOWED_SCHEMES,
  });
}

describe('hostile Markdown corpus: markdownInertHtml', () => {
  it.each(HOSTILE_BODIES)('$name: renders inert with the same visible text', (hostile) => {
    const body = markdownInertHtml(sanitised(hostile.html));
    expectInertMarkdown(body, body, hostile.visibleText);
  });

  it.each(HOSTILE_BODIES)('$name: applying the rule again changes nothing', (hostile) => {
    const body = markdownInertHtml(sanitised(hostile.html));
    expect(markdownInertHtml(body)).toBe(body);
  });

  it('keeps clean article HTML byte for byte, entities such as &nbsp; included', () => {
    const html =
      '<p>NHSX&nbsp;&nbsp; said &amp; did.</p><p>The <a href="https://www.nhsx.nhs.uk/a/">‘What Good Looks Like’ framework</a> <em>now</em>.</p>';
    expect(markdownInertHtml(html)).toBe(html);
  });

  it('gives text before the first block a paragraph, so the body opens an HTML block', () => {
    expect(markdownInertHtml('  Lead <strong>bold</strong> <p>next</p>')).toBe(
      '<p>Lead <strong>bold</strong></p><p>next</p>',
    );
    expect(markdownInertHtml('\n\n<p>only</p>\n')).toBe('<p>only</p>');
  });

  it('shows the line breaks of pre as they were', () => {
    const body = markdownInertHtml('<pre>a\r\nb\rc\n\nd</pre>');
    expect(body).toBe('<pre>a&#10;b&#10;c&#10;&#10;d</pre>');
    expect(renderMarkdownBody(body).visibleText).toBe('a\nb\nc\n\nd');
  });

  it('escapes { in attribute values, which Hugo would read as a shortcode', () => {
    expect(markdownInertHtml('<p><a href="https://a.example/?q={{%25x%25}}">x</a></p>')).toBe(
      '<p><a href="https://a.example/?q=&#123;&#123;%25x%25}}">x</a></p>',
    );
  });
});

describe('hostile Markdown corpus: markdownInertParagraphs (plain-text descriptions)', () => {
  it('splits paragraphs at blank lines (LF, CR, CRLF) and makes each inert', () => {
    expect(
      markdownInertParagraphs(
        'One [x](javascript:alert(1))\r\rTwo {{< x >}}\r\n \r\nThree <b>&amp;</b>\nfour',
      ),
    ).toBe(
      '<p>One &#91;x&#93;(javascript:alert(1))</p><p>Two &#123;&#123;&lt; x &gt;}}</p><p>Three &lt;b&gt;&amp;amp;&lt;/b&gt; four</p>',
    );
  });

  it('escapes what HTML needs in text and nothing a reader would see differently', () => {
    expect(markdownInertText('a < b > c & "d" \'e\'\u00a0!*_`')).toBe(
      'a &lt; b &gt; c &amp; "d" \'e\'&nbsp;!*_`',
    );
  });
});
