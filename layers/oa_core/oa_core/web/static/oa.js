// 办公自动化系统: a little help in the browser. Every page works without it.
"use strict";

// Lists (table.list) turn into one card a row on a phone (oa.css); each cell is labelled with its
// column's heading, so a card reads 「文种 通知」 rather than a bare value.
function labelLists(scope) {
  Array.prototype.forEach.call(scope.querySelectorAll("table.list"), function (table) {
    var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
      return th.textContent.trim();
    });
    Array.prototype.forEach.call(table.querySelectorAll("tbody tr"), function (row) {
      Array.prototype.forEach.call(row.children, function (cell, i) {
        if (heads[i] && !cell.hasAttribute("data-label")) cell.setAttribute("data-label", heads[i]);
      });
    });
  });
}
labelLists(document);

// A form with data-once sends once: its buttons are disabled once it is on its way (the server holds it
// to once too: web.once and the task's own condition).
document.addEventListener("submit", function (e) {
  var form = e.target;
  if (!form.hasAttribute || !form.hasAttribute("data-once") || e.defaultPrevented) return;
  // Disabled after this turn: the form's data (with the pressed button's value) is taken first.
  setTimeout(function () {
    Array.prototype.forEach.call(form.querySelectorAll("button[type=submit]"), function (b) { b.disabled = true; });
  }, 0);
});

// A button with data-confirm asks first (撤销角色 and the like); 取消 leaves the form unsent.
document.addEventListener("click", function (e) {
  var button = e.target.closest ? e.target.closest("button[data-confirm]") : null;
  if (button && !window.confirm(button.getAttribute("data-confirm"))) e.preventDefault();
});

