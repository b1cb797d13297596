// Threading a recorded message (pure): delivery and dialogue matches by
// reference, the subject only as a tie-breaker, and the thread's root when
// nothing recorded matches, whatever order the messages were recorded in.
import { describe, expect, it } from "vitest";
import type { BatchContext, DeliveryRef, DialogueRef } from "../../src/inbox/load-batch-context.ts";
import { matchThread } from "../../src/inbox/match-thread.ts";
import type { ReadMessage } from "../../src/inbox/read-message.ts";

const read = (o: {
  messageId: string;
  inReplyTo?: string;
  references?: string[];
  subject?: string;
}): ReadMessage => ({
  parsed: {
    messageId: o.messageId,
    inReplyTo: o.inReplyTo ?? null,
    references: o.references ?? [],
    subject: o.subject ?? "Re: Question",
    date: null,
    from: [{ address: "hanna@example.test", name: "Hanna" }],
    to: [{ address: "sales@example.test", name: "" }],
    cc: [],
    deliveredTo: [],
    headers: new Map(),
    contentType: "text/plain",
    text: "Thanks",
    html: null,
    attachments: [],
    reports: [],
    size: 100,
    defects: [],
  },
  classification: { kind: "reply", text: "Thanks", removed: "" },
  dedupeKey: `mid:${o.messageId}`,
  messageId: o.messageId,
  size: 100,
});

const context = (
  deliveries: DeliveryRef[] = [],
  dialogues: Array<DialogueRef & { messageId: string }> = [],
): BatchContext => ({
  alreadyRecorded: new Set(),
  deliveriesByMessageId: new Map(deliveries.map((d) => [d.messageId, d])),
  deliveriesByPair: new Map(),
  dialoguesByMessageId: new Map(dialogues.map((d) => [d.messageId, d])),
  contactsByEmail: new Map(),
});

const delivery: DeliveryRef = {
  id: 7,
  campaignId: 3,
  contactId: 11,
  messageId: "c3.r11@news.example.test",
  status: "sent",
  subject: "November news",
  contactEmail: "hanna@example.test",
};

describe("matchThread", () => {
  it("joins the campaign's thread through a reference to a delivery", () => {
    const m = read({ messageId: "r1@example.net", inReplyTo: delivery.messageId });
    expect(matchThread([], context([delivery]), m, new Map())).toMatchObject({
      delivery: { id: 7 },
      campaignId: 3,
      threadId: delivery.messageId,
      via: "reference",
    });
  });

  it("joins a recorded dialogue's thread, nearest reference first", () => {
    const earlier = {
      id: 1,
      messageId: "q@example.net",
      threadId: "root@example.net",
      campaignId: null,
      deliveryId: null,
      subject: "Question",
    };
    const m = read({
      messageId: "a@example.test",
      inReplyTo: "q@example.net",
      references: ["root@example.net", "q@example.net"],
    });
    expect(matchThread([], context([], [earlier]), m, new Map())).toMatchObject({
      threadId: "root@example.net",
      via: "reference",
    });
  });

  it("an answer recorded before its question is in the question's thread all the same", () => {
    const question = read({ messageId: "q@example.net", subject: "Question" });
    const answer = read({
      messageId: "a@example.test",
      inReplyTo: "q@example.net",
      references: ["q@example.net"],
    });
    const answered = matchThread([], context(), answer, new Map());
    const asked = matchThread([], context(), question, new Map());
    expect(answered).toMatchObject({ threadId: "q@example.net", via: "none" });
    expect(asked.threadId).toBe(answered.threadId);
    // with In-Reply-To alone, that one names the thread
    const bare = read({ messageId: "b@example.test", inReplyTo: "q@example.net" });
    expect(matchThread([], context(), bare, new Map()).threadId).toBe("q@example.net");
  });

  it("lets the subject choose between two threads, never make a match alone", () => {
    const a = {
      id: 1,
      messageId: "x@example.net",
      threadId: "thread-x",
      campaignId: null,
      deliveryId: null,
      subject: "Invoice",
    };
    const b = { ...a, id: 2, messageId: "y@example.net", threadId: "thread-y", subject: "Quote" };
    const m = read({
      messageId: "m@example.test",
      inReplyTo: "x@example.net",
      references: ["y@example.net", "x@example.net"],
      subject: "SV: Quote",
    });
    expect(matchThread([], context([], [a, b]), m, new Map())).toMatchObject({
      threadId: "thread-y",
      via: "subject",
    });
    const unrelated = read({ messageId: "n@example.test", subject: "Re: Quote" });
    expect(matchThread([], context([], [a, b]), unrelated, new Map())).toMatchObject({
      threadId: "n@example.test",
      via: "none",
    });
  });
});
