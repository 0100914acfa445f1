import { describe, expect, it } from 'vitest';
import { escapeHelp, escapeLabelValue, formatFamilies } from './prometheus-text.js';
import { parseExposition, sampleValue } from './test-support.js';

describe('Prometheus text format', () => {
  it('escapes backslash, double quote and line feed in label values, and backslash and line feed in HELP', () => {
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
    expect(escapeHelp('one\\two\nthree "quoted"')).toBe('one\\\\two\\nthree "quoted"');
    const text = formatFamilies([
      { name: 'x_total', help: 'a\nb', type: 'counter', samples: [{ labels: { tier: 'we"ird\\\nvalue', outcome: 'hit' }, value: 3 }] },
    ]);
    expect(text).toBe('# HELP x_total a\\nb\n# TYPE x_total counter\nx_total{tier="we\\"ird\\\\\\nvalue",outcome="hit"} 3\n');
    // What a scraper reads back is the value given.
    expect(sampleValue(parseExposition(text), 'x_total', { tier: 'we"ird\\\nvalue', outcome: 'hit' })).toBe(3);
  });

  it('writes special values as the format spells them, and a family without labels bare', () => {
    const text = formatFamilies([
      {
        name: 'g',
        help: 'h',
        type: 'gauge',
        samples: [
          { labels: { k: 'nan' }, value: Number.NaN },
          { labels: { k: 'inf' }, value: Infinity },
          { labels: { k: 'neg' }, value: -Infinity },
          { labels: { k: 'half' }, value: 0.5 },
        ],
      },
      { name: 'plain', help: 'p', type: 'gauge', samples: [{ labels: {}, value: 7 }] },
    ]);
    expect(text.split('\n')).toEqual([
      '# HELP g h',
      '# TYPE g gauge',
      'g{k="nan"} NaN',
      'g{k="inf"} +Inf',
      'g{k="neg"} -Inf',
      'g{k="half"} 0.5',
      '# HELP plain p',
      '# TYPE plain gauge',
      'plain 7',
      '',
    ]);
  });

  it('refuses names the format cannot carry', () => {
    expect(() => formatFamilies([{ name: 'bad-name', help: '', type: 'gauge', samples: [] }])).toThrow(/metric name/);
    expect(() => formatFamilies([{ name: 'ok', help: '', type: 'gauge', samples: [{ labels: { 'bad-label': 'v' }, value: 1 }] }])).toThrow(/label name/);
    expect(() => formatFamilies([{ name: 'ok', help: '', type: 'gauge', samples: [{ labels: { __reserved: 'v' }, value: 1 }] }])).toThrow(/label name/);
  });
});
