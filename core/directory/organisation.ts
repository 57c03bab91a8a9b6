import { z } from "zod";
import { localeSchema } from "../messages/locale.js";
import { BRANDS, type Brand } from "../tickets/ticket.js";
import { DEFAULT_THRESHOLDS } from "../triage/rules.js";

export const PLATFORMS = ["telegram", "slack", "wecom"] as const;
export const platformSchema = z.enum(PLATFORMS);
export type Platform = z.infer<typeof platformSchema>;

/**
 * What a member may do. `staff` report for their service center, `agent` enters hotline calls,
 * `member` belongs to a department, `manager` receives escalations and reports, `admin` keeps
 * the directory. A department's lead is named on the department, not here.
 */
export const ROLES = ["staff", "agent", "member", "manager", "admin"] as const;
export const roleSchema = z.enum(ROLES);
export type Role = z.infer<typeof roleSchema>;

/** What a pinged department or person is asked to do (manual §4, §5). */
export const DUTIES = [
  "confirm",
  "assign_service_center",
  "technical_support",
  "propose_measures",
  "coordinate",
  "handle",
  "informed",
  "appoint_team_member",
  "lead_complaint_team",
  "grade",
  "handle_call",
  "handle_finance",
  "transport_vehicle",
  "store_vehicle",
] as const;
export const dutySchema = z.enum(DUTIES);
export type Duty = z.infer<typeof dutySchema>;

const id = z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, "use lower-case letters, digits, '.', '_' or '-'");
const name = z.object({ zh: z.string().min(1), en: z.string().min(1) }).strict();
const identities = z
  .object({ telegram: z.string().min(1), slack: z.string().min(1), wecom: z.string().min(1) })
  .partial()
  .strict();
/** The severities a channel may carry (a major ticket still to be graded is posted nowhere). */
const levelKey = z.enum(["general", "level1", "level2", "level3"]);
export type LevelKey = z.infer<typeof levelKey>;
export const MAJOR_LEVEL_KEYS = ["level1", "level2", "level3"] as const;
export type MajorLevelKey = (typeof MAJOR_LEVEL_KEYS)[number];
/**
 * The escalation plans: one per severity, and two for hotline calls: `first_line` while the
 * customer-service center handles a call itself, `work_order` once it transferred it to after-sales.
 */
export const PLAN_KEYS = ["general", "ungraded", "level1", "level2", "level3", "first_line", "work_order"] as const;
export type PlanKey = (typeof PLAN_KEYS)[number];

/** One entry of an escalation plan: a department (its lead is mentioned) or named members, and their duty. */
const pingSpec = z
  .object({
    department: id.optional(),
    members: z.array(id).min(1).optional(),
    duty: dutySchema,
    /** Whether the ping must be acknowledged, with a deadline and an escalation chain. */
    acknowledge: z.boolean().default(true),
  })
  .strict()
  .refine((p) => (p.department === undefined) !== (p.members === undefined), "give either department or members");
export type PingSpec = z.infer<typeof pingSpec>;

/** Minutes; fractions are allowed (0.5 is thirty seconds), which also lets tests run whole chains quickly. */
const minutesSchema = z.number().positive();

const pingSpecs = z.array(pingSpec);

/** A brand's warranty (§5 质量担保): whole years from the sale date and kilometres; whichever comes first ends it. */
const warrantyTermsSchema = z
  .object({
    years: z.number().int("must be whole years").positive(),
    km: z.number().positive(),
  })
  .strict();
export type WarrantyTerms = z.infer<typeof warrantyTermsSchema>;

/**
 * The manual names no terms, only that they apply (§5). These defaults, two years or 60,000 km
 * (两年或六万公里) for Haise and Zhonghua alike, are a placeholder in the way of that era's vans and
 * cars, not the company's own: a deployment writes its terms in the organisation file. "Other"
 * brands have none, so their warranty reads as unknown.
 */
export const DEFAULT_WARRANTY: Readonly<Partial<Record<Brand, WarrantyTerms>>> = { haise: { years: 2, km: 60_000 }, zhonghua: { years: 2, km: 60_000 } };

