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
  var root = document.getElementById("graphiql");
  new MutationObserver(function () { titleTabs(root); wrapLines(root); })
    .observe(root, { childList: true, subtree: true, characterData: true });

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
