// Footprint's dashboard: documents and search; one document (who shaped what, as a picture and a
// table; who was consulted, by group; who was left out; each principle; a timeline), every claim
// opening its evidence in place; the coverage matrix (a heat map and a table, filters, CSV, a
// card per document on a phone); and two documents side by side. It reads only the public
// GraphQL API at /graphql, and words every value of the schema's vocabularies as the schema
// defines it (the page carries them). Views live in the URL's hash (#/, #/?q=words,
// #/document/SLUG, #/matrix?..., #/compare?a=SLUG&b=SLUG) so the back button and links work.
(function () {
  "use strict";

  var API = "/graphql";
  var PAGE = 100;
  var RETRY_SECONDS = 10;
  var pictures = window.FootprintPictures;
  var VOCABULARY = JSON.parse(document.getElementById("vocabulary").textContent);

  // Every piece of evidence is asked for with these fields and shown by citation() below.
  var CITE = "fragment Cite on Evidence { id locator quote confidence" +
    " source { slug title publishedOn publishedPrecision } }";
  var DATED = "fragment Dated on Document { slug title kind publishedOn publishedPrecision }";

  var DOCUMENTS = "query Documents($after: String) { documents(first: " + PAGE + ", after: $after) {" +
    " totalCount pageInfo { hasNextPage endCursor }" +
    " nodes { slug title kind publishedOn publishedPrecision publisher { name } } } }";
  var SEARCH = "query Search($text: String!) { search(text: $text, first: 50) { totalCount" +
    " nodes { snippet matchedIn node { __typename" +
    " ... on Document { slug title }" +
    " ... on Principle { position document { slug title } }" +
    " ... on Consultation { document { slug title } organisation { name } }" +
    " ... on Organisation { name } } } } }";
  var EXPECTED = "expectedBecause expectations { basis reason evidence { ...Cite } }";
  var DOCUMENT = "query Document($slug: String!) { document(slug: $slug) {" +
    " ...Dated url summary publisher { name } versions { label date changes }" +
    " related { kind document { ...Dated } } relatedFrom { kind document { ...Dated } }" +
    " coverage {" +
    "  groups { status group { slug name } consultations { id role" +
    "   organisation { slug name named } evidence { ...Cite } } }" +
    "  leftOut { status group { slug name } evidence { ...Cite } " + EXPECTED + " } }" +
    " principles { position title text shapedBy { id effect" +
    "  organisation { slug name named } evidence { ...Cite } } } } } " + CITE + " " + DATED;
  var MATRIX = "query Matrix($after: String, $filter: DocumentFilter, $groups: [String!]) {" +
    " coverageMatrix(first: " + PAGE + ", after: $after, filter: $filter, groups: $groups) {" +
    " totalCount pageInfo { hasNextPage endCursor } columns { slug name }" +
    " rows { document { slug title kind } cells { status gap expected organisationCount } } } }";
  var GROUPS = "query Groups { stakeholderGroups { slug name } }";
  var CELL = "query Cell($slug: String!) { document(slug: $slug) { title coverage { groups {" +
    " status group { slug name } consultations { id role organisation { slug name named }" +
    " evidence { ...Cite } } evidence { ...Cite } " + EXPECTED + " } } } } " + CITE;
  var CHOICES = "query Choices { documents(first: " + PAGE + ", filter: {consultationRecorded: true})" +
    " { nodes { slug title } } }";
  var COMPARE = "query Compare($a: String!, $b: String!) { stakeholderGroups { slug name }" +
    " compareDocuments(a: $a, b: $b) {" +
    " organisations { both { slug name } onlyA { slug name } onlyB { slug name } } }" +
    " a: document(slug: $a) { ...Side } b: document(slug: $b) { ...Side } } " +
    "fragment Side on Document { slug title coverage { groups { status group { slug name }" +
    " consultations { id role organisation { slug name named } evidence { ...Cite } }" +
    " evidence { ...Cite } " + EXPECTED + " } } } " + CITE;

  var SYMBOL = { CONSULTED: "✓", NOT_CONSULTED: "✗", NO_RECORD: "?", CONTESTED: "±" };
  // Line patterns for confidence, in the vocabulary's order: stated is solid.
  var DASHES = ["", "7 4", "2 3", "10 3 2 3"];

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
      else if (name === "onchange") node.addEventListener("change", value);
      else node.setAttribute(name, value === true ? "" : value);
    });
    for (var i = 2; i < arguments.length; i++) append(node, arguments[i]);
    return node;
  }

  // Replace a node's children with these (strings, nodes or lists of them).
  function fill(node) {
    node.replaceChildren();
    for (var i = 1; i < arguments.length; i++) append(node, arguments[i]);
    return node;
  }

  function append(node, child) {
    if (child === null || child === undefined || child === false) return;
    if (Array.isArray(child)) child.forEach(function (c) { append(node, c); });
    else node.appendChild(typeof child === "string" || typeof child === "number"
      ? document.createTextNode(String(child)) : child);
  }

  function slugify(value) { return String(value).toLowerCase().replace(/[^a-z0-9]+/g, "-"); }

  // A vocabulary value as the schema words it: its label and its one-line definition. A value
  // the page does not know (a newer server) still reads as words.
  function term(kind, value) {
    var values = (VOCABULARY[kind] || { values: [] }).values;
    for (var i = 0; i < values.length; i++) if (values[i].value === value) return values[i];
    var text = String(value).toLowerCase().replace(/_/g, " ");
    return { value: value, label: text.charAt(0).toUpperCase() + text.slice(1), definition: "" };
  }
  function label(kind, value) { return term(kind, value).label; }
  function valuesOf(kind) { return (VOCABULARY[kind] || { values: [] }).values; }
  function indexIn(kind, value) {
    var values = valuesOf(kind).map(function (v) { return v.value; });
    var index = values.indexOf(value);
    return index < 0 ? values.length : index;
  }

  // A label whose definition a reader can see (hover) and hear (described by it).
  function worded(kind, value, className) {
    var t = term(kind, value);
    return el("span", { class: className || null, title: t.definition || null }, t.label);
  }

  function statusClass(value) { return "status status-" + slugify(value); }

  // A gap is said in words too, not only by the dashed outline around it.
  function gapWord() { return el("span", { class: "gap-word" }, "gap"); }

  function badge(value, gap) {
    return el("span", { class: "badge " + statusClass(value) + (gap ? " gap" : ""),
      title: term("CoverageStatus", value).definition || null },
    el("span", { "aria-hidden": "true" }, (SYMBOL[value] || "•") + " "),
    label("CoverageStatus", value));
  }

  var MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December"];

  // "2019-01-01" with precision MONTH is "January 2019": show no more than the source gives.
  function dated(value, precision) {
    if (!value) return null;
    var parts = value.split("-");
    var month = MONTHS[Number(parts[1]) - 1];
    if (precision === "YEAR") return parts[0];
    if (precision === "MONTH") return month + " " + parts[0];
    return Number(parts[2]) + " " + month + " " + parts[0];
  }

  function facts(doc) {
    return [label("DocumentKind", doc.kind), doc.publisher && doc.publisher.name,
      dated(doc.publishedOn, doc.publishedPrecision)].filter(Boolean).join(" · ");
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

  // The same quote from the same place, backing several claims, once.
  function citedAs(evidence) { return [evidence.source.slug, evidence.locator, evidence.quote].join("\u0000"); }
  function unique(evidence) {
    var seen = {};
    return evidence.filter(function (e) {
      var key = citedAs(e);
      return seen[key] ? false : (seen[key] = true);
    });
  }

  function hashParams() {
    var query = location.hash.split("?")[1] || "";
    return new URLSearchParams(query);
  }

  // --- the API -------------------------------------------------------------------------------

  // A failed call keeps what the page needs to say what is wrong: the HTTP status and the
  // error's code (DB_UNAVAILABLE when the API cannot reach its database).
  function apiError(message, details) {
    var error = new Error(message);
    Object.keys(details).forEach(function (k) { error[k] = details[k]; });
    return error;
  }

  function gql(query, variables) {
    return fetch(API, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ query: query, variables: variables || {} }),
    }).catch(function () {
      throw apiError("The dashboard cannot reach its server.", { unreachable: true });
    }).then(function (response) {
      return response.json().catch(function () {
        throw apiError("The API answered " + response.status + " without JSON.",
          { status: response.status });
      }).then(function (body) {
        if (body.errors && body.errors.length) {
          var first = body.errors[0];
          var extensions = first.extensions || {};
          throw apiError(body.errors.map(function (e) { return e.message; }).join("; "),
            { status: response.status, code: extensions.code, requestId: extensions.requestId });
        }
        return body.data;
      });
    });
  }

  // --- showing a view, and what went wrong -----------------------------------------------------

  // Replace the view and set the title; after a move within the dashboard, focus the new
  // heading so a screen reader says where it landed (on first load, focus stays at the top).
  var moved = false;
  function show(title, content) {
    var heading = el("h1", { tabindex: "-1" }, title);
    view.replaceChildren(heading, content);
    document.title = title + " · Footprint";
    if (moved) heading.focus();
  }

  var retrying = null;
  function failed(error) {
    announce("");
    window.clearTimeout(retrying);
    var box;
    if (error.code === "DB_UNAVAILABLE" || error.unreachable) {
      var database = !error.unreachable;
      box = el("div", { class: "error", role: "alert" },
        el("h1", { tabindex: "-1" }, database ? "The register\u2019s database cannot be reached"
          : "The dashboard cannot reach its server"),
        el("p", null, database
          ? "This page works, but the API behind it could not reach its database, so it has " +
            "nothing to show yet (the API answered " + error.status + ", " + error.code + ")."
          : "The page is here, but the server that sent it does not answer now."),
        el("h2", null, "What to check"),
        el("ul", null, database ? [
          el("li", null, "The server\u2019s console: ", el("code", null, "footprint serve"),
            " prints which database it uses when it starts, why it cannot use it, and each retry."),
          el("li", null, "That the database server is running and reachable from the API\u2019s " +
            "machine, and that ", el("code", null, "DATABASE_URL"),
            " names the right host, port, database, user and password."),
          el("li", null, "On a new PostgreSQL database: run ", el("code", null, "footprint migrate"),
            " and ", el("code", null, "footprint seed"), " once."),
          el("li", null, el("code", null, "footprint serve --check"),
            " tries the database and says what is wrong, then exits."),
        ] : [
          el("li", null, "That ", el("code", null, "footprint serve"), " is still running."),
          el("li", null, "That this is the address it serves (it prints it when it starts)."),
        ]),
        el("p", null, "This page tries again every " + RETRY_SECONDS + " seconds and shows the " +
          "view as soon as it can. ", el("button", { type: "button", onclick: route }, "Try now")));
      retrying = window.setTimeout(route, RETRY_SECONDS * 1000);
    } else {
      box = el("div", { class: "error", role: "alert" },
        el("h1", { tabindex: "-1" }, "Could not load this view"),
        el("p", null, String(error.message || error)),
        error.requestId ? el("p", null, "The server\u2019s log has the details under request id ",
          el("code", null, error.requestId), ".") : null,
        el("p", null, el("a", { href: "#/" }, "Back to the documents")));
    }
    view.replaceChildren(box);
    document.title = "Problem · Footprint";
  }

  // Page through a connection (`field` of the query's answer): `onPage(connection, first)`
  // shows each page; while there are more, a button in `more` fetches the next.
  function paged(query, variables, field, more, onPage) {
    var first = true;
    function page(after) {
      var withCursor = Object.assign({}, variables, { after: after });
      return gql(query, withCursor).then(function (data) {
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

  // --- evidence, in place --------------------------------------------------------------------

  // One piece of evidence: the verbatim quote, then where it is (source, locator) and how
  // directly it says what the claim says (confidence, as the schema defines it).
  function citation(evidence) {
    var source = evidence.source;
    var where = [
      source ? documentLink(source) : null,
      evidence.locator,
      worded("Confidence", evidence.confidence, "confidence"),
    ].filter(Boolean);
    return el("figure", { class: "quote" },
      el("blockquote", null, el("p", null, evidence.quote)),
      el("figcaption", null, where.map(function (part, i) { return [i ? ", " : "", part]; })));
  }

  var opened = 0;
  // A button that shows `content()` (evidence) right below it, and hides it again. Its name
  // says what it shows, beginning with the words it shows.
  function disclosure(text, about, content) {
    var id = "evidence-" + (++opened);
    var panel = el("div", { id: id, class: "evidence", hidden: true });
    var button = el("button", { type: "button", class: "reveal", "aria-expanded": "false",
      "aria-controls": id, "aria-label": text + ": " + about,
      onclick: function () {
        var open = button.getAttribute("aria-expanded") === "true";
        if (!open && !panel.children.length) append(panel, content());
        button.setAttribute("aria-expanded", String(!open));
        panel.hidden = open;
      } }, text);
    return [button, panel];
  }

  function evidenceDisclosure(evidence, name) {
    evidence = unique(evidence);
    if (!evidence.length) return el("span", { class: "no-evidence" }, "no quote recorded");
    return disclosure("Evidence (" + evidence.length + ")", name, function () {
      return evidence.map(citation);
    });
  }

  // Why a group was expected, each reason with its own evidence.
  function expectedBecause(group) {
    if (!group.expectations || !group.expectations.length) {
      return group.expectedBecause.length ? el("ul", null, group.expectedBecause.map(function (r) {
        return el("li", null, r);
      })) : null;
    }
    return el("ul", { class: "reasons" }, group.expectations.map(function (x) {
      return el("li", null, worded("ExpectationBasis", x.basis, "basis"), ": ", x.reason, " ",
        evidenceDisclosure(x.evidence, "why " + group.group.name + " was expected"));
    }));
  }

  // Everything the register holds on one group's part in one document.
  function groupEvidence(group) {
    var parts = [el("p", null, badge(group.status, group.expectedBecause.length &&
      group.status !== "CONSULTED"), " ", term("CoverageStatus", group.status).definition)];
    if (group.consultations && group.consultations.length) {
      parts.push(el("ul", null, group.consultations.map(function (c) {
        return el("li", null, organisationName(c.organisation), " — ",
          worded("ConsultationRole", c.role, "role"), " ",
          evidenceDisclosure(c.evidence, c.organisation.name + " " + label("ConsultationRole", c.role)));
      })));
    } else if (group.evidence && group.evidence.length) {
      parts.push(el("div", null, unique(group.evidence).map(citation)));
    } else if (group.status === "NO_RECORD") {
      parts.push(el("p", null, "No source in the register says either way."));
    }
    if (group.expectedBecause.length) {
      parts.push(el("p", null, "Expected to be consulted because:"), expectedBecause(group));
    }
    return parts;
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
    return paged(DOCUMENTS, {}, "documents", more, function (documents, first) {
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
      case "Consultation": return { kind: node.organisation.name + " is on record for", doc: node.document };
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
            "Matched in " + label("SearchField", hit.matchedIn) + ": "), snippet(hit.snippet)));
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

  // Each organisation once, with its consultations (from the groups it was counted under).
  function consultationsOf(doc) {
    var seen = {};
    var all = [];
    doc.coverage.groups.forEach(function (g) {
      g.consultations.forEach(function (c) {
        if (!seen[c.id]) { seen[c.id] = true; all.push({ consultation: c, group: g.group }); }
      });
    });
    return all;
  }

  // Who shaped what, as a picture's model: organisations (under the first group they were
  // counted in) and left-out groups on the left, the document and its principles on the right.
  function networkModel(doc) {
    var left = [];
    var placed = {};
    var edges = [];
    var lastHeading = null;
    function place(organisation, heading) {
      if (placed[organisation.slug]) return;
      placed[organisation.slug] = true;
      left.push({ id: "org:" + organisation.slug, label: organisation.name,
        heading: heading !== lastHeading ? heading : null });
      lastHeading = heading;
    }
    consultationsOf(doc).forEach(function (entry) {
      var c = entry.consultation;
      place(c.organisation, entry.group.name);
      edges.push({ id: "consultation:" + c.id, from: "org:" + c.organisation.slug, to: "document",
        seriesClass: "consultation", dash: DASHES[indexIn("Confidence", firstConfidence(c.evidence))],
        title: c.organisation.name + ": " + label("ConsultationRole", c.role),
        claim: c.organisation.name + " — " + label("ConsultationRole", c.role) + " (the document)",
        evidence: c.evidence });
    });
    doc.principles.forEach(function (p) {
      p.shapedBy.forEach(function (i) {
        place(i.organisation, "Not recorded as consulted");
        edges.push({ id: "influence:" + i.id, from: "org:" + i.organisation.slug,
          to: "principle:" + p.position,
          seriesClass: "series-" + indexIn("InfluenceEffect", i.effect),
          dash: DASHES[indexIn("Confidence", firstConfidence(i.evidence))],
          title: i.organisation.name + " → principle " + p.position + ": " + label("InfluenceEffect", i.effect),
          claim: i.organisation.name + " — " + label("InfluenceEffect", i.effect) + " principle " + p.position,
          evidence: i.evidence });
      });
    });
    doc.coverage.leftOut.forEach(function (g, index) {
      left.push({ id: "left-out:" + g.group.slug, missing: true, statusClass: statusClass(g.status),
        label: g.group.name + " (left out: " + label("CoverageStatus", g.status).toLowerCase() + ")",
        heading: index === 0 ? "Left out" : null });
      edges.push({ id: "left-out:" + g.group.slug, from: "left-out:" + g.group.slug, to: "document",
        seriesClass: "missing " + statusClass(g.status), dash: "3 5",
        title: g.group.name + ": left out (" + label("CoverageStatus", g.status) + ")",
        claim: g.group.name + " — left out: " + label("CoverageStatus", g.status),
        evidence: g.evidence, group: g });
    });
    var right = [{ id: "document", label: "The document" }].concat(doc.principles.map(function (p) {
      return { id: "principle:" + p.position, label: "Principle " + p.position +
        (p.title ? ": " + p.title : ": " + p.text) };
    }));
    return { left: left, right: right, edges: edges };
  }

  function firstConfidence(evidence) { return evidence.length ? evidence[0].confidence : "STATED"; }

  function edgeEvidence(edge) {
    if (edge.group) return groupEvidence(edge.group);
    var evidence = unique(edge.evidence);
    return evidence.length ? evidence.map(citation) : el("p", null, "No quote is recorded for it.");
  }

  // The network's key: the kinds of line this picture uses, from the schema's vocabularies.
  function networkKey(model, doc) {
    var effects = {};
    var confidences = {};
    doc.principles.forEach(function (p) {
      p.shapedBy.forEach(function (i) { effects[i.effect] = true; });
    });
    model.edges.forEach(function (e) {
      if (!e.group) confidences[firstConfidence(e.evidence)] = true;  // the confidence it is drawn by
    });
    var items = [el("li", null, keySwatch("consultation", ""), "on record for the document (any role)")];
    valuesOf("InfluenceEffect").forEach(function (v, index) {
      if (effects[v.value]) items.push(el("li", null, keySwatch("series-" + index, ""), v.label, " (a principle)"));
    });
    valuesOf("Confidence").forEach(function (v, index) {
      if (confidences[v.value]) {
        items.push(el("li", null, keySwatch("plain", DASHES[index]), "confidence: " + v.label.toLowerCase()));
      }
    });
    if (doc.coverage.leftOut.length) {
      items.push(el("li", null, keySwatch("missing", "3 5"), "left out (a hollow node)"));
    }
    return el("ul", { class: "key" }, items);
  }

  // A short line drawn in SVG by hand (no D3 needed), for the picture's key.
  function keySwatch(className, dash) {
    var svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("viewBox", "0 0 40 10");
    svg.setAttribute("class", "key-line edge " + className);
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var path = document.createElementNS("http://www.w3.org/2000/svg", "path");
    path.setAttribute("d", "M2 5 H38");
    path.setAttribute("class", "line");
    if (dash) path.setAttribute("stroke-dasharray", dash);
    svg.appendChild(path);
    return svg;
  }

  // The picture's text equivalent: one row per line in it, each with its evidence in place.
  function networkTable(model) {
    return el("table", { class: "links" },
      el("caption", null, "Every line in the picture, with its evidence"),
      el("thead", null, el("tr", null, el("th", { scope: "col" }, "Who"),
        el("th", { scope: "col" }, "What the source says"), el("th", { scope: "col" }, "Evidence"))),
      el("tbody", null, model.edges.map(function (edge) {
        var parts = edge.claim.split(" — ");
        return el("tr", { "data-edge": edge.id }, el("th", { scope: "row" }, parts[0]),
          el("td", null, parts.slice(1).join(" — ")),
          el("td", null, edge.group ? disclosure("Evidence", edge.claim, function () {
            return groupEvidence(edge.group);
          }) : evidenceDisclosure(edge.evidence, edge.claim)));
      })));
  }

  function noPicture() {
    return el("p", { class: "note" }, "The picture needs D3\u2019s files, which are not installed " +
      "on this server (", el("code", null, "footprint assets install"), " fetches them). " +
      "The same facts are in the table below.");
  }

  function networkSection(doc) {
    var model = networkModel(doc);
    if (!model.edges.length) return null;
    var host = el("div", { class: "picture-host" });
    var chosen = el("div", { class: "chosen", "aria-live": "polite" },
      el("p", { class: "help" }, "Click a line to read its evidence here."));
    var figure = el("figure", { class: "picture-frame" },
      el("figcaption", { id: "network-caption" }, "Organisations and left-out groups on the left; " +
        "the document and its principles on the right. A line is a claim a source makes."),
      host, networkKey(model, doc), chosen);
    var section = el("section", { "aria-labelledby": "network" },
      el("h2", { id: "network" }, "Who shaped what"), figure,
      el("details", { class: "as-table" }, el("summary", null,
        "The picture as a table (" + model.edges.length + " lines)"), networkTable(model)));
    section.draw = function () {
      if (!pictures || !pictures.available()) { host.replaceChildren(noPicture()); return; }
      pictures.network(host, model, function (edge) {
        fill(chosen, el("h3", null, edge.claim), edgeEvidence(edge));
      });
    };
    return section;
  }

  function consultedSection(doc) {
    var consulted = doc.coverage.groups.filter(function (g) { return g.consultations.length; });
    return el("section", { "aria-labelledby": "consulted" },
      el("h2", { id: "consulted" }, "Consulted, by group"),
      consulted.length ? el("div", { class: "groups" }, consulted.map(function (g) {
        return el("section", { class: "group", "aria-labelledby": "group-" + g.group.slug },
          el("h3", { id: "group-" + g.group.slug }, g.group.name, " ", badge(g.status, false)),
          el("ul", null, g.consultations.map(function (c) {
            var name = c.organisation.name + ", " + label("ConsultationRole", c.role);
            return el("li", null, organisationName(c.organisation), " — ",
              worded("ConsultationRole", c.role, "role"), " ", evidenceDisclosure(c.evidence, name));
          })));
      })) : el("p", null, "The register records no consultation on this document."));
  }

  function leftOutSection(leftOut) {
    return el("section", { "aria-labelledby": "left-out" },
      el("h2", { id: "left-out" }, "Left out"),
      el("p", { class: "help" }, "Groups expected to be consulted that were not, or of whom the " +
        "register has no record either way."),
      leftOut.length ? el("ul", { class: "left-out" }, leftOut.map(function (g) {
        return el("li", { class: "gap" },
          el("p", null, el("strong", null, g.group.name), " ", badge(g.status, false)),
          el("p", null, term("CoverageStatus", g.status).definition),
          unique(g.evidence).length ? el("div", { class: "line" }, "Evidence for the status: ",
            evidenceDisclosure(g.evidence, g.group.name + " " + label("CoverageStatus", g.status))) : null,
          el("p", null, "Expected because:"), expectedBecause(g));
      })) : el("p", null, "No expected group was left out."));
  }

  // Influences of one principle with the same effect and the same quotes, shown once.
  function influenceLines(principle) {
    var lines = [];
    var byKey = {};
    principle.shapedBy.forEach(function (i) {
      var key = [i.effect].concat(i.evidence.map(citedAs)).join("\u0001");
      if (!byKey[key]) lines.push(byKey[key] = { effect: i.effect, who: [], evidence: i.evidence });
      byKey[key].who.push(i.organisation);
    });
    return lines;
  }

  function principlesSection(principles) {
    return el("section", { "aria-labelledby": "principles" },
      el("h2", { id: "principles" }, "Principles and who a source ties to each"),
      principles.length ? el("ol", { class: "principles" }, principles.map(function (p) {
        var lines = influenceLines(p);
        return el("li", { value: p.position },
          p.title ? el("h3", null, p.title) : null,
          el("p", null, p.text),
          lines.length ? el("ul", { class: "influences" }, lines.map(function (line) {
            return el("li", null,
              line.who.map(function (o, n) { return [n ? "; " : "", organisationName(o)]; }),
              " — ", worded("InfluenceEffect", line.effect, "effect"), " ",
              evidenceDisclosure(line.evidence, "principle " + p.position + ", " +
                label("InfluenceEffect", line.effect)));
          })) : el("p", { class: "shaped" }, "No organisation is tied to it in the register."));
      })) : el("p", null, "The register holds no principles for this document."));
  }

  // --- the timeline --------------------------------------------------------------------------

  // [start, end) of a date given to a day, a month or a year, in UTC.
  function span(value, precision) {
    var parts = value.split("-").map(Number);
    var start = new Date(Date.UTC(parts[0], parts[1] - 1, parts[2]));
    var end = precision === "YEAR" ? new Date(Date.UTC(parts[0] + 1, 0, 1))
      : precision === "MONTH" ? new Date(Date.UTC(parts[0], parts[1], 1)) : start;
    return { start: start, end: end };
  }

  var LANES = ["This document", "Related documents", "Consultation recorded"];

  function timelineEvents(doc) {
    var events = [];
    function add(lane, date, precision, text, className, link) {
      events.push({ lane: lane, date: date, precision: precision || "DAY", label: text,
        seriesClass: className, link: link || null });
    }
    add(LANES[0], doc.publishedOn, doc.publishedPrecision, "Published", "own");
    doc.versions.forEach(function (v) {
      add(LANES[0], v.date, "DAY", "Version " + v.label + (v.changes ? ": " + v.changes : ""), "own");
    });
    doc.related.forEach(function (r) {
      add(LANES[1], r.document.publishedOn, r.document.publishedPrecision,
        label("DocumentRelationKind", r.kind) + " " + r.document.title, "related", r.document);
    });
    doc.relatedFrom.forEach(function (r) {
      add(LANES[1], r.document.publishedOn, r.document.publishedPrecision,
        r.document.title + ": " + label("DocumentRelationKind", r.kind).toLowerCase() + " this",
        "related", r.document);
    });
    // A consultation carries no date: place it at the date of the source that records it.
    var bySource = {};
    consultationsOf(doc).forEach(function (entry) {
      entry.consultation.evidence.forEach(function (e) {
        var key = e.source.slug;
        if (!bySource[key]) bySource[key] = { source: e.source, names: {} };
        bySource[key].names[entry.consultation.organisation.name] = true;
      });
    });
    Object.keys(bySource).forEach(function (key) {
      var entry = bySource[key];
      var count = Object.keys(entry.names).length;
      add(LANES[2], entry.source.publishedOn, entry.source.publishedPrecision,
        count + (count === 1 ? " organisation" : " organisations") + " recorded in " + entry.source.title,
        "recorded", entry.source);
    });
    return events;
  }

  function timelineSection(doc) {
    var events = timelineEvents(doc);
    var datedEvents = events.filter(function (e) { return e.date; });
    datedEvents.sort(function (a, b) { return a.date < b.date ? -1 : a.date > b.date ? 1 : 0; });
    var undated = events.filter(function (e) { return !e.date; });
    if (events.length < 2) return null;
    var host = el("div", { class: "picture-host" });
    function item(e) {
      return el("li", null, e.date ? el("strong", null, dated(e.date, e.precision) + ": ") : null,
        e.link && !e.label.startsWith("Published") ? labelWithLink(e) : e.label,
        el("span", { class: "facts" }, e.lane));
    }
    var section = el("section", { "aria-labelledby": "timeline" },
      el("h2", { id: "timeline" }, "Timeline"),
      el("figure", { class: "picture-frame" },
        el("figcaption", null, "Versions, related documents and the sources that record " +
          "consultation, by date. A date the source gives to the month or year is a bar across it; " +
          "a consultation is placed at the date of the source that records it."),
        host),
      el("h3", null, "In order"),
      el("ol", { class: "timeline-list" }, datedEvents.map(item)),
      undated.length ? [el("h3", null, "Not dated in the register"),
        el("ul", { class: "timeline-list" }, undated.map(item))] : null);
    section.draw = function () {
      if (datedEvents.length === 0) { host.replaceChildren(); return; }
      if (!pictures || !pictures.available()) { host.replaceChildren(noPicture()); return; }
      var lanes = LANES.filter(function (name) {
        return datedEvents.some(function (e) { return e.lane === name; });
      });
      pictures.timeline(host, { lanes: lanes, events: datedEvents.map(function (e) {
        var s = span(e.date, e.precision);
        return { lane: e.lane, start: s.start, end: s.end, label: e.label, seriesClass: e.seriesClass };
      }) });
    };
    return section;
  }

  function labelWithLink(e) {
    var at = e.label.indexOf(e.link.title);
    if (at < 0) return [e.label, " (", documentLink(e.link), ")"];
    return [e.label.slice(0, at), documentLink(e.link), e.label.slice(at + e.link.title.length)];
  }

  // The meaning of every value this page shows, as the schema defines it.
  function glossary(doc) {
    var used = [];
    function use(kind, value) {
      var key = kind + ":" + value;
      if (used.indexOf(key) < 0) used.push(key);
    }
    doc.coverage.groups.forEach(function (g) {
      use("CoverageStatus", g.status);
      g.consultations.forEach(function (c) { use("ConsultationRole", c.role); });
    });
    doc.coverage.leftOut.forEach(function (g) { use("CoverageStatus", g.status); });
    doc.principles.forEach(function (p) { p.shapedBy.forEach(function (i) { use("InfluenceEffect", i.effect); }); });
    valuesOf("Confidence").forEach(function (v) { use("Confidence", v.value); });
    return el("section", { "aria-labelledby": "words" },
      el("h2", { id: "words" }, "What these words mean"),
      el("dl", { class: "glossary" }, used.map(function (key) {
        var parts = key.split(":");
        var t = term(parts[0], parts[1]);
        return [el("dt", null, t.label), el("dd", null, t.definition)];
      })));
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
      var network = networkSection(doc);
      var timeline = timelineSection(doc);
      show(doc.title, el("div", null,
        el("p", { class: "facts" }, facts(doc)),
        doc.summary ? el("p", null, doc.summary) : null,
        el("p", null, el("a", { href: "#/compare?a=" + encodeURIComponent(slug) },
          "Compare with another document")),
        network,
        consultedSection(doc),
        leftOutSection(doc.coverage.leftOut),
        answerFiles(slug),
        principlesSection(doc.principles),
        timeline,
        glossary(doc)));
      [network, timeline].forEach(function (section) { if (section) section.draw(); });
      announce(doc.title + " loaded.");
    });
  }

  // --- the coverage matrix -------------------------------------------------------------------

  function matrixSettings() {
    var params = hashParams();
    return {
      kind: params.get("kind") || "",
      groups: params.get("groups") ? params.get("groups").split(",") : null,
      all: params.get("all") === "1",
    };
  }

  function matrixHash(settings) {
    var params = new URLSearchParams();
    if (settings.kind) params.set("kind", settings.kind);
    if (settings.groups) params.set("groups", settings.groups.join(","));
    if (settings.all) params.set("all", "1");
    var query = params.toString();
    return "#/matrix" + (query ? "?" + query : "");
  }

  function matrixControls(settings, groups) {
    var kind = el("select", { id: "matrix-kind", name: "kind" },
      el("option", { value: "" }, "Every kind"),
      valuesOf("DocumentKind").map(function (v) {
        return el("option", { value: v.value, selected: v.value === settings.kind }, v.label);
      }));
    var all = el("input", { type: "checkbox", id: "matrix-all", name: "all", checked: settings.all });
    var boxes = groups.map(function (g) {
      return el("label", { class: "choice" }, el("input", { type: "checkbox", name: "group",
        value: g.slug, checked: !settings.groups || settings.groups.indexOf(g.slug) >= 0 }), " ", g.name);
    });
    var chosen = settings.groups ? settings.groups.length : groups.length;
    return el("form", { class: "controls", "aria-label": "Filter the matrix", onsubmit: function (event) {
      event.preventDefault();
      var picked = boxes.map(function (b) { return b.querySelector("input"); })
        .filter(function (i) { return i.checked; }).map(function (i) { return i.value; });
      location.hash = matrixHash({ kind: kind.value, all: all.checked,
        groups: picked.length === groups.length || !picked.length ? null : picked });
    } },
    el("div", { class: "control" }, el("label", { for: "matrix-kind" }, "Kind of document"), kind),
    el("details", { class: "control" }, el("summary", null, "Groups (" + chosen + " of " + groups.length + ")"),
      el("fieldset", null, el("legend", { class: "visually-hidden" }, "Groups to show"), boxes)),
    el("div", { class: "control" }, el("label", { class: "choice" }, all, " Also show documents with " +
      "no consultation on record (sources cited as evidence)")),
    el("div", { class: "control" }, el("button", { type: "submit" }, "Show")));
  }

  function cellLabel(cell) {
    return label("CoverageStatus", cell.status) + (cell.gap ? ", a gap" : "") +
      (cell.organisationCount ? " (" + cell.organisationCount + ")" : "");
  }

  function hasSomething(cell) { return cell.status !== "NO_RECORD" || cell.expected; }

  function csvOf(columns, rows) {
    function quoted(value) {
      var text = String(value);
      // A cell starting with = + - @ could run as a formula in a spreadsheet.
      if (/^[=+\-@]/.test(text)) text = "'" + text;
      return "\"" + text.replace(/"/g, "\"\"") + "\"";
    }
    var lines = [["document", "slug"].concat(columns.map(function (c) { return c.name; }))];
    rows.forEach(function (row) {
      lines.push([row.document.title, row.document.slug].concat(row.cells.map(function (c) {
        return label("CoverageStatus", c.status) + (c.gap ? " (gap)" : "");
      })));
    });
    return lines.map(function (line) { return line.map(quoted).join(","); }).join("\r\n") + "\r\n";
  }

  function download(name, text) {
    var url = URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" }));
    var link = el("a", { href: url, download: name, hidden: true });
    document.body.appendChild(link);
    link.click();
    link.remove();
    window.setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
  }

  // The evidence behind one cell (one document, one group), under the matrix.
  function cellEvidence(panel, row, column) {
    panel.replaceChildren(el("p", null, "Loading the evidence…"));
    panel.scrollIntoView({ block: "nearest" });
    return gql(CELL, { slug: row.document.slug }).then(function (data) {
      var found = data.document.coverage.groups.filter(function (g) { return g.group.slug === column.slug; })[0];
      fill(panel, el("h3", { tabindex: "-1" }, row.document.title + " × " + column.name),
        found ? groupEvidence(found) : el("p", null, label("CoverageStatus", "NO_RECORD") +
          ": the group neither took part nor was expected to, as far as the register knows."));
      panel.querySelector("h3").focus();
    }).catch(function (error) {
      panel.replaceChildren(el("p", { role: "alert" }, "Could not load the evidence: " + error.message));
    });
  }

  // On a phone: one card per document, its gaps first.
  function card(row, columns, open) {
    var gaps = [];
    var consulted = [];
    var unknown = 0;
    row.cells.forEach(function (c, index) {
      if (c.gap) gaps.push(index);
      else if (c.status === "CONSULTED") consulted.push(columns[index].name);
      else if (hasSomething(c)) gaps.push(index);
      else unknown += 1;
    });
    return el("li", { class: "card" },
      el("h3", null, documentLink(row.document)),
      gaps.length ? el("ul", { class: "card-gaps" }, gaps.map(function (index) {
        var c = row.cells[index];
        return el("li", { class: c.gap ? "gap" : null }, el("strong", null, columns[index].name), " ",
          badge(c.status, false), c.gap ? [" ", gapWord()] : null,
          " ", el("button", { type: "button", class: "reveal",
            "aria-label": "Evidence: " + columns[index].name + " on " + row.document.title,
            onclick: function () { open(row, columns[index]); } }, "Evidence"));
      })) : el("p", null, "No gap recorded."),
      consulted.length ? el("p", null, el("strong", null, "Consulted: "), consulted.join(", ")) : null,
      unknown ? el("p", { class: "facts" }, unknown + " other groups: " +
        label("CoverageStatus", "NO_RECORD").toLowerCase() + ", not expected") : null);
  }

  function matrixView() {
    announce("Loading the coverage matrix…");
    var settings = matrixSettings();
    var filter = { kind: settings.kind || null, consultationRecorded: settings.all ? null : true };
    var body = el("tbody");
    var head = el("thead");
    var more = el("p");
    var cards = el("ul", { class: "cards", "aria-label": "Documents and their gaps" });
    var shown = { columns: [], rows: [], totalCount: 0 };
    var panel = el("div", { class: "cell-evidence", "aria-live": "polite" });
    var heat = el("div", { class: "picture-host" });
    var region = el("div", { class: "matrix-region", role: "region", tabindex: "0",
      "aria-labelledby": "matrix-caption", "aria-describedby": "matrix-about" },
    el("table", { class: "matrix" },
      el("caption", { id: "matrix-caption" }, "Documents by stakeholder group"), head, body));
    function open(row, column) { return cellEvidence(panel, row, column); }

    function drawHeat() {
      if (!shown.rows.length) { heat.replaceChildren(el("p", null, "No document matches.")); return; }
      if (!pictures || !pictures.available()) { heat.replaceChildren(noPicture()); return; }
      pictures.heatmap(heat, {
        rows: shown.rows.map(function (r) { return { label: r.document.title }; }),
        columns: shown.columns.map(function (c) { return { label: c.name }; }),
        cells: shown.rows.map(function (r) {
          return r.cells.map(function (c, j) {
            return { statusClass: "status-" + slugify(c.status), gap: c.gap, symbol: SYMBOL[c.status] || "•",
              title: r.document.title + " × " + shown.columns[j].name + ": " + cellLabel(c) };
          });
        }),
      }, function (i, j) { open(shown.rows[i], shown.columns[j]); });
    }

    function refresh() {
      drawHeat();
      var gaps = body.querySelectorAll("td.gap").length;
      announce(shown.rows.length + " of " + shown.totalCount + " documents shown, " + gaps + " gaps.");
    }

    function cell(row, c, column) {
      var content = [el("span", { "aria-hidden": "true" }, (SYMBOL[c.status] || "•") + (c.gap ? " gap" : "")),
        el("span", { class: "visually-hidden" }, cellLabel(c))];
      return el("td", { class: "cell " + statusClass(c.status) + (c.gap ? " gap" : "") },
        hasSomething(c) ? el("button", { type: "button", class: "cell-button",
          title: "Evidence: " + row.document.title + " × " + column.name,
          onclick: function () { open(row, column); } }, content) : content);
    }

    function onPage(matrix, first) {
      if (first) {
        shown.columns = matrix.columns;
        head.replaceChildren(el("tr", null, el("th", { scope: "col" }, "Document"),
          matrix.columns.map(function (g) { return el("th", { scope: "col" }, g.name); })));
      }
      shown.totalCount = matrix.totalCount;
      shown.rows = shown.rows.concat(matrix.rows);
      append(body, matrix.rows.map(function (row) {
        return el("tr", null, el("th", { scope: "row" }, documentLink(row.document)),
          row.cells.map(function (c, j) { return cell(row, c, matrix.columns[j]); }));
      }));
      append(cards, matrix.rows.map(function (row) { return card(row, matrix.columns, open); }));
      if (!first) refresh();
    }

    var loading = paged(MATRIX, { filter: filter, groups: settings.groups }, "coverageMatrix", more, onPage);
    return Promise.all([gql(GROUPS), loading]).then(function (answers) {
      show("Coverage matrix", el("div", null,
        el("p", { id: "matrix-about" },
          "One row per document, one column per stakeholder group: who took part, and the gaps " +
          "(marked \u201cgap\u201d): groups expected to be consulted that were not, or of whom the " +
          "register has no record. " + (settings.all ? "Every document is listed." :
            "Only documents the register records consultation on are listed; the sources they " +
            "cite can be added with the filters above.") + " Choose a cell for its evidence."),
        matrixControls(settings, answers[0].stakeholderGroups),
        el("section", { class: "at-a-glance", "aria-labelledby": "heat" }, el("h2", { id: "heat" }, "At a glance"),
          el("figure", { class: "picture-frame" }, el("figcaption", null,
            "The same matrix as a heat map: one colour per status, gaps outlined. The table below " +
            "holds every cell in words."), heat)),
        el("section", { "aria-labelledby": "in-full" }, el("h2", { id: "in-full" }, "In full"),
          el("p", null, el("button", { type: "button", onclick: function () {
            download("footprint-coverage-matrix.csv", csvOf(shown.columns, shown.rows));
            announce("The table as shown is downloaded as footprint-coverage-matrix.csv.");
          } }, "Download this table (CSV)")),
          region, cards, more, panel),
        el("h2", null, "Key"), statusKey()));
      refresh();
    });
  }

  function statusKey() {
    return el("dl", { class: "legend" }, valuesOf("CoverageStatus").map(function (v) {
      return [el("dt", null, badge(v.value, false)), el("dd", null, v.definition)];
    }), el("dt", null, el("span", { class: "badge status gap" }, "gap")),
    el("dd", null, "The group was expected to be consulted and was not, or the register has no record of it."));
  }

  // --- two documents side by side ------------------------------------------------------------

  function compareForm(choices, a, b) {
    function picker(id, text, value) {
      return el("div", { class: "control" }, el("label", { for: id }, text),
        el("select", { id: id, name: id }, choices.map(function (d) {
          return el("option", { value: d.slug, selected: d.slug === value }, d.title);
        })));
    }
    var form = el("form", { class: "controls", "aria-label": "Choose two documents", onsubmit: function (event) {
      event.preventDefault();
      location.hash = "#/compare?a=" + encodeURIComponent(form.querySelector("#compare-a").value) +
        "&b=" + encodeURIComponent(form.querySelector("#compare-b").value);
    } }, picker("compare-a", "First document", a), picker("compare-b", "Second document", b),
    el("div", { class: "control" }, el("button", { type: "submit" }, "Compare")));
    return form;
  }

  function compareView() {
    announce("Loading the documents to compare…");
    var params = hashParams();
    return gql(CHOICES).then(function (data) {
      var choices = data.documents.nodes;
      var a = params.get("a") || (choices[0] && choices[0].slug);
      var b = params.get("b") || (choices.filter(function (d) { return d.slug !== a; })[0] || {}).slug;
      if (!a || !b) {
        show("Compare two documents", el("p", null, "The register needs two documents with consultation on record."));
        return null;
      }
      return gql(COMPARE, { a: a, b: b }).then(function (answer) {
        if (!answer.compareDocuments) throw new Error("No document has the slug " + (answer.a ? b : a) + ".");
        show("Compare two documents", el("div", null, compareForm(choices, a, b), comparison(answer)));
        announce("Comparing " + answer.a.title + " and " + answer.b.title + ".");
      });
    });
  }

  // Every group either document reports on, in the taxonomy's order.
  function comparison(answer) {
    var byGroup = {};
    [answer.a, answer.b].forEach(function (doc, side) {
      doc.coverage.groups.forEach(function (g) {
        byGroup[g.group.slug] = byGroup[g.group.slug] || [null, null];
        byGroup[g.group.slug][side] = g;
      });
    });
    var order = answer.stakeholderGroups.filter(function (g) { return byGroup[g.slug]; });
    function side(g, doc) {
      if (!g) return el("td", null, badge("NO_RECORD", false));
      var gap = g.expectedBecause.length > 0 && g.status !== "CONSULTED";
      return el("td", { class: gap ? "gap" : null }, badge(g.status, false), gap ? [" ", gapWord()] : null, " ",
        disclosure("Evidence", g.group.name + " on " + doc.title, function () {
          return groupEvidence(g);
        }));
    }
    var overlap = answer.compareDocuments.organisations;
    function names(id, heading, list) {
      return el("section", { "aria-labelledby": id }, el("h3", { id: id }, heading),
        list.length ? el("ul", null, list.map(function (o) { return el("li", null, o.name); }))
          : el("p", null, "None."));
    }
    function column(doc) { return el("th", { scope: "col" }, documentLink(doc)); }
    return el("div", null,
      el("section", { "aria-labelledby": "side-by-side" },
        el("h2", { id: "side-by-side" }, "Groups, side by side"),
        el("div", { class: "table-region", role: "region", tabindex: "0",
          "aria-labelledby": "side-by-side" },
        el("table", { class: "compare" },
          el("thead", null, el("tr", null, el("th", { scope: "col" }, "Group"),
            column(answer.a), column(answer.b))),
          el("tbody", null, order.map(function (group) {
            var pair = byGroup[group.slug];
            return el("tr", null, el("th", { scope: "row" }, group.name),
              side(pair[0], answer.a), side(pair[1], answer.b));
          }))))),
      el("section", { "aria-labelledby": "organisations" },
        el("h2", { id: "organisations" }, "Organisations on record (any role)"),
        el("div", { class: "columns" },
          names("only-a", "Only in " + answer.a.title, overlap.onlyA),
          names("both", "In both", overlap.both),
          names("only-b", "Only in " + answer.b.title, overlap.onlyB))));
  }

  // --- routing -------------------------------------------------------------------------------

  function route() {
    window.clearTimeout(retrying);
    var hash = location.hash.replace(/^#/, "");
    var path = hash.split("?")[0];
    var match;
    var loading;
    if ((match = path.match(/^\/document\/(.+)$/))) loading = documentView(decodeURIComponent(match[1]));
    else if (path === "/matrix") loading = matrixView();
    else if (path === "/compare") loading = compareView();
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