/** Terms per brand of the report dialog; a brand left out has no terms. An unknown brand is refused at its own key. */
const warrantySchema = z
  .record(z.string(), warrantyTermsSchema)
  .superRefine((terms, ctx) => {
    for (const key of Object.keys(terms)) {
      if (!(BRANDS as readonly string[]).includes(key)) ctx.addIssue({ code: "custom", path: [key], message: `unknown brand "${key}" (one of ${BRANDS.join(", ")})` });
    }
  })
  .transform((terms) => terms as Partial<Record<Brand, WarrantyTerms>>);

const organisationShape = z
  .object({
    /** The organisation's name: messages that name the company take it from here (see `organisationTerms`). */
    name: name,
    /** The department that owns quality information and complaints (manual §4: 售后服务部). */
    afterSalesDepartment: id,
    /**
     * The 24-hour hotline (manual §4: 客服中心): its agents handle their calls first and transfer what
     * they cannot settle to after-sales. Omitted: hotline calls go to after-sales directly.
     */
    customerServiceDepartment: id.optional(),
    /**
     * Quality assurance (manual §4: 质量保证部), whose members record its work on a ticket: the
     * technical support sent (level 1), the proposed measures (level 2), the technical appraisal
     * (§5: 技术鉴定、核实). Omitted: the department the level-1 plan asks for technical support,
     * else the one the level-2 plan asks for measures.
     */
    qualityAssuranceDepartment: id.optional(),
    /**
     * §4: major information reaches QA and the leaders only once after-sales confirmed it. `levels`
     * that wait for it (default: every major level), and minutes after-sales has; when they pass the
     * ticket goes out anyway, marked unconfirmed, and the confirmation climbs the after-sales chain.
     */
    confirmation: z
      .object({
        levels: z.array(z.enum(MAJOR_LEVEL_KEYS)).default([...MAJOR_LEVEL_KEYS]),
        minutes: z
          .object({ level1: minutesSchema, level2: minutesSchema, level3: minutesSchema })
          .strict()
          .default({ level1: 10, level2: 30, level3: 60 }),
      })
      .strict()
      .prefault({}),
    /** Who may grade (定级) a ticket: members of these departments and holders of these roles. */
    grading: z
      .object({
        /** Omitted: the after-sales department. */
        departments: z.array(id).optional(),
        roles: z.array(roleSchema).default(["manager"]),
      })
      .strict()
      .prefault({}),
    departments: z
      .array(
        z
          .object({
            id,
            name,
            lead: id,
            /** A Slack user group (`S…`) to mention instead of the lead alone. */
            slackUserGroup: z.string().optional(),
            /** WeCom group-robot key of the department's group chat (a secret: prefer `env:VAR`). */
            wecomRobotKey: z.string().optional(),
          })
          .strict(),
      )
      .min(1),
    serviceCenters: z.array(
      z
        .object({
          id,
          name,
          city: z.string().optional(),
          /**
           * Who a missed feedback deadline climbs to first, in order (the center's service manager,
           * its general manager), before the after-sales chain. Omitted: the center's staff are told
           * and the deadline goes straight to the after-sales chain.
           */
          chain: z.array(id).min(1).optional(),
        })
        .strict(),
    ),
    members: z
      .array(
        z
          .object({
            id,
            name,
            roles: z.array(roleSchema).min(1),
            department: id.optional(),
            serviceCenter: id.optional(),
            locale: localeSchema.optional(),
            /** Where direct messages go when a member has several identities. */
            preferredPlatform: platformSchema.optional(),
            identities: identities.default({}),
          })
          .strict(),
      )
      .min(1),
    channels: z
      .array(
        z
          .object({
            id,
            name,
            platform: platformSchema,
            externalId: z.string().min(1),
            purpose: z.enum(["escalation", "team", "summary", "service_center"]),
            /** For escalation channels: which tickets are posted here. Omitted: all. */
            levels: z.array(levelKey).optional(),
            /** For a `service_center` channel: the center whose group chat it is (receipts go there). */
            serviceCenter: id.optional(),
          })
          .strict(),
      )
      .default([]),
    triage: z
      .object({
        level2ClaimCny: z.number().positive().default(DEFAULT_THRESHOLDS.level2ClaimCny),
        level3ClaimCny: z.number().positive().default(DEFAULT_THRESHOLDS.level3ClaimCny),
      })
      .strict()
      .refine((t) => t.level3ClaimCny < t.level2ClaimCny, "level3ClaimCny must be below level2ClaimCny")
      .default(DEFAULT_THRESHOLDS),
    deadlines: z
      .object({
        /** Minutes to acknowledge a ping, per plan. */
        acknowledgeMinutes: z
          .object({
            general: minutesSchema,
            level1: minutesSchema,
            level2: minutesSchema,
            level3: minutesSchema,
            ungraded: minutesSchema.default(120),
            first_line: minutesSchema.default(60),
            /** The customer pending work order: after-sales acknowledges and assigns it. */
            work_order: minutesSchema.default(240),
          })
          .strict()
          .prefault({ general: 480, level1: 30, level2: 120, level3: 240 }),
        /** Minutes QA has to propose measures for a level-2 ticket. */
        measuresMinutes: minutesSchema.default(24 * 60),
        /**
         * Minutes QA has, once a level-1 ticket reaches it, to send people for technical support
         * (§4: 立即委派相关人员提供技术支持). @defaultValue 60
         */
        supportMinutes: minutesSchema.default(60),
        /** Minutes sales finance has to handle an agreed amount (§5: 销售财务处负责相关财务处理). @defaultValue 4320 (3 days) */
        financeMinutes: minutesSchema.default(3 * 24 * 60),
        /** Minutes a service center has to report back on a general ticket. */
        feedbackMinutes: minutesSchema.default(48 * 60),
        /** Minutes after-sales has to send the result (回执) to the center and the customer. */
        receiptMinutes: minutesSchema.default(72 * 60),
        /** Minutes sales logistics has to bring a returned vehicle back (§5). @defaultValue 2 days */
        transportMinutes: minutesSchema.default(2 * 24 * 60),
        /** Minutes planning logistics has, from the return's request, to store the vehicle (§5). @defaultValue 3 days */
        storageMinutes: minutesSchema.default(3 * 24 * 60),
        /** Reminders before a deadline, in minutes before it; one that would come before the deadline's start is skipped. */
        reminderMinutesBefore: z.array(minutesSchema).default([10]),
      })
      .strict()
      .prefault({}),
    /** Warranty terms per brand (§5: 质量担保期内的故障维修按质量担保规定的要求执行). Omitted: `DEFAULT_WARRANTY`. */
    warranty: warrantySchema.default(DEFAULT_WARRANTY),
    /**
     * Who handles a returned faulty vehicle (§5: 销售公司物流部负责退回的故障车辆的运输，计划物流部负责贮存和保管):
     * the department that transports it and the one that stores it. Omitted: `/return` is refused.
     */
    logistics: z.object({ transport: id, storage: id }).strict().optional(),
    escalation: z
      .object({
        /**
         * Who an unacknowledged ping climbs to, in order. `lead` is the pinged department's lead;
         * other entries are member ids. Manual default: lead → senior manager → assistant to the VP.
         */
        chain: z.array(z.union([z.literal("lead"), id])).min(1),
        /** Who is pinged for each kind of ticket (manual §4 "重大质量信息处理"). */
        plans: z
          .object({
            general: pingSpecs,
            level1: pingSpecs,
            level2: pingSpecs,
            level3: pingSpecs,
            /** Omitted: the manual's (see `withDefaultPlans`). */
            ungraded: pingSpecs.optional(),
            first_line: pingSpecs.optional(),
            work_order: pingSpecs.optional(),
          })
          .strict(),
        /** Extra pings for a major complaint (manual §5: reported to QA and the sales-company leaders). */
        complaint: z.array(pingSpec).default([]),
      })
      .strict(),
    /** The evening reports (manual §4: 售后服务部重大质量问题日报告, 售后服务电话接听日报表). */
    reports: z
      .object({
        /** Local time (business time zone) the daily reports go out. @defaultValue "18:00" */
        dailyAt: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be a time of day as HH:MM, e.g. 18:00").default("18:00"),
      })
      .strict()
      .prefault({}),
    /**
     * The manual's records (§4, §5): their titles as the company prints them, the per-ticket forms
     * and the daily and weekly records. One left out keeps the manual's name from the message
     * catalog (`document.form.*`).
     */
    records: z
      .object({
        titles: z
          .object({
            major_quality_report: name, major_complaint_report: name, customer_work_order: name,
            hotline_call_log: name, mail_log: name, major_problems_daily: name, weekly_measures: name, ticket_export: name,
          })
          .partial()
          .strict()
          .default({}),
      })
      .strict()
      .prefault({}),
    /** The complaint-handling team (manual §5 重大投诉问题处理小组). */
    complaintTeam: z
      .object({
        leader: id,
        /**
         * The department that handles the money of a signed agreement (§5: 销售财务处负责相关财务处理):
         * an agreement with an amount pings its lead. Omitted: `sales_finance`, where a rule names it.
         */
        financeDepartment: id.optional(),
        /** Which departments appoint a member, by the ticket's level and media exposure. */
        rules: z
          .array(
            z
              .object({
                departments: z.array(id).min(1),
                when: z
                  .object({
                    levels: z.array(z.union([z.literal(1), z.literal(2), z.literal(3)])).optional(),
                    media: z.array(z.enum(["imminent", "exposed"])).optional(),
                  })
                  .strict()
                  .optional(),
              })
              .strict(),
          )
          .min(1),
      })
      .strict(),
  })
  .strict();

