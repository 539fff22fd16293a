import { extractMetadata, type DocumentShape, type ExtractedMetadata } from './metadata-extractor';
import { plainTextBody } from './plain-text-body';
import { extractReadableArticle } from './readable-body';

/** What one page may cost Readability; beyond it the page's plain text is the body. */
export interface ExtractionBudget {
  maxDepth: number;
  maxElements: number;
  bodyMaxBytes: number;
}

export interface MetadataTask {
  html: string;
  pageUrl: string;
}

export interface BodyTask extends MetadataTask {
  /** From the metadata pass of the same page. */
  shape: DocumentShape;
  budget: ExtractionBudget;
}

export interface ExtractedBody {
  /** Sanitised HTML paragraphs. */
  html: string;
  /** The first name of the readable body's byline, cleaned. */
  byline?: string;
  /** Every name of that byline (`A and B` → both). */
  bylineAuthors?: string[];
  /** `plain-text` when the page was over the depth or element budget. */
  method: 'readability' | 'plain-text';
  overBudget?: 'depth' | 'elements';
}

/** The metadata pass (one SAX pass, linear in the page); it also measures the page's shape. */
export function extractPageMetadata(task: MetadataTask): ExtractedMetadata {
  return extractMetadata(task.html, task.pageUrl);
}

/**
 * Readability's cost grows with nesting depth (8,500 nested `<div>`s: ~44 s) and, on linkedom,
 * with the element count (40,000 siblings: ~40 s): a page over either budget gets its plain text.
 */
export function extractPageBody(task: BodyTask): ExtractedBody {
  const { html, pageUrl, shape, budget } = task;
  const overBudget =
    shape.depth > budget.maxDepth
      ? 'depth'
      : shape.elements > budget.maxElements
        ? 'elements'
        : undefined;
  if (!overBudget) {
    const article = extractReadableArticle(html, pageUrl, budget.bodyMaxBytes, budget.maxElements);
    if (!article.overElementBudget)
      return {
        html: article.html,
        byline: article.byline,
        bylineAuthors: article.bylineAuthors,
        method: 'readability',
      };
  }
  return {
    html: plainTextBody(html, pageUrl, budget.bodyMaxBytes),
    method: 'plain-text',
    overBudget: overBudget ?? 'elements',
  };
}

/** Both passes in the calling thread: what the pool runs, for tests and the benchmark's baseline. */
export function extractPageInline(
  html: string,
  pageUrl: string,
  options: { body: boolean; budget: ExtractionBudget },
): { metadata: ExtractedMetadata; body?: ExtractedBody } {
  const metadata = extractPageMetadata({ html, pageUrl });
  if (!options.body) return { metadata };
  return {
    metadata,
    body: extractPageBody({ html, pageUrl, shape: metadata.shape, budget: options.budget }),
  };
}
