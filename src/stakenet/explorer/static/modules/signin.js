// Signing in to a server that requires API tokens: the dialog that asks for a token when the
// server refuses the one sent (or none), saying why in the server's words, and the control that
// shows whose token the tab holds and forgets it. `graphql.js` keeps and sends the token.

import { setSignIn, signOut, signedInAs, tryToken } from "./graphql.js";
import { el } from "./dom.js";

const WHY =
  "This stakenet server answers only requests that carry an API token. Paste yours (an " +
  "administrator creates one with stakenet token create). It is kept in this tab only, until you " +
  "sign out or close the tab.";

/**
 * Ask for a token whenever the server needs one, and show the signed-in token with a
 * *Sign out* button at the end of `bar`. Without tokens on the server, nothing of this shows.
 */
export function installSignIn(bar) {
  const who = el("span", { class: "signed-in-as" });
  const leave = el("button", { type: "button", class: "small-button sign-out" }, "Sign out");
  const status = el("p", { class: "signed-in", hidden: true }, [who, leave]);
  bar.append(status);
  leave.addEventListener("click", () => {
    signOut();
    // Nothing the token read stays on the screen: the page starts again, and asks.
    location.reload();
  });

  function showSignedIn() {
    const caller = signedInAs();
    status.hidden = caller === null;
    if (!caller) return;
    const name = caller.name ? `${caller.name} (${caller.role.toLowerCase()})` : "";
    who.replaceChildren(el("span", { class: "visually-hidden" }, name ? "Signed in as " : "Signed in"), name);
    leave.title = name ? `Forget the token of ${name} in this tab` : "Forget the token in this tab";
  }

  setSignIn((message) => ask(message).then(showSignedIn));
  showSignedIn();
}

let dialog = null;

function signInDialog() {
  if (dialog) return dialog;
  const input = el("input", {
    id: "sign-in-token",
    name: "token",
    type: "password",
    required: true,
    autocomplete: "off",
    autocapitalize: "off",
    spellcheck: "false",
  });
  const message = el("p", { id: "sign-in-message", class: "sign-in-message", role: "alert" });
  const submit = el("button", { type: "submit", class: "sign-in-submit" }, "Sign in");
  const form = el("form", { class: "sign-in-form" }, [
    el("h2", { id: "sign-in-title" }, "Sign in with an API token"),
    el("p", { id: "sign-in-why" }, WHY),
    message,
    el("label", { for: "sign-in-token" }, "API token"),
    input,
    submit,
  ]);
  dialog = el("dialog", { id: "sign-in", class: "sign-in", "aria-labelledby": "sign-in-title", "aria-describedby": "sign-in-why sign-in-message" }, form);
  // Nothing on the page works without a token: Escape does not put the dialog away.
  dialog.addEventListener("cancel", (event) => event.preventDefault());
  document.body.append(dialog);
  return dialog;
}

/** Show the dialog with the server's `reason`; resolve once the server accepted a token. */
function ask(reason) {
  const box = signInDialog();
  const form = box.querySelector("form");
  const input = box.querySelector("input");
  const message = box.querySelector(".sign-in-message");
  const submit = box.querySelector("button[type=submit]");
  message.textContent = `The server said: ${reason}`;
  input.value = "";
  return new Promise((resolve) => {
    let signedIn = false;
    const onSubmit = async (event) => {
      event.preventDefault();
      submit.disabled = true;
      message.textContent = "Checking the token…";
      try {
        const tried = await tryToken(input.value.trim());
        if (tried.refused) {
          message.textContent = `The server said: ${tried.refused}`;
          input.select();
          return;
        }
        signedIn = true;
        form.removeEventListener("submit", onSubmit);
        box.removeEventListener("close", onClose);
        box.close();
        resolve();
      } catch (error) {
        message.textContent = `Could not sign in: ${error.message}`;
      } finally {
        submit.disabled = false;
        if (!signedIn) input.focus();
      }
    };
    // A browser may close a modal dialog on Escape regardless: it opens again.
    const onClose = () => box.showModal();
    form.addEventListener("submit", onSubmit);
    box.addEventListener("close", onClose);
    box.showModal();
    input.focus();
  });
}
