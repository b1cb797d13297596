/**
 * Lists (marketing): every list with its subscribers and its growth over the
 * last 30 days, a form to create one, and the switch that opens a list to the
 * public sign-up form. Changes are audited as the signed-in operator.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { contactsStyles } from "./contacts-styles.ts";
import { z } from "zod";
import { createList } from "../../contacts/create-list.ts";
import { listListGrowth, type ListGrowth } from "../../contacts/list-list-growth.ts";
import { listLists, type ListWithCounts } from "../../contacts/list-lists.ts";
import { setListPublic } from "../../contacts/set-list-public.ts";
import { isAppError } from "../../errors.ts";
import { parseBody } from "../admin/parse-body.ts";
import type { HttpDeps } from "../deps.ts";
import { httpStatusOf } from "../error-status.ts";
import {
  actorOf,
  csrfField,
  html,
  operatorOf,
  requireRole,
  sendPage,
  type ConsolePageInput,
} from "./console-kit.ts";
import { count } from "./view-helpers.ts";

const GROWTH_DAYS = 30;

const checkbox = z.preprocess((v) => v === "on" || v === "true" || v === true, z.boolean());
const createForm = z.object({
  slug: z.string().trim(),
  name: z.string().trim(),
  description: z.string().trim().max(500).optional(),
  doubleOptIn: checkbox,
  public: checkbox,
});

const notices: Record<string, (slug: string) => string> = {
  created: (slug) => `List "${slug}" created.`,
  opened: (slug) => `List "${slug}" can now be joined from the public sign-up form.`,
  closed: (slug) => `List "${slug}" can no longer be joined from the public sign-up form.`,
};

export function register(app: FastifyInstance, deps: HttpDeps): void {
  const marketing = { preHandler: requireRole("marketing") };

  app.get<{ Querystring: { notice?: string; list?: string } }>(
    "/admin/lists",
    marketing,
    async (request, reply) => {
      const { notice, list } = request.query;
      const lists = await listLists(deps.db);
      const say = notice && list ? notices[notice] : undefined;
      // Only a list that exists is named in a notice, so a crafted link cannot put words on the page.
      const shown = say && lists.some((l) => l.slug === list) ? say(list!) : undefined;
      return sendListsPage(request, reply, deps, {
        lists,
        notice: shown ? { kind: "ok", message: shown } : undefined,
      });
    },
  );

  app.post("/admin/lists", marketing, async (request, reply) => {
    const form = parseBody(createForm, request.body, "form");
    try {
      const list = await createList(deps, {
        slug: form.slug,
        name: form.name,
        description: form.description || null,
        doubleOptIn: form.doubleOptIn,
        public: form.public,
        actor: actorOf(operatorOf(request)),
      });
      return reply.redirect(
        `/admin/lists?notice=created&list=${encodeURIComponent(list.slug)}`,
        303,
      );
    } catch (error) {
      if (!isAppError(error) || httpStatusOf(error.code) >= 500) throw error;
      return sendListsPage(request, reply, deps, {
        lists: await listLists(deps.db),
        notice: { kind: "error", message: error.message },
        values: form,
        status: httpStatusOf(error.code),
      });
    }
  });

  app.post<{ Params: { slug: string } }>(
    "/admin/lists/:slug/public",
    marketing,
    async (request, reply) => {
      const form = parseBody(z.object({ public: z.enum(["true", "false"]) }), request.body, "form");
      const list = await setListPublic(deps, {
        slug: request.params.slug,
        public: form.public === "true",
        actor: actorOf(operatorOf(request)),
      });
      const notice = list.public ? "opened" : "closed";
      return reply.redirect(
        `/admin/lists?notice=${notice}&list=${encodeURIComponent(list.slug)}`,
        303,
      );
    },
  );
}

async function sendListsPage(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: HttpDeps,
  view: {
    lists: ListWithCounts[];
    notice?: ConsolePageInput["notice"];
    values?: z.infer<typeof createForm>;
    status?: number;
  },
): Promise<FastifyReply> {
  const growth = await listListGrowth(deps, GROWTH_DAYS);
  return sendPage(
    request,
    reply,
    {
      title: "Lists",
      area: "lists",
      styles: contactsStyles,
      notice: view.notice,
      body: html`${renderListsTable(request, view.lists, growth)}
      ${renderCreateForm(request, view.values)}`,
    },
    view.status,
  );
}

function renderListsTable(
  request: FastifyRequest,
  lists: ListWithCounts[],
  growth: Map<number, ListGrowth>,
) {
  if (lists.length === 0)
    return html`<p class="empty">No lists yet: create the first one below.</p>`;
  const rows = lists.map((l) => {
    const g = growth.get(l.id) ?? { joined: 0, left: 0 };
    const net = g.joined - g.left;
    return html`<tr>
      <th scope="row">
        <a href="/admin/contacts?list=${l.slug}">${l.name}</a>
        <div class="muted">
          <code>${l.slug}</code>${l.description ? html` · ${l.description}` : ""}
        </div>
      </th>
      <td class="num">${count(l.counts.subscribed)}</td>
      <td class="num">${count(l.counts.pending)}</td>
      <td class="num">${count(l.counts.unsubscribed)}</td>
      <td class="num">
        +${count(g.joined)} / −${count(g.left)}
        <span class="muted">(net ${net >= 0 ? "+" : "−"}${count(Math.abs(net))})</span>
      </td>
      <td>${l.doubleOptIn ? "double opt-in" : "single opt-in"}</td>
      <td>
        <form method="post" action="/admin/lists/${l.slug}/public">
          ${csrfField(request)}
          <input type="hidden" name="public" value="${l.public ? "false" : "true"}" />
          ${l.public ? "public" : "internal"}
          <button
            type="submit"
            class="secondary"
            aria-label="${l.public ? "Close to sign-up form" : "Open to sign-up form"}: ${l.slug}"
          >
            ${l.public ? "Close to sign-up form" : "Open to sign-up form"}
          </button>
        </form>
      </td>
    </tr>`;
  });
  return html`<div class="table-wrap" tabindex="0" role="region" aria-label="Lists">
    <table>
      <caption>
        Lists, subscribers now and growth over the last ${GROWTH_DAYS} days
      </caption>
      <thead>
        <tr>
          <th scope="col">List</th>
          <th scope="col">Subscribed</th>
          <th scope="col">Pending</th>
          <th scope="col">Unsubscribed</th>
          <th scope="col">Joined / left (${GROWTH_DAYS} days)</th>
          <th scope="col">Opt-in</th>
          <th scope="col">Sign-up form</th>
        </tr>
      </thead>
      <tbody>
        ${rows}
      </tbody>
    </table>
  </div>`;
}

function renderCreateForm(request: FastifyRequest, values?: z.infer<typeof createForm>) {
  const v = values ?? { slug: "", name: "", description: "", doubleOptIn: true, public: false };
  return html`<h2 id="new-list">New list</h2>
    <form method="post" action="/admin/lists" aria-labelledby="new-list">
      ${csrfField(request)}
      <p>
        <label for="list-slug">Short name (slug)</label>
        <input
          id="list-slug"
          name="slug"
          required
          pattern="[a-z0-9]([a-z0-9\\-]{0,46}[a-z0-9])?"
          maxlength="48"
          value="${v.slug}"
          aria-describedby="list-slug-help"
        />
        <span id="list-slug-help" class="muted"
          >Lowercase letters, digits and dashes, such as <code>news</code>; used in links and the
          CLI, and cannot be changed later.</span
        >
      </p>
      <p>
        <label for="list-name">Name</label>
        <input id="list-name" name="name" required maxlength="200" value="${v.name}" />
      </p>
      <p>
        <label for="list-description">Description <span class="muted">(optional)</span></label>
        <input
          id="list-description"
          name="description"
          maxlength="500"
          value="${v.description ?? ""}"
        />
      </p>
      <p>
        <input
          type="checkbox"
          id="list-double"
          name="doubleOptIn"
          ${v.doubleOptIn ? html`checked` : ""}
        />
        <label for="list-double">Double opt-in (people confirm by a link in an email)</label>
      </p>
      <p>
        <input type="checkbox" id="list-public" name="public" ${v.public ? html`checked` : ""} />
        <label for="list-public">Public: may be joined from the sign-up form</label>
      </p>
      <p><button type="submit">Create list</button></p>
    </form>`;
}
