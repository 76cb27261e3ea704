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