(function () {
  var csrf = document.body.getAttribute("data-csrf") || "";

  function debounce(fn, ms) {
    var timer = null;
    return function () {
      clearTimeout(timer);
      timer = setTimeout(fn, ms);
    };
  }

  // 拟稿: templates per 文种 and live checks (the server's own checks, asked as you type).
  var form = document.getElementById("draft-form");
  if (form) {
    var templates = JSON.parse(form.getAttribute("data-templates") || "{}");
    var picker = document.getElementById("template");
    var body = document.getElementById("body");
    var title = document.getElementById("title");
    var docType = document.getElementById("doc_type");
    var lastTemplateBody = body.value;

    var isUntouched = function () {
      return !body.value.trim() || body.value === lastTemplateBody;
    };
    var apply = function (key) {
      var t = templates[key];
      if (!t) return;
      if (!isUntouched() && !window.confirm("套用模板会替换现在的正文，继续吗？")) return;
      docType.value = t.doc_type;
      if (!title.value.trim() || title.value.indexOf("……") >= 0) title.value = t.title;
      body.value = t.body;
      lastTemplateBody = t.body;
      check();
    };
    picker.addEventListener("change", function () { apply(picker.value); });
    docType.addEventListener("change", function () {
      if (templates[docType.value] && isUntouched()) {
        picker.value = docType.value;
        apply(docType.value);
      }
    });

    var list = document.querySelector("#checks ul");
    var count = document.getElementById("word-count");
    var check = function () {
      var data = new URLSearchParams(new FormData(form));
      data.delete("action");
      fetch(form.getAttribute("data-check"), {
        method: "POST",
        headers: { "X-CSRF-Token": csrf, "Content-Type": "application/x-www-form-urlencoded" },
        body: data.toString(),
        credentials: "same-origin",
      })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (result) {
          if (!result) return;
          count.textContent = "字数：" + result.word_count;
          list.textContent = "";
          if (!result.checks.length) {
            var fine = document.createElement("li");
            fine.className = "fine";
            fine.textContent = "未发现问题";
            list.appendChild(fine);
          }
          result.checks.forEach(function (c) {
            var li = document.createElement("li");
            li.className = c.level;
            li.textContent = (c.level === "error" ? "必须修改：" : "建议：") + c.message;
            list.appendChild(li);
          });
        })
        .catch(function () {});
    };
    form.addEventListener("input", debounce(check, 400));
    form.addEventListener("change", debounce(check, 100));

    // 从 Word 导入: the .docx is sent as the body; the answer fills the form, which the drafter reviews.
    var importer = document.getElementById("word-import");
    var wordFile = document.getElementById("word-file");
    if (importer && wordFile) {
      importer.hidden = false;
      var status = document.getElementById("word-status");
      var warnings = document.getElementById("word-warnings");
      var say = function (text, level) {
        status.textContent = text;
        status.className = level === "error" ? "error" : "meta";
      };
      wordFile.addEventListener("change", function (e) {
        e.stopPropagation();
        var file = wordFile.files && wordFile.files[0];
        warnings.textContent = "";
        if (!file) return;
        var max = Number(importer.getAttribute("data-max")) || 0;
        if (max && file.size > max) {
          say("文件超过 " + Math.floor(max / 1048576) + " MB，无法导入：请删除图片等内容后再试", "error");
          return;
        }
        if (!isUntouched() && !window.confirm("导入会替换现在的标题、正文和附件说明，继续吗？")) {
          wordFile.value = "";
          return;
        }
        say("正在读取“" + file.name + "”……");
        fetch(importer.getAttribute("data-url"), {
          method: "POST",
          headers: { "X-CSRF-Token": csrf, "Content-Type": "application/vnd.openxmlformats-officedocument.wordprocessingml.document" },
          body: file,
          credentials: "same-origin",
        })
          .then(function (r) { return r.json().catch(function () { return { error: { message: "导入失败，请刷新页面后重试" } }; }); })
          .then(function (result) {
            if (result.error) {
              say(result.error.message, "error");
              return;
            }
            if (result.title) title.value = result.title;
            body.value = result.body;
            lastTemplateBody = "";
            document.getElementById("attachment_note").value = result.attachment_note;
            if (result.main_recipients.length) document.getElementById("main_recipients").value = result.main_recipients.join("、");
            if (result.cc.length) form.querySelector("[name=cc]").value = result.cc.join("、");
            picker.value = "";
            say("已导入“" + file.name + "”，请核对标题、主送机关、正文和附件说明后再提交");
            result.warnings.forEach(function (w) {
              var li = document.createElement("li");
              li.className = "warning";
              li.textContent = "请注意：" + w;
              warnings.appendChild(li);
            });
            check();
          })
          .catch(function () { say("导入失败，请检查网络后重试", "error"); });
      });
    }
  }

  // 文件页: a part with data-refresh fetches itself again every few seconds while it has one: the progress
  // section while the flow runs (会签进度, and the whole page once it ends), the 打印份数 runs while one is 印制中.
  var refreshEvery = 4000;
  var refresher = function (id, settled) {
    var poll = function () {
      var box = document.getElementById(id);
      var url = box && box.getAttribute("data-refresh");
      if (!url || document.hidden) {
        if (url) setTimeout(poll, refreshEvery);
        return;
      }
      fetch(url, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          if (html) {
            var holder = document.createElement("div");
            holder.innerHTML = html; // server-rendered with escaping, same origin
            var fresh = holder.querySelector("#" + id);
            if (fresh) {
              var reload = settled(box, fresh);
              box.replaceWith(fresh);
              labelLists(fresh);
              if (reload) {
                window.location.reload();
                return;
              }
            }
          }
          setTimeout(poll, refreshEvery);
        })
        .catch(function () { setTimeout(poll, refreshEvery * 2); });
    };
    if (document.getElementById(id)) setTimeout(poll, refreshEvery);
  };
  refresher("progress", function (box, fresh) {
    // The flow ended (归档, 不予签发, 失败): reload once, so the text shows its 发文字号 and the
    // 正式文件 and 档案 links that only a finished document has.
    var ended = !fresh.getAttribute("data-refresh") &&
      fresh.getAttribute("data-status") !== box.getAttribute("data-status");
    // 收文页: a step of mine opened or closed (签收 done, 登记 now waits): its form is on the page.
    if (fresh.getAttribute("data-mine") !== box.getAttribute("data-mine")) ended = true;
    return ended;
  });
  // 打印份数: a run done shows its download link in the fresh list itself; nothing else on the page changes.
  refresher("copy-runs", function () { return false; });

  // 批注: select words in the text, then note them.
  var annotate = document.getElementById("annotate");
  var notes = document.getElementById("annotations");
  if (annotate && notes) {
    annotate.hidden = false;
    var selected = "";
    document.addEventListener("selectionchange", function () {
      var text = String(window.getSelection() || "").trim();
      if (text) selected = text.slice(0, 200);
    });
    annotate.addEventListener("mousedown", function (e) { e.preventDefault(); });
    annotate.addEventListener("click", function () {
      if (!selected) {
        window.alert("请先在正文中选中要批注的文字。");
        return;
      }
      var note = window.prompt("对“" + selected + "”的批注：");
      if (!note || !note.trim()) return;
      notes.value = (notes.value.trim() ? notes.value.trim() + "\n" : "") + "「" + selected.replace(/[「」\n]/g, " ") + "」" + note.trim();
      selected = "";
    });
  }
})();

// 参会人员: filter the grouped checkbox list by name or department; count the chosen.
(function () {
  var pickers = document.querySelectorAll("[data-picker]");
  Array.prototype.forEach.call(pickers, function (picker) {
    var box = picker.querySelector("[data-picker-filter]");
    var count = picker.querySelector("[data-picker-count]");
    var items = picker.querySelectorAll("[data-picker-item]");
    var groups = picker.querySelectorAll("[data-picker-group]");
    box.parentNode.parentNode.hidden = false;
    var recount = function () {
      count.textContent = "已选 " + picker.querySelectorAll("input[type=checkbox]:checked").length + " 人";
    };
    var filter = function () {
      var words = box.value.trim();
      Array.prototype.forEach.call(items, function (item) {
        item.hidden = words !== "" && item.getAttribute("data-search").indexOf(words) < 0;
      });
      Array.prototype.forEach.call(groups, function (group) {
        group.hidden = group.querySelectorAll("[data-picker-item]:not([hidden])").length === 0;
      });
    };
    box.addEventListener("input", filter);
    picker.addEventListener("change", recount);
  });
})();
