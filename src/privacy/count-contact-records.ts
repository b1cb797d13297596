import { AppError } from "../errors.ts";
import type { Db } from "../types.ts";

export interface ContactRecordCounts {
  id: number;
  email: string;
  name: string | null;
  counts: {
    subscriptions: number;
    consents: number;
    deliveries: number;
    dialogues: number;
    events: number;
    corrections: number;
  };
}

/** What an erasure would remove, for the confirmation an operator reads first. */
export async function countContactRecords(db: Db, id: number): Promise<ContactRecordCounts> {
  const c = await db.contact.findUnique({
    where: { id },
    select: {
      id: true,
      email: true,
      name: true,
      _count: {
        select: {
          subscriptions: true,
          consents: true,
          deliveries: true,
          dialogues: true,
          events: true,
          corrections: true,
        },
      },
    },
  });
  if (!c) throw new AppError("not_found", `no contact with id ${id} is on file`);
  const { _count, ...contact } = c;
  return { ...contact, counts: _count };
}
