/**
 * Page furniture that is not the article: cookie and consent banners, newsletter boxes, share
 * bars, dialogs. Readability's own `unlikelyCandidates` misses most of these (it keeps any
 * element whose class also says `content` or `article`, and knows no `cookie` or `newsletter`).
 *
 * The rules, in order of confidence:
 * 1. `role="dialog"`/`alertdialog`, `aria-modal="true"`: overlays, never article text.
 * 2. class, id or aria-label words (split at `-`, `_`, spaces and case changes) naming furniture.
 * 3. small blocks whose text is a cookie notice or a newsletter call to action.
 * An element holding most of the page's paragraphs is never removed (see `removeBoilerplate`).
 */

/**
 * Words that name nothing but a consent box: safe to act on without seeing the page's
 * paragraphs (the plain-text path reads the page in one pass).
 */
const CONSENT_WORDS = new Set([
  'cookie',
  'cookies',
  'consent',
  'gdpr',
  'ccpa',
  'onetrust',
  'cookiebot',
  'didomi',
]);

const FURNITURE_WORDS = new Set([
  ...CONSENT_WORDS,
  'cmp',
  'quantcast',
  // newsletter and sign-up boxes
  'newsletter',
  'newsletters',
  'subscribe',
  'subscription',
  'signup',
  'optin',
  'paywall',
  'regwall',
  // share bars
  'share',
  'sharing',
  'sharebar',
  'addthis',
  'sharethis',
  'social',
  // overlays and ads
  'popup',
  'modal',
  'overlay',
  'interstitial',
  'advert',
  'advertisement',
  'ad',
  'ads',
  'adslot',
  'sponsored',
  'promo',
  // read-next lists
  'related',
  'recommended',
  'outbrain',
  'taboola',
]);

/** Pairs of words that name furniture only together ("sign up", "follow us"). */
const FURNITURE_PHRASES = [
  /\bsign\s?up\b/,
  /\bfollow\s?us\b/,
  /\bread\s?next\b/,
  /\bmore\s?stories\b/,
];

/** A tag's attributes, as htmlparser2 and the DOM both give them. */
export type Attributes = Record<string, string | undefined>;

/**
 * Blocks that furniture comes in. Inline elements are left alone: a `<a class="related-link">`
 * inside a paragraph is article text; `html`, `body`, `main` and `article` frame the page
 * whatever their class says (`<body class="has-cookie-banner">`).
 */
const FURNITURE_TAGS = new Set([
  'div',
  'section',
  'aside',
  'nav',
  'form',
  'dialog',
  'ul',
  'ol',
  'li',
  'p',
  'figure',
  'header',
  'footer',
  'iframe',
  'span',
  'button',
]);

const MAX_ATTRIBUTE_LENGTH = 500;

