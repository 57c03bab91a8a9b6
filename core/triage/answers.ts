import { z } from "zod";

/**
 * The answers the manual's classification looks at (§4 "重大质量信息分级").
 * Every field is optional: omitted means no / none / unknown.
 */
export const triageAnswersSchema = z
  .object({
    casualties: z.boolean(),
    majorAccident: z.boolean(),
    media: z.enum(["none", "imminent", "exposed"]),
    manufacturingLossComplaint: z.boolean(),
    lossExceedsVehicleValue: z.boolean(),
    complaintFrequency: z.enum(["none", "high", "very_high"]),
    salesImpact: z.enum(["none", "possible", "direct"]),
    breakdown: z.boolean(),
    claimAmountCny: z.number().finite().nonnegative(),
    /** §4: affects the whole vehicle's performance or personal safety (影响整车性能及人身安全). */
    safetyOrPerformance: z.boolean(),
    /** §4: concerns a batch of vehicles (批量). */
    batch: z.boolean(),
  })
  .partial()
  .strict();

export type TriageAnswers = z.infer<typeof triageAnswersSchema>;
export type TriageField = keyof TriageAnswers;
