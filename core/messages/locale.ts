import { z } from "zod";

export const LOCALES = ["zh-CN", "en"] as const;
export const localeSchema = z.enum(LOCALES);
export type Locale = z.infer<typeof localeSchema>;

/** A text in every supported language. */
export interface LocalizedText {
  zh: string;
  en: string;
}

export function pick(text: LocalizedText, locale: Locale): string {
  return locale === "en" ? text.en : text.zh;
}
