import { DomUtils, parseDocument } from 'htmlparser2';

type DomNode = ReturnType<typeof parseDocument>['children'][number];

export interface CappedDescription {
  html: string;
  /** Set when the description was cut: its size before and after, in UTF-8 bytes. */
  cut?: { originalBytes: number; keptBytes: number };
}

const bytes = (html: string) => Buffer.byteLength(html, 'utf8');
/** Serialised as written: entities neither decoded nor re-encoded. */
const AS_WRITTEN = { decodeEntities: false } as const;
const outerHtml = (nodes: DomNode | DomNode[]) => DomUtils.getOuterHTML(nodes, AS_WRITTEN);

/** The leading nodes that fit in `budget` bytes. */
function leadingNodesWithin(nodes: DomNode[], budget: number): { kept: DomNode[]; size: number } {
  const kept: DomNode[] = [];
  let size = 0;
  for (const node of nodes) {
    const whole = bytes(outerHtml(node));
    if (size + whole <= budget) {
      kept.push(node);
      size += whole;
      continue;
    }
    // Only an element that nothing before it fits next to is opened: otherwise the cut falls
    // between elements, never inside a paragraph.
    if (kept.length === 0 && DomUtils.isTag(node) && node.children.length > 0) {
      const shell = node.cloneNode(false);
      const shellSize = bytes(outerHtml(shell));
      const inner = leadingNodesWithin(node.children, budget - size - shellSize);
      if (inner.kept.length > 0) {
        shell.children = inner.kept;
        kept.push(shell);
        size += shellSize + inner.size;
      }
    }
    break;
  }
  return { kept, size };
}

/**
 * The curator's description within `maxBytes`, cut after the last whole element that fits (an
 * element cut open keeps its start and is closed), so every event carrying it stays far below
 * Kafka's 1 MB message limit instead of being refused for its size.
 */
export function capDescription(html: string, maxBytes: number): CappedDescription {
  const originalBytes = bytes(html);
  if (originalBytes <= maxBytes) return { html };
  const document = parseDocument(html, AS_WRITTEN);
  const capped = outerHtml(leadingNodesWithin(document.children, maxBytes).kept).trim();
  return { html: capped, cut: { originalBytes, keptBytes: bytes(capped) } };
}