/** The organisation file: directory, channels, thresholds, deadlines, escalation and teams. */
export const organisationSchema = organisationShape.superRefine(checkReferences).transform(withDefaults);

export type Organisation = z.output<typeof organisationSchema>;
export type OrgMember = Organisation["members"][number];
export type OrgDepartment = Organisation["departments"][number];
export type OrgChannel = Organisation["channels"][number];

/**
 * What a file may leave out, filled from what it names: the plans added after the first files, and
 * who grades. The defaults follow the manual (§4).
 */
function withDefaults(o: z.output<typeof organisationShape>) {
  const afterSales = (duty: Duty): PingSpec => ({ department: o.afterSalesDepartment, duty, acknowledge: true });
  const hotline = o.customerServiceDepartment;
  const plans = {
    ...o.escalation.plans,
    // Important information no level's criteria cover yet goes to after-sales to grade.
    ungraded: o.escalation.plans.ungraded ?? [afterSales("grade")],
    // 客服中心负责通过销售服务热线反馈信息的收集、处理: the hotline handles its calls first.
    first_line: o.escalation.plans.first_line ?? (hotline ? [{ department: hotline, duty: "handle_call" as const, acknowledge: false }] : []),
    // What the hotline cannot settle goes to after-sales (顾客待处理工单), which assigns a center.
    work_order: o.escalation.plans.work_order ?? [afterSales("assign_service_center")],
  } satisfies Record<PlanKey, PingSpec[]>;
  return {
    ...o,
    // checkReferences refuses a file from which neither can be told, so "" is never kept.
    qualityAssuranceDepartment: qualityAssuranceOf(o) ?? "",
    escalation: { ...o.escalation, plans },
    grading: { ...o.grading, departments: o.grading.departments ?? [o.afterSalesDepartment] },
    complaintTeam: { ...o.complaintTeam, financeDepartment: financeOf(o) ?? "" },
  };
}

