// A small path router over the History API (the server answers index.html for every path).
import { useSyncExternalStore } from "react";

const listeners = new Set<() => void>();

export function navigate(path: string, replace = false): void {
  if (replace) history.replaceState(null, "", path);
  else history.pushState(null, "", path);
  listeners.forEach((l) => l());
  window.scrollTo?.(0, 0);
}

/** Whether a click on an in-app link is the app's to handle: a plain left click. A click
 * with a modifier (a new tab or window, a download) or another button is the browser's. */
export function followsInApp(e: {
  button: number;
  metaKey: boolean;
  ctrlKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
  defaultPrevented: boolean;
}): boolean {
  return !e.defaultPrevented && e.button === 0 && !e.metaKey && !e.ctrlKey && !e.shiftKey && !e.altKey;
}

if (typeof window !== "undefined") {
  window.addEventListener("popstate", () => listeners.forEach((l) => l()));
}

export function usePath(): string {
  return useSyncExternalStore(
    (cb) => {
      listeners.add(cb);
      return () => listeners.delete(cb);
    },
    () => location.pathname,
  );
}

export type Route =
  | { page: "signin" }
  | { page: "new" }
  | { page: "project" }
  | { page: "quotes" }
  | { page: "quote"; id: string }
  | { page: "revise"; id: string }
  | { page: "revise-project"; id: string }
  | { page: "review" }
  | { page: "members" }
  | { page: "catalog" }
  | { page: "notfound" };

export function route(path: string): Route {
  if (path === "/" || path === "/new") return { page: "new" };
  if (path === "/signin") return { page: "signin" };
  if (path === "/project") return { page: "project" };
  if (path === "/quotes") return { page: "quotes" };
  if (path === "/catalog") return { page: "catalog" };
  if (path === "/review") return { page: "review" };
  if (path === "/members") return { page: "members" };
  const rp = /^\/quotes\/([^/]+)\/revise-project$/.exec(path);
  if (rp) return { page: "revise-project", id: decodeURIComponent(rp[1]) };
  const r = /^\/quotes\/([^/]+)\/revise$/.exec(path);
  if (r) return { page: "revise", id: decodeURIComponent(r[1]) };
  const m = /^\/quotes\/([^/]+)$/.exec(path);
  if (m) return { page: "quote", id: decodeURIComponent(m[1]) };
  return { page: "notfound" };
}
