// The session: a bearer token for the functions, from the local sign-in (embedded stack)
// or from Supabase Auth (supabase-js, loaded only when a project is configured).
import { useSyncExternalStore } from "react";
import { call, setToken, type ClientConfig, type DevTokenOut } from "./api/client";

export interface Session {
  token: string;
  user: string;
  admin: boolean;
  provider: "local" | "supabase";
  expiresAt: number; // epoch seconds
}

const KEY = "kis.session";
const listeners = new Set<() => void>();
let session: Session | null = load();
setToken(session?.token ?? null);

/** The claims of a JWT, unverified (the functions verify it; the client only reads names). */
export function claimsOf(jwt: string): Record<string, unknown> {
  const part = jwt.split(".")[1] ?? "";
  try {
    const b64 = part.replace(/-/g, "+").replace(/_/g, "/");
    const json = decodeURIComponent(
      Array.from(atob(b64 + "===".slice((b64.length + 3) % 4)))
        .map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, "0")}`)
        .join(""),
    );
    return JSON.parse(json) as Record<string, unknown>;
  } catch {
    return {};
  }
}

export function sessionFromToken(token: string, provider: Session["provider"]): Session {
  const claims = claimsOf(token);
  const app = (claims.app_metadata ?? {}) as Record<string, unknown>;
  const meta = (claims.user_metadata ?? {}) as Record<string, unknown>;
  return {
    token,
    user: String(meta.name ?? claims.email ?? claims.sub ?? "?"),
    admin: app.role === "catalog_admin" || claims.role === "service_role",
    provider,
    expiresAt: Number(claims.exp ?? 0),
  };
}

function load(): Session | null {
  try {
    const raw = globalThis.localStorage?.getItem(KEY);
    const s = raw ? (JSON.parse(raw) as Session) : null;
    return s && s.expiresAt * 1000 > Date.now() ? s : null;
  } catch {
    return null;
  }
}

function save(next: Session | null): void {
  session = next;
  setToken(next?.token ?? null);
  try {
    if (next) globalThis.localStorage?.setItem(KEY, JSON.stringify(next));
    else globalThis.localStorage?.removeItem(KEY);
  } catch {
    /* storage unavailable: the session lasts for this page */
  }
  listeners.forEach((l) => l());
}

export function useSession(): Session | null {
  return useSyncExternalStore(
    (cb) => {
      listeners.add(cb);
      return () => listeners.delete(cb);
    },
    () => session,
  );
}

export function getSession(): Session | null {
  return session;
}

export async function clientConfig(): Promise<ClientConfig> {
  const env = import.meta.env;
  if (env.VITE_SUPABASE_URL && env.VITE_SUPABASE_PUBLISHABLE_KEY) {
    return {
      auth: "supabase",
      supabase_url: env.VITE_SUPABASE_URL as string,
      supabase_publishable_key: env.VITE_SUPABASE_PUBLISHABLE_KEY as string,
    };
  }
  return call<ClientConfig>("GET", "client-config");
}

export async function signInLocal(user: string, role: "estimator" | "catalog_admin"): Promise<Session> {
  const out = await call<DevTokenOut>("POST", "dev/token", { body: { user, role } });
  const s = sessionFromToken(out.access_token, "local");
  save(s);
  return s;
}

// -- Supabase Auth (loaded on demand: the local stack never downloads supabase-js) -------

type Supa = import("@supabase/supabase-js").SupabaseClient;
let supa: Promise<Supa> | null = null;

function supabase(cfg: ClientConfig): Promise<Supa> {
  if (!supa) {
    supa = import("@supabase/supabase-js").then(({ createClient }) => {
      const client = createClient(cfg.supabase_url ?? "", cfg.supabase_publishable_key ?? "");
      client.auth.onAuthStateChange((_event, s) => {
        save(s ? sessionFromToken(s.access_token, "supabase") : null);
      });
      return client;
    });
  }
  return supa;
}

export async function signInPassword(cfg: ClientConfig, email: string, password: string): Promise<void> {
  const client = await supabase(cfg);
  const { error } = await client.auth.signInWithPassword({ email, password });
  if (error) throw error;
}

export async function signInMagicLink(cfg: ClientConfig, email: string): Promise<void> {
  const client = await supabase(cfg);
  const { error } = await client.auth.signInWithOtp({
    email,
    options: { emailRedirectTo: globalThis.location?.origin },
  });
  if (error) throw error;
}

/** After a magic link returns to the client, supabase-js picks the session up from the URL. */
export async function resumeSupabase(cfg: ClientConfig): Promise<void> {
  if (cfg.auth === "supabase") await supabase(cfg);
}

export async function signOut(): Promise<void> {
  if (session?.provider === "supabase" && supa) {
    const client = await supa;
    await client.auth.signOut();
  }
  save(null);
}
