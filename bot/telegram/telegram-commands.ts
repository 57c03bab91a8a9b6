import type { BotCommand } from "grammy/types";

/** The command menu (setMyCommands), in Chinese (the default) and English. */
const COMMANDS: [command: string, zh: string, en: string][] = [
  ["new", "上报质量故障或顾客投诉", "Report a fault or a complaint"],
  ["status", "查看工单：/status 工单号", "Show a ticket: /status <no>"],
  ["timeline", "工单动态：/timeline 工单号 [页码]", "A ticket's timeline: /timeline <no> [page]"],
  ["mine", "与我相关的工单", "Tickets that concern me"],
  ["ack", "响应通知：/ack 工单号", "Acknowledge: /ack <no>"],
  ["take", "接手处理：/take 工单号", "Take it on: /take <no>"],
  ["note", "添加备注：/note 工单号 内容", "Add a note: /note <no> <text>"],
  ["ask", "请上报人补充信息", "Ask the reporter for more"],
  ["resolve", "标记解决并回执", "Resolve and send the receipt"],
  ["close", "关闭工单", "Close a ticket"],
  ["cancel", "取消当前上报", "Cancel the report in progress"],
  ["lang", "切换语言 中文/English", "Switch language 中文/English"],
  ["help", "帮助", "Help"],
];

export const commandMenu = (language: "zh" | "en"): BotCommand[] =>
  COMMANDS.map(([command, zh, en]) => ({ command, description: language === "en" ? en : zh }));
