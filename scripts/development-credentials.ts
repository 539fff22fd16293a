/** What `npm start` prints so a new user can log in and sign webhooks without reading the code. */
const CREDENTIALS: ReadonlyArray<{ label: string; variable: string }> = [
  { label: 'dashboard user', variable: 'ADMIN_USER' },
  { label: 'dashboard password', variable: 'ADMIN_PASSWORD' },
  { label: 'webhook secret', variable: 'OPENPROJECT_WEBHOOK_SECRET' },
  { label: 'OpenProject key', variable: 'OPENPROJECT_API_KEY' },
  { label: 'API token', variable: 'INGESTION_API_TOKEN' },
];

const DEFAULT_ADMIN_USER = 'admin';

/**
 * One line per credential: the development default's value in full (it is public anyway), but a
 * value the user set is never echoed, only named as theirs.
 */
export function developmentCredentialRows(
  developmentDefaults: Readonly<Record<string, string>>,
  userEnvironment: Readonly<Record<string, string | undefined>>,
): Array<[string, string]> {
  return CREDENTIALS.map(({ label, variable }) => {
    if (userEnvironment[variable] !== undefined) return [label, `(set by you in ${variable})`];
    const value =
      developmentDefaults[variable] ?? (variable === 'ADMIN_USER' ? DEFAULT_ADMIN_USER : undefined);
    if (value === undefined) return [label, `none: /v1/* is open in development (${variable})`];
    return [label, `${value}  (development default; set ${variable} to change it)`];
  });
}
