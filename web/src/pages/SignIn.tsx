import { useEffect, useState, type FormEvent } from "react";
import type { ClientConfig } from "../api/client";
import { clientConfig, resumeSupabase, signInLocal, signInMagicLink, signInPassword, useSession } from "../auth";
import { ErrorBox } from "../components/common";
import { useT } from "../i18n";
import { navigate } from "../router";

export function SignInPage() {
  const t = useT();
  const session = useSession();
  const [cfg, setCfg] = useState<ClientConfig | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [user, setUser] = useState("");
  const [role, setRole] = useState<"estimator" | "catalog_admin">("estimator");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [sent, setSent] = useState(false);

  useEffect(() => {
    clientConfig()
      .then((c) => {
        setCfg(c);
        performance.mark("kis-signin-ready"); // the sign-in form can be used (benchmarks)
        return resumeSupabase(c);
      })
      .catch(setError);
  }, []);

  useEffect(() => {
    if (session) navigate("/new", true);
  }, [session]);

  const run = async (e: FormEvent, action: () => Promise<unknown>) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="signin card">
      <h1>{t("sign_in_title")}</h1>
      <ErrorBox error={error} />
      {!cfg && !error && <p>{t("loading")}</p>}
      {cfg?.auth === "local" && (
        <form onSubmit={(e) => run(e, () => signInLocal(user.trim(), role))} data-testid="local-signin">
          <p className="hint">{t("sign_in_local_hint")}</p>
          <label htmlFor="signin-user">{t("user_name")}</label>
          <input
            id="signin-user"
            name="user"
            value={user}
            autoComplete="username"
            required
            pattern="[a-z0-9][a-z0-9._\-]*"
            onChange={(e) => setUser(e.target.value)}
          />
          <label htmlFor="signin-role">{t("role")}</label>
          <select id="signin-role" value={role} onChange={(e) => setRole(e.target.value as typeof role)}>
            <option value="estimator">{t("role_estimator")}</option>
            <option value="catalog_admin">{t("role_catalog_admin")}</option>
          </select>
          <button type="submit" className="primary" disabled={busy}>
            {t("sign_in")}
          </button>
        </form>
      )}
      {cfg?.auth === "supabase" && (
        <form onSubmit={(e) => run(e, () => signInPassword(cfg, email, password))} data-testid="supabase-signin">
          <label htmlFor="signin-email">{t("email")}</label>
          <input id="signin-email" type="email" value={email} autoComplete="email" required onChange={(e) => setEmail(e.target.value)} />
          <label htmlFor="signin-password">{t("password")}</label>
          <input
            id="signin-password"
            type="password"
            value={password}
            autoComplete="current-password"
            onChange={(e) => setPassword(e.target.value)}
          />
          <button type="submit" className="primary" disabled={busy || !password}>
            {t("sign_in")}
          </button>
          <button
            type="button"
            disabled={busy || !email}
            onClick={(e) => run(e, () => signInMagicLink(cfg, email).then(() => setSent(true)))}
          >
            {t("magic_link")}
          </button>
          {sent && <p role="status">{t("magic_link_sent")}</p>}
        </form>
      )}
    </div>
  );
}
