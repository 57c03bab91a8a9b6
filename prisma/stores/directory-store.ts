import type { Member } from "../../core/directory/member.js";
import { platformSchema, roleSchema, type Organisation, type Platform } from "../../core/directory/organisation.js";
import { localeSchema, type Locale } from "../../core/messages/locale.js";
import type { Directory } from "../../core/ports.js";
import type { Database, Storage } from "../storage/storage.js";

type MemberRow = NonNullable<Awaited<ReturnType<Database["member"]["findUnique"]>>> & {
  identities: { platform: string; externalId: string }[];
};

interface Snapshot {
  loadedAt: number;
  members: Map<string, Member>;
  /** `platform:externalId` → member id */
  byIdentity: Map<string, string>;
}

/**
 * The directory read whole and kept for a few seconds: every inbound message asks who sent it,
 * and the directory is small and rarely changes. This process's own changes clear it at once;
 * another process's (the CLI unbinding an account) show within the time to live.
 */
export class DirectoryCache {
  private snapshot: Snapshot | undefined;

  /** @param ttlMs how long a snapshot serves. @defaultValue 5000 */
  constructor(private readonly ttlMs = 5_000) {}

  invalidate(): void {
    this.snapshot = undefined;
  }

  /** `load` returns the members and every bound account (a member may have several on one platform). */
  async get(load: () => Promise<{ members: Member[]; accounts: { platform: string; externalId: string; memberId: string }[] }>): Promise<Snapshot> {
    if (this.snapshot && Date.now() - this.snapshot.loadedAt < this.ttlMs) return this.snapshot;
    const { members, accounts } = await load();
    const byIdentity = new Map(accounts.map((a) => [`${a.platform}:${a.externalId}`, a.memberId] as const));
    this.snapshot = { loadedAt: Date.now(), members: new Map(members.map((m) => [m.id, m])), byIdentity };
    return this.snapshot;
  }
}

/** Members from the database (the organisation file plus run-time bindings and languages). */
export class PrismaDirectory implements Directory {
  constructor(
    private readonly storage: Storage,
    private readonly org: Organisation,
    private readonly cache: DirectoryCache = new DirectoryCache(0),
  ) {}

  private snapshot(): Promise<Snapshot> {
    return this.cache.get(async () => {
      const rows = await this.storage.prisma.member.findMany({ where: { active: true }, include: { identities: { orderBy: { createdAt: "asc" } } } });
      return { members: rows.map((row) => this.toMember(row)), accounts: rows.flatMap((row) => row.identities) };
    });
  }

  async findMember(id: string): Promise<Member | undefined> {
    return (await this.snapshot()).members.get(id);
  }

  async listMembers(): Promise<Member[]> {
    return [...(await this.snapshot()).members.values()];
  }

  async findMemberByIdentity(platform: Platform, externalId: string): Promise<Member | undefined> {
    const snapshot = await this.snapshot();
    const memberId = snapshot.byIdentity.get(`${platform}:${externalId}`);
    return memberId === undefined ? undefined : snapshot.members.get(memberId);
  }

  async setLocale(memberId: string, locale: Locale): Promise<void> {
    await this.storage.prisma.member.update({ where: { id: memberId }, data: { locale } });
    this.cache.invalidate();
  }

  /** A member's address per platform is the account bound last (the one they use now). */
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
