import { useEffect } from "react";
import { setUnauthorizedHandler } from "./api/client";
import { signOut, useSession } from "./auth";
import { setLang, useLang, useT } from "./i18n";
import { navigate, route, usePath } from "./router";
import { SignInPage } from "./pages/SignIn";
import { RequestPage } from "./pages/RequestPage";
import { QuotePage } from "./pages/QuotePage";
import { ProjectPage } from "./pages/ProjectPage";
import { QuotesPage } from "./pages/QuotesPage";
import { CatalogPage } from "./pages/CatalogPage";
import { NotFound } from "./pages/NotFound";
import { ReviewPage } from "./pages/ReviewPage";
import { MembersPage } from "./pages/MembersPage";
import { AppLink } from "./components/common";

setUnauthorizedHandler(() => {
  void signOut().then(() => navigate("/signin", true));
});

export function App() {
  const path = usePath();
  const session = useSession();
  const lang = useLang();
  const t = useT();
  const r = route(path);

  useEffect(() => {
    if (!session && r.page !== "signin") navigate(`/signin`, true);
  }, [session, r.page]);

  useEffect(() => {
    // The moment the first screen can be used (benchmarks read it).
    performance.mark("kis-interactive");
    document.body.dataset.ready = "true";
  }, []);

  const link = (to: string, label: string) => (
    <AppLink to={to} aria-current={path === to || (to === "/new" && path === "/") ? "page" : undefined}>
      {label}
    </AppLink>
  );

  return (
    <>
      <header className="topbar">
        <span className="brand">{t("app_title")}</span>
        {session && (
          <nav aria-label="main">
            {link("/new", t("nav_new"))}
            {link("/project", t("nav_project"))}
            {link("/quotes", t("nav_quotes"))}
            {link("/review", t("nav_review"))}
            {link("/members", t("nav_members"))}
            {session.admin && link("/catalog", t("nav_catalog"))}
          </nav>
        )}
        <span className="spacer" />
        <button type="button" className="link" onClick={() => setLang(lang === "ko" ? "en" : "ko")} lang={lang === "ko" ? "en" : "ko"}>
          {t("language")}
        </button>
        {session && (
          <>
            <span className="who" data-testid="who">
              {session.user}
            </span>
            <button
              type="button"
              className="link"
              onClick={() => void signOut().then(() => navigate("/signin"))}
            >
              {t("sign_out")}
            </button>
          </>
        )}
      </header>
      <main id="main">
        {r.page === "signin" && <SignInPage />}
        {session && r.page === "new" && <RequestPage key="new" />}
        {session && r.page === "project" && <ProjectPage key="project" />}
        {session && r.page === "quotes" && <QuotesPage />}
        {session && r.page === "quote" && <QuotePage id={r.id} />}
        {session && r.page === "catalog" && <CatalogPage />}
        {session && r.page === "review" && <ReviewPage />}
        {session && r.page === "members" && <MembersPage />}
        {session && r.page === "revise" && <RequestPage key={r.id} revise={r.id} />}
        {session && r.page === "revise-project" && <ProjectPage key={r.id} revise={r.id} />}
        {r.page === "notfound" && <NotFound />}
      </main>
    </>
  );
}
