import { runCli } from './curation-cli';

describe('curation CLI arguments', () => {
  let errorOutput: jest.SpyInstance;
  let standardOutput: jest.SpyInstance;

  beforeEach(() => {
    errorOutput = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    standardOutput = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
  });

  afterEach(() => jest.restoreAllMocks());

  it('prints help and succeeds', async () => {
    await expect(runCli(['--help'])).resolves.toBe(0);
    expect(standardOutput.mock.calls.join('')).toMatch(/dlq/);
  });

  it.each([
    [['no-such-command']],
    [['dlq', 'replay']],
    [['dlq', 'replay', 'curation.item.received']],
    [['dlq', 'replay', 'curation.item.received', '--offset', 'zero']],
    [['items', 'list', '--state', 'sideways']],
    [['items', 'list', '--limit', '-3']],
    [['replay', 'curation.item.received']],
    [['replay', 'curation.item.received', '--service', 'enrichment']],
    [['replay', 'curation.item.received', '--service', 'enrichment', '--from-time', 'yesterday']],
    [['replay', 'no.such.topic', '--service', 'enrichment', '--from-offset', '0']],
  ])('exits 2 with a message for %j', async (argv) => {
    await expect(runCli(argv)).resolves.toBe(2);
    const said = [...errorOutput.mock.calls, ...(console.error as jest.Mock).mock.calls].join('');
    expect(said).toMatch(/error/i);
  });
});