/** `cookieBanner share_bar js-newsletter-signup` → cookie, banner, share, bar, js, newsletter, signup. */
function wordsOf(value: string): string[] {
  return value
    .slice(0, MAX_ATTRIBUTE_LENGTH)
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/**
 * Rules 1 and 2: the element's own attributes say it is furniture. `consent-only` keeps to
 * overlays and consent boxes, for a caller that cannot check the element's paragraphs.
 */
export function isBoilerplateElement(
  tag: string,
  attributes: Attributes,
  scope: 'all' | 'consent-only' = 'all',
): boolean {
  if (!FURNITURE_TAGS.has(tag)) return false;
  const role = attributes.role?.toLowerCase();
  if (role === 'dialog' || role === 'alertdialog') return true;
  if (attributes['aria-modal']?.toLowerCase() === 'true') return true;
  const names = [
    attributes.class,
    attributes.id,
    attributes['aria-label'],
    attributes['data-component'],
  ]
    .filter((value): value is string => !!value)
    .join(' ');
  if (!names) return false;
  const words = wordsOf(names);
  if (scope === 'consent-only') return words.some((word) => CONSENT_WORDS.has(word));
  if (words.some((word) => FURNITURE_WORDS.has(word))) return true;
  const spaced = words.join(' ');
  return FURNITURE_PHRASES.some((phrase) => phrase.test(spaced));
}

/** Rule 3: a cookie notice or newsletter call to action, by its words. */
const FURNITURE_TEXT =
  /\b(?:we use cookies|this (?:web)?site uses cookies|accept (?:all )?cookies|cookie (?:policy|settings|preferences)|manage (?:your )?(?:cookie|consent|privacy) (?:settings|preferences)|sign up for (?:our|the) (?:\w+ )?newsletter|subscribe to (?:our|the) (?:\w+ )?newsletter|get (?:our|the) (?:\w+ )?newsletter|enter your email|share (?:this|on) (?:article|story|page|facebook|twitter|linkedin|x)\b)/i;

/** Text longer than this is article text that mentions cookies, not a banner. */
export const MAX_FURNITURE_TEXT_LENGTH = 600;

export function isBoilerplateText(text: string): boolean {
  const collapsed = text.replace(/\s+/g, ' ').trim();
  return collapsed.length <= MAX_FURNITURE_TEXT_LENGTH && FURNITURE_TEXT.test(collapsed);
}

/** The DOM surface used here: linkedom's elements have it, so do the browser's. */
interface DomElement {
  tagName: string;
  getAttribute(name: string): string | null;
  textContent: string | null;
  parentElement: DomElement | null;
  querySelectorAll(selector: string): ArrayLike<DomElement>;
  remove(): void;
}

interface DomDocument {
  querySelectorAll(selector: string): ArrayLike<DomElement>;
}

/** Rule 3 reads paragraphs only: reading every block's text would cost the page's size per block. */
const TEXT_BLOCKS = 'p';

const RULE_ATTRIBUTES = ['class', 'id', 'role', 'aria-label', 'aria-modal', 'data-component'];
const WITH_RULE_ATTRIBUTES = RULE_ATTRIBUTES.map((name) => `body [${name}]`).join(', ');

function attributesOf(element: DomElement): Attributes {
  const attributes: Attributes = {};
  for (const name of RULE_ATTRIBUTES) attributes[name] = element.getAttribute(name) ?? undefined;
  return attributes;
}

/**
 * Removes furniture from the parsed page before Readability reads it; returns how many elements
 * went. An element is kept when it holds at least half of the page's paragraphs (a theme that
 * puts `share-enabled` on the article's own wrapper), and work is capped at `maxElements`.
 */
export function removeBoilerplate(document: DomDocument, maxElements = 20_000): number {
  const paragraphs = document.querySelectorAll('p').length;
  const bodyText = document.querySelectorAll('body')[0]?.textContent?.length ?? 0;
  // Paragraphs, or (for a page that sets its text in <div>s) characters.
  const holdsTheArticle = (element: DomElement): boolean =>
    (paragraphs >= 2 && element.querySelectorAll('p').length * 2 >= paragraphs) ||
    (bodyText > 0 && (element.textContent?.length ?? 0) * 2 >= bodyText);
  const elements = document.querySelectorAll(WITH_RULE_ATTRIBUTES);
  const doomed: DomElement[] = [];
  const limit = Math.min(elements.length, maxElements);
  for (let index = 0; index < limit; index++) {
    const element = elements[index];
    const tag = element.tagName.toLowerCase();
    if (
      FURNITURE_TAGS.has(tag) &&
      isBoilerplateElement(tag, attributesOf(element)) &&
      !holdsTheArticle(element)
    )
      doomed.push(element);
  }
  for (const element of doomed) element.remove();

  const blocks = document.querySelectorAll(TEXT_BLOCKS);
  const textDoomed: DomElement[] = [];
  for (let index = 0; index < Math.min(blocks.length, maxElements); index++) {
    const block = blocks[index];
    const text = block.textContent ?? '';
    if (text.length > MAX_FURNITURE_TEXT_LENGTH || !isBoilerplateText(text)) continue;
    // Words alone are weak evidence: inside the article they may be the article's own.
    if (insideArticle(block)) continue;
    textDoomed.push(block);
  }
  for (const block of textDoomed) block.remove();
  return doomed.length + textDoomed.length;
}

function insideArticle(element: DomElement): boolean {
  for (let current = element.parentElement; current; current = current.parentElement) {
    const tag = current.tagName.toLowerCase();
    if (tag === 'article' || tag === 'main') return true;
    if (current.getAttribute('role')?.toLowerCase() === 'main') return true;
  }
  return false;
}
