import type { ReactNode } from "react";

import { hasRole, type Role } from "../../lib/roles";
import { useSession } from "../../lib/useSession";

interface RequireRoleProps {
  atLeast: Role;
  /** What to show instead to someone whose role is lower. */
  fallback: ReactNode;
  children: ReactNode;
}

/**
 * Its children for a user with atLeast this role, else the fallback. The role stored with the
 * session is current: the server ends a login token as soon as its user's role changes.
 */
export default function RequireRole({ atLeast, fallback, children }: RequireRoleProps) {
  const { session } = useSession();
  return session && hasRole(session.user.role, atLeast) ? children : fallback;
}
