// GraphiQL for Footprint: local files only, the saved questions open as tabs and listed in a
// "Saved questions" panel that opens any of them again in a new tab.
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

  var savedPlugin = { title: "Saved questions", icon: GraphiQL.React.StarIcon, content: SavedQuestions };
  var plugins = [savedPlugin];
  if (window.GraphiQLPluginExplorer) plugins.push(GraphiQLPluginExplorer.explorerPlugin());

  // GraphiQL 3 fills the variables editor from this prop, not from the first default tab; pass
  // it only on a first visit, since later the browser's stored tabs take over.
  var firstVisit = window.localStorage.getItem("graphiql:tabState") === null;

  ReactDOM.createRoot(document.getElementById("graphiql")).render(
    h(GraphiQL, {
      fetcher: fetcher,
      variables: firstVisit && saved.length ? saved[0].variables : undefined,
      defaultTabs: saved.map(function (question) {
        return { query: question.query, variables: question.variables };
      }),
      plugins: plugins,
      visiblePlugin: savedPlugin,
      defaultEditorToolsVisibility: true,
      isHeadersEditorEnabled: true,
      // Headers may hold a bearer token: keep them out of the browser's storage.
      shouldPersistHeaders: false,
      inputValueDeprecation: true,
    })
  );
})();
