/*
 * Security keys (WebAuthn / FIDO2) for Verzuimportaal.
 *
 * Small, dependency-free and CSP-compatible (no inline code, no style attributes). Works on
 * elements marked data-webauthn="authenticate" or data-webauthn="register":
 *   data-options-url, data-verify-url   JSON endpoints (POST, CSRF token as X-CSRFToken)
 *   data-purpose                        "login" or "reauth" (authenticate only)
 *   data-msg-*                          user-facing texts, translated by Django
 * Inside: a hidden csrfmiddlewaretoken input, [data-webauthn-controls] (hidden until this
 * script knows the browser can use a key) holding the button [data-webauthn-start],
 * [data-webauthn-error] and [data-webauthn-status] (live regions), and for "register" an
 * input [data-webauthn-name].
 * The server answers {"redirect": url} to move on, or {"error": text} to show.
 */
(function () {
  "use strict";

  function toBuffer(base64url) {
    var base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) {
      base64 += "=";
    }
    var binary = window.atob(base64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) {
      bytes[i] = binary.charCodeAt(i);
    }
    return bytes.buffer;
  }

  function toBase64url(buffer) {
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i++) {
      binary += String.fromCharCode(bytes[i]);
    }
    return window.btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function descriptors(list) {
    return (list || []).map(function (item) {
      var descriptor = { type: item.type, id: toBuffer(item.id) };
      if (item.transports) {
        descriptor.transports = item.transports;
      }
      return descriptor;
    });
  }

  function creationOptions(json) {
    var options = Object.assign({}, json);
    options.challenge = toBuffer(json.challenge);
    options.user = Object.assign({}, json.user, { id: toBuffer(json.user.id) });
    options.excludeCredentials = descriptors(json.excludeCredentials);
    return options;
  }

  function requestOptions(json) {
    var options = Object.assign({}, json);
    options.challenge = toBuffer(json.challenge);
    options.allowCredentials = descriptors(json.allowCredentials);
    return options;
  }

  function credentialJSON(credential) {
    var response = credential.response;
    var json = {
      id: credential.id,
      rawId: toBase64url(credential.rawId),
      type: credential.type,
      clientExtensionResults: credential.getClientExtensionResults
        ? credential.getClientExtensionResults()
        : {},
      response: { clientDataJSON: toBase64url(response.clientDataJSON) }
    };
    if (credential.authenticatorAttachment) {
      json.authenticatorAttachment = credential.authenticatorAttachment;
    }
    if (response.attestationObject) {
      json.response.attestationObject = toBase64url(response.attestationObject);
      if (typeof response.getTransports === "function") {
        json.response.transports = response.getTransports();
      }
    } else {
      json.response.authenticatorData = toBase64url(response.authenticatorData);
      json.response.signature = toBase64url(response.signature);
      if (response.userHandle) {
        json.response.userHandle = toBase64url(response.userHandle);
      }
    }
    return json;
  }

  function supported() {
    return Boolean(
      window.PublicKeyCredential &&
        navigator.credentials &&
        typeof navigator.credentials.create === "function" &&
        typeof navigator.credentials.get === "function"
    );
  }

  function Ceremony(root) {
    this.root = root;
    this.kind = root.getAttribute("data-webauthn");
    this.button = root.querySelector("[data-webauthn-start]");
    this.errorRegion = root.querySelector("[data-webauthn-error]");
    this.statusRegion = root.querySelector("[data-webauthn-status]");
    this.busy = false;
  }

  Ceremony.prototype.text = function (name) {
    return this.root.getAttribute("data-msg-" + name) || "";
  };

  Ceremony.prototype.status = function (message) {
    if (this.statusRegion) {
      this.statusRegion.textContent = message || "";
    }
  };

  Ceremony.prototype.error = function (message) {
    if (!this.errorRegion) {
      return;
    }
    this.errorRegion.textContent = "";
    if (message) {
      var box = document.createElement("div");
      box.className = "alert alert-error";
      box.setAttribute("role", "alert");
      var paragraph = document.createElement("p");
      paragraph.textContent = message;
      box.appendChild(paragraph);
      this.errorRegion.appendChild(box);
    }
  };

  Ceremony.prototype.csrfToken = function () {
    var input = this.root.querySelector("input[name=csrfmiddlewaretoken]") ||
      document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  };

  Ceremony.prototype.post = function (url, body) {
    return window
      .fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          "X-CSRFToken": this.csrfToken()
        },
        body: JSON.stringify(body)
      })
      .then(
        function (response) {
          return response.json().then(
            function (data) {
              return data;
            },
            function () {
              return { failed: true };
            }
          );
        },
        function () {
          return { network: true };
        }
      );
  };

  // True when the reply moved the page on or showed an error; false to carry on.
  Ceremony.prototype.handled = function (data) {
    if (data.redirect) {
      window.location.assign(data.redirect);
      return true;
    }
    if (data.error || data.failed || data.network) {
      this.fail(data.error || this.text(data.network ? "network" : "failed"));
      return true;
    }
    return false;
  };

  Ceremony.prototype.fail = function (message) {
    this.status("");
    this.error(message);
    this.busy = false;
    if (this.button) {
      this.button.disabled = false;
      this.button.focus();
    }
  };

  Ceremony.prototype.browserError = function (error) {
    var name = error && error.name;
    if (name === "NotAllowedError" || name === "AbortError") {
      return this.text("cancelled");
    }
    if (name === "InvalidStateError") {
      return this.text("known-key");
    }
    if (name === "SecurityError") {
      return this.text("security");
    }
    if (name === "NotSupportedError") {
      return this.text("unsupported");
    }
    return this.text("failed");
  };

  Ceremony.prototype.start = function () {
    if (this.busy) {
      return;
    }
    var nameInput = this.root.querySelector("[data-webauthn-name]");
    var name = nameInput ? nameInput.value.trim() : "";
    if (this.kind === "register" && !name) {
      this.error(this.text("name-required"));
      if (nameInput) {
        nameInput.focus();
      }
      return;
    }
    this.busy = true;
    if (this.button) {
      this.button.disabled = true;
    }
    this.error("");
    this.status(this.text("waiting"));

    var self = this;
    var purpose = this.root.getAttribute("data-purpose") || "login";
    var request = this.kind === "register" ? {} : { purpose: purpose };
    this.post(this.root.getAttribute("data-options-url"), request)
      .then(function (options) {
        if (self.handled(options)) {
          return null;
        }
        var ask = self.kind === "register"
          ? navigator.credentials.create({ publicKey: creationOptions(options) })
          : navigator.credentials.get({ publicKey: requestOptions(options) });
        return ask.then(
          function (credential) {
            self.status(self.text("checking"));
            var body = { credential: credentialJSON(credential) };
            if (self.kind === "register") {
              body.name = name;
            } else {
              var trust = document.querySelector("input[name=trust_device]");
              body.purpose = purpose;
              body.trust_device = Boolean(trust && trust.checked);
            }
            return self.post(self.root.getAttribute("data-verify-url"), body).then(function (data) {
              if (!self.handled(data)) {
                self.fail(self.text("failed"));
              }
            });
          },
          function (error) {
            self.fail(self.browserError(error));
          }
        );
      })
      .catch(function () {
        self.fail(self.text("failed"));
      });
  };

  function setUp(root) {
    if (root.getAttribute("data-webauthn-ready")) {
      return;
    }
    root.setAttribute("data-webauthn-ready", "1");
    var ceremony = new Ceremony(root);
    if (!supported()) {
      ceremony.error(ceremony.text("unsupported"));
      return;
    }
    var controls = root.querySelector("[data-webauthn-controls]");
    if (controls) {
      controls.hidden = false;
    }
    if (root.tagName === "FORM") {
      root.addEventListener("submit", function (event) {
        event.preventDefault();
        ceremony.start();
      });
    } else if (ceremony.button) {
      ceremony.button.addEventListener("click", function () {
        ceremony.start();
      });
    }
  }

  function init() {
    var roots = document.querySelectorAll("[data-webauthn]");
    for (var i = 0; i < roots.length; i++) {
      setUp(roots[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
