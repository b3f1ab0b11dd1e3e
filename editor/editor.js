// make edit (gongkai/commands/edit.py): what this page adds to Decap CMS.
// - The preview panel beside each form shows what make check says about the entry's last
//   saved version (its cms/<type>/<slug> branch), then the body as written.
// - Before a save, the 索引号 is looked up among published documents and those waiting on
//   cms/ branches; a number already used stops the save with the catalogue's message.
// The collections come from the generated configuration (collections.json), never a list here.
(function () {
  "use strict";
  var h = window.h;

  function checkUrl(collection, slug) {
    return "/admin/api/check?collection=" + encodeURIComponent(collection) + "&slug=" + encodeURIComponent(slug);
  }

  function makePreview(collection) {
    return window.createClass({
      getInitialState: function () { return { key: null, state: "idle", result: null }; },
      componentDidMount: function () { this.refresh(false); },
      componentDidUpdate: function () { this.refresh(false); },
      slug: function () { return this.props.entry.get("slug") || ""; },
      refresh: function (force) {
        var slug = this.slug();
        var self = this;
        if (!slug || (!force && this.state.key === slug)) { return; }
        this.setState({ key: slug, state: "running", result: null });
        fetch(checkUrl(collection, slug)).then(function (r) { return r.json(); }).then(function (list) {
          self.setState({ state: "done", result: list[0] || null });
        }).catch(function () { self.setState({ state: "failed" }); });
      },
      render: function () {
        var self = this;
        var r = this.state.result;
        var status;
        if (!this.slug()) {
          status = h("p", null, "保存后，这里显示 make check 对已保存版本的检查结果。");
        } else if (this.state.state === "running") {
          status = h("p", null, "正在运行 make check……");
        } else if (this.state.state === "failed") {
          status = h("p", null, "没能运行 make check；请查看运行 make edit 的终端。");
        } else if (!r) {
          status = h("p", null, "这条信息没有待审核的修改（已发布的版本由 make check 在合并前检查）。");
        } else {
          status = h("div", null,
            h("p", { className: "gk-preview__verdict" },
              (r.ok ? "通过检查" : "未通过检查") + "（分支 " + r.branch + "，" + r.status + "）"),
            h("pre", { className: "gk-preview__output" }, r.output || "没有发现问题。"));
        }
        return h("div", { className: "gk-preview" },
          h("h2", null, "make check 检查结果"),
          status,
          h("button", { type: "button", onClick: function () { self.refresh(true); } }, "重新检查"),
          h("hr"),
          h("h1", null, this.props.entry.getIn(["data", "title"]) || ""),
          this.props.widgetFor("body"));
      }
    });
  }

  function checkIndexNo(args) {
    var entry = args.entry;
    var value = entry.getIn(["data", "index_no"]);
    if (!value) { return undefined; }
    var own = entry.get("newRecord") ? "" : (entry.get("slug") || "");
    var url = "/admin/api/index-no?value=" + encodeURIComponent(value) +
      "&collection=" + encodeURIComponent(entry.get("collection")) + "&slug=" + encodeURIComponent(own);
    return fetch(url).then(function (r) { return r.json(); }).then(function (answer) {
      if (answer.problem) { throw new Error("索引号 (index_no) — " + answer.problem); }
      return undefined;
    });
  }

  window.CMS.registerEventListener({ name: "preSave", handler: checkIndexNo });

  fetch("/admin/collections.json").then(function (r) { return r.json(); }).then(function (names) {
    names.forEach(function (name) { window.CMS.registerPreviewTemplate(name, makePreview(name)); });
    window.CMS.registerPreviewStyle("/admin/editor.css");
    window.CMS.init();
  });
}());
