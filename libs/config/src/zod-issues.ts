import type { z } from 'zod';

/**
 * One `path: message` line per zod issue; `root` names the whole value when the issue has no path.
 * Kept as lines rather than `z.prettifyError`'s single multi-line text: 400 bodies and
 * ConfigError list one problem per entry.
 */
export function issueLines(error: z.ZodError, root: string): string[] {
  return error.issues.map((issue) => issueLine(issue, root));
}

export function issueLine(issue: z.core.$ZodIssue, root: string): string {
  return `${issue.path.join('.') || root}: ${issue.message}`;
}
