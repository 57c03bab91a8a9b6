import { describe, expect, it } from "vitest";
import { parseFlatXml } from "../../../bot/wecom/wecom-xml.js";

describe("WeCom's flat XML", () => {
  it("reads CDATA, a CDATA split around a literal ]]>, and plain values with entities", () => {
    const xml = "<xml><ToUserName><![CDATA[ww1]]></ToUserName><Content><![CDATA[a]]]]><![CDATA[>b </Content> c]]></Content><CreateTime>1409659813</CreateTime><Note>x &lt; y</Note></xml>";
    expect(parseFlatXml(xml)).toEqual({ ToUserName: "ww1", Content: "a]]>b </Content> c", CreateTime: "1409659813", Note: "x < y" });
  });

  it("reads a run of unclosed CDATA sections at once (the body is parsed before its signature is checked)", () => {
    // A backtracking pattern tried every way of splitting these sections: 28 of them took seconds.
    for (const sections of [28, 40, 100_000]) {
      const started = performance.now();
      expect(parseFlatXml(`<xml><Encrypt>${"<![CDATA[]]>".repeat(sections)}</Encrypt`)).toEqual({});
      expect(performance.now() - started).toBeLessThan(500);
    }
    expect(parseFlatXml(`<xml><Encrypt>${"<![CDATA[a]]>".repeat(3)}</Encrypt></xml>`)).toEqual({ Encrypt: "aaa" });
  });

  it("reads an element named like an Object member as any other, and expands no entity a DTD declares", () => {
    const fields = parseFlatXml(`<!DOCTYPE xml [<!ENTITY e "boom">]><xml><constructor>c</constructor><__proto__>p</__proto__><Content>&e;&amp;lt;</Content></xml>`);
    expect(Object.entries(fields)).toEqual([["constructor", "c"], ["__proto__", "p"], ["Content", "&e;&lt;"]]);
  });

  it("gives an element with children, attributes or a stray < no value, and keeps the first of a name", () => {
    expect(parseFlatXml("<xml><Content><b>x</b></Content><To a=\"1\">y</To><From>a < b</From><MsgId>1</MsgId><MsgId>2</MsgId></xml>")).toEqual({ b: "x", MsgId: "1" });
  });
});
