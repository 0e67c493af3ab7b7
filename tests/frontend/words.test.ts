import { inWords } from '../../src/frontend/words';

describe("trigger codes in the resolver's sentences, in words", () => {
  it('names the report, capitalised where a sentence starts', () => {
    expect(inWords('AUTO_24H keeps failing: 2 backoffs')).toBe('The 24-hour report keeps failing: 2 backoffs');
    expect(inWords('Done. AUTO_12H is next.')).toBe('Done. The 12-hour report is next.');
    expect(inWords('Reset AUTO_12H first')).toBe('Reset the 12-hour report first');
  });

  it('leaves other words alone', () => {
    expect(inWords('MY_AUTO_12H_X stays')).toBe('MY_AUTO_12H_X stays');
  });
});
