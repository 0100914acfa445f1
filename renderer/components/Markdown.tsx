import { memo, useMemo, type ReactNode } from 'react';
import { Lexer, type Token, type Tokens } from 'marked';

/**
 * Message text rendered as Markdown without ever producing HTML: marked only tokenises, and each
 * token becomes a React element, so text stays text. Raw HTML in a message shows as its source;
 * images are never fetched (their alt text and address show instead); links open only for
 * http(s) addresses. Conversations can carry prompt-injected content: nothing here can load a
 * resource or run a script.
 */
export const Markdown = memo(function Markdown({ text }: { text: string }) {
  const tokens = useMemo(() => new Lexer({ gfm: true }).lex(text), [text]);
  return <div className="markdown">{blocks(tokens)}</div>;
});

function safeHref(href: string): string | null {
  try {
    const url = new URL(href);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

function blocks(tokens: readonly Token[]): ReactNode[] {
  return tokens.map((token, i) => block(token, i));
}

function block(token: Token, key: number): ReactNode {
  const t = token as Tokens.Generic;
  switch (token.type) {
    case 'space':
      return null;
    case 'heading': {
      const h = token as Tokens.Heading;
      const Tag = `h${Math.min(6, Math.max(1, h.depth))}` as 'h1';
      return <Tag key={key}>{inlines(h.tokens)}</Tag>;
    }
    case 'paragraph':
      return <p key={key}>{inlines((token as Tokens.Paragraph).tokens)}</p>;
    case 'text': {
      const text = token as Tokens.Text;
      return <p key={key}>{text.tokens ? inlines(text.tokens) : text.text}</p>;
    }
    case 'code': {
      const code = token as Tokens.Code;
      return (
        <pre key={key} className="md-code" data-lang={code.lang || undefined}>
          {code.lang ? <span className="md-code-lang">{code.lang}</span> : null}
          <code>{code.text}</code>
        </pre>
      );
    }
    case 'blockquote':
      return <blockquote key={key}>{blocks((token as Tokens.Blockquote).tokens)}</blockquote>;
    case 'hr':
      return <hr key={key} />;
    case 'list': {
      const list = token as Tokens.List;
      const items = list.items.map((item, i) => (
        <li key={i}>
          {item.task ? <input type="checkbox" checked={item.checked ?? false} disabled aria-label={item.checked ? 'done' : 'not done'} /> : null}
          {item.loose ? blocks(item.tokens) : tightItem(item.tokens)}
        </li>
      ));
      return list.ordered ? (
        <ol key={key} start={typeof list.start === 'number' ? list.start : undefined}>
          {items}
        </ol>
      ) : (
        <ul key={key}>{items}</ul>
      );
    }
    case 'table': {
      const table = token as Tokens.Table;
      return (
        <div key={key} className="md-table">
          <table>
            <thead>
              <tr>
                {table.header.map((cell, i) => (
                  <th key={i} style={cell.align ? { textAlign: cell.align } : undefined}>
                    {inlines(cell.tokens)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {table.rows.map((row, r) => (
                <tr key={r}>
                  {row.map((cell, i) => (
                    <td key={i} style={cell.align ? { textAlign: cell.align } : undefined}>
                      {inlines(cell.tokens)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      );
    }
    case 'html':
      return (
        <p key={key} className="md-html">
          {t.raw}
        </p>
      );
    default:
      return <p key={key}>{t.raw}</p>;
  }
}

/** A tight list item's text tokens are inline runs, not paragraphs. */
function tightItem(tokens: readonly Token[]): ReactNode[] {
  return tokens.map((token, i) => (token.type === 'text' ? <span key={i}>{(token as Tokens.Text).tokens ? inlines((token as Tokens.Text).tokens!) : (token as Tokens.Text).text}</span> : block(token, i)));
}

function inlines(tokens: readonly Token[] | undefined): ReactNode[] {
  return (tokens ?? []).map((token, i) => inline(token, i));
}

function inline(token: Token, key: number): ReactNode {
  switch (token.type) {
    case 'text': {
      const text = token as Tokens.Text;
      return text.tokens ? <span key={key}>{inlines(text.tokens)}</span> : text.text;
    }
    case 'escape':
      return (token as Tokens.Escape).text;
    case 'strong':
      return <strong key={key}>{inlines((token as Tokens.Strong).tokens)}</strong>;
    case 'em':
      return <em key={key}>{inlines((token as Tokens.Em).tokens)}</em>;
    case 'del':
      return <del key={key}>{inlines((token as Tokens.Del).tokens)}</del>;
    case 'codespan':
      return <code key={key}>{(token as Tokens.Codespan).text}</code>;
    case 'br':
      return <br key={key} />;
    case 'link': {
      const link = token as Tokens.Link;
      const href = safeHref(link.href);
      return href ? (
        <a key={key} href={href} target="_blank" rel="noopener noreferrer nofollow" title={href}>
          {inlines(link.tokens)}
        </a>
      ) : (
        <span key={key}>{link.raw}</span>
      );
    }
    case 'image': {
      const image = token as Tokens.Image;
      return (
        <span key={key} className="md-image" title="Images are not loaded">
          [image: {image.text || 'no description'} — {image.href}]
        </span>
      );
    }
    default:
      return (token as Tokens.Generic).raw;
  }
}
