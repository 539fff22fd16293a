import { parseOfferingLine } from './offering-lines.util';

describe('parseOfferingLine', () => {
  it('parses a valid line and fills the default description', () => {
    expect(
      parseOfferingLine(
        '{"offeringId":15651,"label":"League Platform","permalink":"/offering/league-platform","categories":["HIMSS: Digital Health"]}',
        3,
      ),
    ).toEqual({
      ok: true,
      line: 3,
      offering: {
        offeringId: 15651,
        label: 'League Platform',
        permalink: '/offering/league-platform',
        categories: ['HIMSS: Digital Health'],
        description: '',
      },
    });
  });

  it('skips blank lines and reports broken or invalid ones with the field', () => {
    expect(parseOfferingLine('   ', 1)).toBeUndefined();
    expect(parseOfferingLine('{oops', 2)).toMatchObject({
      ok: false,
      line: 2,
      reason: expect.stringMatching(/^not JSON/),
    });
    expect(
      parseOfferingLine(
        '{"offeringId":-1,"label":"x","permalink":"/offering/x","categories":["a"]}',
        4,
      ),
    ).toMatchObject({
      ok: false,
      reason: expect.stringContaining('offeringId') as string,
    });
  });
});
