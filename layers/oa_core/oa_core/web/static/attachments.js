// 拟稿: 附件. Each file goes straight to the attachments bucket with the presigned POST the server signs,
// then the server checks it and adds it to the list (its type from the bytes, size, SHA-256).
"use strict";

(function () {
  var box = document.getElementById("attachments");
  if (!box) return;
  var csrf = document.body.getAttribute("data-csrf") || "";
  var base = box.getAttribute("data-base");
  var rev = parseInt(box.getAttribute("data-rev") || "0", 10);
  var list = document.getElementById("attachment-items");
  var progress = document.getElementById("attachment-progress");
  var note = document.getElementById("attachment_note");
  var picker = document.getElementById("attachment-files");

  function call(path, body) {
    return fetch(base + path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(body || {}),
    }).then(function (response) {
      return response.json().then(
        function (data) {
          if (!response.ok) throw new Error((data.error && data.error.message) || "操作未能完成，请重试");
          return data;
        },
        function () {
          // Not JSON: the session gate's own page (signed out, or the page's CSRF token is stale).
          if (response.status === 401) throw new Error("登录已超时，请重新登录后再试");
          if (response.status === 403) throw new Error("页面已过期，请刷新页面后重试");
          throw new Error("操作未能完成，请重试");
        }
      );
    });
  }

  function button(label, act) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "secondary small";
    b.textContent = label;
    b.setAttribute("data-act", act);
    return b;
  }

  function render(view) {
    rev = view.rev;
    list.textContent = "";
    view.items.forEach(function (a, index) {
      var li = document.createElement("li");
      li.setAttribute("data-no", String(a.no));
      var input = document.createElement("input");
      input.type = "text";
      input.className = "attachment-title";
      input.maxLength = 100;
      input.value = a.title;
      input.setAttribute("aria-label", "附件名称");
      var meta = document.createElement("span");
      meta.className = "meta";
      meta.textContent = " " + a.filename + " · " + a.size_text + " ";
      var up = button("上移", "up");
      var down = button("下移", "down");
      up.disabled = index === 0;
      down.disabled = index === view.items.length - 1;
      li.append(input, meta, up, down, button("删除", "remove"));
      list.appendChild(li);
    });
    if (view.items.length) {
      note.value = view.attachment_note;
      note.rows = Math.max(2, view.attachment_note.split("\n").length);
      note.readOnly = true;
    } else {
      note.readOnly = false;
    }
  }

  function line(text, cls) {
    var li = document.createElement("li");
    li.textContent = text;
    if (cls) li.className = cls;
    progress.appendChild(li);
    return li;
  }

  function send(ticket, file, shown) {
    return new Promise(function (resolve, reject) {
      var data = new FormData();
      Object.keys(ticket.fields).forEach(function (k) { data.append(k, ticket.fields[k]); });
      data.append("file", file);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", ticket.url);
      xhr.upload.onprogress = function (e) {
        if (e.lengthComputable) shown.textContent = file.name + "：已上传 " + Math.round((100 * e.loaded) / e.total) + "%";
      };
      xhr.onload = function () {
        if (xhr.status >= 200 && xhr.status < 300) resolve();
        else reject(new Error("文件未能上传（可能超过大小上限），请重试"));
      };
      xhr.onerror = function () { reject(new Error("网络中断，文件未能上传，请重试")); };
      xhr.send(data);
    });
  }

  function uploadOne(file) {
    var shown = line(file.name + "：准备上传");
    return call("/uploads", { filename: file.name, size: file.size })
      .then(function (ticket) {
        return send(ticket, file, shown).then(function () {
          shown.textContent = file.name + "：正在检查";
          return call("", { upload: ticket.upload });
        });
      })
      .then(function (view) {
        render(view);
        shown.textContent = file.name + "：已添加";
        shown.className = "ok";
      })
      .catch(function (err) {
        shown.textContent = file.name + "：" + err.message;
        shown.className = "error";
      });
  }

  picker.addEventListener("change", function () {
    var files = Array.prototype.slice.call(picker.files);
    picker.value = "";
    Array.prototype.slice.call(progress.querySelectorAll("li.ok")).forEach(function (done) { done.remove(); });
    files.reduce(function (chain, file) { return chain.then(function () { return uploadOne(file); }); }, Promise.resolve());
  });

  function failed(err) { line(err.message, "error"); }

  // One change of the list at a time: a second click while the first is on its way would carry the
  // same rev and only be refused as stale.
  var busy = false;
  function change(path, body) {
    busy = true;
    return call(path, body).then(render, failed).then(function () { busy = false; });
  }

  list.addEventListener("click", function (e) {
    var act = e.target.getAttribute && e.target.getAttribute("data-act");
    if (!act || busy) return;
    var li = e.target.closest("li");
    var nos = Array.prototype.map.call(list.children, function (x) { return parseInt(x.getAttribute("data-no"), 10); });
    var no = parseInt(li.getAttribute("data-no"), 10);
    var at = nos.indexOf(no);
    if (act === "remove") {
      var title = li.querySelector(".attachment-title").value;
      if (!window.confirm("确定删除附件“" + title + "”吗？")) return;
      change("/" + no + "/delete", { rev: rev });
      return;
    }
    var to = act === "up" ? at - 1 : at + 1;
    if (to < 0 || to >= nos.length) return;
    nos.splice(at, 1);
    nos.splice(to, 0, no);
    change("/order", { order: nos, rev: rev });
  });

  list.addEventListener("change", function (e) {
    if (!e.target.classList.contains("attachment-title")) return;
    var no = parseInt(e.target.closest("li").getAttribute("data-no"), 10);
    change("/" + no + "/change", { title: e.target.value, rev: rev });
  });
})();
