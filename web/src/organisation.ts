// The organisation the user works in when they have several (sent as X-Organisation),
// remembered across visits.
import { useSyncExternalStore } from "react";

const KEY = "kis.organisation";
const listeners = new Set<() => void>();

function read(): string | null {
  try {
    return globalThis.localStorage?.getItem(KEY) ?? null;
  } catch {
    return null;
  }
}

let current: string | null = read();

export function getOrganisation(): string | null {
  return current;
}

export function setOrganisation(id: string | null): void {
  current = id;
  try {
    if (id) globalThis.localStorage?.setItem(KEY, id);
    else globalThis.localStorage?.removeItem(KEY);
  } catch {
    /* no storage: the choice lasts for this page */
  }
  listeners.forEach((l) => l());
}

export function useOrganisation(): string | null {
  return useSyncExternalStore(
    (cb) => {
      listeners.add(cb);
      return () => listeners.delete(cb);
    },
    () => current,
  );
}

/** The remembered organisation if it is still one of the user's, else the first. */
export function pickOrganisation(ids: string[], remembered: string | null): string | null {
  if (remembered && ids.includes(remembered)) return remembered;
  return ids[0] ?? null;
}

/** The X-Organisation header: only when the user has several organisations to choose from. */
export function organisationHeader(count: number, chosen: string | null): Record<string, string> {
  return count > 1 && chosen ? { "X-Organisation": chosen } : {};
}
