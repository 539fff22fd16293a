import iconv from 'iconv-lite';

const HTML_MEDIA_TYPES = new Set(['text/html', 'application/xhtml+xml']);
/** WHATWG: these labels all mean windows-1252, which iconv-lite otherwise decodes as strict Latin-1. */
const WINDOWS_1252_ALIASES = new Set([
  'iso-8859-1',
  'latin1',
  'l1',
  'ascii',
  'us-ascii',
  'iso8859-1',
  'cp819',
]);
const PRESCAN_BYTES = 4096;

export type DecodeOutcome =
  { ok: true; html: string; charset: string } | { ok: false; reason: string };

export function mediaTypeOf(contentType: string | undefined): string | undefined {
  const type = contentType?.split(';')[0].trim().toLowerCase();
  return type ? type : undefined;
}

/**
 * Turns a fetched body into text: HTML media types only; the charset comes from the BOM, then the
 * Content-Type header, then a `<meta>` prescan of the first bytes (as browsers do), else UTF-8 when
 * the bytes are valid UTF-8, else windows-1252.
 */
export function decodeHtml(body: Buffer, contentType: string | undefined): DecodeOutcome {
  const mediaType = mediaTypeOf(contentType);
  if (mediaType && !HTML_MEDIA_TYPES.has(mediaType)) {
    return {
      ok: false,
      reason: `unsupported content type ${mediaType}: only HTML pages can be enriched`,
    };
  }
  if (!mediaType && body.subarray(0, 5).toString('latin1') === '%PDF-') {
    return {
      ok: false,
      reason: 'unsupported content: the body is a PDF, only HTML pages can be enriched',
    };
  }
  const charset = detectCharset(body, contentType);
  const html = iconv.decode(body, charset, { stripBOM: true });
  return { ok: true, html, charset };
}

export function detectCharset(body: Buffer, contentType: string | undefined): string {
  const bom = charsetFromBom(body);
  if (bom) return bom;
  const fromHeader = usableCharset(/charset\s*=\s*["']?([^"';\s]+)/i.exec(contentType ?? '')?.[1]);
  if (fromHeader) return fromHeader;
  const fromMeta = usableCharset(prescanMeta(body), true);
  if (fromMeta) return fromMeta;
  return isValidUtf8(body) ? 'utf-8' : 'windows-1252';
}

function charsetFromBom(body: Buffer): string | undefined {
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) return 'utf-8';
  if (body[0] === 0xfe && body[1] === 0xff) return 'utf-16be';
  if (body[0] === 0xff && body[1] === 0xfe) return 'utf-16le';
  return undefined;
}

/** `<meta charset=x>` or `<meta http-equiv="content-type" content="...; charset=x">` in the first bytes. */
function prescanMeta(body: Buffer): string | undefined {
  const head = body.subarray(0, PRESCAN_BYTES).toString('latin1');
  for (const match of head.matchAll(/<meta\b[^>]*>/gi)) {
    const tag = match[0];
    const direct = /\bcharset\s*=\s*["']?([^"'\s/>;]+)/i.exec(tag);
    if (direct) return direct[1];
  }
  return undefined;
}

function usableCharset(label: string | undefined, fromMeta = false): string | undefined {
  if (!label) return undefined;
  const normalised = label.trim().toLowerCase();
  if (WINDOWS_1252_ALIASES.has(normalised)) return 'windows-1252';
  // A page that declares UTF-16 in a meta tag is ASCII-compatible text by then: WHATWG reads it as UTF-8.
  if (fromMeta && normalised.startsWith('utf-16')) return 'utf-8';
  return iconv.encodingExists(normalised) ? normalised : undefined;
}

function isValidUtf8(body: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(body);
    return true;
  } catch {
    return false;
  }
}
