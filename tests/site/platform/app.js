// Client-side renderer of the fixture platform pages: nothing but an empty #app is in the
// HTML the server sends, so only a browser that runs this script sees the content.
(function () {
  "use strict";
  const app = document.getElementById("app");
  const kind = app.dataset.kind;
  const api = app.dataset.api;

  function el(tag, cls, text, attrs) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = text;
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    return node;
  }

  function card(c, cls) {
    const box = el("div", cls);
    box.appendChild(el("span", "name", c.name));
    box.appendChild(el("span", "price", c.price));
    box.appendChild(el("a", "buy", "购买", { href: c.href }));
    return box;
  }

  function comments(list) {
    const box = el("ul", "comments");
    for (const c of list) box.appendChild(el("li", "comment", c));
    return box;
  }

  // Seeding post (种草笔记): xiaohongshu-like classes.
  function seeding(d) {
    const note = el("div", "note");
    note.appendChild(el("h1", "note-title", d.title));
    note.appendChild(el("a", "user-nickname", d.author, { href: "/platform/user/1" }));
    note.appendChild(el("time", "note-date", d.published.slice(0, 10), { datetime: d.published }));
    const body = el("div", "note-content");
    for (const p of d.paragraphs) body.appendChild(el("p", null, p));
    note.appendChild(body);
    if (d.product) note.appendChild(card(d.product, "goods-card"));
    note.appendChild(comments(d.comments));
    app.appendChild(note);
  }

  // Advertorial (软文): a news-article layout with no 广告 label anywhere.
  function advertorial(d) {
    const art = el("article", "news");
    art.appendChild(el("h1", null, d.title));
    const by = el("div", "byline");
    by.appendChild(el("span", "author", d.author));
    by.appendChild(el("time", null, d.published.slice(0, 10), { datetime: d.published }));
    art.appendChild(by);
    const body = el("div", "article-body");
    for (const p of d.paragraphs) body.appendChild(el("p", null, p));
    art.appendChild(body);
    if (d.product) art.appendChild(card(d.product, "promo-card"));
    art.appendChild(comments(d.comments));
    app.appendChild(art);
  }

  // E-commerce product page: shop name, description, SKU cards.
  function product(d) {
    const page = el("div", "item");
    page.appendChild(el("h1", "item-title", d.title));
    page.appendChild(el("a", "shop-name", d.shop, { href: "/platform/shop/1" }));
    page.appendChild(el("time", "on-sale", d.published.slice(0, 10), { datetime: d.published }));
    const desc = el("div", "item-desc");
    for (const p of d.paragraphs) desc.appendChild(el("p", null, p));
    page.appendChild(desc);
    const cards = el("div", "sku-list");
    for (const c of d.cards) cards.appendChild(card(c, "sku-card"));
    page.appendChild(cards);
    page.appendChild(comments(d.comments));
    app.appendChild(page);
  }

  // Live room: transcript (captions of the anchor) and danmaku grow while the page is open.
  function live(d) {
    const room = el("div", "live-room");
    room.appendChild(el("h1", "room-title", d.title));
    room.appendChild(el("span", "anchor-name", d.anchor));
    const cards = el("div", "cart");
    for (const c of d.cards) cards.appendChild(card(c, "cart-card"));
    room.appendChild(cards);
    const transcript = el("ol", "transcript");
    const danmaku = el("ul", "danmaku");
    room.appendChild(transcript);
    room.appendChild(danmaku);
    app.appendChild(room);
    let after = -1;
    async function poll() {
      try {
        const r = await fetch(`${d.feed}${d.feed.includes("?") ? "&" : "?"}after=${after}`);
        const data = await r.json();
        for (const line of data.lines) {
          after = Math.max(after, line.seq);
          const target = line.kind === "transcript" ? transcript : danmaku;
          const cls = line.kind === "transcript" ? "line" : "msg";
          target.appendChild(
            el("li", cls, line.text, { "data-seq": String(line.seq), "data-at": line.at, "data-speaker": line.speaker })
          );
        }
      } catch (e) {
        // The room keeps polling: a dropped fetch is not the end of the stream.
      }
      setTimeout(poll, 200);
    }
    poll();
  }

  // Feed: items load page by page when the sentinel scrolls into view, or on the button.
  function feed(d) {
    const list = el("div", "feed");
    app.appendChild(el("h1", "feed-title", d.title));
    app.appendChild(list);
    const more = el("button", "load-more", "加载更多");
    const sentinel = el("div", "sentinel", "");
    app.appendChild(d.mode === "button" ? more : sentinel);
    let page = 0;
    let loading = false;
    let done = false;
    async function load() {
      if (loading || done) return;
      loading = true;
      const r = await fetch(`${d.items}?page=${page}`);
      const data = await r.json();
      for (const it of data.items) {
        const box = el("div", "feed-item", null, { "data-id": String(it.id) });
        box.appendChild(el("a", "feed-link", it.title, { href: it.href }));
        box.appendChild(el("p", "feed-text", it.text));
        list.appendChild(box);
      }
      page += 1;
      if (!data.more) {
        done = true;
        app.appendChild(el("div", "no-more", "没有更多了"));
        more.remove();
      }
      loading = false;
    }
    more.addEventListener("click", load);
    if (d.mode !== "button") {
      new IntersectionObserver((entries) => {
        if (entries.some((e) => e.isIntersecting)) load();
      }).observe(sentinel);
    } else {
      load();
    }
  }

  const renderers = { seeding, advertorial, product, live, feed };
  fetch(api)
    .then((r) => r.json())
    .then((d) => renderers[kind](d));
})();
