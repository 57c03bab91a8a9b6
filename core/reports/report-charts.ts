import type { Organisation } from "../directory/organisation.js";
import { t } from "../messages/catalog.js";
import { pick, type Locale } from "../messages/locale.js";
import { TICKET_SOURCES } from "../tickets/ticket.js";
import type { HotlineReport, MajorProblemsReport } from "./build-reports.js";
import type { DailyRecordData } from "./report-data.js";

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

/** A line per series over the days of a period, for whatever draws it. */
export interface TrendChart {
  title: string;
  days: string[];
  series: { label: string; values: number[] }[];
}

export type Chart = ({ type: "bar" } & BarChart) | ({ type: "trend" } & TrendChart);

const isPending = (ticket: { status: string }) => ticket.status !== "resolved" && ticket.status !== "closed";

/**
 * The day's picture for its records: the day's tickets by level and by service center, and how many
 * of them are still open against resolved.
 */
export function dailyCharts(data: DailyRecordData, org: Pick<Organisation, "serviceCenters">, locale: Locale): BarChart[] {
  const tickets = data.reported;
  const centers = new Map<string, number>();
  for (const ticket of tickets) centers.set(ticket.serviceCenterId ?? "none", (centers.get(ticket.serviceCenterId ?? "none") ?? 0) + 1);
  const centerName = (id: string) => {
    const center = org.serviceCenters.find((c) => c.id === id);
    return center ? pick(center.name, locale) : t(locale, "chart.no_center");
  };
  const open = tickets.filter(isPending).length;
  return [
    {
      title: t(locale, "chart.by_level"),
      bars: [
        { label: t(locale, "chart.general"), value: tickets.filter((x) => x.category === "general").length },
        ...([1, 2, 3] as const).map((level) => ({ label: t(locale, "chart.level", { level }), value: tickets.filter((x) => x.category === "major" && x.level === level).length })),
        { label: t(locale, "chart.ungraded"), value: tickets.filter((x) => x.category === "major" && x.level === null).length },
      ],
    },
    {
      title: t(locale, "chart.by_center"),
      // Every center of the organisation, so a quiet center shows as a zero rather than missing.
      bars: [...org.serviceCenters.map((c) => c.id), ...[...centers.keys()].filter((id) => !org.serviceCenters.some((c) => c.id === id))].map((id) => ({ label: centerName(id), value: centers.get(id) ?? 0 })),
    },
    {
      title: t(locale, "chart.open_resolved"),
      bars: [
        { label: t(locale, "chart.open"), value: open },
        { label: t(locale, "chart.resolved"), value: tickets.length - open },
      ],
    },
  ];
}
