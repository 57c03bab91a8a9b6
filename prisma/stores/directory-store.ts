import type { Member } from "../../core/directory/member.js";
import { platformSchema, roleSchema, type Organisation, type Platform } from "../../core/directory/organisation.js";
import { localeSchema, type Locale } from "../../core/messages/locale.js";
import type { Directory } from "../../core/ports.js";
import type { Database, DbClient } from "../database.js";

type MemberRow = NonNullable<Awaited<ReturnType<Database["member"]["findUnique"]>>> & {
  identities: { platform: string; externalId: string }[];
};

/** Members from the database (the organisation file plus run-time bindings and languages). */
export class PrismaDirectory implements Directory {
  constructor(
    private readonly db: DbClient,
    private readonly org: Organisation,
  ) {}

  async findMember(id: string): Promise<Member | undefined> {
    const row = await this.db.member.findUnique({ where: { id }, include: { identities: true } });
    return row?.active ? this.toMember(row) : undefined;
  }

  async listMembers(): Promise<Member[]> {
    const rows = await this.db.member.findMany({ where: { active: true }, include: { identities: true } });
    return rows.map((row) => this.toMember(row));
  }

  async findMemberByIdentity(platform: Platform, externalId: string): Promise<Member | undefined> {
    const identity = await this.db.identity.findUnique({ where: { platform_externalId: { platform, externalId } } });
    return identity ? this.findMember(identity.memberId) : undefined;
  }

  async setLocale(memberId: string, locale: Locale): Promise<void> {
    await this.db.member.update({ where: { id: memberId }, data: { locale } });
  }

  private toMember(row: MemberRow): Member {
    const identities: Member["identities"] = {};
    for (const identity of row.identities) {
      const platform = platformSchema.safeParse(identity.platform);
      if (platform.success) identities[platform.data] = identity.externalId;
    }
    return {
      id: row.id,
      name: { zh: row.nameZh, en: row.nameEn },
      roles: row.roles.split(",").flatMap((r) => (roleSchema.safeParse(r).success ? [roleSchema.parse(r)] : [])),
      departmentId: row.departmentId ?? undefined,
      serviceCenterId: row.serviceCenterId ?? undefined,
      locale: localeSchema.safeParse(row.locale).data,
      identities,
      preferredPlatform: this.org.members.find((m) => m.id === row.id)?.preferredPlatform,
    };
  }
}
