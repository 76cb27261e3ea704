// 登记来文: the scan goes straight to the attachments bucket with the presigned POST the server signs; the
// form then carries the upload's token, and the server checks the file by its bytes when it registers.
"use strict";

(function () {
  var box = document.getElementById("scan");
  if (!box) return;
  var csrf = document.body.getAttribute("data-csrf") || "";
  var picker = document.getElementById("scan-file");
  var status = document.getElementById("scan-status");
  var upload = document.getElementById("scan-upload");
  var named = document.getElementById("scan-name");
  var submit = document.getElementById("incoming-submit");

  function say(text, cls) {
    status.textContent = text;
    status.className = cls || "";
  }

  function ticketFor(file) {
    return fetch(box.getAttribute("data-base"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify({
        incoming_id: document.getElementById("incoming_id").value,
        filename: file.name,
        size: file.size,
      }),
    }).then(function (response) {
      return response.json().then(
        function (data) {
          if (!response.ok) throw new Error((data.error && data.error.message) || "上传未能开始，请重试");
          return data;
        },
        function () {
          if (response.status === 401) throw new Error("登录已超时，请重新登录后再试");
          throw new Error("页面已过期，请刷新页面后重试");
        }
      );
    });
  }

  function send(ticket, file) {
    return new Promise(function (resolve, reject) {
      var data = new FormData();
      Object.keys(ticket.fields).forEach(function (k) { data.append(k, ticket.fields[k]); });
      data.append("file", file);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", ticket.url);
      xhr.upload.onprogress = function (e) {
        if (e.lengthComputable) say(file.name + "：已上传 " + Math.round((100 * e.loaded) / e.total) + "%");
      };
      xhr.onload = function () {
        if (xhr.status >= 200 && xhr.status < 300) resolve(ticket);
        else reject(new Error("文件未能上传（可能超过大小上限），请重试"));
      };
      xhr.onerror = function () { reject(new Error("网络中断，文件未能上传，请重试")); };
      xhr.send(data);
    });
  }

  picker.addEventListener("change", function () {
    var file = picker.files[0];
    if (!file) return;
    upload.value = "";
    named.value = "";
    submit.disabled = true;
    say(file.name + "：准备上传");
    ticketFor(file)
      .then(function (ticket) { return send(ticket, file); })
      .then(function (ticket) {
        upload.value = ticket.upload;
        named.value = file.name;
        say("已上传：" + file.name, "ok");
      })
      .catch(function (err) { say(file.name + "：" + err.message, "error"); })
      .then(function () { submit.disabled = false; });
  });
})();

// 办理结果's 附件: each chosen file goes to the attachments bucket with a presigned POST signed for the 承办
// task; the form then carries one hidden ``files`` token per file, checked by its bytes when the result is
// reported. A file that fails to upload is named in red and not carried.
(function () {
  var box = document.getElementById("result-files");
  if (!box) return;
  var csrf = document.body.getAttribute("data-csrf") || "";
  var picker = document.getElementById("result-file");
  var list = document.getElementById("result-list");
  var form = box.form || document.getElementById("handle-form");
  var submit = document.getElementById("handle-submit");
  var max = parseInt(box.getAttribute("data-max") || "20", 10);
  var busy = 0;

  function row(name) {
    var li = document.createElement("li");
    li.textContent = name + "：准备上传";
    list.appendChild(li);
    return li;
  }

  function ticketFor(file) {
    return fetch(box.getAttribute("data-base"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify({ task_id: box.getAttribute("data-task"), filename: file.name, size: file.size }),
    }).then(function (response) {
      return response.json().then(
        function (data) {
          if (!response.ok) throw new Error((data.error && data.error.message) || "上传未能开始，请重试");
          return data;
        },
        function () {
          if (response.status === 401) throw new Error("登录已超时，请重新登录后再试");
          throw new Error("页面已过期，请刷新页面后重试");
        }
      );
    });
  }

  function send(ticket, file, li) {
    return new Promise(function (resolve, reject) {
      var data = new FormData();
      Object.keys(ticket.fields).forEach(function (k) { data.append(k, ticket.fields[k]); });
      data.append("file", file);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", ticket.url);
      xhr.upload.onprogress = function (e) {
        if (e.lengthComputable) li.textContent = file.name + "：已上传 " + Math.round((100 * e.loaded) / e.total) + "%";
      };
      xhr.onload = function () {
        if (xhr.status >= 200 && xhr.status < 300) resolve(ticket);
        else reject(new Error("文件未能上传（可能超过大小上限），请重试"));
      };
      xhr.onerror = function () { reject(new Error("网络中断，文件未能上传，请重试")); };
      xhr.send(data);
    });
  }

  function carried() { return form.querySelectorAll("input[name=files]").length; }

  picker.addEventListener("change", function () {
    Array.prototype.forEach.call(picker.files, function (file) {
      var li = row(file.name);
      if (carried() + busy >= max) {
        li.textContent = file.name + "：最多可附 " + max + " 个附件";
        li.className = "error";
        return;
      }
      busy += 1;
      submit.disabled = true;
      ticketFor(file)
        .then(function (ticket) { return send(ticket, file, li); })
        .then(function (ticket) {
          var hidden = document.createElement("input");
          hidden.type = "hidden";
          hidden.name = "files";
          hidden.value = ticket.upload;
          form.appendChild(hidden);
          li.textContent = "已上传：" + file.name;
          li.className = "ok";
        })
        .catch(function (err) { li.textContent = file.name + "：" + err.message; li.className = "error"; })
        .then(function () {
          busy -= 1;
          if (busy === 0) submit.disabled = false;
        });
    });
    picker.value = "";
  });
})();
