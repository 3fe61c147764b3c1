// Footprint's dashboard: documents and search, one document's coverage (who was consulted, by
// group; who was left out; who shaped each principle, evidence on demand), and the coverage
// matrix. It reads only the public GraphQL API at /graphql. Views live in the URL's hash
// (#/, #/?q=words, #/document/SLUG, #/matrix) so the back button and links work.
(function () {
  "use strict";

  var API = "/graphql";
  var PAGE = 100;

  var DOCUMENTS = "query Documents($after: String) { documents(first: " + PAGE + ", after: $after) {" +
    " totalCount pageInfo { hasNextPage endCursor }" +
    " nodes { slug title kind publishedOn publishedPrecision publisher { name } } } }";
  var SEARCH = "query Search($text: String!) { search(text: $text, first: 50) { totalCount" +
    " nodes { snippet matchedIn node { __typename" +
    " ... on Document { slug title }" +
    " ... on Principle { position document { slug title } }" +
    " ... on Consultation { document { slug title } organisation { name } }" +
    " ... on Organisation { name } } } } }";
  var DOCUMENT = "query Document($slug: String!) { document(slug: $slug) {" +
    " title kind publishedOn publishedPrecision url summary publisher { name }" +
    " coverage {" +
    "  groups { status group { slug name } consultations { role organisation { name named } } }" +
    "  leftOut { status expectedBecause group { slug name } evidence { locator quote source { title } } } }" +
    " principles { position title text shapedBy { effect organisation { name named } } } } }";
  var EVIDENCE = "query PrincipleEvidence($slug: String!, $position: Int!) { document(slug: $slug) {" +
    " principle(position: $position) { shapedBy { effect organisation { name }" +
    " evidence { locator quote confidence source { title } } } } } }";
  var MATRIX = "query Matrix($after: String) { coverageMatrix(first: " + PAGE + ", after: $after) {" +
    " totalCount pageInfo { hasNextPage endCursor } columns { slug name }" +
    " rows { document { slug title } cells { status gap expected organisationCount } } } }";

  var STATUS = {
    CONSULTED: { symbol: "✓", text: "Consulted" },
    NOT_CONSULTED: { symbol: "✗", text: "Not consulted" },
    NO_RECORD: { symbol: "?", text: "No record" },
    CONTESTED: { symbol: "±", text: "Contested: sources point both ways" },
  };

  var view = document.getElementById("view");
  var status = document.getElementById("status");

  // --- small helpers -------------------------------------------------------------------------

  // el("a", {href: "#/"}, "text", child...): every text goes in as text, never as HTML.
  function el(tag, attributes) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      var value = attributes[name];
      if (value === null || value === undefined || value === false) return;
      if (name === "onclick") node.addEventListener("click", value);
      else if (name === "onsubmit") node.addEventListener("submit", value);
      else node.setAttribute(name, value === true ? "" : value);
    });
    for (var i = 2; i < arguments.length; i++) append(node, arguments[i]);
    return node;
  }

  function append(node, child) {
    if (child === null || child === undefined || child === false) return;
    if (Array.isArray(child)) child.forEach(function (c) { append(node, c); });
    else node.appendChild(typeof child === "string" || typeof child === "number"
      ? document.createTextNode(String(child)) : child);
  }

  function words(value) {
    var text = String(value).toLowerCase().replace(/_/g, " ");
    return text.charAt(0).toUpperCase() + text.slice(1);
  }

  var MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December"];

  // "2019-01-01" with precision MONTH is "January 2019": show no more than the source gives.
  function published(doc) {
    if (!doc.publishedOn) return null;
    var parts = doc.publishedOn.split("-");
    var month = MONTHS[Number(parts[1]) - 1];
    if (doc.publishedPrecision === "YEAR") return parts[0];
    if (doc.publishedPrecision === "MONTH") return month + " " + parts[0];
    return Number(parts[2]) + " " + month + " " + parts[0];
  }

  function facts(doc) {
    return [words(doc.kind), doc.publisher && doc.publisher.name, published(doc)]
      .filter(Boolean).join(" · ");
  }

  function announce(message) { status.textContent = message; }

  function documentLink(doc) {
    return el("a", { href: "#/document/" + encodeURIComponent(doc.slug) }, doc.title);
  }

  function organisationName(organisation) {
    return organisation.named ? organisation.name
      : [organisation.name, " ", el("span", { class: "unnamed" }, "(not named)")];
  }

  // A search snippet marks matches «like this»: show them as <mark>, as text.
  function snippet(text) {
    var parts = String(text).split(/«|»/);
    return parts.map(function (part, index) { return index % 2 ? el("mark", null, part) : part; });
  }

  function gql(query, variables) {
    return fetch(API, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ query: query, variables: variables || {} }),
    }).then(function (response) {
      return response.json().catch(function () {
        throw new Error("the API answered " + response.status + " without JSON");
      });
    }).then(function (body) {
      if (body.errors && body.errors.length) {
        throw new Error(body.errors.map(function (e) { return e.message; }).join("; "));
      }
      return body.data;
    });
  }

  // Replace the view and set the title; after a move within the dashboard, focus the new
  // heading so a screen reader says where it landed (on first load, focus stays at the top).
  var moved = false;
  function show(title, content) {
    var heading = el("h1", { tabindex: "-1" }, title);
    view.replaceChildren(heading, content);
    document.title = title + " · Footprint";
    if (moved) heading.focus();
  }

  function failed(error) {
    announce("");
    view.replaceChildren(el("div", { class: "error", role: "alert" },
      el("h1", null, "Could not load this view"),
      el("p", null, String(error.message || error)),
      el("p", null, el("a", { href: "#/" }, "Back to the documents"))));
  }

  // Page through a connection (`field` of the query's answer): `onPage(connection, first)`
  // shows each page; while there are more, a button in `more` fetches the next.
  function paged(query, field, more, onPage) {
    var first = true;
    function page(after) {
      return gql(query, { after: after }).then(function (data) {
        var connection = data[field];
        more.replaceChildren();
        if (connection.pageInfo.hasNextPage) {
          append(more, el("button", { type: "button", onclick: function () {
            announce("Loading more documents…");
            page(connection.pageInfo.endCursor).catch(failed);
          } }, "Show more documents"));
        }
        onPage(connection, first);
        first = false;
      });
    }
    return page(null);
  }

  // --- documents and search ------------------------------------------------------------------

  function searchForm(text) {
    var input = el("input", { type: "search", id: "q", name: "q", value: text || "",
      autocomplete: "off", "aria-describedby": "q-help" });
    return el("form", { role: "search", class: "search", onsubmit: function (event) {
      event.preventDefault();
      var value = input.value.trim();
      location.hash = value ? "#/?q=" + encodeURIComponent(value) : "#/";
    } },
    el("label", { for: "q" }, "Search documents, principles, organisations and quotes"),
    el("div", { class: "search-row" }, input, el("button", { type: "submit" }, "Search")),
    el("p", { id: "q-help", class: "help" },
      "Every word must match, in any form; put \"words in quotes\" to match a phrase."));
  }

  function documentItem(doc) {
    return el("li", null, documentLink(doc), el("span", { class: "facts" }, facts(doc)));
  }

  function documentsView() {
    announce("Loading the documents…");
    var list = el("ul", { class: "documents" });
    var more = el("p");
    var section = el("div", null, searchForm(""),
      el("section", { "aria-labelledby": "all-documents" },
        el("h2", { id: "all-documents" }, "All documents"), list, more));
    return paged(DOCUMENTS, "documents", more, function (documents, first) {
      append(list, documents.nodes.map(documentItem));
      if (first) show("Documents", section);
      announce(list.children.length + " of " + documents.totalCount + " documents shown.");
    });
  }

  function hitTarget(hit) {
    var node = hit.node;
    switch (node.__typename) {
      case "Document": return { kind: "Document", doc: node };
      case "Principle": return { kind: "Principle " + node.position + " of", doc: node.document };
      case "Consultation": return { kind: node.organisation.name + " consulted on", doc: node.document };
      case "Organisation": return { kind: "Organisation: " + node.name, doc: null };
      default: return { kind: node.__typename, doc: null };
    }
  }

  function searchView(text) {
    announce("Searching for " + text + "…");
    return gql(SEARCH, { text: text }).then(function (data) {
      var hits = data.search.nodes;
      var list = el("ol", { class: "hits" }, hits.map(function (hit) {
        var target = hitTarget(hit);
        return el("li", null,
          el("p", { class: "hit-title" }, target.kind, target.doc ? [" ", documentLink(target.doc)] : null),
          el("p", { class: "snippet" }, el("span", { class: "visually-hidden" },
            "Matched in " + words(hit.matchedIn) + ": "), snippet(hit.snippet)));
      }));
      show("Search: " + text, el("div", null, searchForm(text),
        el("section", { "aria-labelledby": "results" },
          el("h2", { id: "results" }, data.search.totalCount + " matches"),
          hits.length ? list : el("p", null, "Nothing matches. Try fewer or other words."),
          el("p", null, el("a", { href: "#/" }, "All documents")))));
      announce(data.search.totalCount + " matches for " + text + ".");
    });
  }

  // --- one document --------------------------------------------------------------------------

  function consultedSection(groups) {
    var consulted = groups.filter(function (g) { return g.status === "CONSULTED" && g.consultations.length; });
    return el("section", { "aria-labelledby": "consulted" },
      el("h2", { id: "consulted" }, "Consulted, by group"),
      consulted.length ? el("div", { class: "groups" }, consulted.map(function (g) {
        return el("section", { class: "group", "aria-labelledby": "group-" + g.group.slug },
          el("h3", { id: "group-" + g.group.slug }, g.group.name),
          el("ul", null, g.consultations.map(function (c) {
            return el("li", null, organisationName(c.organisation),
              el("span", { class: "role" }, " — " + words(c.role)));
          })));
      })) : el("p", null, "The register records no consultation on this document."));
  }

  function quote(evidence) {
    return el("figure", { class: "quote" },
      el("blockquote", null, el("p", null, evidence.quote)),
      el("figcaption", null, [evidence.source && evidence.source.title, evidence.locator,
        evidence.confidence && words(evidence.confidence)].filter(Boolean).join(", ")));
  }

  function leftOutSection(leftOut) {
    return el("section", { "aria-labelledby": "left-out" },
      el("h2", { id: "left-out" }, "Left out"),
      leftOut.length ? el("ul", { class: "left-out" }, leftOut.map(function (g) {
        return el("li", { class: "gap" },
          el("p", null, el("strong", null, g.group.name), " ",
            el("span", { class: "badge gap" }, STATUS[g.status].symbol + " " + STATUS[g.status].text)),
          g.expectedBecause.length ? [el("p", null, "Expected because:"),
            el("ul", null, g.expectedBecause.map(function (reason) { return el("li", null, reason); }))] : null,
          g.evidence.length ? el("details", null,
            el("summary", null, "Evidence (" + g.evidence.length + ")"), g.evidence.map(quote)) : null);
      })) : el("p", null, "No expected group was left out."));
  }

  // Influences backed by the same quotes are shown once, with every organisation they name.
  function byEvidence(influences) {
    var groups = [];
    var byKey = {};
    influences.forEach(function (influence) {
      var key = JSON.stringify(influence.evidence);
      if (!byKey[key]) groups.push(byKey[key] = { who: [], evidence: influence.evidence });
      byKey[key].who.push(influence.organisation.name + " (" + words(influence.effect) + ")");
    });
    return groups;
  }

  function evidenceButton(slug, principle) {
    var panelId = "evidence-" + principle.position;
    var panel = el("div", { id: panelId, class: "evidence", hidden: true });
    var loaded = false;
    var button = el("button", { type: "button", "aria-expanded": "false", "aria-controls": panelId,
      onclick: function () {
        var open = button.getAttribute("aria-expanded") === "true";
        button.setAttribute("aria-expanded", String(!open));
        button.textContent = open ? "Show evidence" : "Hide evidence";
        panel.hidden = open;
        if (open || loaded) return;
        loaded = true;
        announce("Loading the evidence for principle " + principle.position + "…");
        gql(EVIDENCE, { slug: slug, position: principle.position }).then(function (data) {
          append(panel, byEvidence(data.document.principle.shapedBy).map(function (group) {
            return el("div", null, el("h4", null, group.who.join("; ")), group.evidence.map(quote));
          }));
          announce("Evidence for principle " + principle.position + " shown.");
        }).catch(function (error) {
          loaded = false;
          append(panel, el("p", { role: "alert" }, "Could not load the evidence: " + error.message));
        });
      } }, "Show evidence");
    return [button, panel];
  }

  function principlesSection(slug, principles) {
    return el("section", { "aria-labelledby": "principles" },
      el("h2", { id: "principles" }, "Principles and who shaped them"),
      principles.length ? el("ol", { class: "principles" }, principles.map(function (p) {
        return el("li", { value: p.position },
          p.title ? el("h3", null, p.title) : null,
          el("p", null, p.text),
          p.shapedBy.length ? [
            el("p", { class: "shaped" }, "Shaped by: ", p.shapedBy.map(function (i, index) {
              return [index ? "; " : "", organisationName(i.organisation), " (" + words(i.effect) + ")"];
            })),
            evidenceButton(slug, p),
          ] : el("p", { class: "shaped" }, "No one is recorded as shaping it."));
      })) : el("p", null, "The register holds no principles for this document."));
  }

  // The FOI answer as files to send: the same text the API's consultationAnswer gives.
  function answerFiles(slug) {
    var base = "/answers/" + encodeURIComponent(slug);
    return el("section", { "aria-labelledby": "answer-files" },
      el("h2", { id: "answer-files" }, "The FOI answer"),
      el("p", null, el("a", { href: base + ".docx", download: slug + ".docx", class: "button" },
        "Download the answer (Word)"), " · ",
        el("a", { href: base + ".md", download: slug + ".md" }, "Markdown"), " · ",
        el("a", { href: base + ".html" }, "Web page")));
  }

  function documentView(slug) {
    announce("Loading the document…");
    return gql(DOCUMENT, { slug: slug }).then(function (data) {
      var doc = data.document;
      if (!doc) throw new Error("No document has the slug " + slug + ".");
      show(doc.title, el("div", null,
        el("p", { class: "facts" }, facts(doc)),
        doc.summary ? el("p", null, doc.summary) : null,
        consultedSection(doc.coverage.groups),
        leftOutSection(doc.coverage.leftOut),
        answerFiles(slug),
        principlesSection(slug, doc.principles)));
      announce(doc.title + " loaded.");
    });
  }

  // --- the coverage matrix -------------------------------------------------------------------

  function cell(c) {
    var s = STATUS[c.status];
    var label = s.text + (c.gap ? ", a gap" : "") + (c.organisationCount ? " (" + c.organisationCount + ")" : "");
    return el("td", { class: "cell " + c.status.toLowerCase().replace("_", "-") + (c.gap ? " gap" : "") },
      el("span", { "aria-hidden": "true" }, s.symbol + (c.gap ? " gap" : "")),
      el("span", { class: "visually-hidden" }, label));
  }

  function matrixView() {
    announce("Loading the coverage matrix…");
    var body = el("tbody");
    var head = el("thead");
    var more = el("p");
    var table = el("table", { class: "matrix" },
      el("caption", { id: "matrix-caption" }, "Documents by stakeholder group"), head, body);
    var about = el("p", { id: "matrix-about" },
      "One row per document, one column per stakeholder group: who took part, and the gaps " +
      "(marked \u201cgap\u201d): groups expected to be consulted that were not, or of whom " +
      "there is no record. On a narrow screen the table scrolls sideways.");
    var region = el("div", { class: "matrix-region", role: "region", tabindex: "0",
      "aria-labelledby": "matrix-caption", "aria-describedby": "matrix-about" }, table);
    var legend = el("dl", { class: "legend" },
      el("dt", null, el("span", { class: "cell consulted" }, "✓")), el("dd", null, "Consulted"),
      el("dt", null, el("span", { class: "cell not-consulted gap" }, "✗ gap")), el("dd", null, "Expected, shown not consulted"),
      el("dt", null, el("span", { class: "cell no-record gap" }, "? gap")), el("dd", null, "Expected, no record of consultation"),
      el("dt", null, el("span", { class: "cell no-record" }, "?")), el("dd", null, "Not expected, no record"));
    return paged(MATRIX, "coverageMatrix", more, function (matrix, first) {
      if (first) {
        head.replaceChildren(el("tr", null, el("th", { scope: "col" }, "Document"),
          matrix.columns.map(function (g) { return el("th", { scope: "col" }, g.name); })));
      }
      append(body, matrix.rows.map(function (row) {
        return el("tr", null, el("th", { scope: "row" }, documentLink(row.document)), row.cells.map(cell));
      }));
      if (first) show("Coverage matrix", el("div", null, about, region, el("h2", null, "Key"), legend, more));
      var gaps = body.querySelectorAll("td.gap").length;
      announce(body.children.length + " of " + matrix.totalCount + " documents shown, " + gaps + " gaps.");
    });
  }

  // --- routing -------------------------------------------------------------------------------

  function route() {
    var hash = location.hash.replace(/^#/, "");
    var match;
    var loading;
    if ((match = hash.match(/^\/document\/(.+)$/))) loading = documentView(decodeURIComponent(match[1]));
    else if (hash === "/matrix") loading = matrixView();
    else if ((match = hash.match(/^\/\?q=(.*)$/)) && match[1]) loading = searchView(decodeURIComponent(match[1]));
    else loading = documentsView();
    loading.catch(failed);
  }

  window.addEventListener("hashchange", function () {
    // "#main" (the skip link) points into the page; it is not a view.
    if (location.hash && location.hash.charAt(1) !== "/") return;
    moved = true;
    route();
  });
  route();
})();
