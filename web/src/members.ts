// Organisation members: the roles and the body of "add a member".

export const ROLES = ["estimator", "reviewer", "admin"] as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A member is added by user id (a uuid) or by e-mail (anything else). */
export function memberBody(who: string, role: string): { role: string; user_id?: string; email?: string } {
  const value = who.trim();
  return UUID.test(value) ? { user_id: value.toLowerCase(), role } : { email: value, role };
}
