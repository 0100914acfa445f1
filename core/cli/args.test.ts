import { describe, expect, it } from 'vitest';
import { parseCommandLine } from './args.js';
import { UsageError } from './cli-errors.js';

function usageError(argv: string[]): UsageError {
  try {
    parseCommandLine(argv);
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error('expected a UsageError');
}

describe('parseCommandLine', () => {
  it('parses each command into its typed form', () => {
    expect(parseCommandLine(['migrate', '--status']).command).toEqual({ name: 'migrate', status: true });
    expect(parseCommandLine(['import', '--from', 'langchain-redis', 'redis://h:6379']).command).toEqual({
      name: 'import',
      from: 'langchain-redis',
      source: 'redis://h:6379',
      prefix: '',
      table: 'langchain_chat_histories',
    });
    expect(parseCommandLine(['import', '--from', 'langchain-postgres', '--table', 't', '--user', 'u1', 'postgres://h/db']).command).toMatchObject({
      table: 't',
      userId: 'u1',
    });
    expect(parseCommandLine(['export', '--mask', '--user', 'u', '-o', 'f.jsonl']).command).toEqual({ name: 'export', mask: true, userId: 'u', out: 'f.jsonl' });
    expect(parseCommandLine(['tail']).command).toEqual({ name: 'tail', follow: false, lines: 20, from: 'end' });
    expect(parseCommandLine(['tail', '-n', '5']).command).toMatchObject({ lines: 5 });
    expect(parseCommandLine(['tail', '-f', '--from', 'start']).command).toMatchObject({ follow: true, from: 'start' });
    expect(parseCommandLine(['inspect', 'conv:{1}', '--json']).command).toEqual({ name: 'inspect', conversationId: 'conv:{1}', json: true });
    expect(parseCommandLine(['stats', '--json', '--verbose'])).toEqual({ command: { name: 'stats', json: true }, verbose: true });
    expect(parseCommandLine(['console']).command).toEqual({ name: 'console' });
  });

  it('answers help for no command, help, and --help on a command', () => {
    expect(parseCommandLine([]).command).toEqual({ name: 'help' });
    expect(parseCommandLine(['--help']).command).toEqual({ name: 'help' });
    expect(parseCommandLine(['help', 'import']).command).toEqual({ name: 'help', topic: 'import' });
    expect(parseCommandLine(['export', '-h']).command).toEqual({ name: 'help', topic: 'export' });
  });

  it('refuses unknown commands and flags, missing and extra arguments', () => {
    expect(usageError(['frobnicate']).message).toContain('unknown command "frobnicate"');
    expect(usageError(['--json']).message).toContain('expected a command');
    expect(usageError(['stats', '--bogus']).message).toContain("'--bogus'");
    expect(usageError(['stats', '--bogus']).command).toBe('stats');
    expect(usageError(['inspect']).field).toBe('conversationId');
    expect(usageError(['inspect', 'a', 'b']).message).toContain('unexpected argument "b"');
    expect(usageError(['import', 'file.jsonl']).field).toBe('--from');
    expect(usageError(['import', '--from', 'csv', 'f']).message).toContain('must be one of');
    expect(usageError(['import', '--from', 'jsonl']).field).toBe('source');
  });

  it('refuses options that do not fit the command', () => {
    expect(usageError(['import', '--from', 'jsonl', '--prefix', 'x', 'f']).field).toBe('--prefix');
    expect(usageError(['import', '--from', 'langchain-redis', '--table', 't', 'redis://h']).field).toBe('--table');
    expect(usageError(['import', '--from', 'jsonl', '--user', 'u', 'f']).field).toBe('--user');
    expect(usageError(['tail', '-n', '0']).field).toBe('--lines');
    expect(usageError(['tail', '-n', 'ten']).field).toBe('--lines');
    expect(usageError(['tail', '-f', '-n', '3']).field).toBe('--lines');
    expect(usageError(['tail', '--from', 'middle']).field).toBe('--from');
    expect(usageError(['export', '--out', '']).field).toBe('--out');
  });
});
