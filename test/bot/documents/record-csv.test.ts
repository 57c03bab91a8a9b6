import { describe, expect, it } from "vitest";
import { csvField, renderTableCsv } from "../../../bot/documents/record-csv.js";

describe("CSV for Excel", () => {
  it("quotes a field only when it holds a comma, a double quote or a line break, doubling its quotes (RFC 4180 §2)", () => {
    expect(csvField("制动失灵，撞上护栏")).toBe("制动失灵，撞上护栏");
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField('说"漏水"')).toBe('"说""漏水"""');
    expect(csvField("一行\n两行")).toBe('"一行\n两行"');
    expect(csvField("回车\r")).toBe('"回车\r"');
    expect(csvField("")).toBe("");
  });

  it("starts with the BOM, ends every record with CRLF, writes numbers plain and times in the business time zone", () => {
    const bytes = renderTableCsv(
      {
        key: "tickets",
        heading: "工单",
        columns: [{ key: "number", label: "编号" }, { key: "at", label: "时间" }, { key: "mileage", label: "里程" }, { key: "note", label: "备注" }],
        rows: [[{ type: "text", text: "HL-1" }, { type: "time", at: new Date("2026-11-26T02:00:00Z") }, { type: "number", value: 12000, unit: "km" }, { type: "text", text: 'a,"b"' }]],
      },
      "Asia/Shanghai",
    );
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.subarray(3).toString("utf8")).toBe('编号,时间,里程,备注\r\nHL-1,2026-11-26 10:00,12000,"a,""b"""\r\n');
  });
});
