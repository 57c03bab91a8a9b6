import type { Organisation } from "../core/directory/organisation.js";
import type { Storage } from "./storage/storage.js";

/**
 * Loads the organisation file into the directory tables. Idempotent, so it runs at every start:
 * an empty database gets the whole organisation, an existing one gets the file's changes.
 * Run-time choices survive: a member's /lang, and identities bound by invite.
 */
export async function syncOrganisation(storage: Storage, org: Organisation): Promise<void> {
  await storage.transaction(async (transaction) => {
    // Processes starting together load the file one after the other (their upserts would collide).
    await transaction.lock("organisation");
    const tx = transaction.prisma;
    for (const d of org.departments) {
      const data = { nameZh: d.name.zh, nameEn: d.name.en, leadId: d.lead };
      await tx.department.upsert({ where: { id: d.id }, create: { id: d.id, ...data }, update: data });
    }
    for (const c of org.serviceCenters) {
      const data = { nameZh: c.name.zh, nameEn: c.name.en, city: c.city ?? null };
      await tx.serviceCenter.upsert({ where: { id: c.id }, create: { id: c.id, ...data }, update: data });
    }
    const fileMemberIds = org.members.map((m) => m.id);
    await tx.member.updateMany({ where: { id: { notIn: fileMemberIds } }, data: { active: false } });
    for (const m of org.members) {
      const data = {
        nameZh: m.name.zh,
        nameEn: m.name.en,
        roles: m.roles.join(","),
        departmentId: m.department ?? null,
        serviceCenterId: m.serviceCenter ?? null,
        active: true,
      };
      await tx.member.upsert({ where: { id: m.id }, create: { id: m.id, locale: m.locale ?? null, ...data }, update: data });
      // Keep unchanged accounts as they are (their binding time decides which one gets messages).
      const listed = Object.entries(m.identities).map(([platform, externalId]) => ({ platform, externalId }));
      await tx.identity.deleteMany({ where: { memberId: m.id, source: "org", NOT: listed.length ? { OR: listed } : undefined } });
      for (const [platform, externalId] of Object.entries(m.identities)) {
        await tx.identity.upsert({
          where: { platform_externalId: { platform, externalId } },
          create: { platform, externalId, memberId: m.id, source: "org" },
          update: { memberId: m.id, source: "org" },
        });
      }
    }
    for (const c of org.channels) {
      const data = { platform: c.platform, externalId: c.externalId, purpose: c.purpose, nameZh: c.name.zh, nameEn: c.name.en };
      await tx.channel.upsert({ where: { id: c.id }, create: { id: c.id, ...data }, update: data });
    }
  });
}
