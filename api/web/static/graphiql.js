// GraphiQL for Footprint: local files only. On a first visit the first saved questions open as
// tabs; every saved question is listed in the "Saved questions" panel (the star in the sidebar,
// closed at first so the editor has the room), which opens any of them in a new tab. A tab
// holding a saved question is titled in words ("Who was left out?"), not by its operation name,
// and long lines wrap rather than run out of sight.
(function () {
  "use strict";
  var h = React.createElement;
  var saved = JSON.parse(document.getElementById("saved-questions").textContent);
  var fetcher = GraphiQL.createFetcher({ url: window.location.pathname });

  function openQuestion(editors, question) {
    editors.addTab();
    // addTab fills the new tab once React has rendered it; write the question after that.
    window.setTimeout(function () {
      if (editors.queryEditor) editors.queryEditor.setValue(question.query);
      if (editors.variableEditor) editors.variableEditor.setValue(question.variables);
      // Else a run before GraphiQL re-reads the query would send the last tab's operation name.
      editors.setOperationName(question.operation);
    }, 0);
  }

  function SavedQuestions() {
    var editors = GraphiQL.React.useEditorContext({ nonNull: true });
    return h(
      "section",
      { className: "footprint-saved", "aria-labelledby": "footprint-saved-title" },
      h("h2", { id: "footprint-saved-title", className: "graphiql-doc-explorer-title" }, "Saved questions"),
      h("p", null, "Each opens in a new tab with its variables filled in; press the run button (Ctrl-Enter) to answer it."),
      h(
        "ul",
        null,
        saved.map(function (question) {
          return h(
            "li",
            { key: question.name },
            h(
              "button",
              {
                type: "button",
                className: "graphiql-un-styled footprint-saved-question",
                "data-question": question.name,
                onClick: function () { openQuestion(editors, question); },
              },
              question.title
            )
          );
        })
      )
    );
  }

  // GraphiQL titles a tab by its operation name and re-titles it on every change; a saved
  // question's tab is given its words again each time (the question itself, on hover).
  var byOperation = {};
  saved.forEach(function (question) { if (question.operation) byOperation[question.operation] = question; });
  function titleTabs(root) {
    root.querySelectorAll(".graphiql-tab-button").forEach(function (button) {
      var text = button.firstChild;
      var question = text && text.nodeType === Node.TEXT_NODE && byOperation[text.nodeValue];
      if (!question) return;
      // The same text node React writes to: its next title replaces ours, and is seen here.
      text.nodeValue = question.tab;
      button.title = question.title;
    });
  }
  // Long lines wrap in every editor, so a narrow editor shows the whole query.
  function wrapLines(root) {
    root.querySelectorAll(".CodeMirror").forEach(function (editor) {
      if (editor.CodeMirror && !editor.CodeMirror.getOption("lineWrapping")) {
        editor.CodeMirror.setOption("lineWrapping", true);
      }
    });
  }
  function set(element, name, value) {
    if (value === null) { if (element.hasAttribute(name)) element.removeAttribute(name); }
    else if (element.getAttribute(name) !== value) element.setAttribute(name, value);
  }

  // What axe-core finds in GraphiQL's own markup, mended after each render: its tab list holds
  // close and add buttons too (so it reads as a toolbar of buttons, the open one marked
  // current), its editors' text areas have no names, and the answer scrolls without a keyboard.
  function mendAccessibility(root) {
    root.querySelectorAll("ul.graphiql-tabs").forEach(function (list) {
      set(list, "role", "toolbar");
      set(list, "aria-label", "Open questions");
    });
    root.querySelectorAll("li.graphiql-tab").forEach(function (tab) {
      set(tab, "role", "presentation");
      set(tab, "aria-selected", null);
      var button = tab.querySelector(".graphiql-tab-button");
      if (button) set(button, "aria-current", tab.classList.contains("graphiql-tab-active") ? "true" : null);
    });
    root.querySelectorAll(".CodeMirror textarea").forEach(function (area) {
      var name = area.closest(".graphiql-query-editor") ? "Query"
        : area.closest(".result-window") ? "Answer"
        : area.closest(".graphiql-editor") && area.closest(".graphiql-editor").previousElementSibling ? "Headers"
        : "Variables";
      set(area, "aria-label", name);
    });
    root.querySelectorAll(".result-window .CodeMirror-scroll").forEach(function (scroll) {
      set(scroll, "tabindex", "0");
      set(scroll, "role", "region");
      set(scroll, "aria-label", "Answer");
    });
  }

  var root = document.getElementById("graphiql");
  new MutationObserver(function () { titleTabs(root); wrapLines(root); mendAccessibility(root); })
    .observe(root, { childList: true, subtree: true, characterData: true, attributes: true,
      attributeFilter: ["class", "aria-selected", "role"] });

  var savedPlugin = { title: "Saved questions", icon: GraphiQL.React.StarIcon, content: SavedQuestions };
  var plugins = [savedPlugin];
  if (window.GraphiQLPluginExplorer) plugins.push(GraphiQLPluginExplorer.explorerPlugin());

  var first = saved.filter(function (question) { return question.opens; });
  // GraphiQL 3 fills the variables editor from this prop, not from the first default tab; pass
  // it only on a first visit, since later the browser's stored tabs take over.
  var firstVisit = window.localStorage.getItem("graphiql:tabState") === null;

  ReactDOM.createRoot(root).render(
    h(GraphiQL, {
      fetcher: fetcher,
      variables: firstVisit && first.length ? first[0].variables : undefined,
      defaultTabs: first.map(function (question) {
        return { query: question.query, variables: question.variables };
      }),
      plugins: plugins,
      defaultEditorToolsVisibility: true,
      isHeadersEditorEnabled: true,
      // Headers may hold a bearer token: keep them out of the browser's storage.
      shouldPersistHeaders: false,
      inputValueDeprecation: true,
    })
  );
})();
