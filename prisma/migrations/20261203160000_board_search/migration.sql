-- Written by hand: Prisma's schema cannot declare it. The board's search finds a part of a
-- ticket number, VIN, phone, customer name or description. A LIKE '%…%' reads every ticket; this
-- trigram index finds the tickets holding any run of three characters or more without reading the
-- others (prisma/stores/ticket-board.ts). It holds no copy of the text (external content: Ticket's
-- own columns), only the index, kept in step with Ticket by the triggers below.
CREATE VIRTUAL TABLE "TicketSearch" USING fts5(
    number, vin, customerPhone, customerName, description,
    content = 'Ticket', content_rowid = 'id', tokenize = 'trigram'
);

-- The tickets there are already.
INSERT INTO "TicketSearch" ("TicketSearch") VALUES ('rebuild');

CREATE TRIGGER "Ticket_search_insert" AFTER INSERT ON "Ticket" BEGIN
    INSERT INTO "TicketSearch" (rowid, number, vin, customerPhone, customerName, description)
    VALUES (new."id", new."number", new."vin", new."customerPhone", new."customerName", new."description");
END;

-- An external-content index forgets a row by being told its old values.
CREATE TRIGGER "Ticket_search_delete" AFTER DELETE ON "Ticket" BEGIN
    INSERT INTO "TicketSearch" ("TicketSearch", rowid, number, vin, customerPhone, customerName, description)
    VALUES ('delete', old."id", old."number", old."vin", old."customerPhone", old."customerName", old."description");
END;

CREATE TRIGGER "Ticket_search_update" AFTER UPDATE OF "number", "vin", "customerPhone", "customerName", "description" ON "Ticket" BEGIN
    INSERT INTO "TicketSearch" ("TicketSearch", rowid, number, vin, customerPhone, customerName, description)
    VALUES ('delete', old."id", old."number", old."vin", old."customerPhone", old."customerName", old."description");
    INSERT INTO "TicketSearch" (rowid, number, vin, customerPhone, customerName, description)
    VALUES (new."id", new."number", new."vin", new."customerPhone", new."customerName", new."description");
END;
