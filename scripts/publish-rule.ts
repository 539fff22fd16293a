/** The publish rule ingestion applies, in words (ingestion's start-up log says the same). */
export function publishRule(environment: Record<string, string | undefined>): string {
  const gate = environment.OPENPROJECT_PUBLISH_STATUSES?.trim();
  return gate
    ? `publish gate: only status ${gate} (OPENPROJECT_PUBLISH_STATUSES)`
    : `deny-list: all but ${environment.OPENPROJECT_UNPUBLISHED_STATUSES ?? 'Rejected,Closed'} (set OPENPROJECT_PUBLISH_STATUSES for a publish gate)`;
}
