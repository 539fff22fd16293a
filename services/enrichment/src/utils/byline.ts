/** More names than this in one byline is a list of something else. */
export const MAX_AUTHORS = 10;
/** A byline is one line; anything longer is cut before the patterns below run. */
const MAX_BYLINE_LENGTH = 400;
const MAX_NAME_LENGTH = 60;
const MAX_NAME_WORDS = 5;

const MONTH =
  '(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\\.?';
/** Full weekday names, or short ones with a comma ("Sun, Aug 1"): "Sun Li" is a name. */
const WEEKDAY =
  '(?:(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday),?|(?:mon|tue|tues|wed|thu|thurs|fri|sat|sun)\\.?,)';
const TIME_ZONE = '(?:utc|gmt|[ecmp][sd]t|bst|cet|cest|ist|aest|aedt)';

/** Dates, times and reading times, as news sites print them next to the author. */
const DATE_PATTERNS: RegExp[] = [
  // "Published", "Updated on", "Last modified:" before a date (removed by the patterns below).
  /\b(?:(?:last|first)\s+)?(?:published|updated|modified)\b(?:\s+on)?\s*:?/gi,
  // 2021-08-31T10:44:14-04:00, 2021-08-31
  /\b\d{4}-\d{2}-\d{2}(?:[t\s]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:z|[+-]\d{2}:?\d{2})?)?\b/gi,
  // 08/31/2021, 31.08.21
  /\b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b/g,
  new RegExp(`\\b${WEEKDAY}\\s+`, 'gi'),
  // August 31, 2021 · Aug. 31 2021 · 31 August 2021 · August 2021
  new RegExp(`\\b${MONTH}\\s+\\d{1,2}(?:st|nd|rd|th)?,?(?:\\s+\\d{4})?\\b`, 'gi'),
  new RegExp(`\\b\\d{1,2}(?:st|nd|rd|th)?\\s+${MONTH},?(?:\\s+\\d{4})?\\b`, 'gi'),
  new RegExp(`\\b${MONTH}\\s+\\d{4}\\b`, 'gi'),
  // 10:44 AM EDT, 10:44am, 10.44 pm
  new RegExp(
    `\\b\\d{1,2}[:.]\\d{2}(?::\\d{2})?\\s*(?:[ap]\\.?m\\.?)?(?:\\s+${TIME_ZONE}\\b)?`,
    'gi',
  ),
  /\b\d{1,2}\s*[ap]\.?m\.?(?=\s|$)/gi,
  // 3 hours ago, 5 min read
  /\b\d+\s+(?:seconds?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?)\s+(?:ago|read)\b/gi,
  /\b(?:yesterday|today)\b/gi,
];

/** Words that open a byline, before the names. */
const LEAD_IN =
  /^(?:(?:written|words|posted|reported|story|text|photos?|reporting|additional\s+reporting|edited|editing|compiled)\s+by|by|from|authors?|writers?|contributors?)\b\s*[:\-–—]?\s*/i;

/** What follows a name in running text: "Jane Doe in London", "Jane Doe on", "Jane Doe at". */
const TRAILER = /\s+(?:(?:in|from)\s+\p{Lu}[\p{L}\s.]*|on|at|in)$/u;

/** Separators between the parts of a byline ("Name | Date", "Name · 5 min read"). */
const SEGMENT_SEPARATORS = /\s*(?:[|•·▪●◆—–\n\r\t/]|\s-\s|\s{3,})\s*/;

/** Between several names: "A, B and C", "A & B", "A; B". */
const NAME_SEPARATORS = /\s*(?:,\s*and\s+|,|;|\s&\s|\s+and\s+)\s*/i;

/** Job titles and desks that follow a name after a comma ("Jane Doe, Senior Editor"). */
const ROLE_WORDS = new Set(
  [
    'editor',
    'editors',
    'writer',
    'reporter',
    'correspondent',
    'contributor',
    'columnist',
    'journalist',
    'staff',
    'desk',
    'newsroom',
    'team',
    'analyst',
    'producer',
    'intern',
    'senior',
    'chief',
    'managing',
    'associate',
    'contributing',
    'deputy',
    'freelance',
    'special',
    'updated',
    'published',
    'share',
    'follow',
    'email',
    'twitter',
    'comments',
    'read',
    'min',
  ].map((word) => word.toLowerCase()),
);

/** Lower-case words that may sit inside a name: "Pieter de Vries", "Ludwig van Beethoven". */
const NAME_PARTICLES = new Set([
  'de',
  'da',
  'das',
  'do',
  'dos',
  'del',
  'della',
  'der',
  'den',
  'di',
  'du',
  'la',
  'le',
  'van',
  'von',
  'bin',
  'ibn',
  'al',
  'el',
  'ben',
  'y',
  'zu',
  'st.',
  'ter',
]);

function collapse(value: string): string {
  return value.replace(/\s+/g, ' ').trim();
}

/** One person's name: a few capitalised words, no digits, no addresses, no job title. */
export function plausibleName(candidate: string): string | undefined {
  const name = collapse(candidate)
    .replace(LEAD_IN, '')
    .replace(/^[\s,.:;@\-–—]+|[\s,:;\-–—]+$/g, '')
    .replace(TRAILER, '');
  if (!name || name.length > MAX_NAME_LENGTH) return undefined;
  if (/\d|@|https?:|www\.|[<>{}[\]=]/i.test(name)) return undefined;
  const words = name.split(' ');
  if (words.length > MAX_NAME_WORDS) return undefined;
  if (!words.some((word) => /^\p{Lu}/u.test(word))) return undefined;
  for (const word of words) {
    const lower = word.toLowerCase();
    if (ROLE_WORDS.has(lower.replace(/[.,]$/, ''))) return undefined;
    if (!/^\p{Lu}/u.test(word) && !NAME_PARTICLES.has(lower) && !/^\p{L}['’]\p{Lu}/u.test(word))
      return undefined;
  }
  return name;
}

/**
 * The names in a visible byline: "By Jane Doe and John Roe | Aug. 31, 2021 10:44 AM" →
 * ["Jane Doe", "John Roe"]. Lead-ins, dates, times, reading times and separators are dropped;
 * a part that is no plausible name (a job title, a site name in lower case) is left out.
 */
export function bylineNames(text: string): string[] {
  let line = collapse(text.slice(0, MAX_BYLINE_LENGTH).replace(/[\n\r\t]+/g, ' | '));
  for (const pattern of DATE_PATTERNS) line = line.replace(pattern, ' | ');
  const names: string[] = [];
  for (const segment of line.split(SEGMENT_SEPARATORS)) {
    const part = collapse(segment).replace(LEAD_IN, '');
    if (!part) continue;
    for (const piece of part.split(NAME_SEPARATORS)) {
      const name = plausibleName(piece);
      if (name && !names.some((known) => known.toLowerCase() === name.toLowerCase()))
        names.push(name);
      if (names.length >= MAX_AUTHORS) break;
    }
    if (names.length >= MAX_AUTHORS) break;
  }
  // One word beside full names is an agency or a place ("Jane Doe, Reuters"); alone, it may be
  // the author's only name.
  const fullNames = names.filter((name) => name.includes(' '));
  return fullNames.length > 0 ? fullNames : names.slice(0, 1);
}
