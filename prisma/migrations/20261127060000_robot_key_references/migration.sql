-- A delivery into a department's WeCom group names the department (`robot:<department id>`, as its
-- channelId does) instead of holding the group robot's key, a secret: the adapter reads the key from
-- the organisation when it sends. Rows written before hold the key, or its `env:` name; drop it.
UPDATE "Delivery"
SET "recipient" = json_set("recipient", '$.address', json_extract("recipient", '$.channelId'))
WHERE "platform" = 'wecom'
  AND CASE WHEN json_valid("recipient") THEN json_extract("recipient", '$.channelId') LIKE 'robot:%' ELSE 0 END;
