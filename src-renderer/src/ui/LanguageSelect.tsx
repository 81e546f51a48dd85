/** The till's language, chosen from the status bar or before anyone has signed in (on the sign-in dialog). */
import { languages, type Language } from '../i18n';
import { t } from './strings';

export function LanguageSelect(props: { value: Language; onChange: (code: Language) => void; testId?: string }) {
  return (
    <select
      aria-label={t.language}
      data-testid={props.testId ?? 'language'}
      value={props.value}
      onChange={(e) => props.onChange(e.target.value as Language)}
    >
      {languages.map((l) => (
        <option key={l.code} value={l.code} lang={l.code}>
          {l.name}
        </option>
      ))}
    </select>
  );
}
