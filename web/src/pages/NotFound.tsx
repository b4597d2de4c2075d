import { useT } from "../i18n";
import { AppLink } from "../components/common";

export function NotFound() {
  const t = useT();
  return (
    <div className="card notfound" data-testid="not-found">
      <h1>404 · {t("not_found_title")}</h1>
      <p>{t("not_found_body")}</p>
      <AppLink to="/quotes">{t("back_to_list")}</AppLink>
    </div>
  );
}
