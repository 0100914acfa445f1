import { describe, expect, it } from 'vitest';
import { createProgress } from './progress.js';

function sink(isTTY: boolean): { text: () => string; stream: { write: (t: string) => boolean; isTTY: boolean; columns: number } } {
  let out = '';
  return { text: () => out, stream: { write: (t: string) => ((out += t), true), isTTY, columns: 100 } };
}

describe('createProgress', () => {
  it('prints a plain line at every tenth when stderr is not a terminal', () => {
    const s = sink(false);
    let t = 0;
    const progress = createProgress({ total: 1000, label: 'import', unit: 'messages', stream: s.stream, now: () => t });
    for (let done = 0; done <= 1000; done += 50) {
      t += 10;
      progress.update(done);
    }
    progress.finish('import: done');
    const lines = s.text().trim().split('\n');
    expect(lines[0]).toBe('import: 0/1,000 messages (0%)');
    expect(lines).toContain('import: 500/1,000 messages (50%)');
    expect(lines.at(-2)).toBe('import: 1,000/1,000 messages (100%)');
    expect(lines).toHaveLength(12);
    expect(s.text()).not.toContain('\r');
  });

  it('redraws one bar in place on a terminal', () => {
    const s = sink(true);
    let t = 0;
    const progress = createProgress({ total: 10, label: 'import', unit: 'messages', stream: s.stream, now: () => t });
    t = 1000;
    progress.update(5);
    t = 2000;
    progress.update(10);
    progress.finish('done');
    expect(s.text()).toContain('\r');
    expect(s.text()).toContain(' 50% 5/10 messages');
    expect(s.text()).toContain('100% 10/10 messages');
    expect(s.text().endsWith('\ndone\n')).toBe(true);
  });
});
