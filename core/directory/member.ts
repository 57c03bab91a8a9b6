import type { Locale, LocalizedText } from "../messages/locale.js";
import type { Organisation, Platform, Role } from "./organisation.js";

/** A person in the directory, as the core sees them. */
export interface Member {
  id: string;
  name: LocalizedText;
  roles: readonly Role[];
  departmentId?: string | undefined;
  serviceCenterId?: string | undefined;
  /** The member's chosen language; undefined means the deployment's default. */
  locale?: Locale | undefined;
  identities: Partial<Record<Platform, string>>;
  preferredPlatform?: Platform | undefined;
}

/** The language a member reads: their own, else the organisation's. */
export const localeOf = (member: Member, fallback: Locale): Locale => member.locale ?? fallback;

/**
 * Where direct messages to a member go: the platform of the conversation at hand if they are on
 * it (a reporter hears back where they reported), else their preferred one, else the first they have.
 */
export function directPlatformOf(member: Member, context?: Platform | null): Platform | undefined {
  if (context && member.identities[context]) return context;
  if (member.preferredPlatform && member.identities[member.preferredPlatform]) return member.preferredPlatform;
  const order: Platform[] = ["slack", "wecom", "telegram"];
  return order.find((platform) => member.identities[platform] !== undefined);
}

export const hasRole = (member: Member, role: Role) => member.roles.includes(role);

/** After-sales owns every ticket (manual §4: 归口管理部门); managers oversee them all. */
export function actsOnAllTickets(member: Member, org: Organisation): boolean {
  return hasRole(member, "manager") || hasRole(member, "admin") || member.departmentId === org.afterSalesDepartment;
}

/** After-sales and admins look after what the bot sends: failed deliveries and their retries. */
export function managesDeliveries(member: Member, org: Organisation): boolean {
  return hasRole(member, "admin") || member.departmentId === org.afterSalesDepartment;
}

/** Each member's account on a platform, for the mentions an adapter writes. */
export function accountsOn(members: readonly Member[], platform: Platform): (memberId: string) => string | undefined {
  const accounts = new Map(members.flatMap((m) => (m.identities[platform] ? [[m.id, m.identities[platform]] as const] : [])));
  return (memberId) => accounts.get(memberId);
}
