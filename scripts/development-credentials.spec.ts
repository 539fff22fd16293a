import { developmentCredentialRows } from './development-credentials';

const defaults = {
  ADMIN_PASSWORD: 'development-admin',
  OPENPROJECT_WEBHOOK_SECRET: 'development-secret',
  OPENPROJECT_API_KEY: 'development-key',
};

describe('developmentCredentialRows', () => {
  it('prints the development defaults and the variable that changes each', () => {
    const rows = Object.fromEntries(developmentCredentialRows(defaults, {}));
    expect(rows['dashboard user']).toBe(
      'admin  (development default; set ADMIN_USER to change it)',
    );
    expect(rows['dashboard password']).toContain('development-admin');
    expect(rows['webhook secret']).toContain('set OPENPROJECT_WEBHOOK_SECRET');
    expect(rows['API token']).toBe('none: /v1/* is open in development (INGESTION_API_TOKEN)');
  });

  it('never echoes a value the user set', () => {
    const rows = developmentCredentialRows(defaults, {
      ADMIN_PASSWORD: 'real-password-123',
      INGESTION_API_TOKEN: 'real-token',
    });
    const printed = rows.map(([, value]) => value).join('\n');
    expect(printed).not.toContain('real-password-123');
    expect(printed).not.toContain('real-token');
    expect(Object.fromEntries(rows)['API token']).toBe('(set by you in INGESTION_API_TOKEN)');
  });
});