/** §4: the department the plans ask for technical support (level 1), else for measures (level 2). */
function qualityAssuranceOf(o: z.output<typeof organisationShape>): string | undefined {
  const asked = (specs: PingSpec[], duty: Duty) => specs.find((p) => p.duty === duty && p.department !== undefined)?.department;
  return o.qualityAssuranceDepartment ?? asked(o.escalation.plans.level1, "technical_support") ?? asked(o.escalation.plans.level2, "propose_measures");
}

/** The manual's sales finance (销售财务处), where the complaint team's rules name it by its usual id. */
const MANUAL_FINANCE_DEPARTMENT = "sales_finance";

function financeOf(o: z.output<typeof organisationShape>): string | undefined {
  const named = o.complaintTeam.rules.some((rule) => rule.departments.includes(MANUAL_FINANCE_DEPARTMENT));
  return o.complaintTeam.financeDepartment ?? (named ? MANUAL_FINANCE_DEPARTMENT : undefined);
}

/** Every id the file mentions must be defined in it; errors point at the key path. */
function checkReferences(o: z.output<typeof organisationShape>, ctx: z.RefinementCtx): void {
  const departments = new Set(o.departments.map((d) => d.id));
  const members = new Set(o.members.map((m) => m.id));
  const centers = new Set(o.serviceCenters.map((c) => c.id));
  const expect = (set: Set<string>, value: string | undefined, path: (string | number)[], what: string) => {
    if (value !== undefined && !set.has(value)) {
      ctx.addIssue({ code: "custom", path, message: `unknown ${what} "${value}"` });
    }
  };
  duplicates(o.departments.map((d) => d.id)).forEach((i) => ctx.addIssue({ code: "custom", path: ["departments", i, "id"], message: "duplicate id" }));
  duplicates(o.members.map((m) => m.id)).forEach((i) => ctx.addIssue({ code: "custom", path: ["members", i, "id"], message: "duplicate id" }));
  expect(departments, o.afterSalesDepartment, ["afterSalesDepartment"], "department");
  expect(departments, o.customerServiceDepartment, ["customerServiceDepartment"], "department");
  expect(departments, o.logistics?.transport, ["logistics", "transport"], "department");
  expect(departments, o.logistics?.storage, ["logistics", "storage"], "department");
  expect(departments, o.qualityAssuranceDepartment, ["qualityAssuranceDepartment"], "department");
  if (qualityAssuranceOf(o) === undefined) {
    ctx.addIssue({ code: "custom", path: ["qualityAssuranceDepartment"], message: "name the quality assurance department: no level-1 or level-2 plan asks a department for technical support or measures" });
  }
  o.grading.departments?.forEach((d, i) => expect(departments, d, ["grading", "departments", i], "department"));
  o.serviceCenters.forEach((c, i) => c.chain?.forEach((m, j) => expect(members, m, ["serviceCenters", i, "chain", j], "member")));
  o.departments.forEach((d, i) => expect(members, d.lead, ["departments", i, "lead"], "member"));
  o.channels.forEach((c, i) => {
    expect(centers, c.serviceCenter, ["channels", i, "serviceCenter"], "service center");
    if ((c.purpose === "service_center") !== (c.serviceCenter !== undefined)) {
      ctx.addIssue({ code: "custom", path: ["channels", i, "serviceCenter"], message: "a service_center channel names its service center, and only it does" });
    }
  });
  o.members.forEach((m, i) => {
    expect(departments, m.department, ["members", i, "department"], "department");
    expect(centers, m.serviceCenter, ["members", i, "serviceCenter"], "service center");
    if (m.roles.includes("staff") && m.serviceCenter === undefined) {
      ctx.addIssue({ code: "custom", path: ["members", i, "serviceCenter"], message: "staff must belong to a service center" });
    }
    if (m.preferredPlatform && m.identities[m.preferredPlatform] === undefined) {
      ctx.addIssue({ code: "custom", path: ["members", i, "preferredPlatform"], message: `no ${m.preferredPlatform} identity to prefer` });
    }
  });
  o.escalation.chain.forEach((step, i) => step !== "lead" && expect(members, step, ["escalation", "chain", i], "member"));
  const checkPings = (specs: PingSpec[], path: (string | number)[]) =>
    specs.forEach((p, i) => {
      expect(departments, p.department, [...path, i, "department"], "department");
      p.members?.forEach((m, j) => expect(members, m, [...path, i, "members", j], "member"));
    });
  Object.entries(o.escalation.plans).forEach(([key, specs]) => checkPings(specs ?? [], ["escalation", "plans", key]));
  checkPings(o.escalation.complaint, ["escalation", "complaint"]);
  expect(departments, o.complaintTeam.leader, ["complaintTeam", "leader"], "department");
  expect(departments, o.complaintTeam.financeDepartment, ["complaintTeam", "financeDepartment"], "department");
  if (financeOf(o) === undefined) {
    ctx.addIssue({ code: "custom", path: ["complaintTeam", "financeDepartment"], message: `name the department that handles agreed amounts (§5 销售财务处): no rule names "${MANUAL_FINANCE_DEPARTMENT}"` });
  }
  o.complaintTeam.rules.forEach((r, i) =>
    r.departments.forEach((d, j) => expect(departments, d, ["complaintTeam", "rules", i, "departments", j], "department")),
  );
}

function duplicates(ids: string[]): number[] {
  return ids.flatMap((value, index) => (ids.indexOf(value) === index ? [] : [index]));
}
