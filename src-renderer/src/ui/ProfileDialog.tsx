/**
 * Changing the member's phone, e-mail address or marketing consent (from the
 * member panel). The till holds neither phone nor e-mail, so the fields start
 * empty: what is typed replaces the old value, an empty field keeps it; consent
 * stays unless given or withdrawn here (with the time and text version). No
 * supervisor is needed. Esc cancels; Enter saves. Offline too; the server's
 * conflict rule is in docs/till.md.
 */
import { useRef, useState, useLayoutEffect } from 'react';
import { isKassaError } from '../../../shared/errors';
import type { ProfileForm } from '../../../shared/enrolment';
import type { TillDatabase } from '../db/database';
import { recordProfileEdit } from '../db/profile';
import { FormActions, FormCard, Modal } from './Modal';
import { t } from './strings';

export function ProfileDialog(props: {
  db: TillDatabase;
  ctx: { tillId: string; storeId: string; cashierId: string; country: string | null };
  member: { id: string; name: string };
  onDone: () => void;
  onCancel: () => void;
}) {
  const [phone, setPhone] = useState('');
  const [email, setEmail] = useState('');
  const [marketing, setMarketing] = useState<ProfileForm['marketing']>('keep');
  const [error, setError] = useState<string | null>(null);
  const phoneRef = useRef<HTMLInputElement>(null);
  useLayoutEffect(() => phoneRef.current?.focus(), []);

  const submit = async () => {
    try {
      await recordProfileEdit(props.db, props.ctx, props.member.id, { phone, email, marketing });
      props.onDone();
    } catch (e) {
      if (!isKassaError(e)) throw e;
      const field = (e.details as { field?: string } | undefined)?.field;
      setError(
        e.code === 'PROFILE_UNCHANGED'
          ? t.profileUnchanged
          : t.enrolFieldProblem(field === 'email' ? 'email' : 'phone', field === 'email' ? email : phone),
      );
      (field === 'email' ? document.getElementById('profile-email') : phoneRef.current)?.focus();
    }
  };

  return (
    <Modal testId="profile-dialog" labelledBy="profile-title" onEscape={props.onCancel}>
      <FormCard onSubmit={() => void submit()}>
        <h2 id="profile-title">{t.profileTitle(props.member.name)}</h2>
        <label htmlFor="profile-phone">{t.profileNewPhone}</label>
        <input
          id="profile-phone"
          ref={phoneRef}
          data-testid="profile-phone"
          inputMode="tel"
          autoComplete="off"
          maxLength={32}
          value={phone}
          onChange={(e) => setPhone(e.target.value)}
        />
        <label htmlFor="profile-email">{t.profileNewEmail}</label>
        <input
          id="profile-email"
          data-testid="profile-email"
          inputMode="email"
          autoComplete="off"
          maxLength={254}
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
        <label htmlFor="profile-marketing">{t.profileMarketing}</label>
        <select
          id="profile-marketing"
          data-testid="profile-marketing"
          value={marketing}
          onChange={(e) => setMarketing(e.target.value as ProfileForm['marketing'])}
        >
          <option value="keep">{t.profileMarketingKeep}</option>
          <option value="yes">{t.profileMarketingYes}</option>
          <option value="no">{t.profileMarketingNo}</option>
        </select>
        <FormActions testId="profile" error={error} onCancel={props.onCancel} />
      </FormCard>
    </Modal>
  );
}
