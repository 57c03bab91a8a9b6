import type { Organisation } from "../directory/organisation.js";
import { t } from "../messages/catalog.js";
import { pick, type Locale } from "../messages/locale.js";
import { TICKET_SOURCES } from "../tickets/ticket.js";
import type { HotlineReport, MajorProblemsReport } from "./build-reports.js";

/** A bar chart's content, for whatever draws it (the console's SVG, a document's picture). */
export interface BarChart {
  title: string;
  bars: { label: string; value: number }[];
}

/** The daily reports as charts: new major tickets by level, tickets by source and by center, handled against pending. */
export function reportCharts(reports: { majorProblems: MajorProblemsReport; hotline: HotlineReport }, org: Pick<Organisation, "serviceCenters">, locale: Locale): BarChart[] {
  const { newByLevel } = reports.majorProblems;
  const { hotline } = reports;
  const centerName = (id: string) => {
    const center = org.serviceCenters.find((c) => c.id === id);
    return center ? pick(center.name, locale) : t(locale, "chart.no_center");
  };
  return [
    {
      title: t(locale, "chart.major_by_level"),
      bars: [
        ...([1, 2, 3] as const).map((level) => ({ label: t(locale, "chart.level", { level }), value: newByLevel[level].length })),
        { label: t(locale, "chart.ungraded"), value: newByLevel.ungraded.length },
      ],
    },
    { title: t(locale, "chart.by_source"), bars: TICKET_SOURCES.map((source) => ({ label: t(locale, `source.${source}`), value: hotline.bySource[source] ?? 0 })) },
    { title: t(locale, "chart.by_center"), bars: Object.entries(hotline.byCenter).map(([id, value]) => ({ label: centerName(id), value })) },
    {
      title: t(locale, "chart.handled"),
      bars: [
        { label: t(locale, "chart.handled_done"), value: hotline.handled },
        { label: t(locale, "chart.handled_pending"), value: hotline.pending },
      ],
    },
  ];
}
