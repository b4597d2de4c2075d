import { useCallback, useEffect, useState } from "react";
import { call, type Member, type MemberList } from "../api/client";
import { ErrorBox, Section } from "../components/common";
import { OrganisationPicker, useOrganisations } from "../components/OrganisationPicker";
import { useT, type TextKey } from "../i18n";
import { memberBody, ROLES } from "../members";

/** An organisation's members for its admins: list, add by e-mail or user id, change, remove. */
export function MembersPage() {
  const t = useT();
  const orgs = useOrganisations();
  const org = orgs.chosen;
  const [members, setMembers] = useState<Member[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [who, setWho] = useState("");
  const [role, setRole] = useState<string>("estimator");
  const [busy, setBusy] = useState(false);

  const load = useCallback(() => {
    if (!org) return;
    call<MemberList>("GET", `organisations/${org.id}/members`).then((l) => setMembers(l.items), setError);
  }, [org]);
  useEffect(() => {
    setMembers(null);
    setError(null);
    load();
  }, [load]);

  const act = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
      load();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const admin = org?.role === "admin";
  const path = (user?: string) => `organisations/${org?.id}/members${user ? `/${user}` : ""}`;

  return (
    <div className="members-page">
      <h1>{t("members_title")}</h1>
      <OrganisationPicker {...orgs} />
      {org && <p data-testid="organisation-name">{org.personal ? t("organisation_personal") : org.name}</p>}
      <ErrorBox error={error} />
      {org && !admin && <p className="muted">{t("members_admin_only")}</p>}
      {admin && (
        <Section title={t("member_add")} id="member-add">
          <form
            className="toolbar"
            onSubmit={(e) => {
              e.preventDefault();
              void act(() => call("POST", path(), { body: memberBody(who, role) })).then(() => setWho(""));
            }}
          >
            <label htmlFor="member-who">{t("member_who")}</label>
            <input id="member-who" value={who} required maxLength={320} onChange={(e) => setWho(e.target.value)} />
            <label htmlFor="member-role">{t("role")}</label>
            <select id="member-role" value={role} onChange={(e) => setRole(e.target.value)}>
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {t(`role_${r}` as TextKey)}
                </option>
              ))}
            </select>
            <button type="submit" className="primary" disabled={busy} data-testid="member-add-submit">
              {t("member_add")}
            </button>
          </form>
        </Section>
      )}
      {members && (
        <table className="list card" data-testid="members">
          <thead>
            <tr>
              <th scope="col">{t("member")}</th>
              <th scope="col">{t("role")}</th>
              {admin && <th scope="col">{t("actions")}</th>}
            </tr>
          </thead>
          <tbody>
            {members.map((m) => {
              const label = String(m.email ?? m.user_id);
              return (
                <tr key={m.user_id} data-testid="member-row" data-user-id={m.user_id} data-role={m.role}>
                  <td className={m.email ? undefined : "mono"} data-testid="member-email" data-email={m.email ?? ""}>
                    {label}
                    {m.email ? <small className="mono muted"> {m.user_id}</small> : null}
                  </td>
                  <td>
                    {admin ? (
                      <select
                        aria-label={`${t("role")} ${label}`}
                        value={m.role}
                        disabled={busy}
                        onChange={(e) => void act(() => call("PUT", path(m.user_id), { body: { role: e.target.value } }))}
                      >
                        {ROLES.map((r) => (
                          <option key={r} value={r}>
                            {t(`role_${r}` as TextKey)}
                          </option>
                        ))}
                      </select>
                    ) : (
                      t(`role_${m.role}` as TextKey)
                    )}
                  </td>
                  {admin && (
                    <td>
                      <button
                        type="button"
                        disabled={busy}
                        aria-label={`${t("member_remove")} ${label}`}
                        onClick={() => {
                          if (confirm(t("member_remove_confirm"))) void act(() => call("DELETE", path(m.user_id)));
                        }}
                      >
                        {t("member_remove")}
                      </button>
                    </td>
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}
