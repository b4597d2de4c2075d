import { useEffect, useState } from "react";
import { call, type Organisation, type OrganisationList } from "../api/client";
import { useT, type TextKey } from "../i18n";
import { getOrganisation, pickOrganisation, setOrganisation, useOrganisation } from "../organisation";
import { ErrorBox } from "./common";

/** The user's organisations (GET /organisations) and the chosen one (remembered). */
export function useOrganisations(): { items: Organisation[] | null; chosen: Organisation | null; error: unknown } {
  const [items, setItems] = useState<Organisation[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const chosenId = useOrganisation();
  useEffect(() => {
    call<OrganisationList>("GET", "organisations").then((list) => {
      setItems(list.items);
      const id = pickOrganisation(
        list.items.map((o) => o.id),
        getOrganisation(),
      );
      if (id !== getOrganisation()) setOrganisation(id);
    }, setError);
  }, []);
  const chosen = items?.find((o) => o.id === chosenId) ?? null;
  return { items, chosen, error };
}

/** A select of the user's organisations, shown when there is more than one. */
export function OrganisationPicker({ items, chosen, error }: ReturnType<typeof useOrganisations>) {
  const t = useT();
  if (error) return <ErrorBox error={error} />;
  if (!items || items.length < 2) return null;
  return (
    <div className="toolbar">
      <label htmlFor="organisation-picker">{t("organisation")}</label>
      <select id="organisation-picker" value={chosen?.id ?? ""} onChange={(e) => setOrganisation(e.target.value)}>
        {items.map((o) => (
          <option key={o.id} value={o.id}>
            {o.personal ? t("organisation_personal") : o.name} ({t(`role_${o.role}` as TextKey)})
          </option>
        ))}
      </select>
    </div>
  );
}
