import { useT } from "../i18n";
import { navigate } from "../router";

export function NotFound() {
  const t = useT();
  return (
    <div className="card notfound" data-testid="not-found">
      <h1>404 · {t("not_found_title")}</h1>
      <p>{t("not_found_body")}</p>
      <a
        href="/quotes"
        onClick={(e) => {
          e.preventDefault();
          navigate("/quotes");
        }}
      >
        {t("back_to_list")}
      </a>
    </div>
  );
}
