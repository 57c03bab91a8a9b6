import type { Locale } from "../../core/messages/locale.js";

/** The console's own words (what the chats say comes from the core's catalog). */
const TEXT = {
  title: { "zh-CN": "热线工作台", en: "Hotline console" },
  board: { "zh-CN": "工单", en: "Tickets" },
  signIn: { "zh-CN": "登录", en: "Sign in" },
  signOut: { "zh-CN": "退出", en: "Sign out" },
  memberId: { "zh-CN": "成员 ID", en: "Member id" },
  password: { "zh-CN": "密码", en: "Password" },
  newPassword: { "zh-CN": "新密码（至少 10 个字符）", en: "New password (at least 10 characters)" },
  setPassword: { "zh-CN": "设置密码", en: "Set a password" },
  passwordSet: { "zh-CN": "密码已设置。下次可用成员 ID 和密码登录。", en: "Password set. Next time, sign in with your member id and password." },
  passwordTooShort: { "zh-CN": "密码至少 10 个字符。", en: "A password has at least 10 characters." },
  keepLinks: { "zh-CN": "不设密码，继续用一次性链接登录", en: "Keep signing in with one-time links" },
  linkIntro: { "zh-CN": "此链接只能使用一次。", en: "This link works once." },
  linkContinue: { "zh-CN": "以此链接登录", en: "Sign in with this link" },
  "refused.unknown": { "zh-CN": "此链接无效。请向管理员索取新链接。", en: "This link is not valid. Ask an administrator for a new one." },
  "refused.used": { "zh-CN": "此链接已使用过。请向管理员索取新链接。", en: "This link was used already. Ask an administrator for a new one." },
  "refused.expired": { "zh-CN": "此链接已过期。请向管理员索取新链接。", en: "This link has expired. Ask an administrator for a new one." },
  "refused.wrong": { "zh-CN": "成员 ID 或密码不对。", en: "Wrong member id or password." },
  "refused.slowed": { "zh-CN": "错误次数过多，请于 {time} 后再试。", en: "Too many wrong passwords: try again after {time}." },
  "refused.no-access": { "zh-CN": "您在通讯录中没有角色，无法使用工作台。", en: "You have no role in the directory, so the console is closed to you." },
  filter: { "zh-CN": "筛选", en: "Filter" },
  search: { "zh-CN": "搜索（编号、VIN、电话、顾客、描述）", en: "Search (number, VIN, phone, customer, description)" },
  kind: { "zh-CN": "类型", en: "Kind" },
  level: { "zh-CN": "级别", en: "Level" },
  status: { "zh-CN": "状态", en: "Status" },
  center: { "zh-CN": "服务中心", en: "Service center" },
  from: { "zh-CN": "起始日期", en: "From" },
  to: { "zh-CN": "截止日期", en: "To" },
  mine: { "zh-CN": "只看与我有关", en: "Mine only" },
  any: { "zh-CN": "全部", en: "Any" },
  openOnly: { "zh-CN": "未完成", en: "Unfinished" },
  fault: { "zh-CN": "质量故障", en: "Fault" },
  complaint: { "zh-CN": "顾客投诉", en: "Complaint" },
  general: { "zh-CN": "一般", en: "General" },
  levelN: { "zh-CN": "{n} 级", en: "Level {n}" },
  number: { "zh-CN": "编号", en: "Number" },
  customer: { "zh-CN": "顾客", en: "Customer" },
  description: { "zh-CN": "描述", en: "Description" },
  created: { "zh-CN": "时间", en: "Reported" },
  count: { "zh-CN": "共 {total} 张，第 {page}/{pages} 页", en: "{total} tickets, page {page} of {pages}" },
  none: { "zh-CN": "没有符合条件的工单。", en: "No ticket matches." },
  previous: { "zh-CN": "上一页", en: "Previous" },
  next: { "zh-CN": "下一页", en: "Next" },
  actions: { "zh-CN": "操作", en: "Actions" },
  action: { "zh-CN": "命令", en: "Command" },
  actionText: { "zh-CN": "内容（按命令需要填写）", en: "Text (as the command needs)" },
  takeCall: { "zh-CN": "受理来电", en: "Take a call" },
  startReport: { "zh-CN": "开始上报", en: "Start a report" },
  answer: { "zh-CN": "回答", en: "Answer" },
  send: { "zh-CN": "发送", en: "Send" },
  run: { "zh-CN": "执行", en: "Run" },
  timeline: { "zh-CN": "时间线", en: "Timeline" },
  language: { "zh-CN": "English", en: "中文" },
  notFound: { "zh-CN": "没有这张工单，或您无权查看。", en: "No such ticket, or it is not yours to see." },
  forbidden: { "zh-CN": "表单已过期，请返回重试。", en: "The form has expired: go back and try again." },
} as const satisfies Record<string, Record<Locale, string>>;

export type ConsoleTextKey = keyof typeof TEXT;

export function text(locale: Locale, key: ConsoleTextKey, values: Record<string, string | number> = {}): string {
  return TEXT[key][locale].replace(/\{(\w+)\}/g, (whole, name: string) => String(values[name] ?? whole));
}

/** The other language, for the switch in the header. */
export const otherLocale = (locale: Locale): Locale => (locale === "en" ? "zh-CN" : "en");
