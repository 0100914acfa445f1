import { useEffect, useState } from 'react';
import type { EnvironmentKind, EnvironmentView } from '../api/contract.js';
import { ApiError, describeError } from '../api/api-error.js';
import { useApp } from '../state/store-context.js';
import { describeConnection } from '../features/environments/environments-selectors.js';
import {
  connectionFromForm,
  emptyForm,
  formFromEnvironment,
  formProblems,
  loweredProtection,
  withKind,
  type EnvironmentForm,
  type RedisTopology,
  type SslMode,
} from '../features/environments/environment-form.js';
import type { EnvironmentTestState } from '../features/environments/environments-slice.js';
import { Dialog } from '../components/Dialog.js';
import { Empty, ErrorState, Loading } from '../components/StateView.js';
import { IdChip } from '../components/CopyButton.js';
import { ms } from '../components/format.js';
import { TextField } from '../components/TextField.js';

const BACKEND_LABEL: Record<string, string> = { postgres: 'PostgreSQL', redis: 'Redis', sqlite: 'SQLite' };

function TestResult({ test }: { test: EnvironmentTestState | undefined }) {
  if (!test) return null;
  if (test.running) {
    return (
      <div className="banner" role="status">
        <span className="spinner" aria-hidden="true" /> Testing connection…
      </div>
    );
  }
  if (test.error) {
    return (
      <div className="banner danger" role="alert">
        {test.error}
      </div>
    );
  }
  const result = test.result;
  if (!result) return null;
  return (
    <div className={`banner ${result.ok ? 'ok' : 'danger'} test-result`} role={result.ok ? 'status' : 'alert'}>
      <div className="stack" style={{ gap: 4 }}>
        <strong>{result.ok ? 'Connected' : 'Connection failed'}</strong>
        <span>{result.message}</span>
        <ul className="backend-list">
          {Object.entries(result.backends).map(([name, b]) => (
            <li key={name}>
              <span className={`badge ${b.status === 'up' ? 'ok' : b.status === 'degraded' ? 'warn' : 'danger'}`}>{b.status}</span>{' '}
              <strong>{BACKEND_LABEL[name] ?? name}</strong> · {ms(b.latencyMs)} — {b.message}
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}

/** Numbers each editor dialog, so each keeps its own connection-test result. */
let editorsOpened = 0;

function EnvironmentEditor({ editing, onClose }: { editing: EnvironmentView | null; onClose: () => void }) {
  const [form, setForm] = useState<EnvironmentForm>(() => (editing ? formFromEnvironment(editing) : emptyForm('local')));
  const [submitted, setSubmitted] = useState(false);
  const [serverError, setServerError] = useState<{ message: string; field?: string | undefined } | null>(null);
  const [saving, setSaving] = useState(false);
  /** Set while the dialog asks the user to confirm lowering protection. */
  const [confirming, setConfirming] = useState(false);
  const saveEnvironment = useApp((s) => s.saveEnvironment);
  const testEnvironment = useApp((s) => s.testEnvironment);
  const forgetEnvironmentTest = useApp((s) => s.forgetEnvironmentTest);
  // Each dialog has its own test result, shown only while the form still has the settings it
  // tested: a new dialog never shows an earlier form's verdict, an edit never another setting's.
  const [testKey] = useState(() => `draft-${++editorsOpened}`);
  const [testedFor, setTestedFor] = useState<string | null>(null);
  const connectionKey = JSON.stringify(connectionFromForm(form));
  const storedTest = useApp((s) => s.environmentTests[testKey]);
  const test = testedFor === connectionKey ? storedTest : undefined;
  useEffect(() => () => forgetEnvironmentTest(testKey), [forgetEnvironmentTest, testKey]);
  const security = useApp((s) => s.security);
  const notify = useApp((s) => s.notify);
  const problems = formProblems(form);
  const shown = submitted ? problems : {};
  const update = (patch: Partial<EnvironmentForm>) => setForm((f) => ({ ...f, ...patch }));

  const lowered = loweredProtection(editing, form);
  const save = async (confirmed = false) => {
    setSubmitted(true);
    if (Object.keys(problems).length > 0) return;
    if (lowered.length > 0 && !confirmed) {
      setConfirming(true);
      return;
    }
    setConfirming(false);
    setSaving(true);
    setServerError(null);
    try {
      await saveEnvironment(editing?.id ?? null, {
        name: form.name.trim(),
        kind: form.kind,
        color: form.color,
        readOnly: form.readOnly,
        connection: connectionFromForm(form),
      }, { confirmLowering: confirmed });
      notify('success', `Saved “${form.name.trim()}”.`);
      onClose();
    } catch (error) {
      setServerError({ message: describeError(error), field: error instanceof ApiError ? error.field : undefined });
    } finally {
      setSaving(false);
    }
  };

  return (
    <Dialog title={editing ? `Edit ${editing.name}` : 'Add environment'} onClose={onClose}>
      <form
        className="stack env-form"
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <div className="grid-2">
          <TextField label="Name" value={form.name} onChange={(name) => update({ name })} error={shown.name} />
          <label className="field">
            Kind
            <select value={form.kind} onChange={(e) => setForm((f) => withKind(f, e.target.value as EnvironmentKind))}>
              <option value="local">Local</option>
              <option value="staging">Staging</option>
              <option value="production">Production</option>
            </select>
          </label>
        </div>
        <div className="row">
          <label className="row">
            <input type="color" value={form.color} onChange={(e) => update({ color: e.target.value })} aria-label="Colour" />
            <span className="mono hint">{form.color}</span>
          </label>
          <label className="check">
            <input type="checkbox" checked={form.readOnly} onChange={(e) => update({ readOnly: e.target.checked })} />
            Read-only (the server refuses every write)
          </label>
        </div>
        {form.kind === 'production' && !form.readOnly ? (
          <div className="banner warn" role="note">
            Production without read-only: renames, redactions, deletes and cache writes will be allowed.
          </div>
        ) : null}
        <fieldset className="fieldset">
          <legend>Log store</legend>
          <div className="row">
            <label className="check">
              <input type="radio" name="backend" checked={form.backend === 'postgres'} onChange={() => update({ backend: 'postgres' })} />
              PostgreSQL
            </label>
            <label className="check">
              <input type="radio" name="backend" checked={form.backend === 'sqlite'} onChange={() => update({ backend: 'sqlite' })} />
              SQLite file
            </label>
          </div>
          {form.backend === 'postgres' ? (
            <div className="grid-2 wide-first">
              <TextField
                label="PostgreSQL URL"
                type="url"
                mono
                placeholder="postgres://app@db.internal:5432/chat"
                value={form.postgresUrl}
                onChange={(postgresUrl) => update({ postgresUrl })}
                error={shown.postgresUrl}
              />
              <label className="field">
                TLS (sslmode)
                <select value={form.sslmode} onChange={(e) => update({ sslmode: e.target.value as SslMode })}>
                  <option value="">default</option>
                  <option value="disable">disable</option>
                  <option value="prefer">prefer</option>
                  <option value="require">require</option>
                  <option value="verify-ca">verify-ca</option>
                  <option value="verify-full">verify-full</option>
                </select>
              </label>
            </div>
          ) : (
            <TextField
              label="SQLite file"
              mono
              placeholder="/home/me/scrollback.sqlite"
              value={form.sqlitePath}
              onChange={(sqlitePath) => update({ sqlitePath })}
              error={shown.sqlitePath}
            />
          )}
        </fieldset>
        <fieldset className="fieldset">
          <legend>
            <label className="check">
              <input type="checkbox" checked={form.useRedis} onChange={(e) => update({ useRedis: e.target.checked })} />
              Redis cache
            </label>
          </legend>
          {form.useRedis ? (
            <div className="stack" style={{ gap: 8 }}>
              <TextField
                label="Redis URL"
                type="url"
                mono
                placeholder="redis://cache.internal:6379/0"
                value={form.redisUrl}
                onChange={(redisUrl) => update({ redisUrl })}
                error={shown.redisUrl}
              />
              <div className="row">
                <label className="check">
                  <input type="checkbox" checked={form.redisTls} onChange={(e) => update({ redisTls: e.target.checked })} />
                  TLS (rediss://)
                </label>
                <label className="row hint">
                  Topology
                  <select value={form.redisTopology} onChange={(e) => update({ redisTopology: e.target.value as RedisTopology })} aria-label="Redis topology">
                    <option value="standalone">Standalone</option>
                    <option value="cluster">Cluster</option>
                    <option value="sentinel">Sentinel</option>
                  </select>
                </label>
              </div>
              {form.redisTopology !== 'standalone' ? (
                <span className="hint">More seed hosts: add <code>?hosts=a:6379,b:6379</code> to the URL{form.redisTopology === 'sentinel' ? '; the master name goes in the path.' : '.'}</span>
              ) : null}
            </div>
          ) : null}
        </fieldset>
        <p className="hint">
          A password in a URL is moved to the secret store and never shown again.{' '}
          {security && !security.canSavePasswords ? (
            <strong className="readonly-note">
              Passwords can’t be saved on this machine ({security.reason ?? 'no secure storage'}): they are kept for this session only.
            </strong>
          ) : security ? (
            <>Stored with {security.secretStorage === 'os-keychain' ? 'the OS keychain' : 'a key file only you can read'}.</>
          ) : null}
        </p>
        <TestResult test={test} />
        {serverError ? (
          <div className="banner danger" role="alert">
            {serverError.field ? <code>{serverError.field}</code> : null} {serverError.message}
          </div>
        ) : null}
        {confirming && lowered.length > 0 ? (
          <div className="banner warn" role="alert" aria-label="Confirm lowering protection">
            <div className="stack" style={{ gap: 4 }}>
              <strong>Lower the protection of “{editing?.name}”?</strong>
              <ul>
                {lowered.map((line) => (
                  <li key={line}>{line}</li>
                ))}
              </ul>
              <div className="row">
                <button type="button" className="danger" onClick={() => void save(true)} disabled={saving}>
                  Lower protection and save
                </button>
                <button type="button" className="ghost" onClick={() => setConfirming(false)}>
                  Keep protection
                </button>
              </div>
            </div>
          </div>
        ) : null}
        <div className="dialog-actions">
          <button
            type="button"
            onClick={() => {
              // Testing needs the connection settings only, not a name.
              const { name: _name, ...connectionProblems } = problems;
              if (Object.keys(connectionProblems).length > 0) {
                setSubmitted(true);
                return;
              }
              setTestedFor(connectionKey);
              void testEnvironment(testKey, { connection: connectionFromForm(form), ...(editing ? { environmentId: editing.id } : {}) });
            }}
            disabled={test?.running}
          >
            Test connection
          </button>
          <span style={{ flex: 1 }} />
          <button type="button" className="ghost" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={saving}>
            {saving ? 'Saving…' : 'Save environment'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

export function EnvironmentsScreen() {
  const { items, status, error } = useApp((s) => s.environments);
  const currentId = useApp((s) => s.environmentId);
  const security = useApp((s) => s.security);
  const tests = useApp((s) => s.environmentTests);
  const load = useApp((s) => s.loadEnvironments);
  const select = useApp((s) => s.selectEnvironment);
  const testEnvironment = useApp((s) => s.testEnvironment);
  const removeEnvironment = useApp((s) => s.removeEnvironment);
  const notify = useApp((s) => s.notify);
  const [editing, setEditing] = useState<EnvironmentView | 'new' | null>(null);
  const [removing, setRemoving] = useState<EnvironmentView | null>(null);
  const [confirmName, setConfirmName] = useState('');

  return (
    <section className="screen" aria-labelledby="environments-title">
      <div className="screen-header">
        <h1 id="environments-title">Environments</h1>
        <span className="sub">Connection profiles: local files, staging and production stores.</span>
        <span style={{ flex: 1 }} />
        <button type="button" className="primary" onClick={() => setEditing('new')}>
          Add environment
        </button>
      </div>
      <div className="screen-body">
        {security ? (
          <div className={`banner ${security.canSavePasswords ? 'ok' : 'warn'}`} role="note" style={{ marginBottom: 14 }}>
            <strong>Secrets:</strong>{' '}
            {security.canSavePasswords
              ? `passwords are encrypted with ${security.secretStorage === 'os-keychain' ? 'the OS keychain' : 'a key file readable only by you'}.`
              : `passwords are not saved: ${security.reason ?? 'no secure storage is available'}. They are held in memory for this session only.`}
          </div>
        ) : null}
        {status === 'loading' && items.length === 0 ? <Loading /> : null}
        {status === 'error' ? <ErrorState message={error ?? ''} onRetry={() => void load()} /> : null}
        {status === 'ready' && items.length === 0 ? <Empty title="No environments yet">Add one to connect to a store.</Empty> : null}
        <ul className="env-list" aria-label="Environments">
          {items.map((env) => (
            <li key={env.id} className={`env-card${env.id === currentId ? ' current' : ''}`} style={{ ['--swatch' as string]: env.color }} aria-label={env.name}>
              <div className="env-card-main">
                <div className="row">
                  <span className="env-swatch" aria-hidden="true" />
                  <strong className="env-card-name">{env.name}</strong>
                  <span className={`badge kind-${env.kind}`}>{env.kind}</span>
                  {env.readOnly ? <span className="badge warn">read-only</span> : <span className="badge ok">writable</span>}
                  {env.masked ? <span className="badge">masked</span> : null}
                  {env.builtIn ? <span className="badge info">demo</span> : null}
                  {env.secret === 'session' ? <span className="badge warn">password: this session only</span> : null}
                  {env.secret === 'saved' ? <span className="badge ok">password saved</span> : null}
                  {env.id === currentId ? <span className="badge info">in use</span> : null}
                </div>
                <div className="mono hint env-conn">{describeConnection(env)}</div>
                <IdChip id={env.id} label={`environment id of ${env.name}`} />
                <TestResult test={tests[env.id]} />
              </div>
              <div className="env-card-actions">
                <button type="button" onClick={() => select(env.id)} disabled={env.id === currentId} aria-label={`Use ${env.name}`}>
                  Use
                </button>
                <button type="button" onClick={() => void testEnvironment(env.id, { environmentId: env.id })} aria-label={`Test ${env.name}`}>
                  Test
                </button>
                <button type="button" onClick={() => setEditing(env)} aria-label={`Edit ${env.name}`}>
                  Edit
                </button>
                <button
                  type="button"
                  className="danger"
                  onClick={() => {
                    setConfirmName('');
                    setRemoving(env);
                  }}
                  aria-label={`Remove ${env.name}`}
                >
                  Remove
                </button>
              </div>
            </li>
          ))}
        </ul>
      </div>
      {editing ? <EnvironmentEditor editing={editing === 'new' ? null : editing} onClose={() => setEditing(null)} /> : null}
      {removing ? (
        <Dialog title={`Remove ${removing.name}?`} onClose={() => setRemoving(null)}>
          <p>
            This removes the connection profile and its saved password from this console. The store itself is not touched.
            {removing.kind === 'production' ? ' Type the environment name to confirm.' : ''}
          </p>
          {removing.kind === 'production' ? (
            <label className="field">
              Environment name
              <input type="text" value={confirmName} onChange={(e) => setConfirmName(e.target.value)} />
            </label>
          ) : null}
          <div className="dialog-actions">
            <button type="button" className="ghost" onClick={() => setRemoving(null)}>
              Cancel
            </button>
            <button
              type="button"
              className="danger"
              disabled={removing.kind === 'production' && confirmName !== removing.name}
              onClick={() => {
                const env = removing;
                setRemoving(null);
                removeEnvironment(env.id).then(
                  () => notify('success', `Removed “${env.name}”.`),
                  (e: unknown) => notify('error', describeError(e)),
                );
              }}
            >
              Remove environment
            </button>
          </div>
        </Dialog>
      ) : null}
    </section>
  );
}
