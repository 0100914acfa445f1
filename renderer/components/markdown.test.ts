import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { Markdown } from './Markdown.js';

const html = (text: string) => renderToStaticMarkup(createElement(Markdown, { text }));

describe('Markdown', () => {
  it('renders emphasis, lists and fenced code in a monospace block', () => {
    const out = html('Some **bold** and `code`\n\n- one\n- two\n\n```ts\nconst x = 1;\n```');
    expect(out).toContain('<strong>bold</strong>');
    expect(out).toContain('<code>code</code>');
    expect(out).toContain('<ul><li><span>one</span></li><li><span>two</span></li></ul>');
    expect(out).toContain('<pre class="md-code" data-lang="ts"><span class="md-code-lang">ts</span><code>const x = 1;</code></pre>');
  });

  it('shows raw HTML as text and never emits a tag that runs or fetches', () => {
    const out = html('<script>alert(1)</script>\n\n<img src=x onerror=alert(1)> and ![alt](https://evil.example/p.png)');
    expect(out).not.toMatch(/<script|<img/i);
    expect(out).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(out).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(out).toContain('[image: alt — https://evil.example/p.png]');
  });

  it('links only http(s) addresses', () => {
    const out = html('[ok](https://example.com/a) [bad](javascript:alert(1))');
    expect(out).toContain('href="https://example.com/a"');
    expect(out).not.toContain('javascript:alert(1)"');
    expect(out).toContain('[bad](javascript:alert(1))');
  });
});
