import type { components } from "../api/schema";

export type Role = components["schemas"]["Role"];

/** Every role, lowest first: each can do what the ones before it can. */
export const ROLES = ["viewer", "user", "admin"] as const satisfies readonly Role[];

export const ROLE_LABELS: Record<Role, string> = {
  viewer: "Viewer",
  user: "User",
  admin: "Admin",
};

/** Tell whether role is atLeast or higher. */
export function hasRole(role: Role, atLeast: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(atLeast);
}

/** The roles up to and including role: what someone with it may hand out (to a token). */
export function rolesUpTo(role: Role): Role[] {
  return ROLES.slice(0, ROLES.indexOf(role) + 1);
}

/** What each role may do, in a line (the server's Role description). */
export const ROLE_HELP: Record<Role, string> = {
  viewer: "Reads everything, changes nothing",
  user: "Also operates unprotected environments",
  admin: "Does everything, including managing users",
};
