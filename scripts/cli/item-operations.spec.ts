import { ProgressView } from './item-operations';

describe('progress of a stored-content command', () => {
  let printed: string[];

  beforeEach(() => {
    printed = [];
    jest.spyOn(console, 'log').mockImplementation((line: string) => void printed.push(line));
  });

  afterEach(() => jest.restoreAllMocks());

  const line = (done: number, total: number) => ({
    event: 'progress' as const,
    done,
    total,
    itemId: `item-${done}`,
    result: 'enriched',
  });

  it('prints one plain line per item on short runs when not on a terminal', () => {
    const view = new ProgressView('re-extracting', false);
    for (let done = 1; done <= 3; done++) view.update(line(done, 3));
    view.stop();
    expect(printed).toEqual([
      're-extracting 1/3 item-1 enriched',
      're-extracting 2/3 item-2 enriched',
      're-extracting 3/3 item-3 enriched',
    ]);
  });

  it('thins plain lines out on long runs, but always prints the first and the last', () => {
    const view = new ProgressView('re-rendering', false);
    for (let done = 1; done <= 500; done++)
      view.update({ ...line(done, 500), result: 'unchanged' });
    expect(printed[0]).toBe('re-rendering 1/500 item-1 unchanged');
    expect(printed.at(-1)).toBe('re-rendering 500/500 item-500 unchanged');
    expect(printed.length).toBeLessThan(500);
  });
});
