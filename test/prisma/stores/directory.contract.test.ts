import { describe, expect, it } from "vitest";
import type { Member } from "../../../core/directory/member.js";
import type { Organisation } from "../../../core/directory/organisation.js";
import { DirectoryCache, PrismaDirectory } from "../../../prisma/stores/directory-store.js";
import { PrismaInviteStore } from "../../../prisma/stores/invite-store.js";
import { syncOrganisation } from "../../../prisma/sync-organisation.js";
import { copyOfDefaultOrganisation, defaultOrganisation } from "../../support/organisation.js";
import { DIALECTS, pause, useStorage } from "./contract-support.js";

/** A member as the organisation file describes them, before anything changed at run time. */
function asInFile(org: Organisation, id: string): Member {
  const m = org.members.find((member) => member.id === id)!;
  return { id, name: m.name, roles: m.roles, departmentId: m.department, serviceCenterId: m.serviceCenter, locale: m.locale, identities: m.identities, preferredPlatform: m.preferredPlatform };
}

describe.each(DIALECTS)("the directory on %s", (dialect) => {
  const scene = useStorage(dialect);
  const org = defaultOrganisation();
  const directory = (cache?: DirectoryCache) => new PrismaDirectory(scene.storage, org, cache);
  const bind = async (memberId: string, externalId: string) => {
    const codeHash = `code-for-${externalId}`;
    const invites = new PrismaInviteStore(scene.storage);
    await invites.create({ codeHash, memberId, platform: "telegram", expiresAt: new Date("2099-01-01T00:00:00Z") });
    const now = new Date();
    return invites.redeem({ codeHash, platform: "telegram", externalId, eventId: `bind-${externalId}`, now, refusals: { max: 5, since: new Date(now.getTime() - 3_600_000) } });
  };

  it("lists the organisation file's members as the file describes them", async () => {
    const members = await directory().listMembers();
    expect(members.map((m) => m.id).sort()).toEqual(org.members.map((m) => m.id).sort());
    for (const member of members) expect(member).toEqual(asInFile(org, member.id));
  });

  it("finds a member by id and by a bound chat account", async () => {
    expect(await directory().findMember("guo.tao")).toEqual(asInFile(org, "guo.tao"));
    expect((await directory().findMember("guo.tao"))?.locale).toBe("en");
    expect((await directory().findMemberByIdentity("telegram", "200000001"))?.id).toBe("wang.fang");
    expect((await directory().findMemberByIdentity("slack", "U0000000AS1"))?.id).toBe("zhou.min");
    expect((await directory().findMemberByIdentity("wecom", "zhoumin"))?.id).toBe("zhou.min");
    expect(await directory().findMember("nobody")).toBeUndefined();
    expect(await directory().findMemberByIdentity("telegram", "999999999")).toBeUndefined();
    expect(await directory().findMemberByIdentity("slack", "200000001")).toBeUndefined(); // another platform's id
  });

  it("addresses a member on the account bound last, and finds them by each of their accounts", async () => {
    expect(await bind("wang.fang", "300000001")).toEqual({ memberId: "wang.fang" });
    const member = await directory().findMember("wang.fang");
    expect(member?.identities).toEqual({ telegram: "300000001", wecom: "wangfang" });
    expect((await directory().findMemberByIdentity("telegram", "200000001"))?.id).toBe("wang.fang");
    expect((await directory().findMemberByIdentity("telegram", "300000001"))?.id).toBe("wang.fang");
  });

  it("keeps a member's language, also when the organisation file is loaded again", async () => {
    await directory().setLocale("wang.fang", "en");
    await directory().setLocale("guo.tao", "zh-CN");
    expect((await directory().findMember("wang.fang"))?.locale).toBe("en");
    await syncOrganisation(scene.storage, org);
    expect((await directory().findMember("wang.fang"))?.locale).toBe("en");
    expect((await directory().findMember("guo.tao"))?.locale).toBe("zh-CN");
  });

  it("no longer lists a member the organisation file dropped, nor finds them by their accounts; keeps invite bindings of the rest", async () => {
    await bind("ma.jun", "300000002");
    const changed = copyOfDefaultOrganisation();
    changed.members = changed.members.filter((m) => m.id !== "wang.fang");
    await syncOrganisation(scene.storage, changed);
    const now = new PrismaDirectory(scene.storage, changed);
    expect(await now.findMember("wang.fang")).toBeUndefined();
    expect(await now.findMemberByIdentity("telegram", "200000001")).toBeUndefined();
    expect((await now.listMembers()).map((m) => m.id)).not.toContain("wang.fang");
    expect((await now.findMemberByIdentity("telegram", "300000002"))?.id).toBe("ma.jun");
  });

  it("with a cache, shows its own changes at once and another process's within the cache's time to live", async () => {
    const cached = directory(new DirectoryCache(1_000));
    expect((await cached.findMember("wang.fang"))?.locale).toBeUndefined();
    await cached.setLocale("wang.fang", "en");
    expect((await cached.findMember("wang.fang"))?.locale).toBe("en");
    await directory().setLocale("ma.jun", "en"); // another process's directory
    expect((await cached.findMember("ma.jun"))?.locale).toBeUndefined();
    await pause(1_100);
    expect((await cached.findMember("ma.jun"))?.locale).toBe("en");
  });
});
