// A person's choices: immediate e-mails or a daily digest, the kinds turned off (never the
// ones the policy makes theirs to act on), their address and language. Sent with the
// version read (If-Match); a 412 keeps what was typed and offers to reload.
import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/problem';
import { fieldErrorsOf, Loading, Notice, ProblemAlert } from '../components/feedback';
import { RadioGroup, SelectField, TextField } from '../components/forms';
import { usePreferences, useSetPreferences, type Preferences } from './api';
import { kindLabel, LANGUAGES, modeLabel, T } from './text';

type Mode = Preferences['mode'];
type Kind = Preferences['kinds'][number]['kind'];
type Language = Preferences['language'];

function PreferencesForm({ prefs, etag, onReload }: { prefs: Preferences; etag: string; onReload(): void }) {
  const save = useSetPreferences();
  const [mode, setMode] = useState<Mode>(prefs.mode);
  const [muted, setMuted] = useState<Kind[]>(prefs.kinds.filter((k) => !k.enabled).map((k) => k.kind));
  const [email, setEmail] = useState(prefs.email ?? '');
  const [language, setLanguage] = useState<Language>(prefs.language);
  const [saved, setSaved] = useState(false);
  const errors = fieldErrorsOf(save.error);
  const stale = save.error instanceof ApiError && save.error.status === 412;

  function submit(e: FormEvent) {
    e.preventDefault();
    setSaved(false);
    const body = { mode, muted, email: email.trim() || null, language };
    save.mutate({ body, ifMatch: etag }, { onSuccess: () => setSaved(true) });
  }
  const toggle = (kind: Kind) => setMuted((m) => (m.includes(kind) ? m.filter((k) => k !== kind) : [...m, kind]));

  return (
    <form aria-labelledby="notification-choices" onSubmit={submit} noValidate>
      {stale ? (
        <div className="problem" role="alert">
          <p>{T.stale}</p>
          <button type="button" onClick={onReload}>
            {T.reload}
          </button>
        </div>
      ) : (
        <ProblemAlert error={save.error} />
      )}
      {saved ? <Notice tone="success">{T.saved}</Notice> : null}
      <RadioGroup<Mode>
        label={T.modeLegend}
        value={mode}
        onChange={setMode}
        options={(['immediate', 'digest'] as const).map((m) => ({ value: m, label: modeLabel(m) }))}
        error={errors.mode}
      />
      <fieldset className={errors.muted ? 'field has-error checkboxes' : 'field checkboxes'} aria-describedby="kinds-hint">
        <legend>{T.kindsLegend}</legend>
        <p className="hint" id="kinds-hint">
          {T.kindsHint}
        </p>
        {errors.muted ? <p className="field-error">{errors.muted}</p> : null}
        {prefs.kinds.map((k) => {
          const id = `kind-${k.kind}`;
          return (
            <div className="choice" key={k.kind}>
              <input
                type="checkbox"
                id={id}
                checked={k.required || !muted.includes(k.kind)}
                disabled={k.required}
                onChange={() => toggle(k.kind)}
              />
              <label htmlFor={id}>
                {kindLabel(k.kind)}
                {k.required ? <span className="muted"> ({T.alwaysOn})</span> : null}
              </label>
            </div>
          );
        })}
      </fieldset>
      <TextField
        label={T.emailLabel}
        hint={T.emailHint}
        type="email"
        autoComplete="email"
        value={email}
        onChange={(e) => setEmail(e.target.value)}
        error={errors.email}
      />
      <SelectField
        label={T.languageLabel}
        value={language}
        onChange={(e) => setLanguage(e.target.value as Language)}
        error={errors.language}
        options={LANGUAGES}
      />
      <button type="submit" disabled={save.isPending}>
        {T.save}
      </button>
    </form>
  );
}

export function PreferencesSection() {
  const prefs = usePreferences();
  const [generation, setGeneration] = useState(0);
  return (
    <section className="panel" aria-labelledby="notification-choices">
      <h2 id="notification-choices">{T.prefsHeading}</h2>
      <p className="hint">{T.prefsIntro}</p>
      <ProblemAlert error={prefs.error} />
      {prefs.isPending ? <Loading what={T.loadingPrefs} /> : null}
      {prefs.data ? (
        <PreferencesForm
          key={generation}
          prefs={prefs.data.data}
          etag={prefs.data.etag}
          onReload={() => {
            void prefs.refetch().then(() => setGeneration((g) => g + 1));
          }}
        />
      ) : null}
    </section>
  );
}
